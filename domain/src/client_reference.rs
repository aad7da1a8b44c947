use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;

use crate::{CustomerId, UidRejection};

/// The `client_reference` a customer attaches to a Sinch batch, e.g.
/// `$uid=123456789759339206$cat=otp`.
///
/// Parsed tolerantly, because customers write it by hand: `$`-separated `key=value` pairs
/// in any order, surrounding whitespace trimmed, keys case-insensitive, percent-encoding
/// decoded, empty values treated as absent, and when a key repeats the first one wins.
/// Unknown keys are kept (they travel to MoEngage as event attributes).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ClientReference {
    pub uid: Option<String>,
    pub cat: Option<String>,
    pub extra: BTreeMap<String, String>,
}

impl ClientReference {
    /// Sinch's limit for `client_reference`.
    pub const MAX_LEN: usize = 2048;

    /// Never fails: whatever cannot be read as a `key=value` pair is skipped.
    pub fn parse(raw: &str) -> Self {
        let mut reference = Self::default();
        for segment in raw.split('$') {
            let Some((key, value)) = segment.split_once('=') else {
                continue;
            };
            let key = decode(key).to_lowercase();
            let value = decode(value);
            if key.is_empty() || value.is_empty() {
                continue;
            }
            let slot = match key.as_str() {
                "uid" => &mut reference.uid,
                "cat" => &mut reference.cat,
                _ => {
                    reference.extra.entry(key).or_insert(value);
                    continue;
                }
            };
            slot.get_or_insert(value);
        }
        reference
    }

    /// The MoEngage customer_id this report belongs to, or why there is none.
    pub fn customer_id(&self) -> Result<CustomerId, UidRejection> {
        match &self.uid {
            Some(uid) => CustomerId::parse(uid),
            None => Err(UidRejection::Missing),
        }
    }
}

/// Percent-decodes and trims. A decoded NUL (`%00`) is dropped: no database text can
/// hold it, and no real id or category contains it.
fn decode(part: &str) -> String {
    percent_decode_str(part.trim())
        .decode_utf8_lossy()
        .replace('\0', "")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_documented_form_gives_uid_and_category() {
        let reference = ClientReference::parse("$uid=123456789759339206$cat=category_name");
        assert_eq!(reference.uid.as_deref(), Some("123456789759339206"));
        assert_eq!(reference.cat.as_deref(), Some("category_name"));
        assert!(reference.extra.is_empty());
        assert_eq!(
            reference.customer_id().expect("valid").as_str(),
            "123456789759339206"
        );
    }

    #[test]
    fn order_whitespace_case_and_extra_keys_are_tolerated() {
        let reference = ClientReference::parse("  $cat = otp $ UID=42 $campaign=spring$ ");
        assert_eq!(reference.uid.as_deref(), Some("42"));
        assert_eq!(reference.cat.as_deref(), Some("otp"));
        assert_eq!(
            reference.extra.get("campaign").map(String::as_str),
            Some("spring")
        );
    }

    #[test]
    fn percent_encoded_separators_and_spaces_are_decoded_after_splitting() {
        let reference = ClientReference::parse("$uid=a%24b%3Dc$cat=payment%20update");
        assert_eq!(reference.uid.as_deref(), Some("a$b=c"));
        assert_eq!(reference.cat.as_deref(), Some("payment update"));
    }

    #[test]
    fn an_encoded_nul_is_dropped() {
        let reference = ClientReference::parse("$uid=4%002$cat=%00$x=a%00");
        assert_eq!(reference.uid.as_deref(), Some("42"));
        assert_eq!(reference.cat, None);
        assert_eq!(reference.extra.get("x").map(String::as_str), Some("a"));
    }

    #[test]
    fn a_missing_or_empty_uid_is_a_missing_uid() {
        assert_eq!(
            ClientReference::parse("$cat=otp").customer_id(),
            Err(UidRejection::Missing)
        );
        assert_eq!(
            ClientReference::parse("$uid=$cat=otp").customer_id(),
            Err(UidRejection::Missing)
        );
        assert_eq!(
            ClientReference::parse("").customer_id(),
            Err(UidRejection::Missing)
        );
    }

    #[test]
    fn a_placeholder_uid_is_refused() {
        assert_eq!(
            ClientReference::parse("$uid=null").customer_id(),
            Err(UidRejection::Refused("null".into()))
        );
    }

    #[test]
    fn when_a_key_repeats_the_first_value_wins() {
        let reference = ClientReference::parse("$uid=1001$uid=2002$x=a$X=b");
        assert_eq!(reference.uid.as_deref(), Some("1001"));
        assert_eq!(reference.extra.get("x").map(String::as_str), Some("a"));
    }

    #[test]
    fn segments_without_a_value_are_skipped() {
        let reference = ClientReference::parse("hello$uid=7$=orphan$flag");
        assert_eq!(reference.uid.as_deref(), Some("7"));
        assert!(reference.extra.is_empty());
    }

    /// Text a customer might put in a value: anything printable, including the separators.
    fn value() -> impl Strategy<Value = String> {
        "[^\\p{C}]{1,24}".prop_filter("not blank", |v| !v.trim().is_empty())
    }

    /// Encodes what would otherwise be read as syntax: `$`, `=`, `%`, and edge whitespace.
    fn encode(text: &str) -> String {
        let text = text.trim();
        text.chars()
            .map(|c| match c {
                '$' => "%24".to_owned(),
                '=' => "%3D".to_owned(),
                '%' => "%25".to_owned(),
                c => c.to_string(),
            })
            .collect()
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_text_never_panics(raw in "\\PC{0,300}") {
            let _ = ClientReference::parse(&raw).customer_id();
        }

        #[test]
        fn encoded_pairs_in_any_order_parse_back_to_their_values(
            uid in value(),
            cat in proptest::option::of(value()),
            extra in proptest::collection::btree_map("[a-z][a-z0-9_]{0,8}", value(), 0..4),
            shuffle_seed in any::<u64>(),
            pad in "[ \\t]{0,2}",
        ) {
            let extra: BTreeMap<String, String> = extra
                .into_iter()
                .filter(|(key, _)| key != "uid" && key != "cat")
                .collect();
            let mut pairs = vec![format!("uid={}", encode(&uid))];
            if let Some(cat) = &cat {
                pairs.push(format!("cat={}", encode(cat)));
            }
            pairs.extend(extra.iter().map(|(k, v)| format!("{k}={}", encode(v))));
            // A deterministic shuffle driven by the generated seed.
            let len = pairs.len();
            for i in (1..len).rev() {
                let j = (shuffle_seed.rotate_left(i as u32) % (i as u64 + 1)) as usize;
                pairs.swap(i, j);
            }
            let raw: String = pairs.iter().map(|p| format!("{pad}${pad}{p}{pad}")).collect();

            let parsed = ClientReference::parse(&raw);

            prop_assert_eq!(parsed.uid.as_deref(), Some(uid.trim()));
            prop_assert_eq!(parsed.cat.as_deref(), cat.as_deref().map(str::trim));
            let expected: BTreeMap<String, String> =
                extra.iter().map(|(k, v)| (k.clone(), v.trim().to_owned())).collect();
            prop_assert_eq!(parsed.extra, expected);
        }
    }
}
