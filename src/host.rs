//! Where the studio lives in the page.
//!
//! The studio mounts into the first element marked `data-kling-studio`, inside a shadow root that
//! holds the studio's own stylesheet: the host page's rules cannot reach in and the studio's rules
//! cannot leak out. Without such an element it takes the whole `<body>` (the standalone page).
//!
//! Both places show a loader before the wasm arrives: `index.html` paints `#ks-boot` in the body,
//! and `embed.js` opens the host's shadow root early to draw one there. Mounting replaces it.

use wasm_bindgen::JsCast;

use leptos::prelude::*;

use crate::app::App;
use crate::host_options::{self, HostOptions};

/// Every stylesheet of `style/`, bundled by `build.rs`.
pub const STYLES: &str = include_str!(concat!(env!("OUT_DIR"), "/styles.css"));

/// The attribute that marks the host element.
pub const HOST_ATTRIBUTE: &str = "data-kling-studio";

/// The id of the standalone page's loader (`index.html`).
pub const BOOT_ID: &str = "ks-boot";

/// Mounts the studio into its host element, or into `<body>` when the page has none.
pub fn mount() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    match document
        .query_selector(&format!("[{HOST_ATTRIBUTE}]"))
        .ok()
        .flatten()
    {
        Some(host) => {
            if let Err(reason) = mount_in_shadow(&document, &host) {
                leptos::logging::warn!("Kling Studio: {reason}; mounting into <body> instead");
                mount_in_body(&document);
            }
        }
        None => mount_in_body(&document),
    }
}

/// The standalone page: the stylesheet goes into `<head>`, the studio into `<body>`.
fn mount_in_body(document: &web_sys::Document) {
    if let (Some(head), Ok(style)) = (document.head(), document.create_element("style")) {
        style.set_text_content(Some(STYLES));
        let _ = head.append_child(&style);
    }
    leptos::mount::mount_to_body(App);
    // Removed once the studio is in the page, so that no frame shows neither.
    if let Some(boot) = document.get_element_by_id(BOOT_ID) {
        boot.remove();
    }
}

/// The embedded studio: a shadow root on the host with the stylesheet and a mount point inside.
/// `embed.js` may have opened the shadow root already to show its loader: then that root is
/// emptied and used.
fn mount_in_shadow(document: &web_sys::Document, host: &web_sys::Element) -> Result<(), String> {
    let shadow = match host.shadow_root() {
        Some(shadow) => {
            shadow.set_inner_html("");
            shadow
        }
        None => {
            let init = web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open);
            host.attach_shadow(&init).map_err(|_| {
                // The element's own lower-case name (not `tagName` lowered, which needs Unicode
                // tables).
                format!("a <{}> cannot hold a shadow root", host.local_name())
            })?
        }
    };
    let style = document
        .create_element("style")
        .map_err(|_| "no <style> element".to_string())?;
    style.set_text_content(Some(STYLES));
    let point: web_sys::HtmlElement = document
        .create_element("div")
        .ok()
        .and_then(|e| e.dyn_into().ok())
        .ok_or_else(|| "no <div> element".to_string())?;
    point.set_class_name("ks-mount");
    shadow
        .append_child(&style)
        .map_err(|_| "cannot fill the shadow root".to_string())?;
    shadow
        .append_child(&point)
        .map_err(|_| "cannot fill the shadow root".to_string())?;
    let options = read_options(host);
    leptos::mount::mount_to(point, move || {
        provide_context(options);
        view! { <App /> }
    })
    .forget();
    Ok(())
}

/// The options of the host's `data-` attributes; each unknown or invalid one is named in one
/// console warning.
fn read_options(host: &web_sys::Element) -> HostOptions {
    let names = host.get_attribute_names();
    let pairs: Vec<(String, String)> = (0..names.length())
        .filter_map(|i| names.get(i).as_string())
        .map(|name| {
            let value = host.get_attribute(&name).unwrap_or_default();
            (name, value)
        })
        .collect();
    let (options, warnings) =
        host_options::parse(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    for warning in warnings {
        leptos::logging::warn!("Kling Studio: {warning}");
    }
    options
}
