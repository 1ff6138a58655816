//! A local frame with its crop box: the whole picture, the part that is sent outlined and the rest
//! dimmed. The box is moved by dragging anywhere on the picture, or with the arrow keys
//! (Shift for larger steps); the frame is re-encoded once the box is let go.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use crate::components::handler::handler;
use crate::draft::Draft;
use crate::frames::Slot;
use crate::frames::geometry::{self, CropPosition};
use crate::num::fixed;

/// Keyboard step, as a share of the free room around the box.
const STEP: f64 = 0.05;
const BIG_STEP: f64 = 0.25;

/// Where the crop box sits over the picture, as CSS percentages.
fn box_style(rect: geometry::Rect, source: geometry::Size) -> String {
    let (l, t, w, h) = geometry::percent(rect, source);
    format!(
        "left:{}%;top:{}%;width:{}%;height:{}%",
        fixed(l, 3),
        fixed(t, 3),
        fixed(w, 3),
        fixed(h, 3)
    )
}

/// The picture of a local frame, with the crop box when cropping is on.
#[component]
pub fn FrameCrop(
    /// Which slot.
    which: Slot,
) -> impl IntoView {
    let slot = which;
    let draft = Draft::expect();
    let frames = draft.frames;
    let state = frames.slot(slot);
    let info = Memo::new(move |_| {
        state.with(|s| s.frame().and_then(|f| Some((f.id, f.source?, f.position))))
    });
    let preview = Memo::new(move |_| state.with(|s| s.frame().and_then(|f| f.preview.clone())));
    // The position while the box is being dragged; committed when let go.
    let live = RwSignal::new(None::<CropPosition>);
    let drag = StoredValue::new(None::<(i32, i32, CropPosition)>);
    let stage = NodeRef::<leptos::html::Div>::new();
    let aspect = move || draft.crop.get().then(|| draft.effective_aspect());
    let rect = move || {
        let (_, source, position) = info.get()?;
        let rect = geometry::crop_rect(source, aspect()?, live.get().unwrap_or(position));
        Some((rect, source))
    };
    let commit = move |position: CropPosition| {
        if let Some((id, _, _)) = info.get_untracked() {
            frames.update_frame(slot, id, |f| f.position = position);
        }
    };
    // Free room around the box, in source pixels, and source pixels per screen pixel.
    let room = move || {
        let (rect, source) = untrack(rect)?;
        let shown = stage.get_untracked()?.get_bounding_client_rect().width();
        let scale = if shown > 0.0 {
            f64::from(source.width) / shown
        } else {
            1.0
        };
        Some((
            (
                f64::from(source.width - rect.width),
                f64::from(source.height - rect.height),
            ),
            scale,
        ))
    };
    let on_down = move |ev: leptos::ev::PointerEvent| {
        let Some((_, _, position)) = info.get_untracked() else {
            return;
        };
        if untrack(aspect).is_none() {
            return;
        }
        ev.prevent_default();
        if let Some(target) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
        drag.set_value(Some((ev.client_x(), ev.client_y(), position)));
        live.set(Some(position));
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        let (Some((x0, y0, start)), Some((room, scale))) = (drag.get_value(), room()) else {
            return;
        };
        let dx = f64::from(ev.client_x() - x0) * scale;
        let dy = f64::from(ev.client_y() - y0) * scale;
        live.set(Some(start.moved_by(dx, dy, room)));
    };
    let on_up = move |_| {
        if drag.get_value().is_some() {
            drag.set_value(None);
            if let Some(position) = live.get_untracked() {
                commit(position);
            }
            live.set(None);
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some((_, _, position)) = info.get_untracked() else {
            return;
        };
        let step = if ev.shift_key() { BIG_STEP } else { STEP };
        let (dx, dy) = match ev.key().as_str() {
            "ArrowLeft" => (-step, 0.0),
            "ArrowRight" => (step, 0.0),
            "ArrowUp" => (0.0, -step),
            "ArrowDown" => (0.0, step),
            "Home" => (-1.0, -1.0),
            "End" => (1.0, 1.0),
            _ => return,
        };
        ev.prevent_default();
        commit(CropPosition::clamped(position.x + dx, position.y + dy));
    };
    // The stage keeps the picture's shape, at most 300 px tall (see form-frames.css).
    let where_text = move || info.get().map(|(_, _, p)| p.describe()).unwrap_or_default();
    view! {
        <div
            class="ks-crop"
            class:ks-crop--cropping=move || aspect().is_some()
            node_ref=stage
            style=move || info.get().map(|(_, s, _)| format!("--w:{};--h:{}", s.width, s.height))
            on:pointerdown=handler(on_down)
            on:pointermove=handler(on_move)
            on:pointerup=handler(on_up)
            on:pointercancel=handler(on_up)
        >
            <img class="ks-crop__image" src=move || preview.get() alt="" draggable="false" />
            <div
                    hidden=move || aspect().is_none()
                    class="ks-crop__box"
                    class:ks-crop__box--moving=move || live.with(Option::is_some)
                    style=move || rect().map(|(rect, source)| box_style(rect, source))
                    tabindex="0"
                    role="group"
                    aria-roledescription="crop box"
                    aria-label=move || format!("Crop box, {}. Drag it, or use the arrow keys", where_text())
                    on:keydown=handler(on_key)
                ></div>
        </div>
    }
}
