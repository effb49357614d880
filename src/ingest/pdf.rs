//! The words of a PDF with their positions, read by poppler's `pdftotext -bbox`.
//!
//! Why poppler as a subprocess and not a Rust crate: the table is set in Japanese CID fonts
//! (Identity-H with ToUnicode maps), with full-width digits and ㈱-style characters, and poppler
//! is the reader every PDF viewer on Linux trusts for them; the pure-Rust readers we tried either
//! drop CID text or give no positions. The cost is a program outside the binary: its absence, a
//! run past [`timeout`] and each way a PDF can be unreadable get their own one-line error.
//!
//! `ZAITAKU_PDFTOTEXT` names another pdftotext (a poppler built elsewhere); `ZAITAKU_PDF_TIMEOUT`
//! (seconds, default 60) bounds one file.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use regex::Regex;

use crate::error::{Error, Location, Result};

/// One word as pdftotext places it, in points from the page's top left.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Word {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
    pub text: String,
}

impl Word {
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }

    pub fn x_center(&self) -> f32 {
        (self.x0 + self.x1) / 2.0
    }
}

/// One page: its 1-based number and its words in pdftotext's order.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub number: usize,
    pub words: Vec<Word>,
}

/// Whether `bytes` start like a PDF (the header may follow a little junk, as readers allow).
pub(crate) fn is_pdf(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(1024)].windows(5).any(|w| w == b"%PDF-")
}

/// The pdftotext to run.
fn program() -> String {
    std::env::var("ZAITAKU_PDFTOTEXT")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "pdftotext".to_owned())
}

/// How long one file may take.
fn timeout() -> Duration {
    let seconds = std::env::var("ZAITAKU_PDF_TIMEOUT").ok().and_then(|s| s.parse::<f64>().ok());
    Duration::from_secs_f64(seconds.filter(|s| *s > 0.0).unwrap_or(60.0))
}

/// The pages of the PDF `bytes` read from `path`.
pub(crate) fn read_pages(path: &str, bytes: &[u8]) -> Result<Vec<Page>> {
    let program = program();
    let limit = timeout();
    let fail = |message: String| Error::input(Location::file(path), message);
    let mut child = Command::new(&program)
        .args(["-bbox", "-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => fail(format!(
                "reading a PDF needs poppler's pdftotext, and {program:?} was not found; install it \
                 (Debian/Ubuntu: apt-get install poppler-utils; macOS: brew install poppler) or set \
                 ZAITAKU_PDFTOTEXT to its path"
            )),
            _ => fail(format!("cannot run {program:?}: {e}")),
        })?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let input = bytes.to_vec();
    // Writing and reading on their own threads: a large PDF fills the pipes both ways.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let error_reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stderr.read_to_end(&mut out);
        out
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!(
                    "{program} ran past its limit of {} s and was stopped (ZAITAKU_PDF_TIMEOUT sets the limit)",
                    limit.as_secs_f64()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(fail(format!("cannot wait for {program}: {e}"))),
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let errors = String::from_utf8_lossy(&error_reader.join().unwrap_or_default()).into_owned();
    if !status.success() {
        return Err(fail(explain_failure(&program, status.code(), &errors)));
    }
    let xhtml =
        String::from_utf8(out).map_err(|_| fail(format!("{program} wrote text that is not UTF-8")))?;
    let pages = parse_bbox(&xhtml);
    if pages.is_empty() {
        return Err(fail("the PDF has no pages".to_owned()));
    }
    if pages.iter().all(|page| page.words.is_empty()) {
        return Err(fail(format!(
            "no text layer: this looks like scanned images ({} page(s), no text); OCR it first \
             (for example ocrmypdf -l jpn), or give the table as CSV or Excel",
            pages.len()
        )));
    }
    Ok(pages)
}

/// One line for what pdftotext's exit code and messages say.
fn explain_failure(program: &str, code: Option<i32>, errors: &str) -> String {
    let first = errors.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("no message");
    if errors.contains("Incorrect password") || code == Some(3) {
        return "the PDF is encrypted (password-protected); open it and save or print an \
                unprotected copy"
            .to_owned();
    }
    if code == Some(1) {
        return format!("the PDF is truncated or corrupt ({program}: {first})");
    }
    match code {
        Some(code) => format!("{program} failed with exit code {code}: {first}"),
        None => format!("{program} was killed by a signal: {first}"),
    }
}

static PAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<page width="[0-9.]+" height="[0-9.]+">"#).expect("static regex is valid")
});
static WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"<word xMin="([-0-9.]+)" yMin="([-0-9.]+)" xMax="([-0-9.]+)" yMax="([-0-9.]+)">([^<]*)</word>"#,
    )
    .expect("static regex is valid")
});

/// Pages and words of `pdftotext -bbox` output (XHTML with one `<word>` per word).
fn parse_bbox(xhtml: &str) -> Vec<Page> {
    let starts: Vec<usize> = PAGE.find_iter(xhtml).map(|m| m.start()).collect();
    let mut pages = Vec::with_capacity(starts.len());
    for (index, &start) in starts.iter().enumerate() {
        let end = starts.get(index + 1).copied().unwrap_or(xhtml.len());
        let words = WORD
            .captures_iter(&xhtml[start..end])
            .filter_map(|caps| {
                let number = |i: usize| caps[i].parse::<f32>().ok();
                let text = unescape(&caps[5]);
                (!text.trim().is_empty()).then_some(Word {
                    x0: number(1)?,
                    y0: number(2)?,
                    x1: number(3)?,
                    y1: number(4)?,
                    text,
                })
            })
            .collect();
        pages.push(Page { number: index + 1, words });
    }
    pages
}

fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_read_with_their_boxes_and_pages() {
        let xhtml = r#"<doc><page width="841.9" height="595.0">
<word xMin="10.5" yMin="20" xMax="30" yMax="29">地区医師会名</word>
<word xMin="40" yMin="20" xMax="50" yMax="29">A&amp;B</word>
</page><page width="841.9" height="595.0"></page></doc>"#;
        let pages = parse_bbox(xhtml);
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].words.len(), 2);
        assert_eq!(pages[0].words[0].x0, 10.5);
        assert_eq!(pages[0].words[1].text, "A&B");
        assert!(pages[1].words.is_empty());
        assert_eq!(pages[1].number, 2);
    }

    #[test]
    fn failures_are_told_apart() {
        assert!(
            explain_failure("pdftotext", Some(1), "Command Line Error: Incorrect password\n")
                .contains("encrypted")
        );
        assert!(
            explain_failure("pdftotext", Some(1), "Syntax Error: Couldn't read xref table\n")
                .contains("truncated or corrupt")
        );
    }
}
