//! Component tests of the studio form in a real headless Chromium: validation shown beside its
//! control, the crop and scale arithmetic, and the ingest of pictures generated here with a canvas
//! (`cargo test -p kling-studio --target wasm32-unknown-unknown --test components_form`).
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use kling_studio::components::form_panel::FormPanel;
use kling_studio::config::Settings;
use kling_studio::draft::Draft;
use kling_studio::frames::geometry::{self, CropPosition, Size};
use kling_studio::frames::{FrameState, Slot, ingest};
use leptos::prelude::*;
use runware::{Aspect, FrameImage, ImageFormat, Tier};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{
    Blob, BlobPropertyBag, ImageEncodeOptions, OffscreenCanvas, OffscreenCanvasRenderingContext2d,
};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the form with its contexts into a fresh element; returns the element and the draft.
fn mount_form() -> (web_sys::HtmlElement, Draft) {
    // A clean slate: the form restores saved settings, and tests share one page.
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.clear();
    }
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a document");
    let host: web_sys::HtmlElement = document
        .create_element("div")
        .expect("a div")
        .dyn_into()
        .expect("an HtmlElement");
    document
        .body()
        .expect("a body")
        .append_child(&host)
        .expect("appended");
    let cell = Rc::new(Cell::new(None));
    let out = cell.clone();
    leptos::mount::mount_to(host.clone(), move || {
        Settings::provide();
        out.set(Some(Draft::provide()));
        view! { <div class="ks-app"><FormPanel /></div> }
    })
    .forget();
    (host, cell.get().expect("the draft"))
}

/// Waits until the browser has run pending work (effects, renders).
async fn tick(ms: i32) {
    ingest::sleep(ms).await;
}

/// Waits until `slot` settles (ready and encoded, or refused), for at most 20 s.
async fn settled(draft: Draft, slot: Slot) -> FrameState {
    for _ in 0..400 {
        tick(50).await;
        let state = draft.frames.slot(slot).get_untracked();
        let busy = untrack(|| draft.is_busy(slot));
        match state {
            FrameState::Ready(ref f) if !busy && f.output.is_some() => return state,
            FrameState::Failed(_) => return state,
            _ => {}
        }
    }
    panic!("the {} did not settle", slot.label());
}

/// Text of the element matching `selector` under `root`.
fn text(root: &web_sys::Element, selector: &str) -> String {
    root.query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// A picture drawn on a canvas and encoded by the browser: colour bands, some discs, and (for
/// `transparent`) a clear band.
async fn picture(width: u32, height: u32, kind: &str, transparent: bool) -> Blob {
    let canvas = OffscreenCanvas::new(width, height).expect("a canvas");
    let g: OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")
        .expect("2d")
        .expect("a context")
        .dyn_into()
        .expect("2d context");
    for band in 0..16 {
        g.set_fill_style_str(&format!("hsl({} 60% 45%)", 200 + band * 8));
        let h = f64::from(height) / 16.0;
        g.fill_rect(0.0, f64::from(band) * h, f64::from(width), h + 1.0);
    }
    for i in 0..60 {
        g.set_fill_style_str(&format!("hsl({} 70% 55%)", i * 37 % 360));
        g.begin_path();
        let _ = g.arc(
            f64::from((i * 977) % width.max(1)),
            f64::from((i * 613) % height.max(1)),
            f64::from(width / 40 + 4),
            0.0,
            6.3,
        );
        g.fill();
    }
    if transparent {
        g.clear_rect(0.0, 0.0, f64::from(width), f64::from(height / 4));
    }
    let options = ImageEncodeOptions::new();
    options.set_type(kind);
    options.set_quality(0.9);
    let promise = canvas
        .convert_to_blob_with_options(&options)
        .expect("encoding starts");
    JsFuture::from(promise)
        .await
        .expect("encoded")
        .dyn_into()
        .expect("a blob")
}

async fn bytes_of(blob: &Blob) -> Vec<u8> {
    let buffer = JsFuture::from(blob.array_buffer()).await.expect("read");
    Uint8Array::new(&buffer).to_vec()
}

fn blob_of(bytes: &[u8], kind: &str) -> Blob {
    let options = BlobPropertyBag::new();
    options.set_type(kind);
    Blob::new_with_u8_array_sequence_and_options(&Array::of1(&Uint8Array::from(bytes)), &options)
        .expect("a blob")
}

/// The bytes and facts of the image string a ready slot sends.
fn sent(state: &FrameState) -> (FrameImage, runware::image::ImageFacts) {
    let frame = state.frame().expect("a frame");
    let image = frame
        .output
        .as_ref()
        .expect("an output")
        .image
        .as_ref()
        .clone();
    let bytes = image.decode().expect("base64").expect("inline");
    let facts = runware::image::sniff(&bytes).expect("an image");
    (image, facts)
}

#[wasm_bindgen_test]
async fn each_control_shows_the_validators_message_for_its_own_field() {
    let (root, draft) = mount_form();
    draft.prompt.set("x".into());
    draft.cfg.set("1.5".into());
    draft.quality.set("abc".into());
    tick(30).await;
    let prompt = text(&root, "#ks-prompt-messages");
    assert!(
        prompt.contains("Must be 2 to 2500 characters long; it has 1"),
        "{prompt:?}"
    );
    let cfg = text(&root, "#ks-cfg-number-messages");
    assert!(cfg.contains("Must be between 0 and 1"), "{cfg:?}");
    assert!(text(&root, "#ks-quality-messages").contains("Must be a whole number"));
    assert_eq!(text(&root, "#ks-negative-prompt-messages"), "");
    // The submit bar names what blocks it, control by control, and the button says it is blocked.
    let blockers = text(&root, "#ks-submit-blockers");
    assert!(
        blockers.contains("First frame")
            && blockers.contains("Prompt")
            && blockers.contains("Prompt adherence"),
        "{blockers:?}"
    );
    let button = root
        .query_selector(".ks-submit__button")
        .ok()
        .flatten()
        .expect("the button");
    assert_eq!(
        button.get_attribute("aria-disabled").as_deref(),
        Some("true")
    );
    // Fixed, the messages go away.
    draft.prompt.set("A cat stretches".into());
    draft.cfg.set("0.73".into());
    tick(30).await;
    assert_eq!(text(&root, "#ks-prompt-messages"), "");
    assert_eq!(text(&root, "#ks-cfg-number-messages"), "");
    assert_eq!(
        root.query_selector("#ks-prompt")
            .ok()
            .flatten()
            .and_then(|e| e.get_attribute("aria-invalid"))
            .as_deref(),
        Some("false")
    );
    root.remove();
}

#[wasm_bindgen_test]
fn crop_and_scale_arithmetic_runs_the_same_in_the_browser() {
    let source = Size::new(6000, 4000);
    let rect = geometry::crop_rect(source, Aspect::Landscape16x9, CropPosition::CENTRE);
    assert_eq!(
        (rect.x, rect.y, rect.width, rect.height),
        (0, 313, 6000, 3375)
    );
    let out = geometry::fit(
        rect.size(),
        Size::of_output(runware::OutputSize::from_parts(
            Tier::P1080,
            Aspect::Landscape16x9,
        )),
    );
    assert_eq!(out, Ok(Size::new(1920, 1080)));
    assert_eq!(
        geometry::nearest_aspect(Size::new(1080, 1920)),
        Aspect::Portrait9x16
    );
    let left = geometry::crop_rect(source, Aspect::Square, CropPosition::clamped(0.0, 0.5));
    assert_eq!(left.x, 0);
}

#[wasm_bindgen_test]
async fn a_6000_by_4000_jpeg_becomes_a_1920_by_1080_jpeg_data_uri() {
    let (root, draft) = mount_form();
    draft.tier.set(Tier::P1080);
    draft.aspect.set(Some(Aspect::Landscape16x9));
    draft.prompt.set("The harbour wakes up".into());
    let jpeg = picture(6000, 4000, "image/jpeg", false).await;
    ingest::ingest_blob(draft.frames, Slot::First, jpeg, "big.jpg".into());
    let state = settled(draft, Slot::First).await;
    let (image, facts) = sent(&state);
    assert!(matches!(
        image,
        FrameImage::DataUri {
            mime: ImageFormat::Jpeg,
            ..
        }
    ));
    assert!(image.to_wire().starts_with("data:image/jpeg;base64,/9j/"));
    assert_eq!(
        (facts.format, facts.width, facts.height),
        (ImageFormat::Jpeg, 1920, 1080)
    );
    // The request sent carries exactly that image.
    let request = draft
        .checked()
        .get_untracked()
        .result
        .expect("a valid request");
    assert_eq!(request.frame_images().first_frame(), Some(&image));
    assert_eq!(
        root.query_selector("[data-slot=first]")
            .ok()
            .flatten()
            .and_then(|e| e.get_attribute("data-state"))
            .as_deref(),
        Some("ready")
    );
    // Another aspect re-crops the same picture.
    draft.aspect.set(Some(Aspect::Portrait9x16));
    tick(20).await;
    let state = settled(draft, Slot::First).await;
    let (_, facts) = sent(&state);
    assert_eq!((facts.width, facts.height), (1080, 1920));
    root.remove();
}

#[wasm_bindgen_test]
async fn a_png_with_transparency_stays_png_and_auto_picks_the_nearest_aspect() {
    let (root, draft) = mount_form();
    let png = picture(1000, 1000, "image/png", true).await;
    ingest::ingest_blob(draft.frames, Slot::First, png, "sticker.png".into());
    let state = settled(draft, Slot::First).await;
    let (image, facts) = sent(&state);
    assert!(matches!(
        image,
        FrameImage::DataUri {
            mime: ImageFormat::Png,
            ..
        }
    ));
    assert_eq!(facts.has_alpha, Some(true));
    assert_eq!(untrack(|| draft.effective_aspect()), Aspect::Square);
    assert_eq!((facts.width, facts.height), (1000, 1000));
    // Nothing to crop or scale: the file is sent byte for byte.
    assert!(
        state
            .frame()
            .and_then(|f| f.output.as_ref())
            .is_some_and(|o| o.untouched)
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn pictures_the_model_cannot_take_are_refused_with_the_reason() {
    let (root, draft) = mount_form();
    let cases: Vec<(&str, Blob, &str)> = vec![
        ("tiny.png", picture(200, 200, "image/png", false).await, "each side must be at least 300 px"),
        ("drawing.svg", blob_of(br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"/>"#, "image/svg+xml"), "SVG images are not accepted"),
        ("notes.txt", blob_of(b"just some words, not a picture", "text/plain"), "not a PNG, JPEG or WEBP image"),
    ];
    let whole = bytes_of(&picture(1200, 800, "image/jpeg", false).await).await;
    let cut = blob_of(&whole[..whole.len() / 2], "image/jpeg");
    for (name, blob, expected) in cases.into_iter().chain([("cut.jpg", cut, "cut short")]) {
        ingest::ingest_blob(draft.frames, Slot::First, blob, name.into());
        match settled(draft, Slot::First).await {
            FrameState::Failed(f) => {
                assert!(f.message.contains(expected), "{name}: {:?}", f.message);
                assert_eq!(f.name, name);
            }
            other => panic!("{name} was taken: {other:?}"),
        }
        tick(10).await;
        let shown = text(&root, "[data-slot=first] .ks-slot__error");
        assert!(shown.contains(expected), "{name}: shown {shown:?}");
    }
    root.remove();
}

/// `jpeg` with an APP1 EXIF segment saying "turn a quarter clockwise" (orientation 6), as phones
/// write portrait photos.
fn with_orientation_6(jpeg: &[u8]) -> Vec<u8> {
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&6u16.to_le_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut body = b"Exif\0\0".to_vec();
    body.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[wasm_bindgen_test]
async fn a_jpeg_turned_by_exif_is_cropped_as_it_is_seen() {
    let (root, draft) = mount_form();
    let stored = bytes_of(&picture(1200, 800, "image/jpeg", false).await).await;
    let turned = blob_of(&with_orientation_6(&stored), "image/jpeg");
    ingest::ingest_blob(draft.frames, Slot::First, turned, "portrait.jpg".into());
    let state = settled(draft, Slot::First).await;
    let frame = state.frame().expect("a frame");
    assert_eq!(frame.source, Some(Size::new(800, 1200)));
    assert_eq!(untrack(|| draft.effective_aspect()), Aspect::Portrait9x16);
    let (_, facts) = sent(&state);
    assert_eq!((facts.width, facts.height), (675, 1200));
    root.remove();
}

/// The CRC-32 of PNG chunks.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG chunk: length, type, data, CRC.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut typed = kind.to_vec();
    typed.extend_from_slice(data);
    out.extend_from_slice(&typed);
    out.extend_from_slice(&crc32(&typed).to_be_bytes());
    out
}

/// `png` made an animated PNG: an `acTL` after the header, and the picture as its first frame.
fn animated(png: &[u8], width: u32, height: u32) -> Vec<u8> {
    let header_end = 8 + 25;
    let mut actl = 2u32.to_be_bytes().to_vec();
    actl.extend_from_slice(&0u32.to_be_bytes());
    let mut fctl = 0u32.to_be_bytes().to_vec();
    for v in [width, height, 0, 0] {
        fctl.extend_from_slice(&v.to_be_bytes());
    }
    fctl.extend_from_slice(&[0, 1, 0, 10, 0, 0]);
    let mut out = png[..header_end].to_vec();
    out.extend(chunk(b"acTL", &actl));
    out.extend(chunk(b"fcTL", &fctl));
    out.extend_from_slice(&png[header_end..]);
    out
}

#[wasm_bindgen_test]
async fn an_animated_picture_gives_its_first_frame_and_says_so() {
    let (root, draft) = mount_form();
    let png = bytes_of(&picture(640, 640, "image/png", false).await).await;
    let apng = blob_of(&animated(&png, 640, 640), "image/png");
    ingest::ingest_blob(draft.frames, Slot::First, apng, "loop.png".into());
    let state = settled(draft, Slot::First).await;
    let frame = state.frame().expect("a frame");
    assert_eq!(
        frame.notice.as_deref(),
        Some("Animated image: its first frame is used.")
    );
    let (_, facts) = sent(&state);
    assert!(!facts.animated, "what is sent is a still picture");
    assert_eq!((facts.width, facts.height), (640, 640));
    tick(10).await;
    assert!(text(&root, "[data-slot=first] .ks-facts__notice").contains("first frame is used"));
    root.remove();
}
