use std::fmt;

/// A MoEngage data center, DC-01 to DC-06; each has its own API host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct DataCenter(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a MoEngage data center; expected 01 to 06 (or DC-01 to DC-06)")]
pub struct DataCenterError(String);

impl DataCenter {
    /// Accepts `3`, `03` and `DC-03`, as people write them.
    pub fn parse(raw: &str) -> Result<Self, DataCenterError> {
        let trimmed = raw.trim();
        let digits = trimmed
            .strip_prefix("DC-")
            .or_else(|| trimmed.strip_prefix("dc-"))
            .unwrap_or(trimmed);
        match digits.parse::<u8>() {
            Ok(number @ 1..=6) if digits.len() <= 2 => Ok(Self(number)),
            _ => Err(DataCenterError(raw.to_owned())),
        }
    }

    pub fn from_number(number: i16) -> Result<Self, DataCenterError> {
        Self::parse(&number.to_string())
    }

    pub fn number(self) -> u8 {
        self.0
    }

    /// The Data API host of this data center.
    pub fn api_base_url(self) -> String {
        format!("https://api-0{}.moengage.com", self.0)
    }
}

impl fmt::Display for DataCenter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("DC-0{}", self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_spellings_name_the_same_data_center() {
        for raw in ["3", "03", "DC-03", " dc-3 "] {
            assert_eq!(
                DataCenter::parse(raw).map(DataCenter::number),
                Ok(3),
                "{raw}"
            );
        }
        let dc = DataCenter::parse("01").expect("valid");
        assert_eq!(dc.to_string(), "DC-01");
        assert_eq!(dc.api_base_url(), "https://api-01.moengage.com");
    }

    #[test]
    fn numbers_outside_one_to_six_are_refused() {
        for raw in ["0", "7", "DC-07", "", "one", "003"] {
            assert!(DataCenter::parse(raw).is_err(), "{raw}");
        }
    }
}
