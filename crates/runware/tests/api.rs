//! The public types: error shape and codes, constructors, builders, serde.

mod common;

use common::{IMAGE_A, IMAGE_B, TASK};
use runware::{
    ApiError, Authentication, CfgScale, Duration, ErrorCode, FieldError, FrameImage, FrameImages,
    FramePosition, GetResponse, GetTaskDetails, HttpUrl, ImageUpload, NumberResults, OutputFormat,
    OutputQuality, OutputSize, Parameter, Ping, Prompt, Rule, Safety, SafetyMode, Seed, Task,
    TaskId, TaskType, Ttl, VideoInference,
};
use serde_json::json;

#[test]
fn error_codes_round_trip_and_map_to_statuses() {
    let expected = [
        ("missingApiKey", 401),
        ("invalidApiKey", 401),
        ("invalidParameter", 400),
        ("missingParameter", 400),
        ("unknownParameter", 400),
        ("unsupportedDuration", 400),
        ("unsupportedDimensions", 400),
        ("conflictTaskUUID", 400),
        ("insufficientCredits", 402),
        ("timeoutProvider", 200),
        ("taskFailedOrNotFound", 200),
    ];
    for (code, (name, status)) in ErrorCode::KNOWN.iter().zip(expected) {
        assert_eq!(code.as_str(), name);
        assert_eq!(ErrorCode::parse(name), *code);
        assert_eq!(code.http_status(), status, "{name}");
        assert_eq!(serde_json::to_value(code).expect("serialises"), json!(name));
        assert_eq!(
            serde_json::from_value::<ErrorCode>(json!(name)).expect("reads"),
            *code
        );
    }
    let other = ErrorCode::parse("rateLimited");
    assert_eq!(other, ErrorCode::Other("rateLimited".into()));
    assert_eq!(
        serde_json::to_value(&other).expect("serialises"),
        json!("rateLimited")
    );
    assert_eq!(other.http_status(), 400);
    // Codes are case-sensitive on the wire: a different spelling is another code, kept as is.
    assert_eq!(
        ErrorCode::parse("conflictTaskUuid"),
        ErrorCode::Other("conflictTaskUuid".into())
    );
}

#[test]
fn api_error_wire_shape() {
    let full = ApiError::new(
        ErrorCode::UnsupportedDuration,
        "duration must be 5 or 10 seconds",
    )
    .with_parameter("duration")
    .with_type("number")
    .with_task("videoInference", TASK)
    .with_documentation("https://runware.ai/docs")
    .with_allowed_values(json!([5, 10]))
    .with_min(5)
    .with_max(10)
    .with_status("error");
    let value = serde_json::to_value(&full).expect("serialises");
    assert_eq!(
        value,
        json!({
            "code": "unsupportedDuration",
            "message": "duration must be 5 or 10 seconds",
            "parameter": "duration",
            "type": "number",
            "taskType": "videoInference",
            "taskUUID": TASK,
            "documentation": "https://runware.ai/docs",
            "allowedValues": [5, 10],
            "min": 5,
            "max": 10,
            "status": "error"
        })
    );
    assert_eq!(
        serde_json::from_value::<ApiError>(value).expect("reads"),
        full
    );
    // Absent members are omitted; unknown members are ignored when reading.
    let bare = ApiError::new(ErrorCode::InvalidApiKey, "bad key");
    assert_eq!(
        serde_json::to_value(&bare).expect("serialises"),
        json!({"code": "invalidApiKey", "message": "bad key"})
    );
    let read: ApiError = serde_json::from_value(
        json!({"code": "invalidApiKey", "message": "bad key", "traceId": "t1"}),
    )
    .expect("reads");
    assert_eq!(read, bare);
    assert_eq!(bare.to_string(), "bad key");
}

#[test]
fn parameter_is_one_string_or_an_array() {
    let one: Parameter = serde_json::from_value(json!("width")).expect("reads");
    let many: Parameter = serde_json::from_value(json!(["width", "height"])).expect("reads");
    assert_eq!(one, Parameter::One("width".into()));
    assert_eq!(many, Parameter::Many(vec!["width".into(), "height".into()]));
    assert!(many.mentions("height") && !one.mentions("height"));
    assert_eq!(many.to_string(), "width, height");
    let error =
        ApiError::new(ErrorCode::InvalidParameter, "m").with_parameters(["ttl", "outputType"]);
    assert_eq!(
        serde_json::to_value(&error).expect("serialises")["parameter"],
        json!(["ttl", "outputType"])
    );
}

#[test]
fn ready_made_errors() {
    let cases = [
        (ApiError::missing_api_key(), ErrorCode::MissingApiKey, 401),
        (ApiError::invalid_api_key(), ErrorCode::InvalidApiKey, 401),
        (
            ApiError::conflict_task_uuid("videoInference", TASK),
            ErrorCode::ConflictTaskUuid,
            400,
        ),
        (
            ApiError::insufficient_credits(),
            ErrorCode::InsufficientCredits,
            402,
        ),
        (
            ApiError::task_failed_or_not_found(TASK),
            ErrorCode::TaskFailedOrNotFound,
            200,
        ),
        (
            ApiError::timeout_provider(TASK, "the provider timed out"),
            ErrorCode::TimeoutProvider,
            200,
        ),
    ];
    for (error, code, status) in cases {
        assert_eq!((error.code.clone(), error.http_status()), (code, status));
        assert!(!error.message.is_empty());
    }
    let key = ApiError::invalid_api_key();
    assert_eq!(
        (key.parameter, key.task_type.as_deref()),
        (
            Some(Parameter::One("apiKey".into())),
            Some("authentication")
        )
    );
    let conflict = ApiError::conflict_task_uuid("videoInference", TASK);
    assert_eq!(conflict.task_uuid.as_deref(), Some(TASK));
    assert_eq!(
        ApiError::timeout_provider(TASK, "x").status.as_deref(),
        Some("error")
    );
}

#[test]
fn field_errors_carry_path_and_rule() {
    let error = CfgScale::new(0.505).expect_err("off step");
    assert_eq!(error.path(), "CFGScale");
    assert!(matches!(error.rule, Rule::Step { .. }));
    assert_eq!(error.code(), ErrorCode::InvalidParameter);
    let moved = Prompt::new("x")
        .expect_err("short")
        .at("inputs.frameImages[1]");
    assert_eq!(moved.path(), "inputs.frameImages[1]");
    let api: ApiError = Duration::from_seconds(7).expect_err("7").into();
    assert_eq!(
        (api.code, api.allowed_values),
        (ErrorCode::UnsupportedDuration, Some(json!([5, 10])))
    );
    let size = OutputSize::new(100, 100).expect_err("unsupported");
    assert_eq!(
        size.parameter,
        Parameter::Many(vec!["width".into(), "height".into()])
    );
    assert_eq!(size.code(), ErrorCode::UnsupportedDimensions);
    let _: &dyn std::error::Error = &size;
    let same: FieldError = size.clone();
    assert_eq!(same, size);
}

#[test]
fn newtype_constructors() {
    assert_eq!(OutputQuality::new(19).map(OutputQuality::get).ok(), None);
    assert_eq!(OutputQuality::new(20).map(OutputQuality::get), Ok(20));
    assert_eq!(OutputQuality::default().get(), 95);
    assert_eq!(NumberResults::new(0).ok(), None);
    assert_eq!(NumberResults::new(4).map(NumberResults::get), Ok(4));
    assert_eq!(NumberResults::default().get(), 1);
    assert_eq!(Seed::new(0).ok(), None);
    assert_eq!(Seed::new(i64::MAX).map(Seed::get), Ok(i64::MAX));
    assert_eq!(Ttl::new(59).ok(), None);
    assert_eq!(Ttl::new(60).map(Ttl::get), Ok(60));
    assert_eq!(Duration::from_seconds(10), Ok(Duration::Ten));
    assert_eq!(Duration::default(), Duration::Five);
    assert_eq!(CfgScale::default().value(), 0.5);
    assert_eq!(CfgScale::new(0.29).map(CfgScale::hundredths), Ok(29));
    assert_eq!(CfgScale::new(f64::NAN).ok(), None);
    assert_eq!(OutputFormat::default(), OutputFormat::Mp4);
    assert_eq!(SafetyMode::resolve(Some(true), None), SafetyMode::Fast);
    assert_eq!(
        SafetyMode::resolve(Some(true), Some(SafetyMode::None)),
        SafetyMode::None
    );
    assert_eq!(SafetyMode::resolve(None, None), SafetyMode::None);
    assert_eq!(
        HttpUrl::webhook("https://example.com/h").map(|u| u.to_string()),
        Ok("https://example.com/h".into())
    );
    assert_eq!(
        HttpUrl::upload_endpoint("s3://bucket/x")
            .expect_err("scheme")
            .path(),
        "uploadEndpoint"
    );
    assert_eq!(FramePosition::First.as_str(), "first");
}

#[test]
fn task_ids() {
    let fresh = TaskId::new_v4();
    assert_eq!(fresh.as_uuid().get_version_num(), 4);
    assert_ne!(fresh, TaskId::new_v4());
    let from_bytes = TaskId::from_random_bytes([0xAB; 16]);
    assert_eq!(from_bytes.as_uuid().get_version_num(), 4);
    assert_eq!(TaskId::parse(&from_bytes.to_string()), Ok(from_bytes));
    let v1 = uuid::Uuid::parse_str("6f1c1f5e-2b1a-1c3d-9e8f-0a1b2c3d4e5f").expect("uuid");
    assert!(matches!(
        TaskId::new(v1),
        Err(FieldError {
            rule: Rule::UuidVersion { version: 1 },
            ..
        })
    ));
    assert!(TaskId::new(uuid::Uuid::nil()).is_err());
    let id: TaskId = TASK.parse().expect("v4");
    assert_eq!(serde_json::to_value(id).expect("serialises"), json!(TASK));
    assert_eq!(
        serde_json::from_value::<TaskId>(json!(TASK.to_uppercase())).expect("reads"),
        id
    );
    assert!(
        serde_json::from_value::<TaskId>(json!("6f1c1f5e-2b1a-1c3d-9e8f-0a1b2c3d4e5f")).is_err()
    );
}

#[test]
fn builder_covers_every_field() {
    let id = TaskId::parse(TASK).expect("v4");
    let request = VideoInference::new(
        id,
        FrameImage::parse(IMAGE_A).expect("uuid"),
        Prompt::new("a first prompt").expect("prompt"),
    )
    .with_last_frame(FrameImage::parse(IMAGE_B).expect("uuid"))
    .with_prompt(Prompt::new("a calm lake").expect("prompt"))
    .with_negative_prompt(Prompt::negative("noise").expect("prompt"))
    .with_size(OutputSize::new(720, 720).expect("size"))
    .with_duration(Duration::Ten)
    .with_cfg_scale(CfgScale::new(0.3).expect("cfg"))
    .with_number_results(NumberResults::new(2).expect("n"))
    .with_output_type(runware::OutputType::Url)
    .with_output_format(OutputFormat::Mov)
    .with_output_quality(OutputQuality::new(50).expect("q"))
    .with_delivery_method(runware::DeliveryMethod::Async)
    .with_webhook_url(HttpUrl::webhook("https://example.com/h").expect("url"))
    .with_upload_endpoint(HttpUrl::upload_endpoint("https://example.com/u").expect("url"))
    .with_ttl(Ttl::new(600).expect("ttl"))
    .with_include_cost(true)
    .with_safety(Safety {
        check_content: Some(true),
        mode: None,
    })
    .with_safety_mode(SafetyMode::Full);
    let value = common::encoded(request.clone());
    assert_eq!(
        value,
        json!({
            "taskType": "videoInference",
            "taskUUID": TASK,
            "model": "klingai:5@2",
            "positivePrompt": "a calm lake",
            "negativePrompt": "noise",
            "inputs": {"frameImages": [IMAGE_A, IMAGE_B]},
            "width": 720,
            "height": 720,
            "duration": 10,
            "CFGScale": 0.3,
            "numberResults": 2,
            "outputType": "URL",
            "outputFormat": "MOV",
            "outputQuality": 50,
            "deliveryMethod": "async",
            "webhookURL": "https://example.com/h",
            "uploadEndpoint": "https://example.com/u",
            "ttl": 600,
            "includeCost": true,
            "safety": {"checkContent": true, "mode": "full"}
        })
    );
    assert_eq!(
        runware::validate_video_inference(&value),
        Ok(request.clone())
    );
    // A struct alone serialises exactly as the task holding it.
    assert_eq!(serde_json::to_value(&request).expect("serialises"), value);
}

#[test]
fn frame_image_lists() {
    let a = FrameImage::parse(IMAGE_A).expect("uuid");
    let b = FrameImage::parse(IMAGE_B).expect("uuid");
    let last_only = FrameImages::last_only(a.clone());
    assert_eq!(
        (last_only.first_frame(), last_only.last_frame()),
        (None, Some(&a))
    );
    let both = FrameImages::first_and_last(a.clone(), b.clone());
    assert_eq!(
        both.positioned(),
        vec![(FramePosition::First, &a), (FramePosition::Last, &b)]
    );
    let id = TaskId::parse(TASK).expect("v4");
    let end_only = VideoInference::with_frame_images(id, last_only, common::prompt())
        .with_last_frame(b.clone());
    assert_eq!(end_only.frame_images().last_frame(), Some(&b));
    assert_eq!(end_only.frame_images().first_frame(), None);
    let placed = |frame| runware::FrameInput::Placed {
        image: a.clone(),
        frame: Some(frame),
    };
    let same = FrameImages::new(vec![
        placed(FramePosition::Last),
        placed(FramePosition::Last),
    ])
    .expect_err("same position");
    assert!(matches!(
        same.rule,
        Rule::SamePosition {
            position: FramePosition::Last
        }
    ));
    assert!(FrameImages::new(Vec::new()).is_err());
    assert_eq!(
        serde_json::from_value::<FrameImages>(json!([IMAGE_A, {"image": IMAGE_B, "frame": -1}]))
            .map(|f| f.items().len())
            .ok(),
        Some(2)
    );
    assert!(serde_json::from_value::<FrameImages>(json!([IMAGE_A, IMAGE_B, IMAGE_A])).is_err());
}

#[test]
fn tasks_serialise_and_deserialise_through_validation() {
    let id = TaskId::parse(TASK).expect("v4");
    let tasks: Vec<Task> = vec![
        Authentication::new("key")
            .expect("key")
            .resuming(uuid::Uuid::nil())
            .into(),
        Ping::default().into(),
        GetResponse::new(id).into(),
        ImageUpload::new(
            id,
            FrameImage::parse("https://example.com/a.png").expect("url"),
        )
        .into(),
        VideoInference::new(
            id,
            FrameImage::parse(IMAGE_A).expect("uuid"),
            common::prompt(),
        )
        .into(),
        GetTaskDetails::new(id).into(),
    ];
    let body = runware::encode(&tasks).expect("encodes");
    assert!(body.starts_with(r#"[{"taskType":"authentication","apiKey":"key","connectionSessionUUID":"00000000-0000-0000-0000-000000000000"},{"taskType":"ping","ping":true},"#));
    let read: Vec<Task> = serde_json::from_str(&body).expect("reads back");
    assert_eq!(read, tasks);
    assert_eq!(
        read.iter().map(Task::task_type).collect::<Vec<_>>(),
        vec![
            TaskType::Authentication,
            TaskType::Ping,
            TaskType::GetResponse,
            TaskType::ImageUpload,
            TaskType::VideoInference,
            TaskType::GetTaskDetails
        ]
    );
    assert_eq!(read[2].task_uuid(), Some(id));
    assert_eq!(read[5].task_uuid(), Some(id));
    assert_eq!(read[0].task_uuid(), None);
    let refused =
        serde_json::from_value::<Task>(json!({"taskType": "videoInference", "taskUUID": TASK}))
            .expect_err("invalid");
    assert!(
        refused.to_string().contains("model is required"),
        "{refused}"
    );
    assert!(serde_json::from_value::<VideoInference>(common::base()).is_ok());
    assert_eq!(
        Authentication::new("").expect_err("empty").code(),
        ErrorCode::MissingApiKey
    );
}

#[test]
fn authentication_debug_hides_the_key() {
    let auth = Authentication::new("sk-secret-123").expect("key");
    let shown = format!("{auth:?}");
    assert!(!shown.contains("sk-secret-123"), "{shown}");
    assert!(shown.contains("<hidden>"));
}
