//! "uid hygiene": the reports dlrhub refused over the last days, per tenant and reason,
//! with the values most often at fault and a note customer success can send as it is.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::activity::Moment;
use super::error::ApiError;

/// How far back the page looks.
pub const DAYS: i64 = 7;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRejections {
    pub app_key: String,
    pub name: String,
    pub reasons: Vec<ReasonView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonView {
    /// `missing_uid`, `refused_uid`, `uid_too_long` or `malformed`.
    pub code: String,
    pub label: String,
    pub total: i64,
    /// One per day, oldest first: ("Sat 28", count).
    pub days: Vec<(String, i64)>,
    pub samples: Vec<SampleView>,
    /// What to tell the customer, ready to paste.
    pub advice: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleView {
    /// The client_reference as sent (None: there was none), or the start of a malformed
    /// call's body.
    pub value: Option<String>,
    pub detail: String,
    pub count: i64,
    pub last: Moment,
}

/// Refused reports of the user's tenants over the last [`DAYS`] days, the worst first.
#[server(endpoint = "rejected_reports")]
pub async fn rejected_reports() -> Result<Vec<TenantRejections>, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, pool};

    let principal = allowed(Action::ViewEvents)?;
    let pool = pool()?;
    let tenants = principal.tenants(&pool).await?;
    let scope: Vec<_> = tenants.iter().map(|t| t.id).collect();
    let now = chrono::Utc::now();
    let first_day = ssr::day_start(now) - chrono::Duration::days(DAYS - 1);
    let counts = store::rejections::daily_counts(&pool, &scope, first_day).await?;
    let samples = store::rejections::samples(&pool, &scope, first_day, 5).await?;
    let full_numbers = principal.may(Action::ViewFullPhoneNumbers);
    Ok(ssr::by_tenant(
        &tenants,
        &counts,
        samples,
        first_day,
        now,
        full_numbers,
    ))
}

#[cfg(feature = "ssr")]
mod ssr {
    use chrono::{DateTime, Duration, Utc};
    use store::rejections::{DailyCount, Sample};

    use super::*;
    use crate::api::activity::moment;

    pub fn day_start(at: DateTime<Utc>) -> DateTime<Utc> {
        at.date_naive()
            .and_hms_opt(0, 0, 0)
            .map(|midnight| midnight.and_utc())
            .unwrap_or(at)
    }

    /// The reasons in the order the page shows them.
    const REASONS: [(&str, &str); 4] = [
        ("missing_uid", "Missing uid"),
        (
            "refused_uid",
            "Refused uid (a placeholder such as \"unknown\" or \"0\")",
        ),
        ("uid_too_long", "uid too long"),
        ("malformed", "Malformed report"),
    ];

    pub fn by_tenant(
        tenants: &[store::tenants::Tenant],
        counts: &[DailyCount],
        samples: Vec<Sample>,
        first_day: DateTime<Utc>,
        now: DateTime<Utc>,
        full_numbers: bool,
    ) -> Vec<TenantRejections> {
        let mut found: Vec<TenantRejections> = tenants
            .iter()
            .filter_map(|tenant| {
                let reasons: Vec<ReasonView> = REASONS
                    .iter()
                    .filter_map(|(code, label)| {
                        let mine = |c: &&DailyCount| c.tenant == tenant.id && c.reason == *code;
                        let total: i64 = counts.iter().filter(mine).map(|c| c.count).sum();
                        (total > 0).then(|| {
                            let days = (0..DAYS)
                                .map(|n| {
                                    let day = first_day + Duration::days(n);
                                    let count = counts
                                        .iter()
                                        .filter(mine)
                                        .filter(|c| c.day == day)
                                        .map(|c| c.count)
                                        .sum();
                                    (day.format("%a %d").to_string(), count)
                                })
                                .collect();
                            let samples: Vec<SampleView> = samples
                                .iter()
                                .filter(|s| s.tenant == tenant.id && s.reason == *code)
                                .map(|s| shown(s, full_numbers, now))
                                .collect();
                            ReasonView {
                                code: (*code).to_owned(),
                                label: (*label).to_owned(),
                                total,
                                days,
                                advice: advice(code, total, &samples),
                                samples,
                            }
                        })
                    })
                    .collect();
                (!reasons.is_empty()).then(|| TenantRejections {
                    app_key: tenant.app_key.to_string(),
                    name: tenant.name.clone(),
                    reasons,
                })
            })
            .collect();
        found.sort_by_key(|t| std::cmp::Reverse(t.reasons.iter().map(|r| r.total).sum::<i64>()));
        found
    }

    /// A sample as the caller may see it. A malformed body's excerpt and every error
    /// text can quote a recipient (`MsisdnError`, serde's "invalid type: integer
    /// `46701234567`"), so for someone without the full-number permission their digits
    /// are masked; a client_reference is the customer's own text and stays, as uids do.
    fn shown(sample: &Sample, full_numbers: bool, now: DateTime<Utc>) -> SampleView {
        let masked = |text: &str| {
            if full_numbers {
                text.to_owned()
            } else {
                domain::mask_numbers_in(text)
            }
        };
        let value = match sample.reason.as_str() {
            "malformed" => sample.value.as_deref().map(masked),
            _ => sample.value.clone(),
        };
        SampleView {
            value,
            detail: masked(&sample.detail),
            count: sample.count,
            last: moment(sample.last_at, now),
        }
    }

    /// A note for the customer: what was wrong, how often, examples, and the fix.
    pub fn advice(code: &str, total: i64, samples: &[SampleView]) -> String {
        let examples: Vec<String> = samples
            .iter()
            .take(3)
            .map(|s| match &s.value {
                Some(value) => format!("  client_reference: \"{value}\" ({} times)", s.count),
                None => format!("  no client_reference at all ({} times)", s.count),
            })
            .collect();
        let reports = if total == 1 { "report" } else { "reports" };
        let problem = match code {
            "missing_uid" => format!(
                "{total} delivery {reports} in the last {DAYS} days carried no uid in their batch's client_reference, so we could not tell which MoEngage user they belong to."
            ),
            "refused_uid" => format!(
                "{total} delivery {reports} in the last {DAYS} days carried a placeholder uid (such as \"unknown\" or \"0\") that MoEngage refuses as a customer id."
            ),
            "uid_too_long" => format!(
                "{total} delivery {reports} in the last {DAYS} days carried a uid longer than MoEngage accepts."
            ),
            _ => {
                return format!(
                    "{total} {} from Sinch to your callback URL in the last {DAYS} days were not delivery reports we could read. Check that the callback URL in your Sinch service plan is the one we gave you and that nothing between Sinch and us rewrites the requests.",
                    if total == 1 { "call" } else { "calls" }
                )
            }
        };
        let mut text = format!(
            "{problem} These deliveries are missing from your users' MoEngage profiles.\n\nWhen you send an SMS batch through Sinch, set client_reference to \"$uid=<MoEngage customer_id>$cat=<category>\", for example \"$uid=user-1234$cat=otp\": uid is the user's customer_id in MoEngage (required), cat an optional category."
        );
        if !examples.is_empty() {
            text.push_str("\n\nExamples we received:\n");
            text.push_str(&examples.join("\n"));
        }
        text
    }
}
