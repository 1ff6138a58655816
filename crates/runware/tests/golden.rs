//! Golden JSON fixtures: every example of the spec and the model page, as requests and replies,
//! plus invalid requests with the exact errors a server sends for them.

mod common;

use common::{IMAGE_A, IMAGE_B, TASK, fixture, fixture_names};
use runware::reply::{self, Item, Reply, Status, TaskState, VideoResult};
use runware::{
    ApiError, ErrorCode, FrameImage, FrameInput, FramePosition, OutputFormat, OutputSize,
    Parameter, SafetyMode, Task, TaskType,
};
use serde_json::{Value, json};

/// Every request fixture validates, and encodes back to itself (or to its `.encoded.json`
/// companion when the fixture uses a spelling this crate normalises).
#[test]
fn request_fixtures_validate_and_encode_back() {
    let names: Vec<String> = fixture_names("requests")
        .into_iter()
        .filter(|name| !name.ends_with(".encoded.json"))
        .collect();
    assert!(names.len() >= 14, "request fixtures: {names:?}");
    for name in names {
        let body = fixture(&format!("requests/{name}"));
        let tasks = runware::validate_body(&body)
            .unwrap_or_else(|e| panic!("{name}: {e:#?}"))
            .into_iter()
            .collect::<Result<Vec<Task>, _>>()
            .unwrap_or_else(|e| panic!("{name}: {e:#?}"));
        let expected_name = name.replace(".json", ".encoded.json");
        let expected = if fixture_names("requests").contains(&expected_name) {
            fixture(&format!("requests/{expected_name}"))
        } else {
            body.clone()
        };
        let encoded: Value = serde_json::from_str(&runware::encode(&tasks).expect("encodes"))
            .expect("the encoding is JSON");
        assert_eq!(encoded, expected, "{name}");
    }
}

fn only_video(path: &str) -> runware::VideoInference {
    let body = fixture(path);
    match runware::validate_task(&body[0]) {
        Ok(Task::VideoInference(task)) => task,
        other => panic!("{path}: {other:#?}"),
    }
}

#[test]
fn every_field_fixture_reads_every_field() {
    let task = only_video("requests/video-every-field.json");
    assert_eq!(task.task_uuid.to_string(), TASK);
    assert_eq!(
        Some(task.positive_prompt.as_str()),
        Some("A paper boat drifts down a rain-soaked street at dusk, neon reflections")
    );
    assert_eq!(
        task.negative_prompt.as_ref().map(|p| p.as_str()),
        Some("blurry, low quality")
    );
    assert_eq!(
        task.size,
        Some(OutputSize::new(1080, 1920).expect("a size"))
    );
    assert_eq!(task.duration_or_default().seconds(), 10);
    assert_eq!(task.cfg_scale_or_default().hundredths(), 75);
    assert_eq!(task.number_results_or_default().get(), 4);
    assert_eq!(task.output_format_or_default(), OutputFormat::Webm);
    assert_eq!(task.output_quality_or_default().get(), 80);
    assert_eq!(
        task.webhook_url.as_ref().map(|u| u.as_str()),
        Some("https://hooks.example.com/runware?job=42")
    );
    assert!(task.upload_endpoint.is_some());
    assert_eq!(task.ttl.map(|t| t.get()), Some(3600));
    assert!(task.include_cost_or_default());
    assert_eq!(task.safety_mode(), SafetyMode::Full);
    let frames = task.frame_images();
    assert_eq!(
        frames.first_frame(),
        Some(&FrameImage::parse(IMAGE_A).expect("uuid"))
    );
    assert_eq!(
        frames.last_frame(),
        Some(&FrameImage::parse(IMAGE_B).expect("uuid"))
    );
}

#[test]
fn minimal_fixture_keeps_defaults_absent() {
    let task = only_video("requests/video-minimal.json");
    assert_eq!(task.duration, None);
    assert_eq!(task.cfg_scale, None);
    assert_eq!(task.number_results, None);
    assert_eq!(task.duration_or_default().seconds(), 5);
    assert_eq!(task.cfg_scale_or_default().value(), 0.5);
    assert_eq!(task.number_results_or_default().get(), 1);
    assert_eq!(task.output_quality_or_default().get(), 95);
    assert_eq!(task.output_format_or_default(), OutputFormat::Mp4);
    assert!(!task.include_cost_or_default());
    assert_eq!(task.safety_mode(), SafetyMode::None);
    assert!(matches!(
        task.frame_images().items(),
        [FrameInput::Plain(FrameImage::Url(url))] if url == "https://example.com/frames/first.png"
    ));
}

#[test]
fn defaults_spelled_out_stay_spelled_out() {
    let task = only_video("requests/video-defaults-spelled-out.json");
    assert!(task.duration.is_some() && task.cfg_scale.is_some() && task.safety.is_some());
    assert_eq!(task.include_cost, Some(false));
}

#[test]
fn model_page_examples_resolve_positions() {
    let shorthand = only_video("requests/frame-images-shorthand.json");
    assert_eq!(shorthand.frame_images().positioned().len(), 1);
    assert!(shorthand.frame_images().last_frame().is_none());

    let object = only_video("requests/frame-images-object.json");
    assert_eq!(
        object.frame_images().items()[0].frame(),
        Some(FramePosition::First)
    );

    let mixed = only_video("requests/frame-images-first-and-last.json");
    let positioned: Vec<(FramePosition, String)> = mixed
        .frame_images()
        .positioned()
        .into_iter()
        .map(|(p, image)| (p, image.to_wire()))
        .collect();
    assert_eq!(
        positioned,
        vec![
            (FramePosition::First, IMAGE_A.to_owned()),
            (FramePosition::Last, IMAGE_B.to_owned())
        ]
    );

    let numeric = only_video("requests/frame-images-numeric-positions.json");
    assert_eq!(
        numeric
            .frame_images()
            .first_frame()
            .map(FrameImage::to_wire)
            .as_deref(),
        Some(IMAGE_A)
    );
    assert_eq!(
        numeric
            .frame_images()
            .last_frame()
            .map(FrameImage::to_wire)
            .as_deref(),
        Some(IMAGE_B)
    );
}

#[test]
fn legacy_fixture_equals_its_modern_form() {
    let legacy = only_video("requests/frame-images-legacy.json");
    let modern = only_video("requests/frame-images-legacy.encoded.json");
    assert_eq!(legacy, modern);
}

#[test]
fn inline_fixture_reads_data_uri_and_base64() {
    let task = only_video("requests/frame-images-inline.json");
    let items = task.frame_images().items();
    assert!(matches!(
        &items[0],
        FrameInput::Plain(FrameImage::DataUri {
            mime: runware::ImageFormat::Png,
            ..
        })
    ));
    assert!(matches!(
        &items[1],
        FrameInput::Plain(FrameImage::Base64(_))
    ));
    let png = items[0].image().decode().expect("decodes").expect("inline");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
}

#[test]
fn other_task_fixtures_read_their_fields() {
    let auth = runware::validate_task(&fixture("requests/ws-authentication-resume.json")[0]);
    let Ok(Task::Authentication(auth)) = auth else {
        panic!("{auth:#?}")
    };
    assert_eq!(auth.api_key, "sk-test-0123456789abcdef");
    assert_eq!(
        auth.connection_session_uuid
            .map(|u| u.to_string())
            .as_deref(),
        Some("d2b9f6a0-5c1e-4f7a-b3d8-1e2f3a4b5c6d")
    );

    let ping = runware::validate_task(&fixture("requests/ws-ping.json")[0]);
    assert_eq!(ping, Ok(Task::Ping(runware::Ping { ping: true })));

    let batch =
        runware::validate_body(&fixture("requests/get-response-batch.json")).expect("an array");
    assert_eq!(batch.len(), 3);
    assert!(batch.iter().all(|t| matches!(t, Ok(Task::GetResponse(_)))));

    let rest = runware::validate_body(&fixture("requests/rest-authentication-first-element.json"))
        .expect("an array");
    let types: Vec<TaskType> = rest
        .iter()
        .map(|t| t.as_ref().expect("valid").task_type())
        .collect();
    assert_eq!(
        types,
        vec![TaskType::Authentication, TaskType::VideoInference]
    );

    let upload = runware::validate_task(&fixture("requests/image-upload.json")[0]);
    assert!(matches!(
        upload,
        Ok(Task::ImageUpload(runware::ImageUpload {
            image: FrameImage::DataUri {
                mime: runware::ImageFormat::Webp,
                ..
            },
            ..
        }))
    ));
}

/// Each invalid fixture fails with exactly the errors recorded beside it. Run with
/// `RUNWARE_BLESS=1` to rewrite the recorded errors after an intended change (then review the
/// diff: the messages are what people read).
#[test]
fn invalid_fixtures_fail_with_their_recorded_errors() {
    let bless = std::env::var_os("RUNWARE_BLESS").is_some();
    let names = fixture_names("invalid");
    assert!(names.len() >= 20, "invalid fixtures: {names:?}");
    for name in names {
        let case = fixture(&format!("invalid/{name}"));
        let errors = runware::validate_task(&case["task"]).expect_err(&name);
        let actual = serde_json::to_value(&errors).expect("errors serialise");
        if bless {
            let full = format!(
                "{}/tests/fixtures/invalid/{name}",
                env!("CARGO_MANIFEST_DIR")
            );
            let text =
                serde_json::to_string_pretty(&json!({"task": case["task"], "errors": actual}))
                    .expect("serialises");
            std::fs::write(&full, text + "\n").expect("fixture written");
            continue;
        }
        assert_eq!(actual, case["errors"], "{name}");
        // And the recorded JSON reads back into the same errors.
        let read: Vec<ApiError> = serde_json::from_value(case["errors"].clone()).expect(&name);
        assert_eq!(read, errors, "{name}");
        // Every error names its field and its task, except for a task that is no object.
        for error in &errors {
            if case["task"].is_object() {
                assert!(error.parameter.is_some(), "{name}: {error:?}");
                assert!(error.task_type.is_some(), "{name}: {error:?}");
            }
            assert!(!error.message.is_empty());
            assert_eq!(
                error.http_status(),
                if error.code == ErrorCode::MissingApiKey {
                    401
                } else {
                    400
                }
            );
        }
    }
}

fn decode_fixture(name: &str) -> reply::Reply {
    let path = format!(
        "{}/tests/fixtures/replies/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).expect("fixture");
    reply::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Replies written in the canonical shape encode back to exactly themselves, so the simulator
/// can build them from the same types.
#[test]
fn canonical_reply_fixtures_encode_back() {
    let canonical = [
        "authentication.json",
        "pong.json",
        "ack.json",
        "processing.json",
        "success.json",
        "success-nsfw.json",
        "two-results-one-done.json",
        "failed.json",
        "data-and-errors.json",
        "webhook-body.json",
        "invalid-api-key.json",
        "unsupported-duration.json",
        "image-upload.json",
        "parameter-array.json",
        "progress.json",
        "queued.json",
        "pending.json",
        "waiting.json",
        "completed.json",
        "video-data-uri.json",
        "task-details.json",
        "dry-run-ack.json",
    ];
    for name in canonical {
        let reply = decode_fixture(name);
        let encoded = serde_json::to_value(&reply).expect("serialises");
        assert_eq!(encoded, fixture(&format!("replies/{name}")), "{name}");
    }
    // Every reply fixture decodes.
    for name in fixture_names("replies") {
        decode_fixture(&name);
    }
}

#[test]
fn reply_fixtures_decode_to_their_meaning() {
    assert_eq!(
        decode_fixture("authentication.json").data,
        vec![Item::Authentication {
            connection_session_uuid: "d2b9f6a0-5c1e-4f7a-b3d8-1e2f3a4b5c6d".into()
        }]
    );
    assert_eq!(decode_fixture("pong.json").data, vec![Item::Pong]);
    assert_eq!(
        decode_fixture("ack.json").data,
        vec![Item::Ack {
            task_type: "videoInference".into(),
            task_uuid: TASK.into(),
            dry_run: false,
        }]
    );
    assert_eq!(
        decode_fixture("processing.json").data,
        vec![Item::Video(VideoResult::processing(TASK))]
    );
    let success = VideoResult::success(
        TASK,
        "b7e0c2a4-1d3f-4e5a-8b9c-0d1e2f3a4b5c",
        "https://vm.runware.ai/video/ws/5/vi/b7e0c2a4-1d3f-4e5a-8b9c-0d1e2f3a4b5c.mp4",
        123,
    );
    assert_eq!(
        decode_fixture("success.json").data,
        vec![Item::Video(success.clone().with_cost(0.49))]
    );
    let nsfw = decode_fixture("success-nsfw.json");
    let Item::Video(video) = &nsfw.data[0] else {
        panic!("{nsfw:?}")
    };
    assert_eq!(video.nsfw_content, Some(false));
    assert_eq!(video.cost, None);

    let failed = decode_fixture("failed.json");
    assert!(failed.data.is_empty());
    assert_eq!(failed.errors[0].code, ErrorCode::TimeoutProvider);
    assert_eq!(failed.errors[0].status.as_deref(), Some("error"));
    assert_eq!(failed.errors[0].task_uuid.as_deref(), Some(TASK));
    assert_eq!(failed.errors[0].http_status(), 200);

    let both = decode_fixture("data-and-errors.json");
    assert_eq!(both.data.len(), 1);
    assert_eq!(both.errors[0].code, ErrorCode::TaskFailedOrNotFound);
    assert_eq!(
        both.errors[0].parameter,
        Some(Parameter::One("taskUUID".into()))
    );

    let legacy = decode_fixture("legacy-error.json");
    assert_eq!(legacy.errors[0].code, ErrorCode::InsufficientCredits);
    assert_eq!(legacy.errors[0].http_status(), 402);
    let legacy_text = decode_fixture("legacy-error-text.json");
    assert_eq!(
        legacy_text.errors[0].message,
        "Service temporarily unavailable"
    );
    assert_eq!(legacy_text.errors[0].code, ErrorCode::Other(String::new()));

    assert_eq!(
        decode_fixture("data-object.json").data,
        vec![Item::Video(VideoResult::processing(TASK))]
    );

    let key = decode_fixture("invalid-api-key.json");
    assert_eq!(key.errors[0].code, ErrorCode::InvalidApiKey);
    assert_eq!(key.errors[0].r#type.as_deref(), Some("string"));
    assert_eq!(key.errors[0].http_status(), 401);

    let duration = decode_fixture("unsupported-duration.json");
    assert_eq!(duration.errors[0].allowed_values, Some(json!([5, 10])));

    let unknown = decode_fixture("unknown-code-and-status.json");
    let Item::Video(queued) = &unknown.data[0] else {
        panic!("{unknown:?}")
    };
    assert_eq!(queued.status, Status::Other("upscaling".into()));
    assert!(queued.status.is_running() && !queued.status.is_queued());
    assert_eq!(
        unknown.errors[0].code,
        ErrorCode::Other("providerOverloaded".into())
    );
    assert_eq!(unknown.errors[0].message, "Try again in a minute.");

    assert_eq!(
        decode_fixture("image-upload.json").data,
        vec![Item::ImageUpload {
            task_uuid: "0b5e8a43-7c2d-4e1f-a6b9-3c8d2e1f0a7b".into(),
            image_uuid: IMAGE_A.into(),
            image_url: None
        }]
    );

    let items = decode_fixture("unknown-items.json").data;
    assert_eq!(items.len(), 4);
    assert!(items.iter().all(|item| matches!(item, Item::Unknown(_))));

    let pair = decode_fixture("parameter-array.json");
    assert_eq!(
        pair.errors[0].parameter,
        Some(Parameter::Many(vec!["width".into(), "height".into()]))
    );
}

/// The simulator's own validation errors are valid reply errors: a reply built from them reads
/// back unchanged.
#[test]
fn validation_errors_travel_unchanged_in_a_reply() {
    let case = fixture("invalid/many-errors.json");
    let errors = runware::validate_task(&case["task"]).expect_err("invalid");
    let body = serde_json::to_vec(&reply::Reply::failure(errors.clone())).expect("serialises");
    assert_eq!(reply::decode(&body).expect("a reply").errors, errors);
}

/// Each fixture of `inline/` is a valid task whose inline images break (or keep) the image rules
/// of spec §3; `check_inline_images` reports exactly the errors recorded beside it. Run with
/// `RUNWARE_BLESS=1` to rewrite them after an intended change.
#[test]
fn inline_image_fixtures_report_their_recorded_errors() {
    let bless = std::env::var_os("RUNWARE_BLESS").is_some();
    let names = fixture_names("inline");
    assert!(names.len() >= 4, "inline fixtures: {names:?}");
    for name in names {
        let case = fixture(&format!("inline/{name}"));
        let Ok(Task::VideoInference(task)) = runware::validate_task(&case["task"]) else {
            panic!("{name}: the task itself must be valid")
        };
        let errors = task.check_inline_images();
        let actual = serde_json::to_value(&errors).expect("errors serialise");
        if bless {
            let full = format!(
                "{}/tests/fixtures/inline/{name}",
                env!("CARGO_MANIFEST_DIR")
            );
            let text =
                serde_json::to_string_pretty(&json!({"task": case["task"], "errors": actual}))
                    .expect("serialises");
            std::fs::write(&full, text + "\n").expect("fixture written");
            continue;
        }
        assert_eq!(actual, case["errors"], "{name}");
        for error in &errors {
            assert_eq!(error.code, ErrorCode::InvalidParameter, "{name}");
            assert_eq!(error.task_uuid.as_deref(), Some(TASK), "{name}");
        }
    }
}

#[test]
fn aspect_fixtures_name_each_frame_and_the_rule() {
    let errors = |name: &str| {
        let case = fixture(&format!("inline/{name}"));
        match runware::validate_task(&case["task"]) {
            Ok(Task::VideoInference(task)) => task.check_inline_images(),
            other => panic!("{name}: {other:#?}"),
        }
    };
    let over = errors("aspect-just-over-both-orientations.json");
    let found: Vec<(Value, &str)> = over
        .iter()
        .map(|e| (common::parameter(e), e.message.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                json!("inputs.frameImages[0]"),
                "inputs.frameImages[0]: the image is 751×300 px, an aspect ratio of 2.51:1; width ÷ height must be between 1:2.5 and 2.5:1"
            ),
            (
                json!("inputs.frameImages[1].image"),
                "inputs.frameImages[1].image: the image is 300×751 px, an aspect ratio of 1:2.51; width ÷ height must be between 1:2.5 and 2.5:1"
            ),
        ]
    );
    assert!(
        over.iter()
            .all(|e| (e.min.clone(), e.max.clone()) == (Some(json!(0.4)), Some(json!(2.5))))
    );
    assert_eq!(errors("aspect-far-off.json").len(), 2);
    assert!(errors("aspect-at-the-bounds.json").is_empty());
    assert!(errors("aspect-just-under.json").is_empty());
}

#[test]
fn revision_2_reply_fixtures_decode_to_their_meaning() {
    let progress = decode_fixture("progress.json");
    assert_eq!(
        progress.data,
        vec![Item::Video(VideoResult::processing(TASK).with_progress(42))]
    );
    for (name, status) in [
        ("queued.json", Status::Queued),
        ("pending.json", Status::Pending),
        ("waiting.json", Status::Waiting),
    ] {
        let Item::Video(video) = &decode_fixture(name).data[0] else {
            panic!("{name}")
        };
        assert_eq!(video.status, status, "{name}");
        assert!(
            video.status.is_queued() && video.status.is_running(),
            "{name}"
        );
        let state = reply::fold(TASK, Default::default(), [&decode_fixture(name)]);
        assert!(
            state.is_queued() && !state.is_finished(),
            "{name}: {state:?}"
        );
    }

    let completed = decode_fixture("completed.json");
    let Item::Video(video) = &completed.data[0] else {
        panic!("{completed:?}")
    };
    assert_eq!(video.status, Status::Completed);
    assert!(video.is_success());
    assert_eq!(
        reply::fold(TASK, Default::default(), [&completed]).results(),
        std::slice::from_ref(video)
    );

    let base64 = decode_fixture("video-base64.json");
    let Item::Video(video) = &base64.data[0] else {
        panic!("{base64:?}")
    };
    assert_eq!(video.status, Status::Success, "a video without a status");
    assert_eq!(
        video.video_base64_data.as_deref(),
        Some("AAAAIGZ0eXBpc29tAAACAGlzb21pc28yYXZjMW1wNDE=")
    );
    assert!(video.has_video() && video.video_url.is_none());
    let data_uri = decode_fixture("video-data-uri.json");
    let Item::Video(video) = &data_uri.data[0] else {
        panic!("{data_uri:?}")
    };
    assert!(
        video
            .video_data_uri
            .as_deref()
            .is_some_and(|uri| uri.starts_with("data:video/mp4;base64,"))
    );
    assert_eq!(video.seed, Some(7));

    assert_eq!(
        decode_fixture("dry-run-ack.json").data,
        vec![Item::Ack {
            task_type: "videoInference".into(),
            task_uuid: TASK.into(),
            dry_run: true,
        }]
    );

    let details = decode_fixture("task-details.json");
    let [
        Item::TaskDetails {
            task_uuid,
            request,
            response,
        },
    ] = details.data.as_slice()
    else {
        panic!("{details:?}")
    };
    assert_eq!(task_uuid, TASK);
    assert!(matches!(
        runware::validate_task(request),
        Ok(Task::VideoInference(_))
    ));
    assert_eq!(response.videos().count(), 1);
    assert!(matches!(
        reply::fold(TASK, Default::default(), [&details]),
        TaskState::Done { results } if results.len() == 1
    ));

    // The error items inside data are lifted into the errors, with the item's task.
    let nested = decode_fixture("error-in-data.json");
    assert!(nested.data.is_empty(), "{nested:?}");
    assert_eq!(
        nested.errors,
        vec![ApiError::timeout_provider(
            TASK,
            "The provider did not return a video in time."
        )]
    );
    let top = decode_fixture("error-in-data-top-level.json");
    assert!(top.data.is_empty(), "{top:?}");
    assert_eq!(
        top.errors,
        vec![
            ApiError::new(
                ErrorCode::Other("providerContentRejected".into()),
                "The provider refused the first frame."
            )
            .with_task_uuid(TASK)
            .with_status("error")
        ]
    );

    let ws = decode_fixture("ws-error-array.json");
    assert_eq!(ws.errors.len(), 1);
    assert_eq!(ws.errors[0].code, ErrorCode::TimeoutProvider);

    let beside = decode_fixture("empty-data-beside-errors.json");
    assert!(beside.data.is_empty());
    assert_eq!(
        beside.errors[0].code,
        ErrorCode::Other("invalidWidth".into())
    );
    assert_eq!(beside.errors[0].min, Some(json!(256)));
    assert_eq!(
        beside.errors[0].parameter,
        Some(Parameter::One("width".into()))
    );
}

fn assert_fold_fails(name: &str, code: ErrorCode, message: &str) {
    let reply: Reply = decode_fixture(name);
    let state = reply::fold(TASK, Default::default(), [&reply]);
    let error = state.error().unwrap_or_else(|| panic!("{name}: {state:?}"));
    assert_eq!(
        (&error.code, error.message.as_str()),
        (&code, message),
        "{name}"
    );
    assert_eq!(error.task_uuid.as_deref(), Some(TASK), "{name}");
    assert!(state.is_finished());
}

#[test]
fn the_fold_fails_on_an_errors_entry() {
    assert_fold_fails(
        "failed.json",
        ErrorCode::TimeoutProvider,
        "The provider did not return a video in time.",
    );
}

#[test]
fn the_fold_fails_on_a_legacy_single_error() {
    assert_fold_fails(
        "legacy-error-for-task.json",
        ErrorCode::TimeoutProvider,
        "The provider did not return a video in time.",
    );
}

#[test]
fn the_fold_fails_on_a_websocket_error_array() {
    assert_fold_fails(
        "ws-error-array.json",
        ErrorCode::TimeoutProvider,
        "The provider did not return a video in time.",
    );
}

#[test]
fn the_fold_fails_on_an_error_item_inside_data() {
    assert_fold_fails(
        "error-in-data.json",
        ErrorCode::TimeoutProvider,
        "The provider did not return a video in time.",
    );
}

#[test]
fn the_fold_fails_on_an_error_item_with_its_code_at_the_top() {
    assert_fold_fails(
        "error-in-data-top-level.json",
        ErrorCode::Other("providerContentRejected".into()),
        "The provider refused the first frame.",
    );
}

#[test]
fn the_fold_fails_on_errors_beside_empty_data() {
    assert_fold_fails(
        "empty-data-beside-errors.json",
        ErrorCode::Other("invalidWidth".into()),
        "Invalid value for width parameter. Width must be a multiple of 64.",
    );
}

#[test]
fn revision_2_request_fixtures_fail_as_recorded() {
    let codes = |name: &str| -> Vec<(String, Value)> {
        let errors =
            runware::validate_task(&fixture(&format!("invalid/{name}"))["task"]).expect_err(name);
        errors
            .iter()
            .map(|e| (e.code.to_string(), common::parameter(e)))
            .collect()
    };
    assert_eq!(
        codes("no-prompt.json"),
        vec![("missingParameter".to_owned(), json!("positivePrompt"))]
    );
    assert_eq!(
        codes("seed.json"),
        vec![("unknownParameter".to_owned(), json!("seed"))]
    );
    assert_eq!(
        codes("provider-settings.json"),
        vec![("unknownParameter".to_owned(), json!("providerSettings"))]
    );
    let details = runware::validate_task(&fixture("requests/get-task-details.json")[0]);
    assert_eq!(
        details,
        Ok(Task::GetTaskDetails(runware::GetTaskDetails::new(
            runware::TaskId::parse(TASK).expect("v4")
        )))
    );
}
