//! Each rule of the gateway at its bound, over real sockets, with the simulator as the real
//! upstream; every test runs once with SQLite and once with a real Redis.

mod common;

use common::{ALLOWED, Backend, Ws, metric, start, uuid, video_task};
use serde_json::json;

/// Long enough that no job finishes during a test that does not wait for one.
const NEVER: &str = "10m";
/// Quick results, for the tests that wait.
const QUICK: &str = "100ms..200ms";

with_both_stores!(
    origin_is_checked_on_rest_preflight_and_websocket,
    task_types_and_models_the_site_does_not_offer_never_reach_upstream,
    durations_sizes_and_result_counts_at_their_bounds,
    hourly_jobs_per_visitor_at_the_bound,
    running_jobs_per_visitor_at_the_bound,
    daily_budget_at_the_bound,
    jobs_settle_from_the_reported_cost_and_set_the_price,
    websocket_with_no_key_makes_a_video,
    polls_only_reach_upstream_for_this_sites_tasks,
);

async fn origin_is_checked_on_rest_preflight_and_websocket(backend: Backend) {
    let Some(h) = start(backend, NEVER, |_| {}).await else {
        return;
    };
    let ping = json!([{"taskType": "ping", "ping": true}]);
    // An allowed page: the CORS headers name it.
    let ok = h
        .post_to(0, "198.51.100.1", &ping, &[("origin", ALLOWED)])
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.headers["access-control-allow-origin"], ALLOWED);
    assert_eq!(ok.data(), vec![json!({"taskType": "ping", "pong": true})]);
    // Another page: 403 in Runware's shape, without CORS headers.
    let refused = h
        .post_to(
            0,
            "198.51.100.1",
            &ping,
            &[("origin", "https://elsewhere.example")],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    refused.assert_shape();
    assert_eq!(refused.codes(), ["originNotAllowed"]);
    assert!(
        refused.error()["message"]
            .as_str()
            .unwrap()
            .contains("https://elsewhere.example")
    );
    assert!(!refused.headers.contains_key("access-control-allow-origin"));
    // Preflights: allowed → 204 with the methods and headers; other → 403.
    let preflight = |origin: &'static str| {
        h.http
            .request(reqwest::Method::OPTIONS, h.gateway().v1())
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let good = preflight(ALLOWED).await.unwrap();
    assert_eq!(good.status(), 204);
    assert_eq!(good.headers()["access-control-allow-origin"], ALLOWED);
    assert!(
        good.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("Authorization")
    );
    let bad = preflight("https://elsewhere.example").await.unwrap();
    assert_eq!(bad.status(), 403);
    // No Origin at all (not a browser page): allowed, the limits still apply.
    assert_eq!(h.post("198.51.100.1", &ping).await.status, 200);
    // WebSocket: the upgrade from another page is refused with 403.
    let url = h.gateway().ws_url();
    match Ws::connect_with(&url, &[("origin", "https://elsewhere.example")]).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("a socket for a page that is not allowed"),
    }
    let mut ws = Ws::connect_with(&url, &[("origin", ALLOWED)])
        .await
        .unwrap();
    let pong = ws.ask(&ping).await;
    assert_eq!(pong["data"][0]["pong"], true);
    assert_eq!(
        metric(
            &h.metrics().await,
            "runware_gateway_refusals_total{rule=\"origin\"}"
        ),
        3.0
    );
}

async fn task_types_and_models_the_site_does_not_offer_never_reach_upstream(backend: Backend) {
    let Some(h) = start(backend, NEVER, |_| {}).await else {
        return;
    };
    for task in [
        json!({"taskType": "accountManagement", "taskUUID": uuid(), "operation": "getDetails"}),
        json!({"taskType": "imageInference", "taskUUID": uuid(), "model": "runware:101@1",
               "positivePrompt": "a cat", "width": 512, "height": 512}),
        json!({"taskType": "promptEnhance", "taskUUID": uuid(), "prompt": "a cat"}),
        video_task(json!({"model": "klingai:6@1"})),
    ] {
        let answer = h.post("198.51.100.2", &json!([task])).await;
        assert_eq!(answer.status, 403, "{}", answer.text);
        answer.assert_shape();
        let code = answer.codes()[0].clone();
        assert!(
            code == "taskTypeNotAllowed" || code == "modelNotAllowed",
            "{}",
            answer.text
        );
        let parameter = answer.error()["parameter"].as_str().unwrap();
        assert!(parameter == "taskType" || parameter == "model");
    }
    // A forbidden task next to a valid one: the whole request is refused.
    let mixed = h
        .post(
            "198.51.100.2",
            &json!([video_task(json!({})), {"taskType": "accountManagement"}]),
        )
        .await;
    assert_eq!(mixed.status, 403);
    // None of it reached the simulator.
    let stats = h.sim_stats().await;
    assert_eq!(stats["tasks"], json!({}), "{stats}");
    assert_eq!(stats["requests"], json!({}), "{stats}");
}

async fn durations_sizes_and_result_counts_at_their_bounds(backend: Backend) {
    let Some(h) = start(backend, NEVER, |c| {
        c.limits.durations = vec![5];
        c.limits.sizes = vec!["720x720".into(), "1280x720".into()];
        c.limits.max_number_results = 2;
    })
    .await
    else {
        return;
    };
    let visitor = "198.51.100.3";
    // At the bounds: accepted.
    let ok = h
        .post(
            visitor,
            &json!([video_task(
                json!({"duration": 5, "numberResults": 2, "width": 1280, "height": 720})
            )]),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    // One past each bound: 400 at that field.
    for (extra, code, parameter) in [
        (
            json!({"duration": 10}),
            "unsupportedDuration",
            json!("duration"),
        ),
        (
            json!({"width": 1920, "height": 1080}),
            "unsupportedDimensions",
            json!(["width", "height"]),
        ),
        (
            json!({"numberResults": 3}),
            "invalidParameter",
            json!("numberResults"),
        ),
        (
            json!({"width": null, "height": null}),
            "missingParameter",
            json!(["width", "height"]),
        ),
    ] {
        let answer = h.post(visitor, &json!([video_task(extra.clone())])).await;
        assert_eq!(answer.status, 400, "{extra}: {}", answer.text);
        answer.assert_shape();
        assert_eq!(answer.codes(), [code], "{}", answer.text);
        assert_eq!(answer.error()["parameter"], parameter, "{}", answer.text);
        assert!(
            answer.error()["message"]
                .as_str()
                .unwrap()
                .starts_with("This site")
        );
    }
    assert_eq!(
        h.post(visitor, &json!([video_task(json!({"numberResults": 3}))]))
            .await
            .error()["max"],
        2
    );
    // The contract itself is checked by the runware crate, before the site's rules.
    let broken = h
        .post(
            visitor,
            &json!([video_task(json!({"positivePrompt": null, "seed": 4}))]),
        )
        .await;
    assert_eq!(broken.status, 400);
    let mut codes = broken.codes();
    codes.sort();
    assert_eq!(
        codes,
        ["missingParameter", "unknownParameter"],
        "{}",
        broken.text
    );
    // Only the accepted job reached the simulator.
    assert_eq!(h.sim_stats().await["jobs"]["accepted"], 1);
}

async fn hourly_jobs_per_visitor_at_the_bound(backend: Backend) {
    let Some(h) = start(backend, NEVER, |c| c.limits.jobs_per_visitor_per_hour = 2).await else {
        return;
    };
    let visitor = "198.51.100.4";
    for _ in 0..2 {
        let ok = h.post(visitor, &json!([video_task(json!({}))])).await;
        assert_eq!(ok.status, 200, "{}", ok.text);
    }
    let refused = h.post(visitor, &json!([video_task(json!({}))])).await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    refused.assert_shape();
    assert_eq!(refused.codes(), ["rateLimitExceeded"]);
    let retry = refused.retry_after().expect("Retry-After");
    assert!((3590..=3600).contains(&retry), "Retry-After {retry}");
    let message = refused.error()["message"].as_str().unwrap();
    assert!(
        message.contains("2 videos per hour") && message.contains("60 min"),
        "{message}"
    );
    // Another visitor has a count of their own.
    let other = h
        .post("198.51.100.40", &json!([video_task(json!({}))]))
        .await;
    assert_eq!(other.status, 200, "{}", other.text);
    assert_eq!(h.sim_stats().await["jobs"]["accepted"], 3);
}

async fn running_jobs_per_visitor_at_the_bound(backend: Backend) {
    let Some(h) = start(backend, NEVER, |c| c.limits.concurrent_jobs_per_visitor = 2).await else {
        return;
    };
    let visitor = "198.51.100.5";
    let first = video_task(json!({}));
    for task in [first.clone(), video_task(json!({}))] {
        let ok = h.post(visitor, &json!([task])).await;
        assert_eq!(ok.status, 200, "{}", ok.text);
    }
    let refused = h.post(visitor, &json!([video_task(json!({}))])).await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert_eq!(refused.codes(), ["concurrencyLimitExceeded"]);
    assert_eq!(refused.retry_after(), Some(30));
    assert!(
        refused.error()["message"]
            .as_str()
            .unwrap()
            .contains("30 s")
    );
    // The same submit again (a retry after a lost reply) is not a third job: the simulator
    // answers it, as Runware does, with conflictTaskUUID.
    let retried = h.post(visitor, &json!([first])).await;
    assert_eq!(retried.codes(), ["conflictTaskUUID"], "{}", retried.text);
    assert_eq!(
        h.post("198.51.100.50", &json!([video_task(json!({}))]))
            .await
            .status,
        200
    );
}

async fn daily_budget_at_the_bound(backend: Backend) {
    // 0.2 $/s × 5 s × 1 result = 1 $ reserved per job: two fit in 2 $.
    let Some(h) = start(backend, NEVER, |c| {
        c.limits.daily_budget_usd = 2.0;
        c.limits.price_ceiling_usd_per_second = 0.2;
    })
    .await
    else {
        return;
    };
    for visitor in ["198.51.100.6", "198.51.100.7"] {
        let ok = h.post(visitor, &json!([video_task(json!({}))])).await;
        assert_eq!(ok.status, 200, "{}", ok.text);
    }
    let refused = h
        .post("198.51.100.8", &json!([video_task(json!({}))]))
        .await;
    assert_eq!(refused.status, 402, "{}", refused.text);
    refused.assert_shape();
    assert_eq!(refused.codes(), ["dailyBudgetSpent"]);
    assert!(
        refused.error()["message"]
            .as_str()
            .unwrap()
            .contains("00:00 UTC")
    );
    assert!(refused.retry_after().is_some_and(|s| s <= 86_400));
    // Two results would not fit either; nothing more reached the simulator.
    assert_eq!(h.spent_today().await, 2.0);
    assert_eq!(h.sim_stats().await["jobs"]["accepted"], 2);
    let text = h.metrics().await;
    assert_eq!(
        metric(&text, "runware_gateway_refusals_total{rule=\"budget\"}"),
        1.0
    );
    assert_eq!(metric(&text, "runware_gateway_spend_today_usd"), 2.0);
}

async fn jobs_settle_from_the_reported_cost_and_set_the_price(backend: Backend) {
    let Some(h) = start(backend, QUICK, |c| {
        c.limits.concurrent_jobs_per_visitor = 1;
        c.limits.price_ceiling_usd_per_second = 0.2;
    })
    .await
    else {
        return;
    };
    let visitor = "198.51.100.9";
    // Without includeCost: reserved at the ceiling (1 $), the reply carries no cost.
    let task = video_task(json!({}));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    let ack = h.post(visitor, &json!([task])).await;
    assert_eq!(
        ack.body,
        json!({"data": [{"taskType": "videoInference", "taskUUID": id}]})
    );
    assert_eq!(h.spent_today().await, 1.0);
    let done = h.wait(visitor, &id).await;
    assert_eq!(done.data()[0]["status"], "success", "{}", done.text);
    assert!(done.data()[0].get("cost").is_none(), "{}", done.text);
    // Upstream was asked for the cost, and the day's spend is what it reported (the
    // simulator's 720p price, 0.07 $/s × 5 s).
    let details = h
        .http
        .post(h.sim.url.clone() + "/v1")
        .bearer_auth(common::KEY)
        .body(json!([{"taskType": "getTaskDetails", "taskUUID": id}]).to_string())
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        details["data"][0]["request"]["includeCost"], true,
        "{details}"
    );
    assert!((h.spent_today().await - 0.35).abs() < 1e-9);
    // The visitor's running job is done: the next is accepted, reserved at the site's own
    // price now (0.35 $), and with includeCost the cost is shown.
    let task = video_task(json!({"includeCost": true}));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    assert_eq!(h.post(visitor, &json!([task])).await.status, 200);
    assert!((h.spent_today().await - 0.70).abs() < 1e-9);
    let done = h.wait(visitor, &id).await;
    assert_eq!(done.data()[0]["cost"], 0.35, "{}", done.text);
    let text = h.metrics().await;
    assert_eq!(
        metric(&text, "runware_gateway_jobs_total{outcome=\"settled\"}"),
        2.0
    );
    // getTaskDetails through the gateway shows the request as the visitor sent it.
    let details = h
        .post(
            visitor,
            &json!([{"taskType": "getTaskDetails", "taskUUID": id}]),
        )
        .await;
    assert_eq!(details.status, 200, "{}", details.text);
    assert_eq!(details.data()[0]["request"]["includeCost"], true);
}

async fn websocket_with_no_key_makes_a_video(backend: Backend) {
    let Some(h) = start(backend, QUICK, |_| {}).await else {
        return;
    };
    let mut ws = Ws::connect_with(&h.gateway().ws_url(), &[("origin", ALLOWED)])
        .await
        .unwrap();
    // No key at all, or any key: the gateway's own is used upstream.
    let auth = ws.ask(&json!([{"taskType": "authentication"}])).await;
    let session = auth["data"][0]["connectionSessionUUID"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&session).is_ok(), "{auth}");
    let again = ws
        .ask(&json!([{"taskType": "authentication", "apiKey": "none", "connectionSessionUUID": session}]))
        .await;
    assert_eq!(again["data"][0]["connectionSessionUUID"], session.as_str());
    let task = video_task(json!({}));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    let ack = ws.ask(&json!([task])).await;
    assert_eq!(ack["data"][0]["taskUUID"], id.as_str(), "{ack}");
    let done = ws.wait(&id).await;
    assert_eq!(done["data"][0]["status"], "success", "{done}");
    assert!(done["data"][0]["videoURL"].as_str().is_some());
    // The rules hold on the socket too, in the same shape.
    let refused = ws.ask(&json!([video_task(json!({"duration": 7}))])).await;
    assert!(refused["data"].is_array());
    assert_eq!(refused["errors"][0]["parameter"], "duration");
    // Dry runs are answered here: nothing starts upstream.
    let mut dry = Ws::connect_with(&(h.gateway().ws_url() + "?dryRun=1"), &[])
        .await
        .unwrap();
    let task = video_task(json!({}));
    let answer = dry.ask(&json!([task])).await;
    assert_eq!(answer["data"][0]["dryRun"], true, "{answer}");
    assert_eq!(h.sim_stats().await["jobs"]["accepted"], 1);
}

async fn polls_only_reach_upstream_for_this_sites_tasks(backend: Backend) {
    let Some(h) = start(backend, NEVER, |_| {}).await else {
        return;
    };
    // A job of the account sent to Runware directly, not through the site.
    let direct = video_task(json!({}));
    let direct_id = direct["taskUUID"].as_str().unwrap().to_owned();
    let sent = h
        .http
        .post(h.sim.url.clone() + "/v1")
        .bearer_auth(common::KEY)
        .body(json!([direct]).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    let before = h.sim_stats().await["tasks"]["getResponse"]
        .as_u64()
        .unwrap_or(0);
    for task_type in ["getResponse", "getTaskDetails"] {
        let answer = h
            .post(
                "198.51.100.10",
                &json!([{"taskType": task_type, "taskUUID": direct_id}]),
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.codes(), ["taskFailedOrNotFound"]);
        assert_eq!(answer.error()["taskType"], task_type);
    }
    let after = h.sim_stats().await["tasks"]["getResponse"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(before, after);
    // The site's own job is polled upstream, whoever polls.
    let task = video_task(json!({}));
    let id = task["taskUUID"].as_str().unwrap().to_owned();
    assert_eq!(h.post("198.51.100.10", &json!([task])).await.status, 200);
    let poll = h
        .post(
            "198.51.100.11",
            &json!([{"taskType": "getResponse", "taskUUID": id}]),
        )
        .await;
    assert_eq!(poll.status, 200);
    assert_eq!(poll.data()[0]["taskUUID"], id.as_str(), "{}", poll.text);
}
