//! Spec §2–§6 over the wire: each rule accepted at its bounds and refused just outside them, with
//! the right HTTP status, `code` and `parameter`. The rules themselves live in the `runware`
//! crate (which has the exhaustive unit tests); this checks that the simulator applies them and
//! reports them in Runware's shape.

mod common;

use common::*;
use serde_json::{Value, json};

/// What a case must produce.
enum Expect {
    Accepted,
    Refused {
        status: u16,
        code: &'static str,
        parameter: Value,
    },
}

use Expect::*;

fn refused(code: &'static str, parameter: Value) -> Expect {
    Refused {
        status: 400,
        code,
        parameter,
    }
}

async fn check(sim: &Sim, name: &str, task: Value, expect: Expect) {
    let id = task["taskUUID"].as_str().map(str::to_owned);
    let answer = sim.post(&json!([task])).await;
    match expect {
        Accepted => {
            assert_eq!(answer.status, 200, "{name}: {}", answer.text);
            assert_eq!(
                answer.data(),
                vec![json!({ "taskType": "videoInference", "taskUUID": id })],
                "{name}"
            );
        }
        Refused {
            status,
            code,
            parameter,
        } => {
            assert_eq!(answer.status, status, "{name}: {}", answer.text);
            let errors = answer.body["errors"].as_array().expect("errors");
            let found = errors
                .iter()
                .any(|e| e["code"] == code && e["parameter"] == parameter);
            assert!(
                found,
                "{name}: expected {code} at {parameter}, got {}",
                answer.text
            );
            for error in errors {
                assert!(
                    error["message"].as_str().is_some_and(|m| !m.is_empty()),
                    "{name}"
                );
                assert_eq!(error["taskType"], "videoInference", "{name}");
            }
            if let Some(id) = &id {
                assert_eq!(errors[0]["taskUUID"], id.as_str(), "{name}");
            }
        }
    }
}

async fn sim() -> Sim {
    // Results never come due: validation cases cost no renders.
    start(|c| c.delay = runware_sim::config::parse_delay_range("1h").unwrap()).await
}

#[tokio::test]
async fn required_fields_and_identity() {
    let sim = sim().await;
    let v1_uuid = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    let cases = [
        (
            "taskUUID missing",
            video_task(json!({ "taskUUID": null })),
            refused("missingParameter", json!("taskUUID")),
        ),
        (
            "taskUUID not a uuid",
            video_task(json!({ "taskUUID": "task-1" })),
            refused("invalidParameter", json!("taskUUID")),
        ),
        (
            "taskUUID not v4",
            video_task(json!({ "taskUUID": v1_uuid })),
            refused("invalidParameter", json!("taskUUID")),
        ),
        (
            "model missing",
            video_task(json!({ "model": null })),
            refused("missingParameter", json!("model")),
        ),
        (
            "model other",
            video_task(json!({ "model": "klingai:5@1" })),
            refused("invalidParameter", json!("model")),
        ),
        (
            "frames missing",
            video_task(json!({ "inputs": null })),
            refused("missingParameter", json!("inputs.frameImages")),
        ),
        (
            "unknown key",
            video_task(json!({ "motion": "fast" })),
            refused("unknownParameter", json!("motion")),
        ),
        (
            "unknown key in inputs",
            video_task(json!({ "inputs": { "frameImages": [frame_a()], "audio": "x" } })),
            refused("unknownParameter", json!("inputs.audio")),
        ),
        (
            "all defaults",
            video_task(json!({ "width": null, "height": null })),
            Accepted,
        ),
        (
            "no positivePrompt",
            video_task(json!({ "positivePrompt": null })),
            refused("missingParameter", json!("positivePrompt")),
        ),
        (
            "providerSettings",
            video_task(json!({ "providerSettings": { "klingai": { "sound": true } } })),
            refused("unknownParameter", json!("providerSettings")),
        ),
    ];
    for (name, task, expect) in cases {
        check(&sim, name, task, expect).await;
    }
    // A wrong taskType is reported at taskType.
    let answer = sim
        .post(&json!([{ "taskType": "imageInference", "taskUUID": uuid() }]))
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.error()["parameter"], "taskType");
    sim.running.shutdown().await;
}

#[tokio::test]
async fn prompts_sizes_and_duration() {
    let sim = sim().await;
    let long = "a".repeat(2500);
    let too_long = "a".repeat(2501);
    let cases = [
        (
            "prompt 2 chars",
            video_task(json!({ "positivePrompt": "ab" })),
            Accepted,
        ),
        (
            "prompt 2500 chars",
            video_task(json!({ "positivePrompt": long })),
            Accepted,
        ),
        (
            "prompt 1 char",
            video_task(json!({ "positivePrompt": "a" })),
            refused("invalidParameter", json!("positivePrompt")),
        ),
        (
            "prompt 2501 chars",
            video_task(json!({ "positivePrompt": too_long })),
            refused("invalidParameter", json!("positivePrompt")),
        ),
        (
            "prompt not text",
            video_task(json!({ "positivePrompt": 5 })),
            refused("invalidParameter", json!("positivePrompt")),
        ),
        (
            "negative 2 chars",
            video_task(json!({ "negativePrompt": "ab" })),
            Accepted,
        ),
        (
            "negative 2500 chars",
            video_task(json!({ "negativePrompt": "b".repeat(2500) })),
            Accepted,
        ),
        (
            "negative 1 char",
            video_task(json!({ "negativePrompt": "b" })),
            refused("invalidParameter", json!("negativePrompt")),
        ),
        (
            "negative 2501 chars",
            video_task(json!({ "negativePrompt": "b".repeat(2501) })),
            refused("invalidParameter", json!("negativePrompt")),
        ),
        (
            "width alone",
            video_task(json!({ "height": null })),
            refused("missingParameter", json!(["width", "height"])),
        ),
        (
            "height alone",
            video_task(json!({ "width": null })),
            refused("missingParameter", json!(["width", "height"])),
        ),
        (
            "1000x1000",
            video_task(json!({ "width": 1000, "height": 1000 })),
            refused("unsupportedDimensions", json!(["width", "height"])),
        ),
        (
            "1920x1920",
            video_task(json!({ "width": 1920, "height": 1920 })),
            refused("unsupportedDimensions", json!(["width", "height"])),
        ),
        (
            "720x1280 swapped to 1280x1280",
            video_task(json!({ "width": 1280, "height": 1280 })),
            refused("unsupportedDimensions", json!(["width", "height"])),
        ),
        ("duration 5", video_task(json!({ "duration": 5 })), Accepted),
        (
            "duration 10",
            video_task(json!({ "duration": 10 })),
            Accepted,
        ),
        (
            "duration 7",
            video_task(json!({ "duration": 7 })),
            refused("unsupportedDuration", json!("duration")),
        ),
        (
            "duration 0",
            video_task(json!({ "duration": 0 })),
            refused("unsupportedDuration", json!("duration")),
        ),
    ];
    for (name, task, expect) in cases {
        check(&sim, name, task, expect).await;
    }
    // Every size of spec §4 is accepted.
    for (w, h) in [
        (1920, 1080),
        (1080, 1080),
        (1080, 1920),
        (1280, 720),
        (720, 720),
        (720, 1280),
    ] {
        check(
            &sim,
            &format!("{w}x{h}"),
            video_task(json!({ "width": w, "height": h })),
            Accepted,
        )
        .await;
    }
    // unsupportedDuration lists the allowed values.
    let answer = sim
        .post(&json!([video_task(json!({ "duration": 6 }))]))
        .await;
    assert_eq!(answer.error()["allowedValues"], json!([5, 10]));
    sim.running.shutdown().await;
}

#[tokio::test]
async fn numbers_and_choices() {
    let sim = sim().await;
    let cases = [
        ("CFGScale 0", video_task(json!({ "CFGScale": 0 })), Accepted),
        ("CFGScale 1", video_task(json!({ "CFGScale": 1 })), Accepted),
        (
            "CFGScale 0.37",
            video_task(json!({ "CFGScale": 0.37 })),
            Accepted,
        ),
        (
            "CFGScale -0.01",
            video_task(json!({ "CFGScale": -0.01 })),
            refused("invalidParameter", json!("CFGScale")),
        ),
        (
            "CFGScale 1.01",
            video_task(json!({ "CFGScale": 1.01 })),
            refused("invalidParameter", json!("CFGScale")),
        ),
        (
            "CFGScale 0.555",
            video_task(json!({ "CFGScale": 0.555 })),
            refused("invalidParameter", json!("CFGScale")),
        ),
        (
            "cfgScale spelling",
            video_task(json!({ "cfgScale": 0.5 })),
            refused("unknownParameter", json!("cfgScale")),
        ),
        // `seed` is not a request field of this model (revision 2); results still carry one.
        (
            "seed",
            video_task(json!({ "seed": 1 })),
            refused("unknownParameter", json!("seed")),
        ),
        (
            "numberResults 1",
            video_task(json!({ "numberResults": 1 })),
            Accepted,
        ),
        (
            "numberResults 4",
            video_task(json!({ "numberResults": 4 })),
            Accepted,
        ),
        (
            "numberResults 0",
            video_task(json!({ "numberResults": 0 })),
            refused("invalidParameter", json!("numberResults")),
        ),
        (
            "numberResults 5",
            video_task(json!({ "numberResults": 5 })),
            refused("invalidParameter", json!("numberResults")),
        ),
        (
            "outputType URL",
            video_task(json!({ "outputType": "URL" })),
            Accepted,
        ),
        (
            "outputType base64Data",
            video_task(json!({ "outputType": "base64Data" })),
            refused("invalidParameter", json!("outputType")),
        ),
        (
            "MP4",
            video_task(json!({ "outputFormat": "MP4" })),
            Accepted,
        ),
        (
            "WEBM",
            video_task(json!({ "outputFormat": "WEBM" })),
            Accepted,
        ),
        (
            "MOV",
            video_task(json!({ "outputFormat": "MOV" })),
            Accepted,
        ),
        (
            "GIF",
            video_task(json!({ "outputFormat": "GIF" })),
            refused("invalidParameter", json!("outputFormat")),
        ),
        (
            "quality 20",
            video_task(json!({ "outputQuality": 20 })),
            Accepted,
        ),
        (
            "quality 99",
            video_task(json!({ "outputQuality": 99 })),
            Accepted,
        ),
        (
            "quality 19",
            video_task(json!({ "outputQuality": 19 })),
            refused("invalidParameter", json!("outputQuality")),
        ),
        (
            "quality 100",
            video_task(json!({ "outputQuality": 100 })),
            refused("invalidParameter", json!("outputQuality")),
        ),
        (
            "async",
            video_task(json!({ "deliveryMethod": "async" })),
            Accepted,
        ),
        (
            "sync",
            video_task(json!({ "deliveryMethod": "sync" })),
            refused("invalidParameter", json!("deliveryMethod")),
        ),
        (
            "includeCost",
            video_task(json!({ "includeCost": true })),
            Accepted,
        ),
        (
            "includeCost text",
            video_task(json!({ "includeCost": "yes" })),
            refused("invalidParameter", json!("includeCost")),
        ),
    ];
    for (name, task, expect) in cases {
        check(&sim, name, task, expect).await;
    }
    let answer = sim
        .post(&json!([video_task(json!({ "outputFormat": "AVI" }))]))
        .await;
    assert_eq!(
        answer.error()["allowedValues"],
        json!(["MP4", "WEBM", "MOV"])
    );
    sim.running.shutdown().await;
}

#[tokio::test]
async fn delivery_fields_and_safety() {
    let sim = sim().await;
    let cases = [
        (
            "webhook http",
            video_task(json!({ "webhookURL": "http://127.0.0.1:9/hook" })),
            Accepted,
        ),
        (
            "webhook https",
            video_task(json!({ "webhookURL": "https://127.0.0.1:9/hook" })),
            Accepted,
        ),
        (
            "webhook ftp",
            video_task(json!({ "webhookURL": "ftp://127.0.0.1/hook" })),
            refused("invalidParameter", json!("webhookURL")),
        ),
        (
            "webhook relative",
            video_task(json!({ "webhookURL": "/hook" })),
            refused("invalidParameter", json!("webhookURL")),
        ),
        (
            "upload http",
            video_task(json!({ "uploadEndpoint": "http://127.0.0.1:9/put" })),
            Accepted,
        ),
        (
            "upload not a url",
            video_task(json!({ "uploadEndpoint": "bucket" })),
            refused("invalidParameter", json!("uploadEndpoint")),
        ),
        ("ttl 60", video_task(json!({ "ttl": 60 })), Accepted),
        (
            "ttl 59",
            video_task(json!({ "ttl": 59 })),
            refused("invalidParameter", json!("ttl")),
        ),
        (
            "ttl with URL",
            video_task(json!({ "ttl": 3600, "outputType": "URL" })),
            Accepted,
        ),
        (
            "checkContent",
            video_task(json!({ "safety": { "checkContent": true } })),
            Accepted,
        ),
        (
            "mode none",
            video_task(json!({ "safety": { "mode": "none" } })),
            Accepted,
        ),
        (
            "mode fast",
            video_task(json!({ "safety": { "mode": "fast" } })),
            Accepted,
        ),
        (
            "mode full",
            video_task(json!({ "safety": { "mode": "full", "checkContent": false } })),
            Accepted,
        ),
        (
            "mode slow",
            video_task(json!({ "safety": { "mode": "slow" } })),
            refused("invalidParameter", json!("safety.mode")),
        ),
        (
            "checkContent text",
            video_task(json!({ "safety": { "checkContent": "yes" } })),
            refused("invalidParameter", json!("safety.checkContent")),
        ),
        (
            "safety unknown key",
            video_task(json!({ "safety": { "level": 2 } })),
            refused("unknownParameter", json!("safety.level")),
        ),
    ];
    for (name, task, expect) in cases {
        check(&sim, name, task, expect).await;
    }
    sim.running.shutdown().await;
}

#[tokio::test]
async fn frame_images() {
    let sim = sim().await;
    let png = frame_png("testsrc2", 720, 720);
    let jpeg = frame_jpeg("testsrc2", 640, 480);
    let frames = |v: Value| json!({ "inputs": { "frameImages": v } });
    let small = png_uri(&frame_png("testsrc", 299, 400));
    let smallest = png_uri(&frame_png("testsrc2", 300, 300));
    let largest = png_uri(&frame_png("testsrc2", 2048, 1024));
    let large = png_uri(&frame_png("testsrc", 2049, 1024));
    // Kling's aspect rule: width ÷ height between 1:2.5 and 2.5:1.
    let widest = png_uri(&frame_png("testsrc2", 750, 300));
    let too_wide = png_uri(&frame_png("testsrc", 751, 300));
    let too_tall = png_uri(&frame_png("testsrc", 300, 751));
    let cases = [
        (
            "one plain",
            video_task(frames(json!([frame_a()]))),
            Accepted,
        ),
        (
            "two plain",
            video_task(frames(json!([frame_a(), frame_b()]))),
            Accepted,
        ),
        (
            "none",
            video_task(frames(json!([]))),
            refused("invalidParameter", json!("inputs.frameImages")),
        ),
        (
            "three",
            video_task(frames(json!([frame_a(), frame_a(), frame_a()]))),
            refused("invalidParameter", json!("inputs.frameImages")),
        ),
        (
            "objects first/last",
            video_task(frames(
                json!([{ "image": frame_a(), "frame": "first" }, { "image": frame_b(), "frame": "last" }]),
            )),
            Accepted,
        ),
        (
            "objects 0/-1",
            video_task(frames(
                json!([{ "image": frame_a(), "frame": -1 }, { "image": frame_b(), "frame": 0 }]),
            )),
            Accepted,
        ),
        (
            "mixed forms",
            video_task(frames(
                json!([frame_a(), { "image": frame_b(), "frame": "last" }]),
            )),
            Accepted,
        ),
        (
            "last only",
            video_task(frames(json!([{ "image": frame_a(), "frame": "last" }]))),
            Accepted,
        ),
        (
            "frame 1",
            video_task(frames(json!([{ "image": frame_a(), "frame": 1 }]))),
            refused("invalidParameter", json!("inputs.frameImages[0].frame")),
        ),
        (
            "same position",
            video_task(frames(
                json!([{ "image": frame_a(), "frame": "first" }, { "image": frame_b(), "frame": 0 }]),
            )),
            refused(
                "invalidParameter",
                json!(["inputs.frameImages[0].frame", "inputs.frameImages[1].frame"]),
            ),
        ),
        (
            "jpeg data uri",
            video_task(frames(json!([format!(
                "data:image/jpeg;base64,{}",
                b64(&jpeg)
            )]))),
            Accepted,
        ),
        (
            "bare base64",
            video_task(frames(json!([b64(&png)]))),
            Accepted,
        ),
        (
            "gif data uri",
            video_task(frames(json!([format!(
                "data:image/gif;base64,{}",
                b64(&png)
            )]))),
            refused("invalidParameter", json!("inputs.frameImages[0]")),
        ),
        (
            "declared jpeg, is png",
            video_task(frames(json!([format!(
                "data:image/jpeg;base64,{}",
                b64(&png)
            )]))),
            refused("invalidParameter", json!("inputs.frameImages[0]")),
        ),
        (
            "not an image",
            video_task(frames(json!([b64(b"hello, this is text, not a picture")]))),
            refused("invalidParameter", json!("inputs.frameImages[0]")),
        ),
        (
            "ftp url",
            video_task(frames(json!(["ftp://127.0.0.1/a.png"]))),
            refused("invalidParameter", json!("inputs.frameImages[0]")),
        ),
        (
            "300 px side",
            video_task(frames(json!([smallest]))),
            Accepted,
        ),
        (
            "2048 px side",
            video_task(frames(json!([largest]))),
            Accepted,
        ),
        (
            "aspect 2.5:1",
            video_task(frames(json!([widest]))),
            Accepted,
        ),
        (
            "aspect over 2.5:1",
            video_task(frames(json!([too_wide]))),
            refused("invalidParameter", json!("inputs.frameImages[0]")),
        ),
        (
            "aspect over 1:2.5, as the last frame",
            video_task(frames(json!([frame_a(), too_tall]))),
            refused("invalidParameter", json!("inputs.frameImages[1]")),
        ),
        (
            "299 px side",
            video_task(frames(json!([small]))),
            refused("invalidParameter", json!("inputs.frameImages[0]")),
        ),
        (
            "2049 px side",
            video_task(frames(json!([large]))),
            refused("invalidParameter", json!("inputs.frameImages[0]")),
        ),
        (
            "object without image",
            video_task(frames(json!([{ "frame": "first" }]))),
            refused("missingParameter", json!("inputs.frameImages[0].image")),
        ),
        (
            "bad image in object",
            video_task(frames(
                json!([frame_a(), { "image": small, "frame": "last" }]),
            )),
            refused("invalidParameter", json!("inputs.frameImages[1].image")),
        ),
        (
            "legacy form",
            video_task(
                json!({ "inputs": null, "frameImages": [{ "inputImage": frame_a(), "frame": "first" }] }),
            ),
            Accepted,
        ),
        (
            "both forms",
            video_task(json!({ "frameImages": [{ "inputImage": frame_a(), "frame": "first" }] })),
            refused(
                "invalidParameter",
                json!(["inputs.frameImages", "frameImages"]),
            ),
        ),
    ];
    for (name, task, expect) in cases {
        check(&sim, name, task, expect).await;
    }
    sim.running.shutdown().await;
}

#[tokio::test]
async fn many_errors_are_reported_at_once() {
    let sim = sim().await;
    let answer = sim
        .post(&json!([video_task(json!({
            "duration": 7,
            "outputQuality": 10,
            "numberResults": 9,
            "width": 100,
            "height": 100,
        }))]))
        .await;
    assert_eq!(answer.status, 400);
    let mut codes = answer.codes();
    codes.sort();
    assert_eq!(
        codes,
        vec![
            "invalidParameter",
            "invalidParameter",
            "unsupportedDimensions",
            "unsupportedDuration"
        ]
    );
    // A batch with one bad task is refused as a whole: the good one did not start.
    let good = video_task(json!({}));
    let bad = video_task(json!({ "duration": 3 }));
    let answer = sim.post(&json!([good, bad])).await;
    assert_eq!(answer.status, 400);
    let poll = sim
        .post(&json!([{ "taskType": "getResponse", "taskUUID": good["taskUUID"] }]))
        .await;
    assert_eq!(poll.codes(), vec!["taskFailedOrNotFound"]);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn other_task_types() {
    let sim = sim().await;
    let answer = sim
        .post(&json!([{ "taskType": "getResponse", "taskUUID": "nope" }]))
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.error()["code"], "invalidParameter");
    assert_eq!(answer.error()["parameter"], "taskUUID");
    let answer = sim
        .post(&json!([{ "taskType": "getResponse", "taskUUID": uuid(), "extra": 1 }]))
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.error()["code"], "unknownParameter");
    let answer = sim.post(&json!([{ "taskType": "ping" }])).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.error()["parameter"], "ping");
    let answer = sim
        .post(&json!([{ "taskType": "imageUpload", "taskUUID": uuid() }]))
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.error()["code"], "missingParameter");
    assert_eq!(answer.error()["parameter"], "image");
    let answer = sim.post(&json!(["not an object"])).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.error()["code"], "invalidParameter");
    sim.running.shutdown().await;
}
