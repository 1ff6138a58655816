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
