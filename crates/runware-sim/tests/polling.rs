//! How a client follows a job (spec §1, §5): over WebSocket it polls like over REST (nothing is
//! pushed unless `--push-results`), a job is `queued` for a moment and then `processing` with a
//! rising `progress`, `getTaskDetails` returns the request as received and the current state,
//! and `--response-retention` ends what `getResponse` reports while `getTaskDetails` goes on.

mod common;

use std::time::{Duration, Instant};

use common::*;
use runware_sim::config::parse_delay_range;
use serde_json::{Value, json};

fn poll(id: &str) -> Value {
    json!([{ "taskType": "getResponse", "taskUUID": id }])
}

fn details(id: &str) -> Value {
    json!([{ "taskType": "getTaskDetails", "taskUUID": id }])
}

#[tokio::test]
async fn websocket_results_are_polled_not_pushed() {
    let sim = start(|_| {}).await;
    let mut ws = Ws::connect(&sim.running.ws_url()).await;
    let session = ws.auth(None).await;
    let task = video_task(json!({ "numberResults": 2 }));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    ws.send(&json!([task])).await;
    assert_eq!(
        ws.next().await,
        json!({ "data": [{ "taskType": "videoInference", "taskUUID": id }] })
    );
    // The results finish (seen over REST) and nothing arrives on the socket unasked.
    sim.wait(&id).await;
    assert!(
        ws.next_within(1.0).await.is_none(),
        "a result was pushed without --push-results"
    );
    // A getResponse over the socket gets the full state.
    let done = ws.wait(&id).await;
    let items = done["data"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i["status"] == "success"));
    let stats = sim.stats().await;
    assert_eq!(stats["ws"]["pushed"], 0);
    assert_eq!(
        stats["getResponse"]["byClient"][&format!("ws:{session}")],
        1
    );
    sim.running.shutdown().await;
}

#[tokio::test]
async fn queued_then_processing_with_rising_progress() {
    // 4 s per result in real time; the first second (a quarter of it, the cap) is queued.
    let sim = start(|c| {
        c.delay = parse_delay_range("4s").unwrap();
        c.time_scale = 1.0;
        c.queue_time = parse_delay_range("1s").unwrap();
    })
    .await;
    let id = sim.submit(video_task(json!({}))).await;
    let started = Instant::now();
    let mut seen: Vec<(f64, String, u64)> = Vec::new();
    loop {
        let answer = sim.post(&poll(&id)).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let item = answer.data()[0].clone();
        let status = item["status"].as_str().unwrap().to_owned();
        let progress = item["progress"]
            .as_u64()
            .unwrap_or_else(|| panic!("no progress in {item}"));
        seen.push((started.elapsed().as_secs_f64(), status.clone(), progress));
        if status == "success" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{seen:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // queued… (progress 0), then processing… (0–99, never falling), then success (100).
    let phases: Vec<&str> = seen.iter().map(|(_, s, _)| s.as_str()).collect();
    let queued = phases.iter().take_while(|s| **s == "queued").count();
    let processing = phases[queued..]
        .iter()
        .take_while(|s| **s == "processing")
        .count();
    assert!(queued >= 1, "{seen:?}");
    assert!(processing >= 3, "{seen:?}");
    assert_eq!(queued + processing + 1, seen.len(), "{seen:?}");
    assert!(seen[..queued].iter().all(|(_, _, p)| *p == 0), "{seen:?}");
    assert!(seen[..queued].iter().all(|(t, _, _)| *t < 1.2), "{seen:?}");
    let running = &seen[queued..queued + processing];
    assert!(running.iter().all(|(_, _, p)| *p <= 99), "{seen:?}");
    assert!(running.windows(2).all(|w| w[1].2 >= w[0].2), "{seen:?}");
    assert!(running.last().unwrap().2 > running[0].2, "{seen:?}");
    assert_eq!(seen.last().unwrap().2, 100);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn get_task_details_over_rest_and_websocket() {
    let sim = start(|_| {}).await;
    // Over REST, for a task submitted over REST: the request exactly as sent, frames included.
    let task = video_task(json!({ "numberResults": 2, "includeCost": true }));
    let id = sim.submit(task.clone()).await;
    let early = sim.post(&details(&id)).await;
    assert_eq!(early.status, 200, "{}", early.text);
    let item = &early.data()[0];
    assert_eq!(item["taskType"], "getTaskDetails");
    assert_eq!(item["taskUUID"], id.as_str());
    assert_eq!(item["request"], task);
    assert_eq!(item["response"]["data"].as_array().unwrap().len(), 2);
    let done = sim.wait(&id).await;
    let later = sim.post(&details(&id)).await;
    assert_eq!(later.data()[0]["response"], json!({ "data": done.data() }));

    // Over WebSocket, for the same task and for an unknown one.
    let mut ws = Ws::connect(&sim.running.ws_url()).await;
    ws.auth(None).await;
    ws.send(&details(&id)).await;
    let reply = ws.next().await;
    assert_eq!(reply["data"][0]["request"], task);
    assert_eq!(reply["data"][0]["response"], json!({ "data": done.data() }));
    let unknown = uuid();
    ws.send(&details(&unknown)).await;
    let reply = ws.next().await;
    assert_eq!(reply["data"], json!([]));
    assert_eq!(reply["errors"][0]["code"], "taskFailedOrNotFound");
    assert_eq!(reply["errors"][0]["taskType"], "getTaskDetails");
    assert_eq!(reply["errors"][0]["taskUUID"], unknown.as_str());

    // A failed task: its response holds the error (and an empty data beside it).
    let failing = video_task(json!({ "positivePrompt": "a cat [sim-fault:timeoutProvider]" }));
    let failed_id = sim.submit(failing.clone()).await;
    sim.wait(&failed_id).await;
    let answer = sim.post(&details(&failed_id)).await;
    let response = &answer.data()[0]["response"];
    assert_eq!(response["data"], json!([]));
    assert_eq!(response["errors"][0]["code"], "timeoutProvider");
    assert_eq!(answer.data()[0]["request"], failing);

    // A task submitted over the socket, asked about over REST; and an upload.
    let over_ws = video_task(json!({}));
    ws.send(&json!([over_ws])).await;
    ws.next().await;
    let answer = sim
        .post(&details(over_ws["taskUUID"].as_str().unwrap()))
        .await;
    assert_eq!(answer.data()[0]["request"], over_ws);
    let upload = json!({ "taskType": "imageUpload", "taskUUID": uuid(), "image": frame_a() });
    let uploaded = sim.post(&json!([upload])).await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.text);
    let answer = sim
        .post(&details(upload["taskUUID"].as_str().unwrap()))
        .await;
    assert_eq!(answer.data()[0]["request"], upload);
    assert_eq!(answer.data()[0]["response"]["data"], json!(uploaded.data()));

    // Several in one array, like getResponse; getTaskDetails is counted by type.
    let both = sim
        .post(&json!([details(&id)[0], details(&failed_id)[0]]))
        .await;
    assert_eq!(both.data().len(), 2);
    assert_eq!(sim.stats().await["tasks"]["getTaskDetails"], 9);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn response_retention_ends_get_response_but_not_get_task_details() {
    let sim = start(|c| c.response_retention = Duration::from_millis(800)).await;
    let task = video_task(json!({}));
    let id = sim.submit(task.clone()).await;
    assert_eq!(sim.wait(&id).await.data()[0]["status"], "success");
    let still = sim.post(&poll(&id)).await;
    assert_eq!(still.data()[0]["status"], "success");

    tokio::time::sleep(Duration::from_millis(1000)).await;
    let gone = sim.post(&poll(&id)).await;
    assert_eq!(gone.status, 200);
    assert_eq!(gone.codes(), vec!["taskFailedOrNotFound"]);
    assert_eq!(gone.body["data"], json!([]));
    // The long-term record still answers, with the request and the finished result.
    let record = sim.post(&details(&id)).await;
    assert_eq!(record.data()[0]["request"], task);
    assert_eq!(record.data()[0]["response"]["data"][0]["status"], "success");
    // The UUID stays taken.
    let again = sim.post(&json!([task])).await;
    assert_eq!(again.codes(), vec!["conflictTaskUUID"]);
    sim.running.shutdown().await;

    // A task that has not finished is never forgotten, however long it runs.
    let slow = start(|c| {
        c.response_retention = Duration::from_millis(100);
        c.delay = parse_delay_range("1h").unwrap();
    })
    .await;
    let id = slow.submit(video_task(json!({}))).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let running = slow.post(&poll(&id)).await;
    assert!(running.codes().is_empty(), "{}", running.text);
    assert_eq!(running.data()[0]["status"], "processing");
    slow.running.shutdown().await;
}
