//! The library's error and warning types.
//!
//! Every error about input names where it is: the file and, where there is one, the line
//! (`PATH:LINE: what is wrong`), so a user can go straight to it. Warnings have the same shape
//! but do not stop a run; `--strict` turns them into errors (see [`Warnings::into_result`]).

use std::fmt;
use std::path::Path;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where something is in an input: a file (or `<stdin>`) and optionally a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// The path as the user gave it, or `<stdin>`.
    pub path: String,
    /// 1-based line number, when the problem has one.
    pub line: Option<usize>,
    /// 1-based page of a PDF, when the problem has one (a PDF has pages, not lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
}

impl Location {
    /// A location in `path` at `line`.
    pub fn at(path: impl Into<String>, line: usize) -> Self {
        Self { path: path.into(), line: Some(line), page: None }
    }

    /// A location on `page` of a PDF at `path`.
    pub fn on_page(path: impl Into<String>, page: usize) -> Self {
        Self { path: path.into(), line: None, page: Some(page) }
    }

    /// A whole file.
    pub fn file(path: impl Into<String>) -> Self {
        Self { path: path.into(), line: None, page: None }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.page) {
            (Some(line), _) => write!(f, "{}:{line}", self.path),
            (None, Some(page)) => write!(f, "{}: page {page}", self.path),
            (None, None) => f.write_str(&self.path),
        }
    }
}

/// Everything that can stop the pipeline.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is readable but wrong (bad format, bad encoding, missing column ...).
    #[error("{location}: {message}")]
    Input {
        /// Where the problem is.
        location: Location,
        /// What is wrong, in one line.
        message: String,
    },
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path that failed.
        path: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The embedded dictionary or the user dictionary could not be loaded.
    #[error("{location}: dictionary: {message}")]
    Dictionary {
        /// The user dictionary file, or `<embedded IPADIC>`.
        location: Location,
        /// lindera's reason.
        message: String,
    },
    /// `--strict` was given and the run produced warnings.
    #[error("{} warning(s) with --strict; the first: {first}", .count)]
    Strict {
        /// How many warnings there were.
        count: usize,
        /// The first warning, in full.
        first: Warning,
    },
}

impl Error {
    /// An input error at `location`.
    pub fn input(location: Location, message: impl Into<String>) -> Self {
        Self::Input { location, message: message.into() }
    }

    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io { path: path.display().to_string(), source }
    }
}

/// A problem that does not stop the run (a bad record in a good table, an unknown column ...).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    /// Where the problem is.
    pub location: Location,
    /// What is wrong and what was done about it.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Warnings collected during a run, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warnings(Vec<Warning>);

impl Warnings {
    /// Records a warning.
    pub fn push(&mut self, location: Location, message: impl Into<String>) {
        self.0.push(Warning { location, message: message.into() });
    }

    /// Appends every warning of `other`.
    pub fn extend(&mut self, other: Warnings) {
        self.0.extend(other.0);
    }

    /// The warnings found so far.
    pub fn as_slice(&self) -> &[Warning] {
        &self.0
    }

    /// How many warnings there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// With `strict`, any warning becomes [`Error::Strict`]; otherwise the warnings are kept.
    pub fn into_result(self, strict: bool) -> Result<Self> {
        match self.0.first() {
            Some(first) if strict => Err(Error::Strict { count: self.0.len(), first: first.clone() }),
            _ => Ok(self),
        }
    }
}

impl fmt::Display for Warnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for warning in &self.0 {
            writeln!(f, "{warning}")?;
        }
        Ok(())
    }
}
