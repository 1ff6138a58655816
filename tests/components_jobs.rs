//! Component tests of the jobs and results: the journal in IndexedDB, and the Results panel
//! rendering every kind of job, in a real headless Chromium
//! (`cargo test -p kling-studio --target wasm32-unknown-unknown --test components_jobs`).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use kling_studio::components::results_panel::ResultsPanel;
use kling_studio::config::Settings;
use kling_studio::jobs::Jobs;
use kling_studio::jobs::archive::Archive;
use kling_studio::jobs::frames::Blob;
use kling_studio::jobs::model::{Job, JobResult, JobSettings, Phase, Thumbs};
use kling_studio::jobs::store::Store;
use leptos::prelude::*;
use runware::{ApiError, ErrorCode};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A unique v4-shaped id for this test run, so tests sharing the page's IndexedDB never meet.
fn id(n: u32) -> String {
    let salt = (js_sys::Math::random() * 1e12) as u64;
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        n,
        (salt >> 16) & 0xffff,
        salt & 0xfff,
        n & 0xfff,
        salt
    )
}

/// A time to create this test's jobs at: later than any earlier test's, so that this test's
/// jobs come first in the history the tests share (one page, one IndexedDB).
fn newest() -> f64 {
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    js_sys::Date::now() + 1e10 + f64::from(n) * 1e8
}

fn job(id: &str, phase: Phase, results: usize, created_at: f64) -> Job {
    Job {
        id: id.to_owned(),
        created_at,
        backend: Default::default(),
        request: serde_json::json!({"taskType": "videoInference", "taskUUID": id}),
        settings: JobSettings {
            prompt: Some(format!("Prompt of {id}")),
            size: Some((1280, 720)),
            duration_s: 5,
            cfg_scale: 0.5,
            number_results: results.max(1) as u8,
            format: "MP4".into(),
            quality: 95,
            include_cost: true,
            safety: "none".into(),
            frames: 1,
            ..JobSettings::default()
        },
        thumbs: Thumbs::default(),
        phase,
        results: (0..results)
            .map(|i| JobResult {
                video_uuid: Some(format!("{id}-v{i}")),
                video_url: Some(format!("https://example.invalid/{id}-{i}.mp4")),
                seed: Some(100 + i as i64),
                cost: Some(0.35),
                nsfw: None,
                received_at: created_at + 60_000.0,
            })
            .collect(),
        error: None,
        accepted_at: Some(created_at),
        finished_at: None,
        checked_at: None,
        attempts: 1,
        next_send_at: None,
        send_problem: None,
        retry_of: None,
        waiting_since: Some(created_at),
        sending_since: None,
        progress: None,
        queued: false,
        needs_details: false,
        progress_span: None,
    }
}

/// Mounts the Results panel with its contexts; returns its element and the jobs handle.
fn mount_results() -> (web_sys::HtmlElement, Jobs) {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a document");
    let host: web_sys::HtmlElement = document
        .create_element("div")
        .expect("div")
        .dyn_into()
        .expect("html");
    host.set_class_name("ks-app");
    document
        .body()
        .expect("body")
        .append_child(&host)
        .expect("appended");
    let handle: Rc<RefCell<Option<Jobs>>> = Rc::default();
    let out = handle.clone();
    leptos::mount::mount_to(host.clone(), move || {
        Settings::provide();
        *out.borrow_mut() = Some(Jobs::provide());
        view! { <ResultsPanel /> }
    })
    .forget();
    let jobs = handle.borrow().expect("provided");
    (host, jobs)
}

/// Waits (up to 5 s) until `check` holds.
async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..100 {
        if check() {
            return;
        }
        TimeoutFuture::new(50).await;
    }
    panic!("timed out waiting for: {what}");
}

fn card(root: &web_sys::Element, id: &str) -> Option<web_sys::Element> {
    root.query_selector(&format!("article[data-task-uuid='{id}']"))
        .ok()
        .flatten()
}

fn text(e: &web_sys::Element) -> String {
    e.text_content().unwrap_or_default()
}

async fn import(jobs: Jobs, list: Vec<Job>) {
    let archive = Archive::new(list, Default::default(), js_sys::Date::now());
    jobs.import(archive.to_text()).await.expect("imported");
}

#[wasm_bindgen_test]
async fn the_journal_keeps_records_and_images_apart_in_indexeddb() {
    let store = Store::open().await.expect("IndexedDB opens");
    let a = job(&id(1), Phase::Done, 1, 1.0);
    let blob = Blob::of("data:image/png;base64,AAAA".into());
    store
        .save(&[&a], std::slice::from_ref(&blob))
        .await
        .expect("saved");
    let (all, damaged) = store.jobs().await.expect("read");
    assert_eq!(damaged, 0);
    assert_eq!(all.iter().find(|j| j.id == a.id), Some(&a));
    assert_eq!(
        store.blob(&blob.key).await.expect("read"),
        Some(blob.value.clone())
    );
    store
        .delete(&a.id, std::slice::from_ref(&blob.key))
        .await
        .expect("deleted");
    assert!(
        store
            .jobs()
            .await
            .expect("read")
            .0
            .iter()
            .all(|j| j.id != a.id)
    );
    assert_eq!(store.blob(&blob.key).await.expect("read"), None);
}

#[wasm_bindgen_test]
async fn every_kind_of_job_gets_its_card() {
    let (root, jobs) = mount_results();
    let now = newest();
    let (done, failed, waiting) = (id(10), id(11), id(12));
    let mut f = job(&failed, Phase::Failed, 0, now - 2_000.0);
    f.error = Some(
        ApiError::new(ErrorCode::TimeoutProvider, "the provider timed out")
            .with_task("videoInference", &failed),
    );
    import(
        jobs,
        vec![
            job(&done, Phase::Done, 4, now - 3_000.0),
            f,
            job(&waiting, Phase::Waiting, 1, now - 1_000.0),
        ],
    )
    .await;
    until("three cards", || {
        [&done, &failed, &waiting]
            .iter()
            .all(|i| card(&root, i).is_some())
    })
    .await;

    let done_card = card(&root, &done).expect("done card");
    assert!(text(&done_card).contains("Done"));
    let videos = done_card.query_selector_all("video").expect("videos");
    assert_eq!(videos.length(), 4, "a grid of four players");
    let first: web_sys::HtmlVideoElement = videos.get(0).expect("video").dyn_into().expect("video");
    assert!(first.controls() && first.loop_());
    assert_eq!(
        first.get_attribute("aria-label").as_deref(),
        Some("Video 1 of 4, seed 100")
    );
    assert!(text(&done_card).contains("Compare side by side"));
    assert!(text(&done_card).contains("$0.350"));

    let failed_card = card(&root, &failed).expect("failed card");
    let failed_text = text(&failed_card);
    for part in [
        "Failed",
        "timeoutProvider",
        "the provider timed out",
        failed.as_str(),
        "Retry",
    ] {
        assert!(
            failed_text.contains(part),
            "the error card shows {part}: {failed_text}"
        );
    }

    let waiting_card = card(&root, &waiting).expect("waiting card");
    let waiting_text = text(&waiting_card);
    assert!(waiting_text.contains("Still waiting"));
    assert!(waiting_text.contains("Check now") && waiting_text.contains("Keep waiting"));
    assert!(
        waiting_card
            .query_selector("[role='progressbar']")
            .ok()
            .flatten()
            .is_some()
    );
}

#[wasm_bindgen_test]
async fn the_filter_shows_only_matching_jobs_and_delete_asks_first() {
    let (root, jobs) = mount_results();
    let now = newest();
    let (ok, bad) = (id(20), id(21));
    let mut b = job(&bad, Phase::Failed, 0, now);
    b.error = Some(ApiError::new(ErrorCode::InsufficientCredits, "top up"));
    import(jobs, vec![job(&ok, Phase::Done, 1, now - 1.0), b]).await;
    until("both cards", || {
        card(&root, &ok).is_some() && card(&root, &bad).is_some()
    })
    .await;

    jobs.filter.set(kling_studio::jobs::book::Filter::Failed);
    until("only the failed job", || {
        card(&root, &ok).is_none() && card(&root, &bad).is_some()
    })
    .await;
    jobs.filter.set(kling_studio::jobs::book::Filter::All);
    until("both again", || card(&root, &ok).is_some()).await;

    let click = |e: &web_sys::Element, label: &str| {
        let buttons = e.query_selector_all("button").expect("buttons");
        let button = (0..buttons.length())
            .filter_map(|i| buttons.get(i))
            .find(|b| b.text_content().unwrap_or_default().trim() == label)
            .unwrap_or_else(|| panic!("a {label} button"));
        button
            .dyn_into::<web_sys::HtmlElement>()
            .expect("html")
            .click();
    };
    let ok_card = card(&root, &ok).expect("card");
    click(&ok_card, "Delete");
    until("a confirmation", || {
        text(&ok_card).contains("Delete this job from the history?")
    })
    .await;
    click(&ok_card, "Cancel");
    until("no confirmation", || {
        !text(&ok_card).contains("Delete this job")
    })
    .await;
    click(&ok_card, "Delete");
    until("the confirmation again", || {
        text(&ok_card).contains("Cancel")
    })
    .await;
    let confirm = ok_card
        .query_selector(".ks-job__confirm")
        .ok()
        .flatten()
        .expect("confirm group");
    click(&confirm, "Delete");
    until("the card gone", || card(&root, &ok).is_none()).await;
    let store = Store::open().await.expect("store");
    assert!(
        store
            .jobs()
            .await
            .expect("read")
            .0
            .iter()
            .all(|j| j.id != ok),
        "deleted from the journal too"
    );
}

#[wasm_bindgen_test]
async fn a_long_history_shows_a_page_at_a_time() {
    let (root, jobs) = mount_results();
    let base = newest();
    let list: Vec<Job> = (0..45)
        .map(|i| job(&id(1000 + i), Phase::Done, 0, base + f64::from(i)))
        .collect();
    let newest = list[44].id.clone();
    import(jobs, list).await;
    until("the newest job first", || {
        root.query_selector("article")
            .ok()
            .flatten()
            .and_then(|a| a.get_attribute("data-task-uuid"))
            == Some(newest.clone())
    })
    .await;
    let shown = || {
        root.query_selector_all("article")
            .map(|l| l.length())
            .unwrap_or(0)
    };
    assert_eq!(shown(), 20);
    let more = root
        .query_selector(".ks-jobs__more")
        .ok()
        .flatten()
        .expect("a show-more button");
    assert!(text(&more).starts_with("Show 20 more"));
    more.dyn_into::<web_sys::HtmlElement>()
        .expect("html")
        .click();
    until("forty cards", || shown() == 40).await;
}

#[wasm_bindgen_test]
async fn status_changes_are_spoken_in_a_live_region() {
    let (root, jobs) = mount_results();
    jobs.announce("“A cat”: the video is ready.");
    let live = root
        .query_selector("[aria-live='polite']")
        .ok()
        .flatten()
        .expect("a live region");
    until("the sentence", || {
        text(&live) == "“A cat”: the video is ready."
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_link_about_to_expire_asks_for_a_download_and_an_expired_one_says_so() {
    let (root, jobs) = mount_results();
    let now = js_sys::Date::now();
    let first = newest();
    let (soon, gone) = (id(30), id(31));
    let mut a = job(&soon, Phase::Done, 1, first);
    a.settings.ttl_s = Some(600);
    a.results[0].received_at = now - 500_000.0;
    let mut b = job(&gone, Phase::Done, 1, first - 1.0);
    b.settings.ttl_s = Some(60);
    b.results[0].received_at = now - 120_000.0;
    import(jobs, vec![a, b]).await;
    until("both cards", || {
        card(&root, &soon).is_some() && card(&root, &gone).is_some()
    })
    .await;
    let soon_text = text(&card(&root, &soon).expect("card"));
    assert!(soon_text.contains("Link expires in 1:"), "{soon_text}");
    assert!(soon_text.contains("download it now"), "{soon_text}");
    let gone_card = card(&root, &gone).expect("card");
    assert!(text(&gone_card).contains("The link has expired"));
    until("the expired player dims", || {
        gone_card
            .query_selector(".ks-result--expired")
            .ok()
            .flatten()
            .is_some()
    })
    .await;
}
