//! The task lifecycle over REST and over WebSocket (spec §1, §5): acknowledgement, processing
//! and success items, batched polls, unknown and reused task UUIDs, authentication, sessions and
//! their resume, idle close, CORS, the body limit, health and stats.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn rest_lifecycle_four_results_with_their_own_seeds() {
    let sim = start(|_| {}).await;
    let task = video_task(json!({ "numberResults": 4, "includeCost": true }));
    let id = sim.submit(task).await;

    // Right after submission every result is still processing: one item per result.
    let early = sim
        .post(&json!([{ "taskType": "getResponse", "taskUUID": id }]))
        .await;
    assert_eq!(early.status, 200);
    assert_eq!(early.data().len(), 4, "{}", early.text);
    for item in early.data() {
        assert_eq!(item["taskUUID"], id.as_str());
        assert_eq!(item["taskType"], "videoInference");
        assert!(item["status"] == "processing" || item["status"] == "success");
    }

    let done = sim.wait(&id).await;
    assert_eq!(done.status, 200);
    let items = done.data();
    assert_eq!(items.len(), 4);
    let mut seeds: Vec<i64> = items.iter().map(|i| i["seed"].as_i64().unwrap()).collect();
    seeds.sort_unstable();
    // A random seed, then the next ones.
    assert!(seeds.windows(2).all(|w| w[1] == w[0] + 1), "{seeds:?}");
    let mut videos: Vec<&str> = items
        .iter()
        .map(|i| i["videoUUID"].as_str().unwrap())
        .collect();
    videos.sort_unstable();
    videos.dedup();
    assert_eq!(videos.len(), 4, "four distinct videoUUIDs");
    for item in &items {
        assert_eq!(item["status"], "success");
        // 720p at the simulated 0.07 $/s for 5 s.
        assert_eq!(item["cost"], 0.35);
        assert!(item.get("NSFWContent").is_none(), "no safety check ran");
        let url = item["videoURL"].as_str().unwrap();
        let uuid = item["videoUUID"].as_str().unwrap();
        assert!(url.starts_with(&sim.running.url));
        assert!(url.ends_with(&format!("/videos/{uuid}.mp4")));
        let (status, headers, bytes) = sim.get(url, &[]).await;
        assert_eq!(status, 200);
        assert_eq!(headers["content-type"], "video/mp4");
        assert!(bytes.len() > 1000);
    }

    // The state stays complete on every later poll.
    let again = sim
        .post(&json!([{ "taskType": "getResponse", "taskUUID": id }]))
        .await;
    assert_eq!(again.data().len(), 4);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn random_seeds_are_distinct_and_in_range() {
    let sim = start(|c| c.delay = runware_sim::config::parse_delay_range("1h").unwrap()).await;
    let id = sim.submit(video_task(json!({ "numberResults": 3 }))).await;
    // Results are far away; only the acknowledgement and the processing items exist.
    let answer = sim
        .post(&json!([{ "taskType": "getResponse", "taskUUID": id }]))
        .await;
    assert_eq!(answer.data().len(), 3);
    assert!(answer.data().iter().all(|i| i["status"] == "processing"));
    assert!(answer.data().iter().all(|i| i.get("seed").is_none()));
    sim.running.shutdown().await;
}

#[tokio::test]
async fn several_polls_in_one_array_get_one_reply() {
    let sim = start(|_| {}).await;
    let a = sim.submit(video_task(json!({}))).await;
    let b = sim.submit(video_task(json!({ "numberResults": 2 }))).await;
    sim.wait(&a).await;
    sim.wait(&b).await;
    let unknown = uuid();
    let answer = sim
        .post(&json!([
            { "taskType": "getResponse", "taskUUID": a },
            { "taskType": "getResponse", "taskUUID": b },
            { "taskType": "getResponse", "taskUUID": unknown },
        ]))
        .await;
    // Both data and errors in one reply; taskFailedOrNotFound is reported with 200.
    assert_eq!(answer.status, 200, "{}", answer.text);
    let data = answer.data();
    assert_eq!(
        data.iter().filter(|i| i["taskUUID"] == a.as_str()).count(),
        1
    );
    assert_eq!(
        data.iter().filter(|i| i["taskUUID"] == b.as_str()).count(),
        2
    );
    assert_eq!(answer.codes(), vec!["taskFailedOrNotFound"]);
    assert_eq!(answer.error()["taskUUID"], unknown.as_str());
    assert_eq!(answer.error()["status"], "error");
    sim.running.shutdown().await;
}

#[tokio::test]
async fn unknown_task_and_reused_task_uuid() {
    let sim = start(|c| c.delay = runware_sim::config::parse_delay_range("1h").unwrap()).await;
    let unknown = uuid();
    let answer = sim
        .post(&json!([{ "taskType": "getResponse", "taskUUID": unknown }]))
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.codes(), vec!["taskFailedOrNotFound"]);
    assert_eq!(answer.body["data"], json!([]), "{}", answer.text);

    let task = video_task(json!({}));
    let id = sim.submit(task.clone()).await;
    let again = sim.post(&json!([task])).await;
    assert_eq!(again.status, 400);
    assert_eq!(again.codes(), vec!["conflictTaskUUID"]);
    assert_eq!(again.error()["parameter"], "taskUUID");
    assert_eq!(again.error()["taskUUID"], id.as_str());

    // Twice in one array: refused as a whole, nothing started.
    let twin = video_task(json!({}));
    let both = sim.post(&json!([twin, twin])).await;
    assert_eq!(both.status, 400);
    assert!(both.codes().iter().all(|c| c == "conflictTaskUUID"));
    let poll = sim
        .post(&json!([{ "taskType": "getResponse", "taskUUID": twin["taskUUID"] }]))
        .await;
    assert_eq!(poll.codes(), vec!["taskFailedOrNotFound"]);

    // A refused task leaves its UUID free: the same task, corrected, is accepted.
    let refused =
        video_task(json!({ "inputs": { "frameImages": ["http://127.0.0.1:9/none.png"] } }));
    let answer = sim.post(&json!([refused])).await;
    assert_eq!(answer.status, 400);
    let mut fixed = refused.clone();
    fixed["inputs"] = json!({ "frameImages": [frame_a()] });
    sim.submit(fixed).await;
    sim.running.shutdown().await;
}

#[tokio::test]
async fn rest_authentication() {
    let open = start(|_| {}).await;
    let ping = json!([{ "taskType": "ping", "ping": true }]);
    let missing = open.post_with(&ping, &[]).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.codes(), vec!["missingApiKey"]);
    // Without a configured key any non-empty key is accepted.
    let any = open
        .post_with(&ping, &[("authorization", "Bearer whatever")])
        .await;
    assert_eq!(any.status, 200);
    assert_eq!(
        any.body,
        json!({ "data": [{ "taskType": "ping", "pong": true }] })
    );
    open.running.shutdown().await;

    let sim = start(|c| c.api_key = Some(KEY.to_owned())).await;
    let wrong = sim
        .post_with(&ping, &[("authorization", "Bearer nope")])
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.codes(), vec!["invalidApiKey"]);
    assert_eq!(wrong.error()["parameter"], "apiKey");
    assert_eq!(wrong.error()["taskType"], "authentication");
    let right = sim.post(&ping).await;
    assert_eq!(right.status, 200);

    // A leading authentication task instead of the header.
    let with_task = json!([
        { "taskType": "authentication", "apiKey": KEY },
        { "taskType": "ping", "ping": true },
    ]);
    let answer = sim.post_with(&with_task, &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        answer.data(),
        vec![json!({ "taskType": "ping", "pong": true })]
    );
    let bad_task = json!([
        { "taskType": "authentication", "apiKey": "nope" },
        { "taskType": "ping", "ping": true },
    ]);
    let answer = sim.post_with(&bad_task, &[]).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.codes(), vec!["invalidApiKey"]);
    let empty_key = json!([{ "taskType": "authentication", "apiKey": "" }]);
    let answer = sim.post_with(&empty_key, &[]).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.codes(), vec!["missingApiKey"]);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn cors_preflight_and_headers() {
    let sim = start(|_| {}).await;
    let reply = sim
        .http
        .request(reqwest::Method::OPTIONS, sim.v1())
        .header("origin", "http://studio.test")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type,x-sim-fault",
        )
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success());
    let headers = reply.headers();
    assert_eq!(headers["access-control-allow-origin"], "*");
    let allowed = headers["access-control-allow-headers"].to_str().unwrap();
    for name in ["authorization", "content-type", "x-sim-fault"] {
        assert!(allowed.contains(name), "{allowed}");
    }
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );

    // Errors carry CORS headers too, so a page can read them.
    let reply = sim
        .http
        .post(sim.v1())
        .header("origin", "http://studio.test")
        .body(r#"[{"taskType":"ping","ping":true}]"#)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 401);
    assert_eq!(reply.headers()["access-control-allow-origin"], "*");
    sim.running.shutdown().await;
}

#[tokio::test]
async fn bodies_that_are_not_task_arrays() {
    let sim = start(|_| {}).await;
    let auth = [("authorization", "Bearer k")];
    let not_json = sim.post_raw(&sim.v1(), b"{oops".to_vec(), &auth).await;
    assert_eq!(not_json.status, 400);
    assert_eq!(not_json.codes(), vec!["invalidParameter"]);
    let object = sim
        .post_with(&json!({ "taskType": "ping", "ping": true }), &auth)
        .await;
    assert_eq!(object.status, 400);
    assert_eq!(object.codes(), vec!["invalidParameter"]);
    let empty = sim.post_with(&json!([]), &auth).await;
    assert_eq!(empty.status, 400);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn body_over_the_limit_is_413_in_runware_shape() {
    let sim = start(|_| {}).await;
    // 64 MB is the limit; one byte over is refused with a Runware error, not a bare 413.
    let mut body = b"[{\"taskType\":\"ping\",\"ping\":true,\"x\":\"".to_vec();
    body.resize(64 * 1024 * 1024 + 1, b'a');
    let answer = sim
        .post_raw(&sim.v1(), body, &[("authorization", "Bearer k")])
        .await;
    assert_eq!(answer.status, 413);
    assert_eq!(answer.codes(), vec!["payloadTooLarge"]);
    assert!(
        answer.error()["message"]
            .as_str()
            .unwrap()
            .contains("64 MB")
    );
    sim.running.shutdown().await;
}

#[tokio::test]
async fn healthz_and_stats() {
    let sim = start(|c| c.delay = runware_sim::config::parse_delay_range("1h").unwrap()).await;
    let (status, _, body) = sim.get(&format!("{}/healthz", sim.running.url), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["status"],
        "ok"
    );

    let id = sim.submit(video_task(json!({}))).await;
    let poll = json!([{ "taskType": "getResponse", "taskUUID": id }]);
    for _ in 0..3 {
        sim.post_with(
            &poll,
            &[("authorization", "Bearer k"), ("x-sim-client", "app-1")],
        )
        .await;
    }
    sim.post_raw(
        &format!("{}?client=app-2", sim.v1()),
        poll.to_string().into_bytes(),
        &[("authorization", "Bearer k")],
    )
    .await;
    let stats = sim.stats().await;
    assert_eq!(stats["requests"]["rest"], 5);
    assert_eq!(stats["tasks"]["videoInference"], 1);
    assert_eq!(stats["getResponse"]["total"], 4);
    assert_eq!(stats["getResponse"]["byTransport"]["rest"], 4);
    assert_eq!(stats["getResponse"]["byClient"]["app-1"], 3);
    assert_eq!(stats["getResponse"]["byClient"]["app-2"], 1);
    assert_eq!(stats["getResponse"]["byTask"][&id], 4);

    let reset = sim
        .http
        .delete(format!("{}/sim/stats", sim.running.url))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 204);
    assert_eq!(sim.stats().await["getResponse"]["total"], 0);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn websocket_lifecycle_with_pushed_results() {
    let sim = start(|c| c.push_results = true).await;
    let mut ws = Ws::connect(&sim.running.ws_url()).await;
    let session = ws.auth(None).await;
    assert!(uuid::Uuid::parse_str(&session).is_ok());

    ws.send(&json!([{ "taskType": "ping", "ping": true }]))
        .await;
    assert_eq!(
        ws.next().await,
        json!({ "data": [{ "taskType": "ping", "pong": true }] })
    );

    let task = video_task(json!({ "numberResults": 2 }));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    ws.send(&json!([task])).await;
    assert_eq!(
        ws.next().await,
        json!({ "data": [{ "taskType": "videoInference", "taskUUID": id }] })
    );
    // Each result is pushed as it finishes, without being asked for.
    let mut pushed = Vec::new();
    while pushed.len() < 2 {
        let message = ws.next().await;
        for item in message["data"].as_array().unwrap() {
            assert_eq!(item["taskUUID"], id.as_str());
            assert_eq!(item["status"], "success");
            pushed.push(item["seed"].as_i64().unwrap());
        }
    }
    pushed.sort_unstable();
    assert_eq!(pushed[1], pushed[0] + 1);

    // getResponse works over the socket as well, with the full state.
    ws.send(&json!([{ "taskType": "getResponse", "taskUUID": id }]))
        .await;
    let state = ws.next().await;
    assert_eq!(state["data"].as_array().unwrap().len(), 2);

    // And over REST, for a task submitted over the socket.
    let rest = sim
        .post(&json!([{ "taskType": "getResponse", "taskUUID": id }]))
        .await;
    assert_eq!(rest.data().len(), 2);

    // Errors come as {"errors":[…]}.
    ws.send(&json!([{ "taskType": "getResponse", "taskUUID": uuid() }]))
        .await;
    let error = ws.next().await;
    assert_eq!(error["errors"][0]["code"], "taskFailedOrNotFound");
    ws.send(&json!([{ "taskType": "videoInference", "taskUUID": uuid() }]))
        .await;
    let invalid = ws.next().await;
    assert!(invalid["errors"].as_array().unwrap().len() >= 2);

    let stats = sim.stats().await;
    assert_eq!(
        stats["getResponse"]["byClient"][&format!("ws:{session}")],
        2
    );
    assert_eq!(stats["ws"]["pushed"], 2);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn websocket_needs_authentication_first() {
    let sim = start(|c| c.api_key = Some(KEY.to_owned())).await;
    let mut ws = Ws::connect(&sim.running.ws_url()).await;
    ws.send(&json!([{ "taskType": "ping", "ping": true }]))
        .await;
    let reply = ws.next().await;
    assert_eq!(reply["errors"][0]["code"], "missingApiKey");
    // Still open: authenticating now works.
    let session = ws.auth(None).await;
    assert!(!session.is_empty());
    // Authenticating again keeps the session; a wrong key is still refused.
    assert_eq!(ws.auth(None).await, session);
    ws.send(&json!([{ "taskType": "authentication", "apiKey": "nope" }]))
        .await;
    assert_eq!(ws.next().await["errors"][0]["code"], "invalidApiKey");

    let mut wrong = Ws::connect(&sim.running.ws_url()).await;
    wrong
        .send(&json!([{ "taskType": "authentication", "apiKey": "nope" }]))
        .await;
    let reply = wrong.next().await;
    assert_eq!(reply["errors"][0]["code"], "invalidApiKey");
    assert_eq!(reply["errors"][0]["parameter"], "apiKey");
    // The server closes the socket after a wrong key.
    assert!(wrong.next_within(5.0).await.is_none());

    // Authentication followed by tasks in the same message.
    let mut both = Ws::connect(&sim.running.ws_url()).await;
    both.send(&json!([
        { "taskType": "authentication", "apiKey": KEY },
        { "taskType": "ping", "ping": true },
    ]))
    .await;
    assert_eq!(both.next().await["data"][0]["taskType"], "authentication");
    assert_eq!(both.next().await["data"][0]["pong"], true);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn websocket_resume_replays_what_was_missed() {
    // Results one second out, so they finish while the client is away; pushed, so that there
    // is something to replay.
    let sim = start(|c| {
        c.delay = runware_sim::config::parse_delay_range("1s").unwrap();
        c.time_scale = 1.0;
        c.push_results = true;
    })
    .await;
    let mut ws = Ws::connect(&sim.running.ws_url()).await;
    let session = ws.auth(None).await;
    let task = video_task(json!({}));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    ws.send(&json!([task])).await;
    assert_eq!(ws.next().await["data"][0]["taskUUID"], id.as_str());
    ws.stream.close(None).await.unwrap();
    drop(ws);

    // Wait until the result exists, then come back with the same session.
    sim.wait(&id).await;
    let mut back = Ws::connect(&sim.running.ws_url()).await;
    let resumed = back.auth(Some(&session)).await;
    assert_eq!(resumed, session);
    let replayed = back.next().await;
    assert_eq!(replayed["data"][0]["taskUUID"], id.as_str());
    assert_eq!(replayed["data"][0]["status"], "success");
    let stats = sim.stats().await;
    assert_eq!(stats["ws"]["resumes"], 1);
    assert_eq!(stats["ws"]["replayed"], 1);

    // An unknown session is not an error: a fresh one is handed out. (`/ws/v1` is the same
    // endpoint, for proxies that keep the app's socket path.)
    let mut other = Ws::connect(&format!("{}/ws/v1", sim.running.url.replace("http", "ws"))).await;
    let fresh = other.auth(Some(&uuid())).await;
    assert_ne!(fresh, session);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn websocket_resume_takes_over_a_live_socket() {
    let sim = start(|_| {}).await;
    let mut first = Ws::connect(&sim.running.ws_url()).await;
    let session = first.auth(None).await;
    let mut second = Ws::connect(&sim.running.ws_url()).await;
    assert_eq!(second.auth(Some(&session)).await, session);
    // The first socket is closed once the session moved.
    assert!(first.next_within(5.0).await.is_none());
    second
        .send(&json!([{ "taskType": "ping", "ping": true }]))
        .await;
    assert_eq!(second.next().await["data"][0]["pong"], true);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn websocket_idle_close() {
    let sim = start(|c| c.ws_idle_timeout = Duration::from_millis(300)).await;
    let mut ws = Ws::connect(&sim.running.ws_url()).await;
    ws.auth(None).await;
    // Activity keeps it open...
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        ws.send(&json!([{ "taskType": "ping", "ping": true }]))
            .await;
        assert_eq!(ws.next().await["data"][0]["pong"], true);
    }
    // ...silence closes it, with a close frame.
    use futures_util::StreamExt;
    let closed = tokio::time::timeout(Duration::from_secs(5), ws.stream.next())
        .await
        .expect("closed in time");
    match closed {
        Some(Ok(tokio_tungstenite::tungstenite::Message::Close(Some(frame)))) => {
            assert_eq!(frame.reason.as_str(), "idle timeout");
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
    assert_eq!(sim.stats().await["ws"]["idleCloses"], 1);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn image_upload_then_reference_by_uuid() {
    let sim = start(|_| {}).await;
    let upload = json!([{
        "taskType": "imageUpload",
        "taskUUID": uuid(),
        "image": frame_b(),
    }]);
    let answer = sim.post(&upload).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let item = &answer.data()[0];
    assert_eq!(item["taskType"], "imageUpload");
    let image = item["imageUUID"].as_str().unwrap().to_owned();

    // Also over the socket.
    let mut ws = Ws::connect(&sim.running.ws_url()).await;
    ws.auth(None).await;
    ws.send(&json!([{ "taskType": "imageUpload", "taskUUID": uuid(), "image": frame_a() }]))
        .await;
    let ws_image = ws.next().await["data"][0]["imageUUID"]
        .as_str()
        .unwrap()
        .to_owned();

    let id = sim
        .submit(video_task(json!({ "inputs": { "frameImages": [
            { "image": ws_image, "frame": "first" },
            { "image": image, "frame": "last" },
        ] } })))
        .await;
    let done = sim.wait(&id).await;
    assert_eq!(done.data()[0]["status"], "success", "{}", done.text);

    let unknown = sim
        .post(&json!([video_task(
            json!({ "inputs": { "frameImages": [uuid()] } })
        )]))
        .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.codes(), vec!["invalidParameter"]);
    assert_eq!(unknown.error()["parameter"], "inputs.frameImages[0]");

    let bad = sim
        .post(&json!([{ "taskType": "imageUpload", "taskUUID": uuid(), "image": png_uri(&frame_png("testsrc2", 200, 200)) }]))
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.codes(), vec!["invalidParameter"]);
    sim.running.shutdown().await;
}

#[tokio::test]
async fn resetting_stats_needs_the_api_key() {
    let sim = start(|c| c.api_key = Some(KEY.to_owned())).await;
    sim.post(&json!([{ "taskType": "ping", "ping": true }]))
        .await;
    let url = format!("{}/sim/stats", sim.running.url);
    let missing = sim.http.delete(&url).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["data"], json!([]));
    assert_eq!(body["errors"][0]["code"], "missingApiKey");
    assert_eq!(body["errors"][0]["parameter"], "apiKey");
    let wrong = sim
        .http
        .delete(&url)
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "invalidApiKey");
    // Nothing was reset; reading the counters needs no key.
    assert_eq!(sim.stats().await["tasks"]["ping"], 1);
    let right = sim.http.delete(&url).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(right.status(), 204);
    assert!(sim.stats().await["tasks"].as_object().unwrap().is_empty());
    sim.running.shutdown().await;
}

/// `data` and `errors` of a reply body.
fn assert_runware_error_shape(what: &str, body: &Value) {
    assert_eq!(body["data"], json!([]), "{what}: {body}");
    assert!(
        !body["errors"].as_array().unwrap().is_empty(),
        "{what}: {body}"
    );
}

#[tokio::test]
async fn every_error_reply_has_data_beside_errors() {
    let sim = start(|c| c.api_key = Some(KEY.to_owned())).await;
    // REST: validation, with the parameter's type and documentation.
    let answer = sim
        .post(&json!([video_task(json!({ "CFGScale": 2 }))]))
        .await;
    assert_runware_error_shape("validation", &answer.body);
    let error = answer.error();
    assert_eq!(error["parameter"], "CFGScale");
    assert_eq!(error["type"], "float");
    assert_eq!(
        error["documentation"],
        "https://runware.ai/docs/models/klingai-2-1-pro#request-cfgscale"
    );
    // Authentication, a poll of an unknown task, a bad body, a status fault, a bad fault spec.
    let ping = json!([{ "taskType": "ping", "ping": true }]);
    let answer = sim.post_with(&ping, &[]).await;
    assert_runware_error_shape("missing key", &answer.body);
    let answer = sim
        .post(&json!([{ "taskType": "getResponse", "taskUUID": uuid() }]))
        .await;
    assert_runware_error_shape("unknown task", &answer.body);
    assert_eq!(
        answer.error()["documentation"],
        "https://runware.ai/docs/platform/task-polling"
    );
    let bearer = format!("Bearer {KEY}");
    let answer = sim
        .post_raw(&sim.v1(), b"{oops".to_vec(), &[("authorization", &bearer)])
        .await;
    assert_runware_error_shape("not JSON", &answer.body);
    let answer = sim
        .post_with(
            &ping,
            &[("authorization", &bearer), ("x-sim-fault", "status=503")],
        )
        .await;
    assert_eq!(answer.status, 503);
    assert_runware_error_shape("status fault", &answer.body);
    let answer = sim
        .post_with(
            &ping,
            &[("authorization", &bearer), ("x-sim-fault", "what")],
        )
        .await;
    assert_runware_error_shape("bad fault", &answer.body);
    // GET /v1 without an upgrade.
    let (status, _, bytes) = sim.get(&sim.v1(), &[]).await;
    assert_eq!(status, 426);
    assert_runware_error_shape("no upgrade", &serde_json::from_slice(&bytes).unwrap());
    // WebSocket: authentication first, a wrong key, errors of a task message.
    let mut ws = Ws::connect(&sim.running.ws_url()).await;
    ws.send(&ping).await;
    assert_runware_error_shape("ws without auth", &ws.next().await);
    ws.auth(None).await;
    ws.send(&json!([{ "taskType": "videoInference", "taskUUID": uuid() }]))
        .await;
    assert_runware_error_shape("ws validation", &ws.next().await);
    let mut wrong = Ws::connect(&sim.running.ws_url()).await;
    wrong
        .send(&json!([{ "taskType": "authentication", "apiKey": "nope" }]))
        .await;
    assert_runware_error_shape("ws wrong key", &wrong.next().await);
    // A reply with data and errors keeps both.
    let id = sim.submit(video_task(json!({}))).await;
    let answer = sim
        .post(&json!([
            { "taskType": "getResponse", "taskUUID": id },
            { "taskType": "getResponse", "taskUUID": uuid() },
        ]))
        .await;
    assert_eq!(answer.data().len(), 1);
    assert_eq!(answer.codes(), vec!["taskFailedOrNotFound"]);
    sim.running.shutdown().await;
}
