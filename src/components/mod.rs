//! One component per file, each named after the component it holds.

pub mod form_panel;
pub mod results_panel;
pub mod studio_footer;
pub mod studio_header;
