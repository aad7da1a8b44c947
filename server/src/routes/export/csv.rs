//! One event as a CSV row.

use std::fmt::Write as _;

use app::api::events::shown_phone;
use store::events::ListedEvent;

pub const HEADER: &str = "time,tenant,event_id,event,uid,phone,category,batch_id,sinch_status,sinch_code,forwarding,attempts,last_error\n";

pub fn row(out: &mut String, found: &ListedEvent, full_numbers: bool) {
    let event = &found.event;
    let fields = [
        event.created_at.to_rfc3339(),
        found.app_key.clone(),
        event.id.to_string(),
        event.kind.clone(),
        event.customer_id.clone(),
        shown_phone(&event.recipient, full_numbers),
        event.category.clone().unwrap_or_default(),
        event.batch_id.clone(),
        event.sinch_status.clone(),
        event.sinch_code.to_string(),
        event.forward_state.clone(),
        event.attempts.to_string(),
        event.last_error.clone().unwrap_or_default(),
    ];
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}", Field(field));
    }
    out.push('\n');
}

/// A CSV field: quoted when it holds a separator, a quote or a line break, and defused
/// when a spreadsheet would read it as a formula (uids and batch ids come from outside).
/// Signed numbers, such as phone numbers, stay as they are.
struct Field<'a>(&'a str);

impl Field<'_> {
    fn is_formula(&self) -> bool {
        let mut chars = self.0.chars();
        match chars.next() {
            Some('=' | '@' | '\t' | '\r') => true,
            Some('+' | '-') => !chars.all(|c| c.is_ascii_digit()),
            _ => false,
        }
    }
}

impl std::fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let formula = self.is_formula();
        let quote = formula || self.0.contains([',', '"', '\n', '\r']);
        if !quote {
            return f.write_str(self.0);
        }
        f.write_str("\"")?;
        if formula {
            f.write_str("'")?;
        }
        f.write_str(&self.0.replace('"', "\"\""))?;
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::Field;

    #[test]
    fn fields_are_quoted_only_when_needed_and_formulas_defused() {
        let shown = |raw: &str| Field(raw).to_string();
        assert_eq!(shown("plain-42"), "plain-42");
        assert_eq!(shown("a,b"), "\"a,b\"");
        assert_eq!(shown("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(shown("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(shown("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(shown("+447700900123"), "+447700900123", "a phone number");
        assert_eq!(shown("-2+3"), "\"'-2+3\"");
    }
}
