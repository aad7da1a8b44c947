//! The delivery reports the Sinch simulator sends: what Sinch would send for a customer's
//! transactional traffic, plus the faults dlrhub must survive.

use std::collections::VecDeque;
use std::str::FromStr;

use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};

/// Relative weights of the kinds of call to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mix {
    /// Per-recipient reports: a Dispatched, later the message's final status.
    pub recipient: u32,
    /// Batch reports, full (with recipients) or summary (counts only).
    pub batch: u32,
    /// An exact repeat of a recent report, as Sinch sends after a timeout.
    pub retry: u32,
    /// A report whose client_reference has no uid.
    pub missing_uid: u32,
    /// A body that is not a delivery report.
    pub malformed: u32,
}

impl Default for Mix {
    fn default() -> Self {
        Self {
            recipient: 80,
            batch: 5,
            retry: 8,
            missing_uid: 5,
            malformed: 2,
        }
    }
}

impl FromStr for Mix {
    type Err = String;

    /// `recipient=80,batch=5,retry=8,missing_uid=5,malformed=2`; kinds left out weigh 0.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let mut mix = Mix {
            recipient: 0,
            batch: 0,
            retry: 0,
            missing_uid: 0,
            malformed: 0,
        };
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, weight) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}` is not kind=weight"))?;
            let weight: u32 = weight
                .trim()
                .parse()
                .map_err(|_| format!("`{weight}` is not a whole number"))?;
            let slot = match kind.trim() {
                "recipient" => &mut mix.recipient,
                "batch" => &mut mix.batch,
                "retry" => &mut mix.retry,
                "missing_uid" => &mut mix.missing_uid,
                "malformed" => &mut mix.malformed,
                other => {
                    return Err(format!(
                        "unknown kind `{other}`; expected recipient, batch, retry, missing_uid or malformed"
                    ))
                }
            };
            *slot = weight;
        }
        if mix.total() == 0 {
            return Err("every weight is 0".to_owned());
        }
        Ok(mix)
    }
}

impl Mix {
    fn total(&self) -> u32 {
        self.recipient + self.batch + self.retry + self.missing_uid + self.malformed
    }
}

/// A small, fast, seedable generator (SplitMix64): reproducible runs, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (bound > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

struct Message {
    batch_id: String,
    recipient: String,
    client_reference: String,
}

const FINALS: &[(&str, i64, u64)] = &[
    // status, code, weight
    ("Delivered", 0, 88),
    ("Failed", 404, 5),
    ("Expired", 406, 3),
    ("Rejected", 408, 2),
    ("Aborted", 402, 1),
    ("Deleted", 0, 1),
];
const CATEGORIES: &[&str] = &["otp", "payment_update", "alert", "login"];
const RECENT: usize = 256;

/// Produces the next body to send.
pub struct Traffic {
    mix: Mix,
    rng: Rng,
    /// Messages that were dispatched and still wait for their final status.
    in_flight: VecDeque<Message>,
    /// Recently sent bodies, for retries.
    recent: VecDeque<String>,
}

impl Traffic {
    pub fn new(mix: Mix, seed: u64) -> Self {
        Self {
            mix,
            rng: Rng::new(seed),
            in_flight: VecDeque::new(),
            recent: VecDeque::with_capacity(RECENT),
        }
    }

    pub fn next_body(&mut self) -> String {
        let mut roll = self.rng.below(u64::from(self.mix.total()));
        let weights = [
            self.mix.recipient,
            self.mix.batch,
            self.mix.retry,
            self.mix.missing_uid,
            self.mix.malformed,
        ];
        let mut kind = 0;
        for (index, weight) in weights.into_iter().enumerate() {
            if roll < u64::from(weight) {
                kind = index;
                break;
            }
            roll -= u64::from(weight);
        }
        let body = match kind {
            0 => self.recipient_report(),
            1 => self.batch_report(),
            2 => match self
                .recent
                .get(self.rng.below(self.recent.len() as u64) as usize)
            {
                Some(body) => return body.clone(),
                None => self.recipient_report(),
            },
            3 => self.without_uid(),
            _ => self.malformed(),
        };
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(body.clone());
        body
    }

    /// Half the time a new message is dispatched; otherwise a dispatched one gets its final
    /// status, so every message tells the usual story: Dispatched, then Delivered or not.
    fn recipient_report(&mut self) -> String {
        if self.in_flight.len() > 10_000 || (!self.in_flight.is_empty() && self.rng.below(2) == 0) {
            let index = self.rng.below(self.in_flight.len().min(64) as u64) as usize;
            if let Some(message) = self.in_flight.remove(index) {
                let (status, code) = self.final_status();
                return recipient_json(&message, status, code).to_string();
            }
        }
        let message = self.new_message();
        let body = recipient_json(&message, "Dispatched", 401).to_string();
        self.in_flight.push_back(message);
        body
    }

    fn batch_report(&mut self) -> String {
        let message = self.new_message();
        let recipients: Vec<String> = (0..2 + self.rng.below(4)).map(|_| self.phone()).collect();
        let (failed_status, failed_code) = self.final_status();
        let split = 1 + self.rng.below(recipients.len() as u64) as usize;
        let (delivered, failed) = recipients.split_at(split.min(recipients.len()));
        let full = self.rng.below(2) == 0;
        let entry = |status: &str, code: i64, group: &[String]| {
            let mut entry = json!({ "code": code, "status": status, "count": group.len() });
            if full {
                entry["recipients"] = json!(group);
            }
            entry
        };
        let mut statuses = vec![entry("Delivered", 0, delivered)];
        if !failed.is_empty() && failed_status != "Delivered" {
            statuses.push(entry(failed_status, failed_code, failed));
        }
        json!({
            "type": "delivery_report_sms", "batch_id": message.batch_id,
            "total_message_count": recipients.len(), "client_reference": message.client_reference,
            "statuses": statuses,
        })
        .to_string()
    }

    fn without_uid(&mut self) -> String {
        let mut message = self.new_message();
        message.client_reference = format!("$cat={}", self.rng.pick(CATEGORIES));
        recipient_json(&message, "Delivered", 0).to_string()
    }

    fn malformed(&mut self) -> String {
        let message = self.new_message();
        match self.rng.below(3) {
            0 => r#"{"type":"recipient_delivery_report_sms","batch_id":"#.to_owned(),
            1 => {
                let mut body = recipient_json(&message, "Delivered", 0);
                body.as_object_mut().map(|o| o.remove("recipient"));
                body.to_string()
            }
            _ => json!({ "type": "mo_text", "body": "hello" }).to_string(),
        }
    }

    fn final_status(&mut self) -> (&'static str, i64) {
        let total: u64 = FINALS.iter().map(|(_, _, weight)| weight).sum();
        let mut roll = self.rng.below(total);
        for (status, code, weight) in FINALS {
            if roll < *weight {
                return (status, *code);
            }
            roll -= weight;
        }
        ("Delivered", 0)
    }

    fn new_message(&mut self) -> Message {
        const ULID: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let batch_id: String = (0..26).map(|_| char::from(*self.rng.pick(ULID))).collect();
        let uid = 100_000_000_000_000_000 + self.rng.below(900_000_000_000_000_000);
        let client_reference = format!("$uid={uid}$cat={}", self.rng.pick(CATEGORIES));
        Message {
            batch_id,
            recipient: self.phone(),
            client_reference,
        }
    }

    fn phone(&mut self) -> String {
        let prefix = self.rng.pick(&["+447", "+4915", "+336", "+1415", "44"]);
        format!("{prefix}{:08}", self.rng.below(100_000_000))
    }
}

fn recipient_json(message: &Message, status: &str, code: i64) -> Value {
    let at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    json!({
        "type": "recipient_delivery_report_sms", "batch_id": message.batch_id,
        "recipient": message.recipient, "code": code, "status": status, "at": at,
        "operator_status_at": at, "client_reference": message.client_reference,
        "operator": "23410", "encoding": "GSM", "number_of_message_parts": 1,
    })
}

#[cfg(test)]
mod tests {
    use domain::SinchReport;

    use super::*;

    #[test]
    fn the_default_mix_sends_every_kind_and_valid_reports_parse() {
        let mut traffic = Traffic::new(Mix::default(), 7);
        let (mut valid, mut malformed, mut without_uid) = (0, 0, 0);
        let mut seen = std::collections::HashSet::new();
        let mut retries = 0;
        for _ in 0..2000 {
            let body = traffic.next_body();
            if !seen.insert(body.clone()) {
                retries += 1;
            }
            match SinchReport::from_json(body.as_bytes()) {
                Ok(report) if report.client_reference.customer_id().is_err() => without_uid += 1,
                Ok(_) => valid += 1,
                Err(_) => malformed += 1,
            }
        }
        assert!(valid > 1500, "{valid}");
        assert!(
            malformed > 10 && without_uid > 30 && retries > 60,
            "{malformed} {without_uid} {retries}"
        );
    }

    #[test]
    fn a_mix_is_read_from_kind_weight_pairs() {
        let mix: Mix = "recipient=1, malformed=3".parse().expect("valid");
        assert_eq!((mix.recipient, mix.malformed, mix.batch), (1, 3, 0));
        assert!("recipient=x".parse::<Mix>().is_err());
        assert!("bogus=1".parse::<Mix>().is_err());
        assert!("recipient=0".parse::<Mix>().is_err());
    }
}
