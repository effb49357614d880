//! The one integration-test binary (one link instead of one per file; see STYLE.md §7).
//! Each module reads like examples of use.

mod integration {
    #[cfg(feature = "report")]
    pub mod aggregate_cells;
    #[cfg(feature = "report")]
    pub mod browser;
    pub mod check;
    pub mod cli;
    pub mod errors;
    pub mod formats;
    pub mod fuzz_replay;
    pub mod golden;
    pub mod harness;
    #[cfg(feature = "report")]
    pub mod new_year;
    pub mod pdf_and_sheets;
    pub mod properties;
    #[cfg(feature = "report")]
    pub mod reliability;
    #[cfg(feature = "report")]
    pub mod report;
    #[cfg(feature = "report")]
    pub mod report_golden;
    pub mod rule_language;
    pub mod tagging;
    pub mod tokenize;
    pub mod workbench;
}
