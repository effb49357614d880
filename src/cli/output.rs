//! Where a subcommand writes: stdout, or a file written to a temporary path and renamed into
//! place only when complete, so a failed run never leaves a half-written file.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// A buffered output: stdout or an atomically replaced file.
pub enum Output {
    /// Standard output.
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
    /// A temporary file next to `target`, renamed onto it by [`Output::finish`].
    File { writer: BufWriter<std::fs::File>, temporary: PathBuf, target: PathBuf },
}

impl Output {
    /// Opens `path`, or stdout when `path` is `None` or `-`.
    pub fn open(path: Option<&Path>) -> anyhow::Result<Self> {
        match path {
            None => Ok(Self::Stdout(BufWriter::new(std::io::stdout().lock()))),
            Some(path) if path == Path::new("-") => {
                Ok(Self::Stdout(BufWriter::new(std::io::stdout().lock())))
            }
            Some(target) => {
                let file_name =
                    target.file_name().with_context(|| format!("{}: not a file path", target.display()))?;
                let temporary = target.with_file_name(format!(
                    ".{}.tmp-{}",
                    file_name.to_string_lossy(),
                    std::process::id()
                ));
                let file = std::fs::File::create(&temporary)
                    .with_context(|| format!("{}: cannot create", temporary.display()))?;
                Ok(Self::File { writer: BufWriter::new(file), temporary, target: target.to_owned() })
            }
        }
    }

    /// The writer to write to.
    pub fn writer(&mut self) -> &mut dyn Write {
        match self {
            Self::Stdout(writer) => writer,
            Self::File { writer, .. } => writer,
        }
    }

    /// Flushes and, for a file, moves it into place.
    pub fn finish(self) -> anyhow::Result<()> {
        match self {
            Self::Stdout(mut writer) => Ok(writer.flush()?),
            Self::File { writer, temporary, target } => {
                let result = writer
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .and_then(|file| file.sync_all())
                    .and_then(|()| std::fs::rename(&temporary, &target));
                if let Err(error) = result {
                    let _ = std::fs::remove_file(&temporary);
                    return Err(error).with_context(|| format!("{}: cannot write", target.display()));
                }
                Ok(())
            }
        }
    }

    /// Opens `path` (or stdout), lets `write` fill it, and moves the file into place only if
    /// everything was written; on failure the temporary file is removed.
    pub fn write_with(
        path: Option<&Path>,
        write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut output = Self::open(path)?;
        match write(output.writer()) {
            Ok(()) => output.finish(),
            Err(error) => {
                output.abandon();
                Err(error)
            }
        }
    }

    /// Removes a temporary file after a failure.
    pub fn abandon(self) {
        if let Self::File { temporary, .. } = self {
            let _ = std::fs::remove_file(temporary);
        }
    }
}
