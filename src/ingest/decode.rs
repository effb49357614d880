//! Bytes → text: detects UTF-8 (with or without BOM) or Shift_JIS/CP932 without being told.
//!
//! The decision: valid UTF-8 is UTF-8. Invalid UTF-8 whose valid prefix already holds multi-byte
//! UTF-8 characters is a damaged UTF-8 file (a truncated copy, a mixed encoding) and an error at
//! the line of the first bad byte, not a guess. Otherwise the bytes must decode as CP932 (what
//! Excel in Japan writes; encoding_rs's `SHIFT_JIS` is the WHATWG CP932 decoder) without a
//! single error.

use encoding_rs::SHIFT_JIS;

use crate::error::{Error, Location, Result};

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// Shift_JIS as Windows writes it (CP932).
    ShiftJis,
}

/// Decodes `bytes` read from `path`, stripping a UTF-8 BOM.
pub(crate) fn decode(path: &str, bytes: &[u8]) -> Result<(String, Encoding)> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::input(Location::file(path), "file is empty"));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::input(
            Location::at(path, 1),
            "UTF-16 text is not supported; save the file as UTF-8 or Shift_JIS",
        ));
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(Error::input(
            Location::at(path, line_of(bytes, offset)),
            "binary data (NUL byte); expected the table as a PDF, an Excel or OpenDocument workbook, CSV, JSON or pdftotext text",
        ));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, encoding) = match std::str::from_utf8(body) {
        Ok(text) => (text.to_owned(), Encoding::Utf8),
        Err(error) => {
            let valid = &body[..error.valid_up_to()];
            let offset = error.valid_up_to() + (bytes.len() - body.len());
            if error.error_len().is_none() && !valid.is_ascii() {
                return Err(Error::input(
                    Location::at(path, line_of(bytes, offset)),
                    "truncated UTF-8: the file ends inside a character (an incomplete copy?)",
                ));
            }
            if !valid.is_ascii() || body.len() != bytes.len() {
                return Err(Error::input(
                    Location::at(path, line_of(bytes, offset)),
                    format!(
                        "invalid UTF-8 (byte 0x{:02X}) in a file that is otherwise UTF-8; \
                         mixed encodings?",
                        bytes[offset]
                    ),
                ));
            }
            decode_shift_jis(path, body)?
        }
    };
    check_control_characters(path, &text)?;
    Ok((text, encoding))
}

fn decode_shift_jis(path: &str, bytes: &[u8]) -> Result<(String, Encoding)> {
    match SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok((text.into_owned(), Encoding::ShiftJis)),
        None => {
            let (lossy, _) = SHIFT_JIS.decode_without_bom_handling(bytes);
            let line =
                lossy.find('\u{FFFD}').map(|byte| lossy[..byte].matches('\n').count() + 1).unwrap_or(1);
            Err(Error::input(
                Location::at(path, line),
                "not text in UTF-8 or Shift_JIS (undecodable bytes); binary data?",
            ))
        }
    }
}

/// Rejects text that is mostly control characters (a binary file that happens to decode).
fn check_control_characters(path: &str, text: &str) -> Result<()> {
    let is_control = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}');
    let num_control = text.chars().filter(|&c| is_control(c)).count();
    if num_control * 100 > text.chars().count().max(1) {
        let byte = text.find(is_control).unwrap_or(0);
        let line = text[..byte].matches('\n').count() + 1;
        return Err(Error::input(
            Location::at(path, line),
            "binary data (control characters); expected text (pdftotext output, CSV or JSON)",
        ));
    }
    Ok(())
}

/// 1-based line number of byte `offset`.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom_is_stripped() {
        let (text, encoding) = decode("a.csv", "\u{FEFF}地区医師会名\n".as_bytes()).unwrap();
        assert_eq!(text, "地区医師会名\n");
        assert_eq!(encoding, Encoding::Utf8);
    }

    #[test]
    fn shift_jis_is_detected() {
        let (bytes, _, _) = SHIFT_JIS.encode("事業内容\r\n在宅医療\r\n");
        let (text, encoding) = decode("a.csv", &bytes).unwrap();
        assert_eq!(text, "事業内容\r\n在宅医療\r\n");
        assert_eq!(encoding, Encoding::ShiftJis);
    }

    #[test]
    fn truncated_utf8_names_the_last_line() {
        let bytes = "一行目\n二行目".as_bytes();
        let error = decode("t.txt", &bytes[..bytes.len() - 1]).unwrap_err();
        assert!(error.to_string().starts_with("t.txt:2: truncated UTF-8"), "{error}");
    }
}
