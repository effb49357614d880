//! The library's error and diagnostic types.
//!
//! Every error about input names where it is: the file and, where there is one, the line and
//! column (`PATH:LINE:COLUMN: what is wrong`), so a user can go straight to it. Every problem
//! found while reading rules, regions, renames, the user dictionary or data is one
//! [`Diagnostic`]: a location, a severity and a message. Warnings do not stop a run; `--strict`
//! turns them into errors (see [`Warnings::into_result`]).

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
    /// 1-based column (in characters) on `line`, where it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Location {
    /// A location in `path` at `line`.
    pub fn at(path: impl Into<String>, line: usize) -> Self {
        Self { path: path.into(), line: Some(line), page: None, column: None }
    }

    /// A location in `path` at `line` and `column`.
    pub fn at_column(path: impl Into<String>, line: usize, column: usize) -> Self {
        Self { path: path.into(), line: Some(line), page: None, column: Some(column) }
    }

    /// A location on `page` of a PDF at `path`.
    pub fn on_page(path: impl Into<String>, page: usize) -> Self {
        Self { path: path.into(), line: None, page: Some(page), column: None }
    }

    /// A whole file.
    pub fn file(path: impl Into<String>) -> Self {
        Self { path: path.into(), line: None, page: None, column: None }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.page) {
            (Some(line), _) => match self.column {
                Some(column) => write!(f, "{}:{line}:{column}", self.path),
                None => write!(f, "{}:{line}", self.path),
            },
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
    /// The rules (or regions) do not load: every error found, sorted.
    #[error("{} error(s) in the dictionaries (`zaitaku check` lists warnings too):\n{}", .errors.len(), list(.errors))]
    Rules {
        /// Every error, sorted by location.
        errors: Vec<Diagnostic>,
    },
    /// Aggregation failed (a polars operation on a view).
    #[error("aggregating {view}: {message}")]
    Aggregate {
        /// The view being computed.
        view: String,
        /// polars' reason.
        message: String,
    },
    /// A report file could not be produced (a chart drawn, a table encoded).
    #[error("{file}: {message}")]
    Render {
        /// The report file, relative to the output folder.
        file: String,
        /// What failed.
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
    /// The error for a file that does not load: its errors in `diagnostics` (warnings are
    /// dropped), or `fallback` at `location` when none is an error.
    pub fn from_diagnostics(diagnostics: &[Diagnostic], location: Location, fallback: &str) -> Self {
        let mut errors: Vec<Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
        if errors.is_empty() {
            errors.push(Diagnostic::error(location, fallback));
        }
        errors.sort();
        Self::Rules { errors }
    }

    /// An input error at `location`.
    pub fn input(location: Location, message: impl Into<String>) -> Self {
        Self::Input { location, message: message.into() }
    }

    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io { path: path.display().to_string(), source }
    }
}

fn list(errors: &[Diagnostic]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

/// Whether a diagnostic stops what found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be used as it is.
    Error,
    /// Something was skipped or guessed; the run goes on.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem found in an input: in a rule file, `regions.toml`, `renames.toml`, the user
/// dictionary or a data file. Displayed as `PATH:LINE[:COLUMN]: message`; the severity is shown
/// by whoever prints a mixed list (`zaitaku check`, the CLI's `warning:` prefix).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Where the problem is.
    pub location: Location,
    /// Whether it stops what found it.
    pub severity: Severity,
    /// What is wrong (and, for a warning, what was done about it).
    pub message: String,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Self { location, severity: Severity::Error, message: message.into() }
    }

    /// A warning at `location`.
    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Self { location, severity: Severity::Warning, message: message.into() }
    }

    /// Whether it is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `PATH:LINE: severity: message`, for lists that mix errors and warnings.
    pub fn with_severity(&self) -> String {
        format!("{}: {}: {}", self.location, self.severity, self.message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// A diagnostic that does not stop the run (a bad record in a good table, an unknown column ...).
pub type Warning = Diagnostic;

/// Warnings collected during a run, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warnings(Vec<Warning>);

impl Warnings {
    /// Records a warning.
    pub fn push(&mut self, location: Location, message: impl Into<String>) {
        self.0.push(Diagnostic::warning(location, message));
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
