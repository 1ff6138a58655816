//! The upstream side: retries on 5xx with back-off, and a Runware that cannot be reached.

mod common;

use common::{Backend, metric, start, uuid, video_task};

use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_upstream_errors_are_retried() {
    // The simulator refuses 30% of its requests with 503 (`--fault-rate 0.3 --fault-status
    // 503`); with 10 attempts each visitor request still succeeds.
    let mut config = common::sim_config("10m");
    config.faults.fault_rate = 0.3;
    config.faults.fault_status = vec![503];
    let sim = runware_sim::run(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut gateway = common::gateway_config(&format!("{}/v1", sim.url));
    gateway.upstream_attempts = 10;
    gateway.store.sqlite = Some(dir.path().join("g.db"));
    let running = runware_gateway::run(
        gateway.check().unwrap(),
        runware_gateway::ApiKey::new(common::KEY).unwrap(),
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let task = video_task(json!({}));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    let post = |body: serde_json::Value| {
        http.post(running.v1())
            .header("x-forwarded-for", "192.0.2.1")
            .body(body.to_string())
            .send()
    };
    assert_eq!(post(json!([task])).await.unwrap().status(), 200);
    for _ in 0..30 {
        let reply = post(json!([{"taskType": "getResponse", "taskUUID": id}]))
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
    }
    let text = http
        .get(format!("{}/metrics", running.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metric(&text, "runware_gateway_upstream_retries_total") > 0.0,
        "{text}"
    );
    assert_eq!(
        metric(&text, "runware_gateway_upstream_failures_total"),
        0.0
    );
    assert!(metric(&text, "runware_gateway_upstream_latency_seconds_count") >= 31.0);
    // The job was accepted once, however often it was tried.
    let stats: serde_json::Value = http
        .get(format!("{}/sim/stats", sim.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["jobs"]["accepted"], 1, "{stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_upstream_gives_the_reservation_back() {
    let Some(h) = start(Backend::Sqlite, "10m", |c| {
        // Nothing listens there.
        c.upstream = "http://127.0.0.1:9/v1".into();
        c.upstream_attempts = 3;
    })
    .await
    else {
        return;
    };
    let answer = h.post("192.0.2.2", &json!([video_task(json!({}))])).await;
    assert_eq!(answer.status, 503, "{}", answer.text);
    answer.assert_shape();
    assert_eq!(answer.codes(), ["upstreamUnavailable"]);
    assert_eq!(answer.retry_after(), Some(5));
    assert_eq!(h.spent_today().await, 0.0);
    let text = h.metrics().await;
    assert_eq!(metric(&text, "runware_gateway_upstream_retries_total"), 2.0);
    assert_eq!(
        metric(&text, "runware_gateway_upstream_failures_total"),
        1.0
    );
    // Polls of unknown tasks never needed upstream at all.
    let poll = h
        .post(
            "192.0.2.2",
            &json!([{"taskType": "getResponse", "taskUUID": uuid()}]),
        )
        .await;
    assert_eq!(poll.codes(), ["taskFailedOrNotFound"]);
}
