//! A frame given by URL, shown by the browser, which also tells its pixel size (no CORS needed
//! for that, unlike reading its bytes).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::handler::handler;
use crate::draft::Draft;
use crate::frames::Slot;

/// A frame given by URL, shown by the browser (which also tells its pixel size).
#[component]
pub fn RemotePreview(
    /// Which slot.
    which: Slot,
) -> impl IntoView {
    let slot = which;
    let frames = Draft::expect().frames;
    let state = frames.slot(slot);
    // A memo: the picture's size, noted on load, changes the frame, and must not rebuild (and
    // reload) the picture.
    let info = Memo::new(move |_| {
        state.with(|s| {
            s.frame()
                .map(|f| (f.id, f.preview.clone().unwrap_or_default()))
        })
    });
    view! {
        {move || info.get().map(|(id, url)| view! {
            <img
                class="ks-slot__remote"
                src=url
                alt="The image at the URL given"
                on:load=handler(move |ev: leptos::ev::Event| {
                    if let Some(img) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlImageElement>().ok()) {
                        let size = crate::frames::geometry::Size::new(img.natural_width(), img.natural_height());
                        frames.update_frame(slot, id, |f| f.source = Some(size));
                    }
                })
                on:error=handler(move |_| frames.update_frame(slot, id, |f| {
                    f.notice = Some(
                        "This browser cannot load the URL. The server fetches it itself: make sure it is public.".into(),
                    );
                }))
            />
        }.into_any())}
    }
}
