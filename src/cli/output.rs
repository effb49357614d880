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
    /// A path that is not a regular file (`/dev/null`, a named pipe, `/dev/stdout`): written in
    /// place, since renaming a file onto it would replace the device or pipe.
    Special { writer: BufWriter<std::fs::File>, target: PathBuf },
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
                if let Ok(metadata) = std::fs::metadata(target) {
                    if metadata.is_dir() {
                        anyhow::bail!("{}: is a directory, not a file", target.display());
                    }
                    if !metadata.is_file() {
                        let file = std::fs::OpenOptions::new()
                            .write(true)
                            .open(target)
                            .with_context(|| format!("{}: cannot open for writing", target.display()))?;
                        return Ok(Self::Special { writer: BufWriter::new(file), target: target.to_owned() });
                    }
                }
                // Through a symbolic link, replace the file it points to, not the link.
                let resolved = std::fs::canonicalize(target).ok();
                let target = resolved.as_deref().unwrap_or(target);
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
            Self::File { writer, .. } | Self::Special { writer, .. } => writer,
        }
    }

    /// Flushes and, for a file, moves it into place.
    pub fn finish(self) -> anyhow::Result<()> {
        match self {
            Self::Stdout(mut writer) => writer.flush().context("<stdout>: cannot write"),
            Self::Special { mut writer, target } => {
                writer.flush().with_context(|| format!("{}: cannot write", target.display()))
            }
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
                // A bare I/O error comes from writing (inputs' errors carry their own path): say
                // which output failed, e.g. `<stdout>: cannot write: No space left on device`.
                let from_writing = error.downcast_ref::<std::io::Error>().is_some()
                    || error.downcast_ref::<serde_json::Error>().is_some_and(serde_json::Error::is_io);
                let error = if from_writing {
                    error.context(format!("{}: cannot write", output.name()))
                } else {
                    error
                };
                output.abandon();
                Err(error)
            }
        }
    }

    /// What the user calls this output in a message: its path, or `<stdout>`.
    fn name(&self) -> String {
        match self {
            Self::Stdout(_) => "<stdout>".to_owned(),
            Self::File { target, .. } | Self::Special { target, .. } => target.display().to_string(),
        }
    }

    /// Removes a temporary file after a failure.
    pub fn abandon(self) {
        if let Self::File { temporary, .. } = self {
            let _ = std::fs::remove_file(temporary);
        }
    }
}
