//! Kling Studio: a browser studio for short videos with KlingAI 2.1 Pro through the Runware API.
//!
//! The crate is a library so that component tests mount exactly the components the app mounts;
//! `main.rs` only calls [`start`].

pub mod app;
pub mod components;
pub mod config;
pub mod draft;
pub mod frames;
pub mod heap;
pub mod host;
pub mod host_options;
pub mod jobs;
pub mod num;
pub mod pick;
pub mod transport;

/// The wasm build allocates through [`heap::WasmHeap`] (see [`heap`] for why).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static HEAP: heap::WasmHeap = heap::WasmHeap::new();

/// Installs the panic hook (a wasm panic then names its cause in the console) and mounts the studio
/// into its host element, or the page's `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    host::mount();
}

/// The product name, shown in the header and the document title.
pub const PRODUCT_NAME: &str = "Kling Studio";
