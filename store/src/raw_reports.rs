//! Sinch's reports exactly as received, compressed and kept by the UTC day
//! (`crate::partitions`) for their own, shorter period (`DLRHUB_RAW_RETENTION_DAYS`): the
//! parsed reports, messages and events carry everything dlrhub works with, the raw body is
//! there for people checking what Sinch really sent.

use std::cell::RefCell;
use std::io::Read;
use std::sync::LazyLock;

use zstd::dict::{DecoderDictionary, EncoderDictionary};

/// How `raw_reports.body` is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i16)]
pub enum Codec {
    /// The UTF-8 text as received (bodies moved from before compression).
    Plain = 0,
    /// zstd with `dictionary-v1.json`.
    ZstdV1 = 1,
}

/// Text common to Sinch's reports, the most common last (zstd finds recent text cheapest).
/// Never edit it: stored bodies need it to be read. A new dictionary is a new codec.
const DICTIONARY_V1: &[u8] = include_bytes!("raw_reports/dictionary-v1.json");
/// zstd's default level: the dictionary does the work, higher levels gain a few bytes.
const LEVEL: i32 = 3;

static ENCODER: LazyLock<EncoderDictionary<'static>> =
    LazyLock::new(|| EncoderDictionary::copy(DICTIONARY_V1, LEVEL));
static DECODER: LazyLock<DecoderDictionary<'static>> =
    LazyLock::new(|| DecoderDictionary::copy(DICTIONARY_V1));

#[derive(Debug, thiserror::Error)]
pub enum RawReportError {
    #[error("raw report codec {0} is unknown to this build")]
    UnknownCodec(i16),
    #[error("the raw report could not be decompressed")]
    Corrupt(#[source] std::io::Error),
}

/// Compresses bodies for storage (codec [`Codec::ZstdV1`]).
pub fn compress_all<'a>(
    bodies: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<Vec<u8>>, std::io::Error> {
    thread_local! {
        // A compressor holds zstd's working memory: made once per thread, not per batch.
        static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> =
            const { RefCell::new(None) };
    }
    COMPRESSOR.with_borrow_mut(|slot| {
        let compressor = match slot {
            Some(compressor) => compressor,
            None => slot.insert(zstd::bulk::Compressor::with_prepared_dictionary(&ENCODER)?),
        };
        bodies
            .into_iter()
            .map(|body| compressor.compress(body))
            .collect()
    })
}

/// A stored body as text; bytes that are not UTF-8 (never seen: the webhook takes JSON)
/// are shown replaced rather than hidden.
pub fn decode(codec: i16, stored: &[u8]) -> Result<String, RawReportError> {
    let bytes = match codec {
        c if c == Codec::Plain as i16 => stored.to_vec(),
        c if c == Codec::ZstdV1 as i16 => {
            let mut decoder = zstd::stream::read::Decoder::with_prepared_dictionary(
                std::io::BufReader::new(stored),
                &DECODER,
            )
            .map_err(RawReportError::Corrupt)?;
            let mut bytes = Vec::with_capacity(stored.len() * 4);
            decoder
                .read_to_end(&mut bytes)
                .map_err(RawReportError::Corrupt)?;
            bytes
        }
        other => return Err(RawReportError::UnknownCodec(other)),
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"{"type":"recipient_delivery_report_sms","batch_id":"01JE9X7Q2M5KD3F8ZT6R1N4W0B","recipient":"+447700912345","code":0,"status":"Delivered","at":"2026-12-06T20:16:08.930Z","operator_status_at":"2026-12-06T20:16:07.150Z","client_reference":"$uid=user-48213$cat=otp","operator":"23410","encoding":"GSM","number_of_message_parts":1,"applied_originator":"DLRHUB"}"#;

    #[test]
    fn a_report_comes_back_as_sent_at_under_half_its_size() {
        let stored = compress_all([REPORT.as_bytes()]).expect("compressed");
        assert!(
            stored[0].len() * 2 < REPORT.len(),
            "{} bytes of {}",
            stored[0].len(),
            REPORT.len()
        );
        assert_eq!(
            decode(Codec::ZstdV1 as i16, &stored[0]).expect("readable"),
            REPORT
        );
    }

    #[test]
    fn plain_bodies_read_as_they_are_and_unknown_codecs_are_named() {
        assert_eq!(
            decode(Codec::Plain as i16, REPORT.as_bytes()).expect("readable"),
            REPORT
        );
        assert!(matches!(
            decode(7, b"x"),
            Err(RawReportError::UnknownCodec(7))
        ));
        assert!(matches!(
            decode(Codec::ZstdV1 as i16, b"not zstd"),
            Err(RawReportError::Corrupt(_))
        ));
    }
}
