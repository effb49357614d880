//! Tokyo's region hierarchy, from `dictionaries/regions.toml`: association → municipalities →
//! 二次保健医療圏 → 区部 / 多摩 / 島しょ.
//!
//! Association names are matched after normalisation (NFKC, spaces and 一般社団法人-style prefixes
//! removed), so 一般社団法人 江東区医師会 and 江東区医師会 are one. An association missing from the
//! file is not an error: its records go to the area [`UNKNOWN`], and the caller warns.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Location, Result};
use crate::tag::Problem;

/// File name inside the dictionaries folder.
pub const REGIONS_FILE: &str = "regions.toml";
/// Known renames of associations, inside the dictionaries folder.
pub const RENAMES_FILE: &str = "renames.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RenamesFile {
    rename: Vec<Spanned<RenameConfig>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameConfig {
    from: String,
    to: String,
}
/// Area and medical area of an association the file does not know.
pub const UNKNOWN: &str = "unknown";
/// The three areas, in display order.
pub const AREAS: [&str; 3] = ["区部", "多摩", "島しょ"];
const CORPORATE_PREFIXES: [&str; 4] = ["一般社団法人", "公益社団法人", "社団法人", "公益財団法人"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionsFile {
    medical_area: Vec<Spanned<MedicalAreaConfig>>,
    association: Vec<Spanned<AssociationConfig>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MedicalAreaConfig {
    name: String,
    area: String,
    municipalities: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssociationConfig {
    name: String,
    municipalities: Vec<String>,
}

/// Where one association sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The association's name as the file writes it.
    pub association: String,
    /// The municipalities it serves.
    pub municipalities: Vec<String>,
    /// Its 二次保健医療圏.
    pub medical_area: String,
    /// 区部, 多摩 or 島しょ.
    pub area: String,
}

/// The loaded hierarchy.
#[derive(Debug, Clone)]
pub struct Regions {
    by_name: BTreeMap<String, Place>,
    /// Normalised old name → the name to use.
    renames: BTreeMap<String, String>,
    /// 二次保健医療圏 in file order, with their area.
    medical_areas: Vec<(String, String)>,
}

/// The form association names are compared in.
pub fn normalize_association(name: &str) -> String {
    let mut name: String = name.nfkc().filter(|c| !c.is_whitespace()).collect();
    for prefix in CORPORATE_PREFIXES {
        if let Some(rest) = name.strip_prefix(prefix) {
            name = rest.to_owned();
        }
    }
    name
}

impl Regions {
    /// Loads and validates `regions.toml` from `dictionaries_dir`.
    pub fn load(dictionaries_dir: &Path) -> Result<Self> {
        let (regions, problems) = Self::check(dictionaries_dir);
        match regions {
            Some(regions) if !problems.iter().any(Problem::is_error) => Ok(regions),
            _ => Err(Error::from_diagnostics(
                &problems,
                Location::file(dictionaries_dir.join(REGIONS_FILE).display().to_string()),
                "cannot load regions",
            )),
        }
    }

    /// Validates `regions.toml`: every problem, and the hierarchy when there are no errors.
    pub fn check(dictionaries_dir: &Path) -> (Option<Self>, Vec<Problem>) {
        let path = dictionaries_dir.join(REGIONS_FILE);
        let name = path.display().to_string();
        let mut problems = Vec::new();
        let mut error = |location: Location, message: String| {
            problems.push(Problem::error(location, message));
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                error(Location::file(name), format!("cannot read: {e}"));
                return (None, problems);
            }
        };
        let line_of = |byte: usize| text[..byte.min(text.len())].matches('\n').count() + 1;
        let file: RegionsFile = match toml::from_str(&text) {
            Ok(file) => file,
            Err(e) => {
                let line = e.span().map_or(1, |s| line_of(s.start));
                error(Location::at(name, line), e.message().trim().replace('\n', " "));
                return (None, problems);
            }
        };
        let mut medical_area_of: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut medical_areas = Vec::new();
        for spanned in &file.medical_area {
            let location = Location::at(name.clone(), line_of(spanned.span().start));
            let config = spanned.get_ref();
            if !AREAS.contains(&config.area.as_str()) {
                error(location.clone(), format!("area {:?} is not one of {}", config.area, AREAS.join(", ")));
            }
            medical_areas.push((config.name.clone(), config.area.clone()));
            for municipality in &config.municipalities {
                if let Some((other, _)) =
                    medical_area_of.insert(municipality.clone(), (config.name.clone(), config.area.clone()))
                {
                    error(
                        location.clone(),
                        format!("{municipality} is in two 二次保健医療圏: {other} and {}", config.name),
                    );
                }
            }
        }
        let mut by_name = BTreeMap::new();
        for spanned in &file.association {
            let location = Location::at(name.clone(), line_of(spanned.span().start));
            let config = spanned.get_ref();
            let mut places: Vec<&(String, String)> = Vec::new();
            for municipality in &config.municipalities {
                match medical_area_of.get(municipality) {
                    Some(place) => places.push(place),
                    None => error(
                        location.clone(),
                        format!("{}: unknown municipality {municipality}", config.name),
                    ),
                }
            }
            places.dedup();
            if places.len() > 1 {
                error(
                    location.clone(),
                    format!("{} spans several 二次保健医療圏; list it under one", config.name),
                );
            }
            let Some((medical_area, area)) = places.first() else {
                if config.municipalities.is_empty() {
                    error(location, format!("{} has no municipality", config.name));
                }
                continue;
            };
            let place = Place {
                association: config.name.clone(),
                municipalities: config.municipalities.clone(),
                medical_area: medical_area.clone(),
                area: area.clone(),
            };
            if by_name.insert(normalize_association(&config.name), place).is_some() {
                error(location, format!("{} is listed twice", config.name));
            }
        }
        let renames = load_renames(dictionaries_dir, &mut problems);
        let regions =
            (!problems.iter().any(|p| p.is_error())).then_some(Regions { by_name, medical_areas, renames });
        (regions, problems)
    }

    /// Where `district` sits, if the file knows it.
    pub fn locate(&self, district: &str) -> Option<&Place> {
        self.by_name.get(&normalize_association(&self.canonical(district)))
    }

    /// The name an association goes by in reports: normalised (NFKC, no corporate prefix) and
    /// renamed per `renames.toml`, so the same association matches across fiscal years.
    pub fn canonical(&self, district: &str) -> String {
        let normalized = normalize_association(district);
        self.renames.get(&normalized).cloned().unwrap_or(normalized)
    }

    /// 二次保健医療圏 with their area, in file order.
    pub fn medical_areas(&self) -> &[(String, String)] {
        &self.medical_areas
    }

    /// Number of associations known.
    pub fn num_associations(&self) -> usize {
        self.by_name.len()
    }
}

fn load_renames(dir: &Path, problems: &mut Vec<Problem>) -> BTreeMap<String, String> {
    let path = dir.join(RENAMES_FILE);
    let name = path.display().to_string();
    let mut renames = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(&path) else {
        return renames; // optional: no renames known
    };
    let line_of = |byte: usize| text[..byte.min(text.len())].matches('\n').count() + 1;
    match toml::from_str::<RenamesFile>(&text) {
        Ok(file) => {
            for rename in &file.rename {
                let location = Location::at(name.clone(), line_of(rename.span().start));
                let from = normalize_association(&rename.get_ref().from);
                let to = normalize_association(&rename.get_ref().to);
                if let Some(previous) = renames.insert(from.clone(), to.clone())
                    && previous != to
                {
                    problems.push(Problem::error(
                        location,
                        format!("{from} is renamed twice: to {previous} and to {to}"),
                    ));
                }
            }
        }
        Err(e) => problems.push(Problem::error(
            Location::at(name, e.span().map_or(1, |s| line_of(s.start))),
            e.message().trim().replace('\n', " "),
        )),
    }
    renames
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_after_normalisation() {
        assert_eq!(normalize_association("一般社団法人 江東区医師会"), "江東区医師会");
        assert_eq!(normalize_association("江東区医師会"), "江東区医師会");
    }
}
