//! Kling Studio: a browser studio for short videos with KlingAI 2.1 Pro through the Runware API.
//!
//! The crate is a library so that component tests mount exactly the components the app mounts;
//! `main.rs` only calls [`start`].

pub mod app;
pub mod components;
pub mod config;

/// Installs the panic hook (a wasm panic then names its cause in the console) and mounts the studio
/// into the page's `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}

/// The product name, shown in the header and the document title.
pub const PRODUCT_NAME: &str = "Kling Studio";
