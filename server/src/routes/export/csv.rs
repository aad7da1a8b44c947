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

/// A CSV field: always quoted, so that no separator inside it (a comma, or the `;` or tab
/// a spreadsheet set to another locale splits on) can start a new cell, and defused with a
/// leading `'` when a spreadsheet would read it as a formula (uids and batch ids come from
/// outside). Signed numbers, such as phone numbers, stay as they are.
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
        f.write_str("\"")?;
        if self.is_formula() {
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
    fn every_field_is_quoted_and_formulas_are_defused() {
        let shown = |raw: &str| Field(raw).to_string();
        assert_eq!(shown("plain-42"), "\"plain-42\"");
        assert_eq!(shown("a,b"), "\"a,b\"");
        assert_eq!(shown("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(shown("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(shown("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(
            shown("+447700900123"),
            "\"+447700900123\"",
            "a phone number"
        );
        assert_eq!(shown("-2+3"), "\"'-2+3\"");
        assert_eq!(shown("+cmd|' /C calc'!A0"), "\"'+cmd|' /C calc'!A0\"");
        assert_eq!(shown("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(shown("\t=1+1"), "\"'\t=1+1\"");
        // A spreadsheet that splits on `;` or tabs keeps a quoted field whole.
        assert_eq!(shown("x;=1+1"), "\"x;=1+1\"");
        assert_eq!(shown("x\t@SUM(A1)"), "\"x\t@SUM(A1)\"");
        assert_eq!(shown(""), "\"\"");
    }
}
