//! `?dryRun=1` on the REST and the WebSocket URL (spec §1): requests are validated as usual and
//! acknowledged with `"dryRun": true`, and nothing is started, taken or spent.

mod common;

use common::*;
use serde_json::{Value, json};

fn poll(id: &str) -> Value {
    json!([{ "taskType": "getResponse", "taskUUID": id }])
}

#[tokio::test]
async fn rest_dry_run_validates_and_starts_nothing() {
    // Credit for exactly one 5 s 720p video: dry runs must not spend it.
    let sim = start(|c| c.credits = Some(0.35)).await;
    let dry = format!("{}?dryRun=1", sim.v1());
    let auth = [("authorization", "Bearer k")];
    let task = video_task(json!({ "includeCost": true }));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        let answer = sim
            .post_raw(&dry, json!([task]).to_string().into_bytes(), &auth)
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(
            answer.body,
            json!({ "data": [{ "taskType": "videoInference", "taskUUID": id, "dryRun": true }] })
        );
    }
    // No job: nothing to poll, nothing to describe.
    let answer = sim.post(&poll(&id)).await;
    assert_eq!(answer.codes(), vec!["taskFailedOrNotFound"]);
    let answer = sim
        .post(&json!([{ "taskType": "getTaskDetails", "taskUUID": id }]))
        .await;
    assert_eq!(answer.codes(), vec!["taskFailedOrNotFound"]);

    // An invalid request gets the usual errors.
    let broken = video_task(json!({ "width": 640, "duration": 7 }));
    let answer = sim
        .post_raw(&dry, json!([broken]).to_string().into_bytes(), &auth)
        .await;
    assert_eq!(answer.status, 400);
    let mut codes = answer.codes();
    codes.sort();
    assert_eq!(
        codes,
        vec!["unsupportedDimensions", "unsupportedDuration"],
        "{}",
        answer.text
    );
    // So does a missing key.
    let answer = sim
        .post_raw(&dry, json!([task]).to_string().into_bytes(), &[])
        .await;
    assert_eq!(answer.codes(), vec!["missingApiKey"]);

    // The real submission with the same UUID is accepted, and paid from the untouched credit.
    sim.submit(task.clone()).await;
    assert_eq!(sim.wait(&id).await.data()[0]["status"], "success");
    // Once the UUID is taken, a dry run of it is a conflict, as the real thing would be.
    let answer = sim
        .post_raw(&dry, json!([task]).to_string().into_bytes(), &auth)
        .await;
    assert_eq!(answer.codes(), vec!["conflictTaskUUID"]);
    // And with the credit spent, a dry run says so too.
    let answer = sim
        .post_raw(
            &dry,
            json!([video_task(json!({}))]).to_string().into_bytes(),
            &auth,
        )
        .await;
    assert_eq!(answer.status, 402);
    assert_eq!(answer.codes(), vec!["insufficientCredits"]);

    let stats = sim.stats().await;
    assert_eq!(stats["jobs"]["dryRuns"], 3);
    assert_eq!(stats["jobs"]["accepted"], 1);
    assert_eq!(stats["renders"]["started"], 1);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn websocket_dry_run_applies_to_the_connection() {
    let sim = start(|_| {}).await;
    let mut ws = Ws::connect(&format!("{}?dryRun=1", sim.running.ws_url())).await;
    ws.auth(None).await;
    let task = video_task(json!({ "numberResults": 2 }));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    ws.send(&json!([task])).await;
    assert_eq!(
        ws.next().await,
        json!({ "data": [{ "taskType": "videoInference", "taskUUID": id, "dryRun": true }] })
    );
    ws.send(&json!([video_task(json!({ "positivePrompt": null }))]))
        .await;
    let refused = ws.next().await;
    assert_eq!(refused["data"], json!([]));
    assert_eq!(refused["errors"][0]["code"], "missingParameter");
    // An upload is validated, not stored.
    let upload = json!({ "taskType": "imageUpload", "taskUUID": uuid(), "image": frame_a() });
    ws.send(&json!([upload])).await;
    assert_eq!(
        ws.next().await,
        json!({ "data": [{ "taskType": "imageUpload", "taskUUID": upload["taskUUID"], "dryRun": true }] })
    );
    // Polls work as usual on a dry-run socket; this task does not exist.
    ws.send(&poll(&id)).await;
    assert_eq!(ws.next().await["errors"][0]["code"], "taskFailedOrNotFound");

    // The real submission on a plain socket is accepted, and the dry-run socket can follow it.
    let mut real = Ws::connect(&sim.running.ws_url()).await;
    real.auth(None).await;
    real.send(&json!([task])).await;
    assert_eq!(
        real.next().await,
        json!({ "data": [{ "taskType": "videoInference", "taskUUID": id }] })
    );
    let done = ws.wait(&id).await;
    assert_eq!(done["data"].as_array().unwrap().len(), 2);

    let bad =
        tokio_tungstenite::connect_async(format!("{}?dryRun=maybe", sim.running.ws_url())).await;
    match bad {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 400)
        }
        other => panic!("expected a refused upgrade, got {:?}", other.map(|_| ())),
    }
    let stats = sim.stats().await;
    assert_eq!(stats["jobs"]["dryRuns"], 1);
    assert_eq!(stats["jobs"]["accepted"], 1);
    sim.running.shutdown().await;
}
