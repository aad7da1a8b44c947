//! Any client_reference a customer might write: parsing never panics, and a uid that is
//! accepted is never blank, never a refused placeholder, never padded.
#![no_main]

use domain::ClientReference;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    let reference = ClientReference::parse(raw);
    if let Ok(uid) = reference.customer_id() {
        assert!(!uid.as_str().is_empty());
        assert_eq!(uid.as_str(), uid.as_str().trim());
        assert!(!uid.as_str().eq_ignore_ascii_case("null"));
    }
    let texts = reference.uid.iter().chain(&reference.cat).chain(reference.extra.values());
    for text in texts.chain(reference.extra.keys()) {
        assert!(!text.contains('\0'), "databases cannot store NUL");
    }
    for (key, value) in &reference.extra {
        assert!(!key.is_empty() && !value.is_empty());
        assert_ne!(key, "uid");
        assert_ne!(key, "cat");
    }
});
