//! Every fault mode, asked for per request (header, query, prompt marker) and by command-line
//! rates, over REST and WebSocket.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

fn ping() -> serde_json::Value {
    json!([{ "taskType": "ping", "ping": true }])
}

fn auth_and(fault: &str) -> Vec<(&'static str, String)> {
    vec![
        ("authorization", format!("Bearer {KEY}")),
        ("x-sim-fault", fault.to_owned()),
    ]
}

async fn post_fault(sim: &Sim, body: &serde_json::Value, fault: &str) -> Answer {
    let headers = auth_and(fault);
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    sim.post_with(body, &headers).await
}

#[tokio::test]
async fn status_faults_by_header_query_and_rate() {
    let sim = start(|_| {}).await;
    for (status, code) in [
        (503, "serviceUnavailable"),
        (429, "rateLimitExceeded"),
        (500, "internalServerError"),
    ] {
        let answer = post_fault(&sim, &ping(), &format!("status={status}")).await;
        assert_eq!(answer.status, status);
        assert_eq!(answer.codes(), vec![code]);
    }
    // A refused submission did not start anything.
    let task = video_task(json!({}));
    let answer = post_fault(&sim, &json!([task]), "status=503").await;
    assert_eq!(answer.status, 503);
    sim.submit(task).await;

    let by_query = sim
        .post_raw(
            &format!("{}?fault=status=429", sim.v1()),
            ping().to_string().into_bytes(),
            &[("authorization", "Bearer k")],
        )
        .await;
    assert_eq!(by_query.status, 429);

    let bad = post_fault(&sim, &ping(), "explode").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.codes(), vec!["invalidParameter"]);
    assert_eq!(bad.error()["parameter"], "X-Sim-Fault");
    let stats = sim.stats().await;
    assert_eq!(stats["faults"]["status"], 5);
    // Requests refused by a fault still count as received (the one with an unreadable
    // fault spec never got that far).
    assert_eq!(stats["tasks"]["ping"], 4);
    sim.running.shutdown().await;

    let always = start(|c| {
        c.faults.fault_rate = 1.0;
        c.faults.fault_status = vec![502];
    })
    .await;
    for _ in 0..3 {
        assert_eq!(always.post(&ping()).await.status, 502);
    }
    always.running.shutdown().await;
}

#[tokio::test]
async fn latency_by_header_and_rate() {
    let sim = start(|_| {}).await;
    let started = Instant::now();
    let answer = post_fault(&sim, &ping(), "latency=300").await;
    assert_eq!(answer.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    sim.running.shutdown().await;

    let slow = start(|c| c.faults.latency_ms = Some((200, 200))).await;
    let started = Instant::now();
    assert_eq!(slow.post(&ping()).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(200));
    slow.running.shutdown().await;
}

#[tokio::test]
async fn malformed_reply_after_the_task_ran() {
    let sim = start(|c| c.delay = runware_sim::config::parse_delay_range("1h").unwrap()).await;
    let task = video_task(json!({}));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    let answer = post_fault(&sim, &json!([task]), "malformed").await;
    assert_eq!(answer.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&answer.text).is_err());
    assert!(answer.text.starts_with("{\"data\""));
    // The task was accepted all the same: a retry is a conflict, a poll finds it.
    let retry = sim.post(&json!([task])).await;
    assert_eq!(retry.codes(), vec!["conflictTaskUUID"]);
    let poll = sim
        .post(&json!([{ "taskType": "getResponse", "taskUUID": id }]))
        .await;
    assert_eq!(poll.data()[0]["status"], "processing");
    sim.running.shutdown().await;

    let always = start(|c| c.faults.malformed_rate = 1.0).await;
    let answer = always.post(&ping()).await;
    assert!(serde_json::from_str::<serde_json::Value>(&answer.text).is_err());
    always.running.shutdown().await;
}

#[tokio::test]
async fn dropped_connection_after_the_task_ran() {
    let sim = start(|c| c.delay = runware_sim::config::parse_delay_range("1h").unwrap()).await;
    let task = video_task(json!({}));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    let result = sim
        .http
        .post(sim.v1())
        .header("authorization", "Bearer k")
        .header("x-sim-fault", "drop")
        .body(json!([task]).to_string())
        .send()
        .await;
    let failed = match result {
        Err(_) => true,
        Ok(reply) => reply.bytes().await.is_err(),
    };
    assert!(failed, "the reply must not arrive whole");
    let poll = sim
        .post(&json!([{ "taskType": "getResponse", "taskUUID": id }]))
        .await;
    assert_eq!(poll.data()[0]["status"], "processing");
    sim.running.shutdown().await;

    let always = start(|c| c.faults.drop_rate = 1.0).await;
    let result = always
        .http
        .post(always.v1())
        .header("authorization", "Bearer k")
        .body(ping().to_string())
        .send()
        .await;
    let failed = match result {
        Err(_) => true,
        Ok(reply) => reply.bytes().await.is_err(),
    };
    assert!(failed);
    always.running.shutdown().await;
}

#[tokio::test]
async fn timeout_provider_fails_later_through_get_response() {
    let sim = start(|_| {}).await;
    // By header.
    let task = video_task(json!({ "numberResults": 2 }));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    let ack = post_fault(&sim, &json!([task]), "timeoutProvider").await;
    assert_eq!(ack.status, 200);
    assert_eq!(ack.data()[0]["taskUUID"], id.as_str());
    let failed = sim.wait(&id).await;
    assert_eq!(failed.status, 200);
    assert_eq!(failed.codes(), vec!["timeoutProvider"]);
    assert_eq!(failed.error()["taskUUID"], id.as_str());
    assert_eq!(failed.error()["status"], "error");
    assert_eq!(failed.error()["taskType"], "videoInference");

    // By a marker in the prompt, which an app can send without headers.
    let marked = video_task(json!({ "positivePrompt": "a cat [sim-fault:timeoutProvider]" }));
    let id = sim.submit(marked).await;
    assert_eq!(sim.wait(&id).await.codes(), vec!["timeoutProvider"]);

    // By rate.
    let always = start(|c| c.faults.provider_timeout_rate = 1.0).await;
    let id = always.submit(video_task(json!({}))).await;
    assert_eq!(always.wait(&id).await.codes(), vec!["timeoutProvider"]);
    always.running.shutdown().await;

    // Over WebSocket the failure is found by polling on the socket.
    let mut ws = Ws::connect(&format!("{}?fault=timeoutProvider", sim.running.ws_url())).await;
    ws.auth(None).await;
    let task = video_task(json!({}));
    ws.send(&json!([task])).await;
    assert_eq!(ws.next().await["data"][0]["taskUUID"], task["taskUUID"]);
    let failed = ws.wait(task["taskUUID"].as_str().unwrap()).await;
    assert_eq!(failed["errors"][0]["code"], "timeoutProvider");
    assert_eq!(failed["data"], json!([]));
    sim.running.shutdown().await;

    // With --push-results the failure is pushed.
    let pushing = start(|c| c.push_results = true).await;
    let mut ws = Ws::connect(&format!(
        "{}?fault=timeoutProvider",
        pushing.running.ws_url()
    ))
    .await;
    ws.auth(None).await;
    let task = video_task(json!({}));
    ws.send(&json!([task])).await;
    assert_eq!(ws.next().await["data"][0]["taskUUID"], task["taskUUID"]);
    let pushed = ws.next().await;
    assert_eq!(pushed["errors"][0]["code"], "timeoutProvider");
    pushing.running.shutdown().await;
}

#[tokio::test]
async fn insufficient_credits_by_header_marker_rate_and_balance() {
    let sim = start(|c| c.delay = runware_sim::config::parse_delay_range("1h").unwrap()).await;
    let task = video_task(json!({}));
    let answer = post_fault(&sim, &json!([task]), "insufficientCredits").await;
    assert_eq!(answer.status, 402);
    assert_eq!(answer.codes(), vec!["insufficientCredits"]);
    // Polls are not submissions: they still work.
    let poll = post_fault(
        &sim,
        &json!([{ "taskType": "getResponse", "taskUUID": uuid() }]),
        "insufficientCredits",
    )
    .await;
    assert_eq!(poll.status, 200);
    // Refused, so the same task can be sent again.
    sim.submit(task).await;
    let marked = video_task(json!({ "positivePrompt": "[sim-fault:insufficientCredits] a dog" }));
    assert_eq!(sim.post(&json!([marked])).await.status, 402);
    sim.running.shutdown().await;

    let always = start(|c| c.faults.insufficient_credits_rate = 1.0).await;
    assert_eq!(
        always.post(&json!([video_task(json!({}))])).await.status,
        402
    );
    always.running.shutdown().await;

    // A balance of 0.50 USD pays for one 5 s 720p video (0.35) and not for a second.
    let balance = start(|c| {
        c.credits = Some(0.5);
        c.delay = runware_sim::config::parse_delay_range("1h").unwrap();
    })
    .await;
    balance.submit(video_task(json!({}))).await;
    let second = balance.post(&json!([video_task(json!({}))])).await;
    assert_eq!(second.status, 402);
    assert_eq!(second.codes(), vec!["insufficientCredits"]);
    balance.running.shutdown().await;
}

#[tokio::test]
async fn nsfw_flag() {
    let sim = start(|_| {}).await;
    let task = video_task(json!({}));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    assert_eq!(post_fault(&sim, &json!([task]), "nsfw").await.status, 200);
    let done = sim.wait(&id).await;
    assert_eq!(done.data()[0]["NSFWContent"], true);

    let marked =
        video_task(json!({ "positivePrompt": "x [sim-fault:nsfw]", "safety": { "mode": "fast" } }));
    let id = sim.submit(marked).await;
    assert_eq!(sim.wait(&id).await.data()[0]["NSFWContent"], true);
    sim.running.shutdown().await;

    let always = start(|c| c.faults.nsfw_rate = 1.0).await;
    let id = always.submit(video_task(json!({}))).await;
    assert_eq!(always.wait(&id).await.data()[0]["NSFWContent"], true);
    always.running.shutdown().await;
}

#[tokio::test]
async fn websocket_faults() {
    let sim = start(|_| {}).await;
    // Missed pongs: pings go unanswered, everything else still works.
    let mut ws = Ws::connect(&format!("{}?fault=missPong", sim.running.ws_url())).await;
    ws.auth(None).await;
    ws.send(&ping()).await;
    assert!(ws.next_within(0.5).await.is_none());
    ws.send(&json!([{ "taskType": "getResponse", "taskUUID": uuid() }]))
        .await;
    assert_eq!(ws.next().await["errors"][0]["code"], "taskFailedOrNotFound");

    // A dropped socket: cut without a closing handshake after the next message.
    let mut ws = Ws::connect(&format!("{}?fault=drop", sim.running.ws_url())).await;
    ws.auth(None).await;
    ws.send(&ping()).await;
    use futures_util::StreamExt;
    let next = tokio::time::timeout(Duration::from_secs(5), ws.stream.next())
        .await
        .expect("the socket ends in time");
    assert!(
        matches!(next, None | Some(Err(_))),
        "expected a cut connection, got {next:?}"
    );

    // Malformed text on the socket.
    let mut ws = Ws::connect(&format!("{}?fault=malformed", sim.running.ws_url())).await;
    ws.auth(None).await;
    ws.send(&ping()).await;
    let raw = tokio::time::timeout(Duration::from_secs(5), ws.stream.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let text = raw.into_text().unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_err(),
        "{text}"
    );

    // Latency and a refused upgrade.
    let mut ws = Ws::connect(&format!("{}?fault=latency=300", sim.running.ws_url())).await;
    ws.auth(None).await;
    let started = Instant::now();
    ws.send(&ping()).await;
    assert_eq!(ws.next().await["data"][0]["pong"], true);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let refused =
        tokio_tungstenite::connect_async(format!("{}?fault=status=503", sim.running.ws_url()))
            .await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503)
        }
        other => panic!("expected a refused upgrade, got {:?}", other.map(|_| ())),
    }
    sim.running.shutdown().await;

    // Missed pongs by rate.
    let quiet = start(|c| c.faults.miss_pong_rate = 1.0).await;
    let mut ws = Ws::connect(&quiet.running.ws_url()).await;
    ws.auth(None).await;
    ws.send(&ping()).await;
    assert!(ws.next_within(0.5).await.is_none());
    quiet.running.shutdown().await;
}

/// One REST submission whose client gives up after `timeout`.
async fn submit_with_timeout(
    sim: &Sim,
    url: &str,
    task: &serde_json::Value,
    fault: Option<&str>,
    timeout: Duration,
) -> Result<reqwest::Response, reqwest::Error> {
    let mut request = sim
        .http
        .post(url)
        .bearer_auth(KEY)
        .timeout(timeout)
        .body(json!([task]).to_string());
    if let Some(fault) = fault {
        request = request.header("x-sim-fault", fault);
    }
    request.send().await
}

#[tokio::test]
async fn accepted_timeout_over_rest_a_retry_is_a_conflict_and_the_job_runs_once() {
    // Credit for exactly one job: a second charge would be refused.
    let sim = start(|c| {
        c.accepted_timeout_delay = Duration::from_secs(3);
        c.credits = Some(0.35);
    })
    .await;
    let task = video_task(json!({}));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    let started = Instant::now();
    let first = submit_with_timeout(
        &sim,
        &sim.v1(),
        &task,
        Some("accepted-timeout"),
        Duration::from_secs(1),
    )
    .await;
    assert!(
        first.as_ref().is_err_and(reqwest::Error::is_timeout),
        "the acknowledgement came before the client's timeout: {first:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    // The client retries with the same taskUUID: the first attempt was accepted.
    let retry = sim.post(&json!([task])).await;
    assert_eq!(retry.status, 400);
    assert_eq!(retry.codes(), vec!["conflictTaskUUID"]);
    assert_eq!(retry.error()["taskUUID"], id.as_str());
    // So it polls, and gets the video.
    let done = sim.wait(&id).await;
    assert_eq!(done.data().len(), 1);
    assert_eq!(done.data()[0]["status"], "success");
    // Once: one job, one render, one charge.
    let stats = sim.stats().await;
    assert_eq!(stats["tasks"]["videoInference"], 2);
    assert_eq!(stats["jobs"]["accepted"], 1);
    assert_eq!(stats["jobs"]["succeeded"], 1);
    assert_eq!(stats["renders"]["started"], 1);
    assert_eq!(stats["faults"]["acceptedTimeout"], 1);
    let another = sim.post(&json!([video_task(json!({}))])).await;
    assert_eq!(another.codes(), vec!["insufficientCredits"]);

    sim.running.shutdown().await;

    // By query and by rate; a client that waits long enough gets the acknowledgement.
    let later = start(|c| c.accepted_timeout_delay = Duration::from_millis(1500)).await;
    let by_query = format!("{}?fault=acceptedTimeout", later.v1());
    let task = video_task(json!({}));
    let started = Instant::now();
    let late = submit_with_timeout(&later, &by_query, &task, None, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(late.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(1500));
    later.running.shutdown().await;
    let always = start(|c| {
        c.faults.accepted_timeout_rate = 1.0;
        c.accepted_timeout_delay = Duration::from_millis(1500);
    })
    .await;
    let task = video_task(json!({}));
    let started = Instant::now();
    let late = submit_with_timeout(&always, &always.v1(), &task, None, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(late.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(1500));
    // Replies that accept no job are not held: a poll answers at once.
    let started = Instant::now();
    let poll = always
        .post(&json!([{ "taskType": "getResponse", "taskUUID": task["taskUUID"] }]))
        .await;
    assert!(poll.codes().is_empty(), "{}", poll.text);
    assert!(started.elapsed() < Duration::from_millis(1000));
    always.running.shutdown().await;
}

#[tokio::test]
async fn accepted_timeout_over_websocket() {
    let sim = start(|c| c.accepted_timeout_delay = Duration::from_secs(2)).await;
    let mut slow = Ws::connect(&format!("{}?fault=accepted-timeout", sim.running.ws_url())).await;
    slow.auth(None).await;
    let task = video_task(json!({}));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    slow.send(&json!([task])).await;
    // A ping on the same socket is answered at once; the acknowledgement is not.
    slow.send(&ping()).await;
    assert_eq!(
        slow.next_within(1.0).await.unwrap()["data"][0]["pong"],
        true
    );
    assert!(slow.next_within(0.5).await.is_none());
    // The client gives up and retries on a new socket: a conflict, then a poll finds the video.
    let mut retry = Ws::connect(&sim.running.ws_url()).await;
    retry.auth(None).await;
    retry.send(&json!([task])).await;
    let conflict = retry.next().await;
    assert_eq!(conflict["errors"][0]["code"], "conflictTaskUUID");
    assert_eq!(conflict["data"], json!([]));
    let done = retry.wait(&id).await;
    assert_eq!(done["data"][0]["status"], "success");
    // The held acknowledgement does arrive, late, on the first socket.
    let late = slow.next_within(5.0).await.unwrap();
    assert_eq!(
        late,
        json!({ "data": [{ "taskType": "videoInference", "taskUUID": id }] })
    );
    let stats = sim.stats().await;
    assert_eq!(stats["jobs"]["accepted"], 1);
    assert_eq!(stats["renders"]["started"], 1);
    sim.running.shutdown().await;
}
