//! One component per file, each named after the component it holds.

pub mod advanced_section;
pub mod api_key_field;
pub mod cfg_slider;
pub mod choice_group;
pub mod compare_view;
pub mod connection_settings;
pub mod copy_button;
pub mod developer_panel;
pub mod drop_prompt;
pub mod duration_and_results;
pub mod field_messages;
pub mod form_panel;
pub mod frame_crop;
pub mod frame_facts;
pub mod frame_progress;
pub mod frame_slot;
pub mod frame_slot_head;
pub mod frame_source_input;
pub mod frame_thumb;
pub mod frame_view;
pub mod frames_field;
pub mod handler;
pub mod history_toolbar;
pub mod job_actions;
pub mod job_card;
pub mod job_error;
pub mod job_list;
pub mod job_progress;
pub mod job_summary;
pub mod keyed_list;
pub mod live_region;
pub mod presets_panel;
pub mod prompt_field;
pub mod remote_preview;
pub mod request_import;
pub mod result_grid;
pub mod result_player;
pub mod results_panel;
pub mod server_check_panel;
pub mod size_picker;
pub mod studio_footer;
pub mod studio_header;
pub mod submit_bar;
pub mod text_field;
pub mod ttl_notice;
pub mod when;

/// The inline style that gives a video (or the place it will take) the video's own shape: its
/// aspect ratio, and a width that keeps a tall video within the height the page allows
/// (`--ks-video-max-h`), so that a portrait or square video is never letterboxed in a 16:9 box.
/// Empty when the size is not known yet: the stylesheet's 16:9 holds until it is.
pub fn video_shape(size: Option<(u32, u32)>) -> String {
    match size {
        Some((w, h)) if w > 0 && h > 0 => format!(
            "aspect-ratio: {w} / {h}; width: min(100%, calc(var(--ks-video-max-h) * {w} / {h}));"
        ),
        _ => String::new(),
    }
}

/// `"true"` or `"false"`, for ARIA states such as `aria-pressed` and `aria-invalid`.
///
/// A `String`, like every other text a reactive attribute or text node shows: each output type
/// of those closures is one more copy of the rendering code in the wasm.
pub fn aria_flag(on: bool) -> String {
    if on { "true" } else { "false" }.to_owned()
}

/// The element with `id` in the same tree as the event's target: the embedding's shadow root or
/// the page, wherever the studio lives (`document.getElementById` cannot see into a shadow root).
pub fn element_beside(ev: &web_sys::Event, id: &str) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    let node = ev.target()?.dyn_into::<web_sys::Node>().ok()?;
    let root = node.get_root_node();
    if let Some(shadow) = root.dyn_ref::<web_sys::ShadowRoot>() {
        shadow.get_element_by_id(id)
    } else {
        root.dyn_ref::<web_sys::Document>()?.get_element_by_id(id)
    }
}

/// Scrolls the element with `id` (found as [`element_beside`] finds it) into view, smoothly and
/// only as far as needed: where it is already in view, nothing moves.
pub fn show_beside(ev: &web_sys::Event, id: &str) {
    if let Some(element) = element_beside(ev, id) {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        options.set_behavior(web_sys::ScrollBehavior::Smooth);
        element.scroll_into_view_with_scroll_into_view_options(&options);
    }
}
