//! The domain user dictionary: `dictionaries/user_dictionary.csv`, full 13-column IPADIC rows.
//!
//! Rows are validated here (with `PATH:LINE` messages) before lindera sees them, because
//! lindera's own errors do not name the line. `#` comment lines and blank lines are dropped.

use unicode_normalization::UnicodeNormalization;

use crate::error::{Diagnostic, Location};

/// File name of the user dictionary inside the dictionaries folder.
pub const FILE_NAME: &str = "user_dictionary.csv";

/// Number of fields in a full IPADIC row.
const NUM_FIELDS: usize = 13;

/// Validates the rows of a user-dictionary CSV, returning the rows to build from (comments and
/// blank lines removed) and every problem found as `PATH:LINE` errors.
pub(crate) fn validate(path: &str, text: &str) -> (String, Vec<Diagnostic>) {
    let mut rows = String::with_capacity(text.len());
    let mut problems = Problems::default();
    let mut surfaces = std::collections::BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let location = Location::at(path, number);
        let fields: Vec<&str> = trimmed.split(',').collect();
        if fields.len() != NUM_FIELDS {
            problems.push(
                location,
                format!(
                    "{} fields, expected {NUM_FIELDS} (surface,left_id,right_id,cost,pos,pos1,pos2,pos3,conj_form,conj_type,base_form,reading,pronunciation)",
                    fields.len()
                ),
            );
            continue;
        }
        let surface = fields[0];
        if surface.is_empty() {
            problems.push(location, "empty surface");
            continue;
        }
        let normalized: String = surface.nfkc().collect();
        if normalized != surface {
            problems.push(
                location.clone(),
                format!("surface {surface:?} is not NFKC (write {normalized:?}); the tokenizer only sees NFKC text"),
            );
        }
        for (name, value) in [("left_id", fields[1]), ("right_id", fields[2])] {
            if value.parse::<u16>().is_err() {
                problems.push(location.clone(), format!("{name} {value:?} is not a context id (0-65535)"));
            }
        }
        if fields[3].parse::<i16>().is_err() {
            problems
                .push(location.clone(), format!("cost {:?} is not an integer in -32768..32767", fields[3]));
        }
        if let Some(first) = surfaces.insert(surface.to_owned(), number) {
            problems.push(location, format!("surface {surface:?} is already defined on line {first}"));
            continue;
        }
        rows.push_str(trimmed);
        rows.push('\n');
    }
    (rows, problems.0)
}

/// Every problem of a user dictionary is an error: lindera would refuse the row.
#[derive(Default)]
struct Problems(Vec<Diagnostic>);

impl Problems {
    fn push(&mut self, location: Location, message: impl Into<String>) {
        self.0.push(Diagnostic::error(location, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let text = "# comment\n副主治医,1285,1285,1000,名詞,一般,*,*,*,*,副主治医,フクシュジイ,フクシュジイ\n\
                    ＭＣＳ,1285,1285,1000,名詞,一般,*,*,*,*,MCS,エムシーエス,エムシーエス\n\
                    短い,1285\n副主治医,1285,1285,x,名詞,一般,*,*,*,*,副主治医,フクシュジイ,フクシュジイ\n";
        let (rows, problems) = validate("u.csv", text);
        assert_eq!(rows.lines().count(), 2);
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].starts_with("u.csv:3: surface \"ＭＣＳ\" is not NFKC"));
        assert!(messages[1].starts_with("u.csv:4: 2 fields, expected 13"));
        assert!(messages[2].starts_with("u.csv:5: cost \"x\""));
        assert!(messages[3].starts_with("u.csv:5: surface \"副主治医\" is already defined on line 2"));
    }
}
