//! The videos themselves: ffprobe of every container, 10 s and 1080p outputs, the default size,
//! Range requests, the seed, ttl expiry, frames by URL, webhooks and uploads.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};

async fn render_one(sim: &Sim, extra: Value) -> Value {
    let id = sim.submit(video_task(extra)).await;
    let done = sim.wait(&id).await;
    assert!(done.codes().is_empty(), "{}", done.text);
    done.data()[0].clone()
}

#[tokio::test]
async fn every_container_has_the_requested_size_rate_and_length() {
    let sim = start(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let two_frames = json!({ "frameImages": [frame_a(), frame_b()] });
    for (format, ext, mime, codec, family, brand) in [
        ("MP4", "mp4", "video/mp4", "h264", "mp4", "isom"),
        ("WEBM", "webm", "video/webm", "vp9", "webm", ""),
        ("MOV", "mov", "video/quicktime", "h264", "mov", "qt"),
    ] {
        let item = render_one(
            &sim,
            json!({ "outputFormat": format, "inputs": two_frames, "outputQuality": 60 }),
        )
        .await;
        let url = item["videoURL"].as_str().unwrap();
        assert!(url.ends_with(&format!(".{ext}")), "{url}");
        let (path, content_type) = download(&sim, url, dir.path()).await;
        assert_eq!(content_type, mime);
        let probe = ffprobe(&path);
        assert_eq!((probe.width, probe.height), (720, 720), "{format}");
        assert_eq!(probe.fps, "24/1", "{format}");
        assert_eq!(probe.frames, 120, "{format}");
        assert!(
            (probe.duration - 5.0).abs() < 0.05,
            "{format}: {}",
            probe.duration
        );
        assert_eq!(probe.codec, codec, "{format}");
        assert_eq!(probe.pix_fmt, "yuv420p", "{format}");
        assert!(probe.format.contains(family), "{format}: {}", probe.format);
        assert_eq!(probe.brand, brand, "{format}");
    }
    sim.running.shutdown().await;
}

#[tokio::test]
async fn ten_seconds_portrait_and_full_hd() {
    let sim = start(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let item = render_one(
        &sim,
        json!({ "duration": 10, "width": 720, "height": 1280, "outputFormat": "WEBM" }),
    )
    .await;
    let (path, _) = download(&sim, item["videoURL"].as_str().unwrap(), dir.path()).await;
    let probe = ffprobe(&path);
    assert_eq!((probe.width, probe.height), (720, 1280));
    assert_eq!(probe.frames, 240);
    assert!((probe.duration - 10.0).abs() < 0.05, "{}", probe.duration);

    let item = render_one(
        &sim,
        json!({ "width": 1920, "height": 1080, "inputs": { "frameImages": [frame_a(), frame_b()] } }),
    )
    .await;
    let (path, _) = download(&sim, item["videoURL"].as_str().unwrap(), dir.path()).await;
    let probe = ffprobe(&path);
    assert_eq!((probe.width, probe.height), (1920, 1080));
    assert_eq!(probe.frames, 120);
    assert_eq!(probe.fps, "24/1");
    sim.running.shutdown().await;
}

#[tokio::test]
async fn without_a_size_the_first_frame_shape_decides() {
    let sim = start(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let square = png_uri(&frame_png("testsrc2", 600, 640));
    let item = render_one(
        &sim,
        json!({ "width": null, "height": null, "inputs": { "frameImages": [square] } }),
    )
    .await;
    let (path, _) = download(&sim, item["videoURL"].as_str().unwrap(), dir.path()).await;
    let probe = ffprobe(&path);
    assert_eq!((probe.width, probe.height), (1080, 1080));
    sim.running.shutdown().await;
}

#[tokio::test]
async fn range_requests_let_a_player_seek() {
    let sim = start(|_| {}).await;
    let item = render_one(&sim, json!({})).await;
    let url = item["videoURL"].as_str().unwrap();
    let (status, headers, full) = sim.get(url, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(headers["accept-ranges"], "bytes");
    let (status, headers, part) = sim.get(url, &[("range", "bytes=100-199")]).await;
    assert_eq!(status, 206);
    assert_eq!(part, full[100..200]);
    assert_eq!(
        headers["content-range"].to_str().unwrap(),
        format!("bytes 100-199/{}", full.len())
    );
    let (status, _, tail) = sim.get(url, &[("range", "bytes=-10")]).await;
    assert_eq!(status, 206);
    assert_eq!(tail, full[full.len() - 10..]);
    let (status, _, _) = sim
        .get(url, &[("range", &format!("bytes={}-", full.len() + 10))])
        .await;
    assert_eq!(status, 416);
    let head = sim.http.head(url).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(
        head.headers()["content-length"],
        full.len().to_string().as_str()
    );
    let (status, _, _) = sim
        .get(&format!("{}/videos/{}.mp4", sim.running.url, uuid()), &[])
        .await;
    assert_eq!(status, 404);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn the_seed_changes_the_video() {
    let sim = start(|_| {}).await;
    let id = sim.submit(video_task(json!({ "numberResults": 2 }))).await;
    let done = sim.wait(&id).await;
    let mut bodies = Vec::new();
    for item in done.data() {
        let (_, _, bytes) = sim.get(item["videoURL"].as_str().unwrap(), &[]).await;
        bodies.push(bytes);
    }
    assert_ne!(bodies[0], bodies[1]);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn ttl_expiry_answers_410() {
    // time_scale 0.01: a 60 s ttl lasts 0.6 s.
    let sim = start(|_| {}).await;
    let item = render_one(&sim, json!({ "ttl": 60 })).await;
    let url = item["videoURL"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let (status, _, _) = sim.get(url, &[]).await;
    assert_eq!(status, 410);
    // Without ttl, a video stays.
    let item = render_one(&sim, json!({})).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let (status, _, _) = sim.get(item["videoURL"].as_str().unwrap(), &[]).await;
    assert_eq!(status, 200);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn webhook_and_upload_receive_every_result_with_retries() {
    let hooks = Receiver::start(1, Vec::new()).await;
    let uploads = Receiver::start(1, Vec::new()).await;
    let sim = start(|_| {}).await;
    let id = sim
        .submit(video_task(json!({
            "numberResults": 2,
            "includeCost": true,
            "webhookURL": format!("{}/hook?secret=1", hooks.url),
            "uploadEndpoint": format!("{}/put/video", uploads.url),
        })))
        .await;
    let done = sim.wait(&id).await;
    let items = done.data();

    // The first attempt of each was refused with 500 and retried: 3 requests for 2 results.
    let posts = hooks.wait_for(3).await;
    let mut delivered: Vec<Value> = posts[1..]
        .iter()
        .map(|r| {
            assert_eq!(r.method, "POST");
            assert_eq!(r.path, "/hook");
            assert_eq!(r.content_type, "application/json");
            serde_json::from_slice(&r.body).unwrap()
        })
        .collect();
    delivered.sort_by_key(|b| b["data"][0]["seed"].as_i64());
    for body in &delivered {
        let data = body["data"].as_array().unwrap();
        assert_eq!(data.len(), 1);
        assert_eq!(data[0]["status"], "success");
        assert_eq!(data[0]["taskUUID"], id.as_str());
        assert!(items.contains(&data[0]), "{body}");
    }

    let puts = uploads.wait_for(3).await;
    for put in &puts[1..] {
        assert_eq!(put.method, "PUT");
        assert_eq!(put.path, "/put/video");
        assert_eq!(put.content_type, "video/mp4");
    }
    let mut sizes: Vec<usize> = puts[1..].iter().map(|p| p.body.len()).collect();
    let mut expected = Vec::new();
    for item in &items {
        let (_, _, bytes) = sim.get(item["videoURL"].as_str().unwrap(), &[]).await;
        expected.push(bytes.len());
    }
    sizes.sort_unstable();
    expected.sort_unstable();
    assert_eq!(sizes, expected);

    let stats = sim.stats().await;
    assert_eq!(stats["webhooks"]["delivered"], 2);
    assert_eq!(stats["uploads"]["delivered"], 2);
    assert_eq!(stats["webhooks"]["attempts"], 3);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn frames_by_url_are_fetched() {
    let files = Receiver::start(
        0,
        vec![("/a.png".to_owned(), frame_png("testsrc2", 720, 720))],
    )
    .await;
    let sim = start(|_| {}).await;
    let ok = render_one(
        &sim,
        json!({ "inputs": { "frameImages": [format!("{}/a.png", files.url)] } }),
    )
    .await;
    assert_eq!(ok["status"], "success");

    let missing = sim
        .post(&json!([video_task(json!({ "inputs": { "frameImages": [
            frame_a(),
            { "image": format!("{}/missing.png", files.url), "frame": "last" },
        ] } }))]))
        .await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.codes(), vec!["invalidParameter"]);
    assert_eq!(missing.error()["parameter"], "inputs.frameImages[1].image");
    assert!(missing.error()["message"].as_str().unwrap().contains("404"));

    let unreachable = sim
        .post(&json!([video_task(
            json!({ "inputs": { "frameImages": ["http://127.0.0.1:9/x.png"] } })
        )]))
        .await;
    assert_eq!(unreachable.status, 400);
    assert_eq!(unreachable.error()["parameter"], "inputs.frameImages[0]");
    assert!(
        unreachable.error()["message"]
            .as_str()
            .unwrap()
            .contains("could not be fetched")
    );
    sim.running.shutdown().await;
}

#[tokio::test]
async fn safety_check_reports_nsfw_content() {
    let sim = start(|_| {}).await;
    let checked = render_one(&sim, json!({ "safety": { "checkContent": true } })).await;
    assert_eq!(checked["NSFWContent"], false);
    let full = render_one(&sim, json!({ "safety": { "mode": "full" } })).await;
    assert_eq!(full["NSFWContent"], false);
    let none = render_one(
        &sim,
        json!({ "safety": { "checkContent": true, "mode": "none" } }),
    )
    .await;
    assert!(none.get("NSFWContent").is_none());
    sim.running.shutdown().await;
}

#[tokio::test]
async fn an_invalid_range_is_ignored() {
    let sim = start(|_| {}).await;
    let item = render_one(&sim, json!({})).await;
    let url = item["videoURL"].as_str().unwrap();
    let (_, _, full) = sim.get(url, &[]).await;
    // RFC 9110 §14.2: a Range that cannot be read is ignored, and the whole file is sent.
    for invalid in [
        "bytes=abc",
        "bytes=200-100",
        "items=0-99",
        "bytes=0-1,5-6",
        "bytes=",
        "bytes=--5",
        "0-99",
    ] {
        let (status, headers, body) = sim.get(url, &[("range", invalid)]).await;
        assert_eq!(status, 200, "Range: {invalid}");
        assert!(headers.get("content-range").is_none(), "Range: {invalid}");
        assert_eq!(body, full, "Range: {invalid}");
    }
    // Valid ranges still get 206.
    let (status, headers, part) = sim.get(url, &[("range", "bytes=0-99")]).await;
    assert_eq!(status, 206);
    assert_eq!(part, full[..100]);
    assert_eq!(
        headers["content-range"].to_str().unwrap(),
        format!("bytes 0-99/{}", full.len())
    );
    let (status, _, rest) = sim.get(url, &[("range", "bytes=10-")]).await;
    assert_eq!(status, 206);
    assert_eq!(rest, full[10..]);
    sim.running.shutdown().await;
}
