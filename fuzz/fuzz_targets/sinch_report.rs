//! Any bytes Sinch (or anyone holding a callback URL) might post: parsing never panics,
//! and whatever parses keeps its promises.
#![no_main]

use domain::SinchReport;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(report) = SinchReport::from_json(body) {
        assert!(!report.batch_id.trim().is_empty());
        assert_eq!(report.batch_id, report.batch_id.trim());
        for observation in &report.observations {
            assert!(observation.count > 0 || observation.recipient.is_none());
            if let Some(recipient) = &observation.recipient {
                assert!(recipient.as_str().starts_with('+'));
                assert!(recipient.masked().chars().count() == recipient.as_str().chars().count());
            }
        }
        let _ = report.client_reference.customer_id();
    }
});
