//! Test hooks of the report writer, so tests can fail or stop a run at an exact point instead of
//! relying on timing. Read from the environment in debug builds only (the integration tests run
//! the debug binary): a release binary never reads them, so no variable can make it fail or
//! sleep.
//! - `ZAITAKU_FAULT_WRITE_AFTER=N`: the write after N staged files fails as a full disk would;
//! - `ZAITAKU_PAUSE_AT=stage:N` or `publish:N`: after N files staged (or N renamed into the output
//!   folder) the process creates `<staging>.paused` beside the output folder and sleeps, so a test
//!   can kill it there.

use std::path::Path;

/// Where a run is to fail or stop; all `None` in a release build.
#[derive(Debug, Clone, Default)]
pub(super) struct Faults {
    pub write_after: Option<usize>,
    pub pause_stage: Option<usize>,
    pub pause_publish: Option<usize>,
}

impl Faults {
    #[cfg(debug_assertions)]
    pub fn from_env() -> Self {
        let number = |s: &str| s.parse::<usize>().ok();
        let pause = std::env::var("ZAITAKU_PAUSE_AT").unwrap_or_default();
        Self {
            write_after: std::env::var("ZAITAKU_FAULT_WRITE_AFTER").ok().as_deref().and_then(number),
            pause_stage: pause.strip_prefix("stage:").and_then(number),
            pause_publish: pause.strip_prefix("publish:").and_then(number),
        }
    }

    #[cfg(not(debug_assertions))]
    pub fn from_env() -> Self {
        Self::default()
    }

    /// Marks the pause with `marker` and waits to be killed.
    pub fn pause(marker: &Path) {
        if cfg!(debug_assertions) {
            let _ = std::fs::write(marker, b"paused");
            std::thread::sleep(std::time::Duration::from_secs(600));
        }
    }
}
