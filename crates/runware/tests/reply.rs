//! Reply decoding edge cases, and folding a task's replies into its state.

mod common;

use common::TASK;
use runware::reply::{
    self, DecodeError, Item, Reply, Status, TaskProgress, TaskState, VideoResult,
};
use runware::{ApiError, ErrorCode, NumberResults};
use serde_json::json;

const OTHER: &str = "0b5e8a43-7c2d-4e1f-a6b9-3c8d2e1f0a7b";

fn decode(value: serde_json::Value) -> Reply {
    reply::decode(value.to_string().as_bytes()).expect("a reply")
}

fn video(n: u32) -> VideoResult {
    VideoResult::success(
        TASK,
        format!("v{n}"),
        format!("https://cdn.example.com/v{n}.mp4"),
        i64::from(n),
    )
}

fn results(n: u8) -> NumberResults {
    NumberResults::new(n).expect("1-4")
}

/// A running task's state without progress, not queued.
fn processing(done: usize, of: usize) -> TaskState {
    TaskState::Processing {
        done,
        of,
        progress: None,
        queued: false,
    }
}

#[test]
fn not_json_keeps_the_body() {
    let body = b"<html><body>502 Bad Gateway</body></html>";
    let error = reply::decode(body).expect_err("not JSON");
    assert!(matches!(error, DecodeError::NotJson { .. }));
    assert_eq!(error.body(), body);
    assert_eq!(
        error.body_text(),
        "<html><body>502 Bad Gateway</body></html>"
    );
    let binary = [0xFF, 0xFE, 0x00];
    assert_eq!(reply::decode(&binary).expect_err("binary").body(), binary);
    assert!(matches!(
        reply::decode(b""),
        Err(DecodeError::NotJson { .. })
    ));
}

#[test]
fn json_that_is_no_reply_keeps_the_body() {
    for body in [
        "{}",
        "[]",
        "null",
        "42",
        "\"data\"",
        r#"{"result": []}"#,
        r#"[{"data": []}]"#,
    ] {
        let error = reply::decode(body.as_bytes()).expect_err(body);
        assert_eq!(
            error,
            DecodeError::NotAReply {
                body: body.as_bytes().to_vec()
            }
        );
    }
}

#[test]
fn shapes_of_data_and_errors() {
    assert_eq!(decode(json!({"data": []})), Reply::default());
    assert_eq!(decode(json!({"data": null})), Reply::default());
    assert_eq!(decode(json!({"errors": []})), Reply::default());
    let one = decode(json!({"errors": {"code": "invalidApiKey", "message": "bad key"}}));
    assert_eq!(
        one.errors,
        vec![ApiError::new(ErrorCode::InvalidApiKey, "bad key")]
    );
    let legacy_list =
        decode(json!({"error": [{"code": "a", "message": "x"}, {"code": "b", "message": "y"}]}));
    assert_eq!(legacy_list.errors.len(), 2);
    let both_forms = decode(
        json!({"errors": [{"code": "a", "message": "x"}], "error": {"code": "b", "message": "y"}}),
    );
    assert_eq!(
        both_forms
            .errors
            .iter()
            .map(|e| e.code.as_str())
            .collect::<Vec<_>>(),
        vec!["a", "b"]
    );
}

#[test]
fn errors_are_read_leniently() {
    let reply = decode(json!({"errors": [
        {"message": "no code"},
        {"code": "invalidParameter"},
        {"code": 7, "message": ["not", "text"], "parameter": 3, "min": null, "max": 4, "allowedValues": [1]},
        "plain text",
        12
    ]}));
    let [no_code, no_message, wrong_types, text, number] = reply.errors.as_slice() else {
        panic!("{reply:#?}")
    };
    assert_eq!(
        (&no_code.code, no_code.message.as_str()),
        (&ErrorCode::Other(String::new()), "no code")
    );
    assert_eq!(no_message.code, ErrorCode::InvalidParameter);
    assert_eq!(no_message.message, r#"{"code":"invalidParameter"}"#);
    assert_eq!(wrong_types.parameter, None);
    assert_eq!(
        (wrong_types.min.clone(), wrong_types.max.clone()),
        (None, Some(json!(4)))
    );
    assert_eq!(wrong_types.allowed_values, Some(json!([1])));
    assert_eq!(text.message, "plain text");
    assert_eq!(number.message, "12");
}

#[test]
fn items_are_read_leniently() {
    let reply = decode(json!({"data": [
        {"taskType": "videoInference", "taskUUID": TASK, "status": "success", "videoURL": "https://x/v.mp4", "seed": "not a number", "cost": "0.49", "extra": {"deep": [1, 2]}},
        {"taskUUID": TASK, "status": "processing"},
        {"taskType": "videoInference", "taskUUID": TASK, "videoUUID": "v9"},
        {"taskType": "getResponse", "taskUUID": TASK, "status": "pending"},
        {"taskType": "videoInference", "status": "success"},
        {"taskType": "imageUpload", "taskUUID": OTHER},
        {"taskType": "authentication"},
        {"taskType": "ping"},
        {"taskType": "caption", "taskUUID": OTHER},
        {"taskType": "caption", "taskUUID": OTHER, "text": "a cat"}
    ]}));
    let data = &reply.data;
    let Item::Video(first) = &data[0] else {
        panic!("{data:#?}")
    };
    assert_eq!(
        (first.status.clone(), first.seed, first.cost),
        (Status::Success, None, None)
    );
    assert!(matches!(&data[1], Item::Video(v) if v.status == Status::Processing));
    assert!(
        matches!(&data[2], Item::Video(v) if v.status == Status::Success && v.video_uuid.as_deref() == Some("v9"))
    );
    assert!(matches!(&data[3], Item::Video(v) if v.status == Status::Pending));
    assert!(
        matches!(&data[4], Item::Unknown(_)),
        "no taskUUID: {:?}",
        data[4]
    );
    assert_eq!(
        data[5],
        Item::Ack {
            task_type: "imageUpload".into(),
            task_uuid: OTHER.into(),
            dry_run: false,
        }
    );
    assert!(matches!(&data[6], Item::Unknown(_)));
    assert_eq!(data[7], Item::Pong);
    assert_eq!(
        data[8],
        Item::Ack {
            task_type: "caption".into(),
            task_uuid: OTHER.into(),
            dry_run: false,
        }
    );
    assert!(matches!(&data[9], Item::Unknown(v) if v["text"] == "a cat"));
    assert_eq!(data[9].task_uuid(), Some(OTHER));
}

#[test]
fn items_serialise_with_wire_names() {
    let item = Item::Video(video(1).with_cost(0.25).with_nsfw_content(true));
    assert_eq!(
        serde_json::to_value(&item).expect("serialises"),
        json!({"taskType": "videoInference", "taskUUID": TASK, "status": "success", "videoUUID": "v1",
               "videoURL": "https://cdn.example.com/v1.mp4", "seed": 1, "cost": 0.25, "NSFWContent": true})
    );
    let upload = Item::ImageUpload {
        task_uuid: OTHER.into(),
        image_uuid: "i".into(),
        image_url: Some("https://x/i.png".into()),
    };
    assert_eq!(
        serde_json::to_value(&upload).expect("serialises"),
        json!({"taskType": "imageUpload", "taskUUID": OTHER, "imageUUID": "i", "imageURL": "https://x/i.png"})
    );
    let result: VideoResult =
        serde_json::from_value(serde_json::to_value(video(3)).expect("serialises")).expect("reads");
    assert_eq!(result, video(3));
    assert!(serde_json::from_value::<VideoResult>(json!({"taskType": "ping"})).is_err());
    for item in [
        Item::Pong,
        upload,
        Item::Ack {
            task_type: "videoInference".into(),
            task_uuid: TASK.into(),
            dry_run: false,
        },
        Item::Authentication {
            connection_session_uuid: OTHER.into(),
        },
    ] {
        let value = serde_json::to_value(&item).expect("serialises");
        assert_eq!(Item::from_value(&value), item);
    }
    let both = Reply {
        data: vec![Item::Pong],
        errors: vec![ApiError::insufficient_credits()],
    };
    let value = serde_json::to_value(&both).expect("serialises");
    assert_eq!(value["data"], json!([{"taskType": "ping", "pong": true}]));
    assert_eq!(value["errors"][0]["code"], "insufficientCredits");
    assert_eq!(
        serde_json::to_value(Reply::default()).expect("serialises"),
        json!({"data": []})
    );
    assert_eq!(
        serde_json::from_value::<Reply>(value).expect("reads back"),
        both
    );
}

#[test]
fn reply_filters_by_task() {
    let reply = decode(json!({
        "data": [{"taskType": "videoInference", "taskUUID": TASK.to_uppercase(), "status": "processing"},
                 {"taskType": "videoInference", "taskUUID": OTHER, "status": "processing"}],
        "errors": [{"code": "timeoutProvider", "message": "late", "taskUUID": OTHER}, {"code": "x", "message": "y"}]
    }));
    assert_eq!(reply.items_for(TASK).count(), 1);
    assert_eq!(reply.errors_for(TASK).count(), 0);
    assert_eq!(reply.errors_for(OTHER).count(), 1);
    assert_eq!(reply.videos().count(), 2);
}

// ---------------------------------------------------------------- the fold

#[test]
fn nothing_seen_is_processing() {
    assert_eq!(reply::fold(TASK, results(3), []), processing(0, 3));
    let ack = decode(json!({"data": [{"taskType": "videoInference", "taskUUID": TASK}]}));
    assert_eq!(reply::fold(TASK, results(1), [&ack]), processing(0, 1));
}

#[test]
fn results_accumulate_once_each_until_all_are_in() {
    let poll_1 = Reply::success(vec![
        Item::Video(VideoResult::processing(TASK)),
        Item::Video(VideoResult::processing(TASK)),
    ]);
    let poll_2 = Reply::success(vec![
        video(1).into(),
        Item::Video(VideoResult::processing(TASK)),
    ]);
    let poll_3 = Reply::success(vec![video(1).into(), video(2).into()]);
    assert_eq!(reply::fold(TASK, results(2), [&poll_1]), processing(0, 2));
    assert_eq!(
        reply::fold(TASK, results(2), [&poll_1, &poll_2]),
        processing(1, 2)
    );
    // The full state is repeated in each poll: video 1 is counted once.
    assert_eq!(
        reply::fold(TASK, results(2), [&poll_2, &poll_2, &poll_2]),
        processing(1, 2)
    );
    assert_eq!(
        reply::fold(TASK, results(2), [&poll_1, &poll_2, &poll_3]),
        TaskState::Done {
            results: vec![video(1), video(2)]
        }
    );
    // Results without ids are told apart by URL, then by their whole content.
    let no_ids = |n: u32| VideoResult {
        video_uuid: None,
        ..video(n)
    };
    let no_ids_poll = Reply::success(vec![no_ids(1).into(), no_ids(1).into(), no_ids(2).into()]);
    assert_eq!(
        reply::fold(TASK, results(3), [&no_ids_poll]),
        processing(2, 3)
    );
}

#[test]
fn unknown_statuses_mean_still_running() {
    let unknown = decode(
        json!({"data": [{"taskType": "videoInference", "taskUUID": TASK, "status": "upscaling"}]}),
    );
    assert_eq!(reply::fold(TASK, results(1), [&unknown]), processing(0, 1));
}

#[test]
fn an_error_for_the_task_fails_it() {
    let failed = reply::decode(
        &std::fs::read(format!(
            "{}/tests/fixtures/replies/failed.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture"),
    )
    .expect("a reply");
    let state = reply::fold(TASK, results(1), [&failed]);
    let TaskState::Failed { error } = &state else {
        panic!("{state:?}")
    };
    assert_eq!(error.code, ErrorCode::TimeoutProvider);
    assert!(state.is_finished());

    // Part-way: one video in, then an error. The state is Failed; the video stays available.
    let mut progress = TaskProgress::new(TASK, results(2));
    progress.observe(&Reply::success(vec![video(1).into()]));
    progress.observe(&failed);
    assert!(matches!(progress.state(), TaskState::Failed { .. }));
    assert_eq!(progress.results(), [video(1)]);

    // An `error` status inside data fails the task too.
    let in_data = decode(
        json!({"data": [{"taskType": "videoInference", "taskUUID": TASK, "status": "error"}]}),
    );
    assert!(
        matches!(reply::fold(TASK, results(1), [&in_data]), TaskState::Failed { error } if error.status.as_deref() == Some("error"))
    );
}

#[test]
fn other_tasks_and_unattributed_errors_are_ignored() {
    let others = decode(json!({
        "data": [{"taskType": "videoInference", "taskUUID": OTHER, "status": "success", "videoUUID": "o", "videoURL": "https://x/o.mp4"}],
        "errors": [{"code": "timeoutProvider", "message": "late", "taskUUID": OTHER}, {"code": "invalidApiKey", "message": "bad key"}]
    }));
    assert_eq!(reply::fold(TASK, results(1), [&others]), processing(0, 1));
}

#[test]
fn the_first_terminal_state_sticks() {
    let done = Reply::success(vec![video(1).into()]);
    let late_error = Reply::failure(vec![ApiError::timeout_provider(TASK, "late")]);
    assert_eq!(
        reply::fold(TASK, results(1), [&done, &late_error]),
        TaskState::Done {
            results: vec![video(1)]
        }
    );
    let late_video = Reply::success(vec![video(2).into()]);
    assert!(matches!(
        reply::fold(TASK, results(1), [&late_error, &late_video]),
        TaskState::Failed { .. }
    ));
}

#[test]
fn task_uuids_match_without_regard_to_case() {
    let upper = decode(
        json!({"data": [{"taskType": "videoInference", "taskUUID": TASK.to_uppercase(), "status": "success", "videoUUID": "v", "videoURL": "https://x/v.mp4"}]}),
    );
    assert!(matches!(
        reply::fold(TASK, results(1), [&upper]),
        TaskState::Done { .. }
    ));
}

// ---------------------------------------------------------------- revision 2

#[test]
fn status_words_and_their_meaning() {
    let cases = [
        ("processing", Status::Processing, true, false, false),
        ("pending", Status::Pending, true, true, false),
        ("queued", Status::Queued, true, true, false),
        ("waiting", Status::Waiting, true, true, false),
        ("success", Status::Success, false, false, true),
        ("completed", Status::Completed, false, false, true),
        ("error", Status::Error, false, false, false),
        (
            "upscaling",
            Status::Other("upscaling".into()),
            true,
            false,
            false,
        ),
        ("Queued", Status::Other("Queued".into()), true, false, false),
    ];
    for (word, status, running, queued, success) in cases {
        assert_eq!(Status::parse(word), status, "{word}");
        assert_eq!(status.as_str(), word);
        assert_eq!(
            (status.is_running(), status.is_queued(), status.is_success()),
            (running, queued, success),
            "{word}"
        );
        assert_eq!(status.is_error(), word == "error");
    }
}

#[test]
fn progress_is_read_tolerantly() {
    let progress = |value: serde_json::Value| {
        let reply = decode(
            json!({"data": [{"taskType": "videoInference", "taskUUID": TASK,
            "status": "processing", "progress": value}]}),
        );
        match &reply.data[0] {
            Item::Video(video) => video.progress,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(progress(json!(0)), Some(0));
    assert_eq!(progress(json!(42)), Some(42));
    assert_eq!(progress(json!(100)), Some(100));
    assert_eq!(progress(json!(42.4)), Some(42));
    assert_eq!(progress(json!(42.5)), Some(43));
    assert_eq!(progress(json!(99.9)), Some(100));
    assert_eq!(progress(json!(-3)), Some(0));
    assert_eq!(progress(json!(-0.4)), Some(0));
    assert_eq!(progress(json!(101)), Some(100));
    assert_eq!(progress(json!(u64::MAX)), Some(100));
    assert_eq!(progress(json!(i64::MIN)), Some(0));
    assert_eq!(progress(json!(1e300)), Some(100));
    assert_eq!(progress(json!("42")), None);
    assert_eq!(progress(json!(null)), None);
    assert_eq!(progress(json!([42])), None);
    assert_eq!(progress(json!(true)), None);
    // A progress alone, without a status, means the result is running.
    let bare =
        decode(json!({"data": [{"taskType": "videoInference", "taskUUID": TASK, "progress": 7}]}));
    assert_eq!(
        bare.data,
        vec![Item::Video(VideoResult::processing(TASK).with_progress(7))]
    );
    assert_eq!(
        VideoResult::processing(TASK).with_progress(250).progress,
        Some(100)
    );
}

#[test]
fn new_result_fields_serialise_only_when_present() {
    let mut video = video(1).with_progress(100);
    video.video_url = None;
    video.video_base64_data = Some("AAAA".into());
    video.video_data_uri = Some("data:video/mp4;base64,AAAA".into());
    assert_eq!(
        serde_json::to_value(&video).expect("serialises"),
        json!({"taskType": "videoInference", "taskUUID": TASK, "status": "success", "progress": 100,
               "videoUUID": "v1", "videoBase64Data": "AAAA", "videoDataURI": "data:video/mp4;base64,AAAA",
               "seed": 1})
    );
    assert_eq!(
        Item::from_value(&serde_json::to_value(&video).expect("serialises")),
        Item::Video(video)
    );
    let plain = serde_json::to_value(VideoResult::processing(TASK)).expect("serialises");
    assert_eq!(
        plain,
        json!({"taskType": "videoInference", "taskUUID": TASK, "status": "processing"})
    );
    // Any of the three video forms, without a status, is a finished video.
    for key in ["videoURL", "videoBase64Data", "videoDataURI"] {
        let reply =
            decode(json!({"data": [{"taskType": "videoInference", "taskUUID": TASK, key: "x"}]}));
        let Item::Video(video) = &reply.data[0] else {
            panic!("{key}: {reply:?}")
        };
        assert!(video.is_success() && video.has_video(), "{key}");
        assert!(matches!(
            reply::fold(TASK, results(1), [&reply]),
            TaskState::Done { .. }
        ));
    }
}

#[test]
fn dry_run_acknowledgements() {
    let ack = |dry_run| Item::Ack {
        task_type: "videoInference".into(),
        task_uuid: TASK.into(),
        dry_run,
    };
    let dry = json!({"taskType": "videoInference", "taskUUID": TASK, "dryRun": true});
    assert_eq!(Item::from_value(&dry), ack(true));
    assert_eq!(serde_json::to_value(ack(true)).expect("serialises"), dry);
    let not_dry = json!({"taskType": "videoInference", "taskUUID": TASK, "dryRun": false});
    assert_eq!(Item::from_value(&not_dry), ack(false));
    assert_eq!(
        serde_json::to_value(ack(false)).expect("serialises"),
        json!({"taskType": "videoInference", "taskUUID": TASK})
    );
    // A dryRun that is not a boolean, or a further member, is no acknowledgement.
    let odd = json!({"taskType": "videoInference", "taskUUID": TASK, "dryRun": "yes"});
    assert!(matches!(Item::from_value(&odd), Item::Unknown(_)));
    let more = json!({"taskType": "caption", "taskUUID": TASK, "dryRun": true, "text": "x"});
    assert!(matches!(Item::from_value(&more), Item::Unknown(_)));
    // A dry run creates no job: the fold stays where it was.
    let reply = Reply::success(vec![ack(true)]);
    assert_eq!(reply::fold(TASK, results(1), [&reply]), processing(0, 1));
}

#[test]
fn task_details_items() {
    let request = json!({"taskType": "videoInference", "taskUUID": TASK, "model": "klingai:5@2"});
    let value = json!({"taskType": "getTaskDetails", "taskUUID": TASK, "request": request,
        "response": {"data": [{"taskType": "videoInference", "taskUUID": TASK, "status": "processing", "progress": 10}]}});
    let item = Item::from_value(&value);
    let Item::TaskDetails {
        task_uuid,
        request: read_request,
        response,
    } = &item
    else {
        panic!("{item:?}")
    };
    assert_eq!((task_uuid.as_str(), read_request), (TASK, &request));
    assert_eq!(
        response,
        &Reply::success(vec![VideoResult::processing(TASK).with_progress(10).into()])
    );
    assert_eq!(item.task_uuid(), Some(TASK));
    assert_eq!(serde_json::to_value(&item).expect("serialises"), value);

    // A missing or garbled response is an empty reply; a missing request is null.
    for response in [
        None,
        Some(json!("later")),
        Some(json!({"result": 1})),
        Some(json!(null)),
    ] {
        let mut value = json!({"taskType": "getTaskDetails", "taskUUID": TASK});
        if let Some(response) = response {
            value["response"] = response;
        }
        let item = Item::from_value(&value);
        assert_eq!(
            item,
            Item::TaskDetails {
                task_uuid: TASK.into(),
                request: serde_json::Value::Null,
                response: Reply::default(),
            },
            "{value}"
        );
        assert_eq!(
            serde_json::to_value(&item).expect("serialises"),
            json!({"taskType": "getTaskDetails", "taskUUID": TASK, "request": null, "response": {"data": []}})
        );
    }
    // Without a taskUUID it is no details item.
    assert!(matches!(
        Item::from_value(&json!({"taskType": "getTaskDetails", "request": {}})),
        Item::Unknown(_)
    ));

    // The fold reads the response of details about its task, and ignores those of others.
    let details = |task: &str, response: serde_json::Value| {
        decode(
            json!({"data": [{"taskType": "getTaskDetails", "taskUUID": task, "request": {}, "response": response}]}),
        )
    };
    let failed = details(
        TASK,
        json!({"errors": [{"code": "timeoutProvider", "message": "late", "taskUUID": TASK}]}),
    );
    assert!(matches!(
        reply::fold(TASK, results(1), [&failed]),
        TaskState::Failed { error } if error.message == "late"
    ));
    let done = details(
        TASK,
        json!({"data": [serde_json::to_value(video(1)).expect("serialises")]}),
    );
    assert_eq!(
        reply::fold(TASK, results(1), [&done]),
        TaskState::Done {
            results: vec![video(1)]
        }
    );
    let other = details(
        OTHER,
        json!({"data": [serde_json::to_value(video(1)).expect("serialises")]}),
    );
    assert_eq!(reply::fold(TASK, results(1), [&other]), processing(0, 1));
}

#[test]
fn error_items_inside_data_are_lifted_into_errors() {
    let reply = decode(json!({"data": [
        {"taskType": "videoInference", "taskUUID": TASK, "status": "error",
         "error": {"code": "timeoutProvider", "message": "late"}},
        {"taskUUID": OTHER, "status": "error", "code": "providerError", "message": "refused", "parameter": "inputs.frameImages[0]"},
        {"taskType": "videoInference", "taskUUID": TASK, "status": "error",
         "error": {"code": "x", "message": "own task", "taskUUID": OTHER, "taskType": "getResponse", "status": "failed"}},
        {"taskType": "videoInference", "taskUUID": TASK, "error": [{"code": "a", "message": "one"}, {"code": "b", "message": "two"}]},
        {"taskType": "videoInference", "taskUUID": TASK, "status": "error", "error": "plain words"},
        {"taskType": "videoInference", "taskUUID": TASK, "status": "error"},
        {"taskType": "videoInference", "taskUUID": TASK, "status": "processing", "error": {"code": "ignored", "message": "not an error item"}},
        {"taskType": "videoInference", "taskUUID": TASK, "status": "success", "videoURL": "https://x/v.mp4", "error": null},
        {"taskType": "videoInference", "taskUUID": TASK, "videoURL": "https://x/w.mp4", "error": {"code": "note", "message": "a video"}}
    ]}));
    type Row<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
    );
    let errors: Vec<Row> = reply
        .errors
        .iter()
        .map(|e| {
            (
                e.code.as_str(),
                e.message.as_str(),
                e.task_uuid.as_deref(),
                e.task_type.as_deref(),
                e.status.as_deref(),
            )
        })
        .collect();
    let video = Some("videoInference");
    assert_eq!(
        errors,
        vec![
            ("timeoutProvider", "late", Some(TASK), video, Some("error")),
            ("providerError", "refused", Some(OTHER), None, Some("error")),
            (
                "x",
                "own task",
                Some(OTHER),
                Some("getResponse"),
                Some("failed")
            ),
            ("a", "one", Some(TASK), video, Some("error")),
            ("b", "two", Some(TASK), video, Some("error")),
            ("", "plain words", Some(TASK), video, Some("error")),
        ]
    );
    assert_eq!(
        reply.errors[1].parameter,
        Some(runware::Parameter::One("inputs.frameImages[0]".into()))
    );
    // What is not an error item stays in data: a bare error status, and items whose `error`
    // is null, beside another status, or beside a video.
    assert_eq!(reply.data.len(), 4, "{:#?}", reply.data);
    assert!(matches!(&reply.data[0], Item::Video(v) if v.status == Status::Error));
    assert!(matches!(&reply.data[1], Item::Video(v) if v.status == Status::Processing));
    assert!(matches!(&reply.data[2], Item::Video(v) if v.is_success()));
    assert!(matches!(&reply.data[3], Item::Video(v) if v.is_success() && v.has_video()));
    // Errors of the reply's own `errors` come first.
    let both = decode(json!({
        "errors": [{"code": "first", "message": "m"}],
        "data": [{"taskUUID": TASK, "status": "error", "error": {"code": "second", "message": "m"}}]
    }));
    assert_eq!(
        both.errors
            .iter()
            .map(|e| e.code.as_str())
            .collect::<Vec<_>>(),
        vec!["first", "second"]
    );
}

#[test]
fn progress_and_queueing_are_remembered_from_the_latest_reply() {
    let item = |status: &str, progress: Option<u8>| {
        let mut value = json!({"taskType": "videoInference", "taskUUID": TASK, "status": status});
        if let Some(progress) = progress {
            value["progress"] = json!(progress);
        }
        value
    };
    let reply = |items: Vec<serde_json::Value>| decode(json!({ "data": items }));
    let mut fold = TaskProgress::new(TASK, results(3));
    assert_eq!((fold.progress(), fold.is_queued()), (None, false));

    fold.observe(&reply(vec![
        item("queued", None),
        item("pending", None),
        item("waiting", None),
    ]));
    assert_eq!((fold.progress(), fold.is_queued()), (None, true));
    assert!(fold.state().is_queued());

    // One result started: no longer queued as a whole; the highest progress counts.
    fold.observe(&reply(vec![
        item("processing", Some(20)),
        item("queued", None),
        item("processing", Some(35)),
    ]));
    assert_eq!((fold.progress(), fold.is_queued()), (Some(35), false));
    assert_eq!(
        fold.state(),
        TaskState::Processing {
            done: 0,
            of: 3,
            progress: Some(35),
            queued: false
        }
    );

    // A reply with nothing about the task changes nothing.
    fold.observe(&decode(
        json!({"data": [{"taskType": "videoInference", "taskUUID": OTHER, "status": "queued"}]}),
    ));
    assert_eq!((fold.progress(), fold.is_queued()), (Some(35), false));

    // The latest reply wins, even when it reports less.
    let mut done = serde_json::to_value(video(1)).expect("serialises");
    done["progress"] = json!(100);
    fold.observe(&reply(vec![
        done,
        item("processing", Some(10)),
        item("processing", None),
    ]));
    let state = fold.state();
    assert_eq!(state.done_of(), Some((1, 3)));
    assert_eq!((state.progress(), state.is_queued()), (Some(10), false));
    assert!(state.is_processing() && state.results().is_empty() && state.error().is_none());

    // A reply with only finished results leaves no running progress.
    fold.observe(&reply(vec![
        serde_json::to_value(video(1)).expect("serialises"),
    ]));
    assert_eq!(fold.progress(), None);

    // Once finished, the accessors say so.
    fold.observe(&Reply::success(vec![
        video(1).into(),
        video(2).into(),
        video(3).into(),
    ]));
    let state = fold.state();
    assert_eq!(
        (state.progress(), state.is_queued(), state.done_of()),
        (None, false, None)
    );
    assert_eq!(state.results().len(), 3);
}
