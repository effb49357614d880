//! Validation of the whole dictionaries folder, for `zaitaku check`: the rule files (through the
//! same builder every other command loads them with) and the user dictionary.

use std::path::Path;

use crate::error::Location;
use crate::tag::{Problem, Ruleset};
use crate::tokenize::user_dictionary;

/// Every problem found, sorted, with what was checked.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// Problems sorted by `path:line`.
    pub problems: Vec<Problem>,
    /// Rules compiled (0 when there were errors).
    pub num_rules: usize,
    /// Tags in the taxonomy (0 when there were errors).
    pub num_tags: usize,
}

impl CheckReport {
    /// Number of errors (not warnings).
    pub fn num_errors(&self) -> usize {
        self.problems.iter().filter(|p| p.is_error()).count()
    }

    /// The one-line summary.
    pub fn summary(&self) -> String {
        let errors = self.num_errors();
        let warnings = self.problems.len() - errors;
        if errors == 0 {
            format!(
                "ok: {} rules for {} tags; {errors} error(s), {warnings} warning(s)",
                self.num_rules, self.num_tags
            )
        } else {
            format!("failed: {errors} error(s), {warnings} warning(s)")
        }
    }
}

/// Checks every file in `dir`.
pub fn check(dir: &Path) -> CheckReport {
    let (ruleset, mut problems) = Ruleset::check(dir);
    problems.extend(crate::regions::Regions::check(dir).1);
    let path = dir.join(user_dictionary::FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let (_, found) = user_dictionary::validate(&path.display().to_string(), &text);
            problems.extend(found);
        }
        Err(e) => problems
            .push(Problem::error(Location::file(path.display().to_string()), format!("cannot read: {e}"))),
    }
    problems.sort();
    let (num_rules, num_tags) = ruleset.as_ref().map_or((0, 0), |r| (r.num_rules(), r.tags().len()));
    CheckReport { problems, num_rules, num_tags }
}
