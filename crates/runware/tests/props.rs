//! Property tests: valid requests survive the wire unchanged, a single broken field is reported at
//! exactly its path, and no input of any shape makes validation or decoding panic.

mod common;

use base64::Engine as _;
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use runware::image::{self, ImageFormat};
use runware::reply::{self, Item, Reply, TaskProgress};
use runware::{
    ApiError, CfgScale, DeliveryMethod, Duration, FrameImage, FrameImages, FrameInput,
    FramePosition, HttpUrl, NumberResults, OutputFormat, OutputQuality, OutputSize, OutputType,
    Prompt, Safety, SafetyMode, Task, TaskId, Ttl, VideoInference,
};
use serde_json::{Value, json};

/// Padding optional, as [`FrameImage`] reads bare base64.
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

const KNOWN_KEYS: [&str; 21] = [
    "taskType",
    "taskUUID",
    "model",
    "inputs",
    "frameImages",
    "positivePrompt",
    "negativePrompt",
    "width",
    "height",
    "duration",
    "CFGScale",
    "numberResults",
    "outputType",
    "outputFormat",
    "outputQuality",
    "deliveryMethod",
    "webhookURL",
    "uploadEndpoint",
    "ttl",
    "includeCost",
    "safety",
];

// ---------------------------------------------------------------- valid values

fn task_id() -> impl Strategy<Value = TaskId> {
    any::<[u8; 16]>().prop_map(TaskId::from_random_bytes)
}

fn url() -> impl Strategy<Value = String> {
    (
        select(vec!["http", "https", "HTTPS"]),
        "[a-z][a-z0-9-]{0,10}(\\.[a-z]{2,6}){1,2}",
        option::of(1u16..=65535),
        "(/[A-Za-z0-9._~%-]{0,10}){0,3}(\\?[a-z]=[a-z0-9]{0,5})?",
    )
        .prop_map(|(scheme, host, port, rest)| match port {
            Some(port) => format!("{scheme}://{host}:{port}{rest}"),
            None => format!("{scheme}://{host}{rest}"),
        })
}

fn image() -> impl Strategy<Value = FrameImage> {
    prop_oneof![
        task_id().prop_map(|id| FrameImage::Uuid(*id.as_uuid())),
        url().prop_map(|u| FrameImage::parse(&u).expect("a generated URL is valid")),
        (select(ImageFormat::ALL.to_vec()), vec(any::<u8>(), 1..48))
            .prop_map(|(format, bytes)| FrameImage::from_bytes(format, &bytes)),
        (vec(any::<u8>(), 1..48), any::<bool>()).prop_map(|(bytes, padded)| {
            let text = BASE64.encode(bytes);
            FrameImage::Base64(if padded {
                text
            } else {
                text.trim_end_matches('=').to_owned()
            })
        }),
    ]
}

fn frame_images() -> impl Strategy<Value = FrameImages> {
    let item = (
        image(),
        any::<bool>(),
        option::of(select(FramePosition::ALL.to_vec())),
    )
        .prop_map(|(image, plain, frame)| {
            if plain {
                FrameInput::Plain(image)
            } else {
                FrameInput::Placed { image, frame }
            }
        });
    vec(item, 1..=2).prop_filter_map("two items on one position", |items| {
        FrameImages::new(items).ok()
    })
}

fn prompt() -> impl Strategy<Value = Prompt> {
    prop_oneof![
        4 => vec(any::<char>(), 2..60).prop_map(String::from_iter),
        1 => "[a-z ]{2,20}".prop_map(|s| s.repeat(2500 / 20).chars().take(2500).collect()),
        1 => Just("😀".repeat(2500)),
        1 => Just("ab".to_owned()),
    ]
    .prop_map(|text| Prompt::new(text).expect("a generated prompt is valid"))
}

fn request() -> impl Strategy<Value = VideoInference> {
    let head = (
        task_id(),
        frame_images(),
        prompt(),
        option::of(prompt()),
        option::of(select(OutputSize::ALL.to_vec())),
        option::of(select(Duration::ALL.to_vec())),
        option::of((0u8..=100).prop_map(|h| CfgScale::from_hundredths(h).expect("0..=100"))),
    );
    let middle = (
        option::of((1u8..=4).prop_map(|n| NumberResults::new(n).expect("1-4"))),
        option::of(Just(OutputType::Url)),
        option::of(select(OutputFormat::ALL.to_vec())),
        option::of((20u8..=99).prop_map(|q| OutputQuality::new(q).expect("20-99"))),
        option::of(Just(DeliveryMethod::Async)),
    );
    let tail = (
        option::of(url().prop_map(|u| HttpUrl::webhook(u).expect("valid"))),
        option::of(url().prop_map(|u| HttpUrl::upload_endpoint(u).expect("valid"))),
        option::of(
            prop_oneof![Just(60u64), Just(u64::MAX), 60u64..]
                .prop_map(|t| Ttl::new(t).expect("60+")),
        ),
        option::of(any::<bool>()),
        option::of(
            (
                option::of(any::<bool>()),
                option::of(select(SafetyMode::ALL.to_vec())),
            )
                .prop_map(|(check_content, mode)| Safety {
                    check_content,
                    mode,
                }),
        ),
    );
    (head, middle, tail).prop_map(|(head, middle, tail)| {
        let (task_uuid, frames, positive, negative, size, duration, cfg_scale) = head;
        let (number_results, output_type, output_format, output_quality, delivery_method) = middle;
        let (webhook_url, upload_endpoint, ttl, include_cost, safety) = tail;
        VideoInference {
            negative_prompt: negative,
            size,
            duration,
            cfg_scale,
            number_results,
            output_type,
            output_format,
            output_quality,
            delivery_method,
            webhook_url,
            upload_endpoint,
            ttl,
            include_cost,
            safety,
            ..VideoInference::with_frame_images(task_uuid, frames, positive)
        }
    })
}

// ---------------------------------------------------------------- broken values

/// A field pushed outside its rule: the path it must be reported at, and how to break the task.
#[derive(Debug, Clone)]
enum Break {
    /// Set a top-level member.
    Top(&'static str, Value),
    /// Replace the first frame item.
    FirstFrame(Value),
    /// Make the first frame item an object with this `frame`.
    FirstPosition(Value),
    /// Set `safety` to `{"mode": …}`.
    SafetyMode(Value),
    /// Add a key the task does not take.
    Unknown(String),
}

impl Break {
    fn path(&self) -> String {
        match self {
            Break::Top(key, _) => (*key).to_owned(),
            Break::FirstFrame(_) => "inputs.frameImages[0]".to_owned(),
            Break::FirstPosition(_) => "inputs.frameImages[0].frame".to_owned(),
            Break::SafetyMode(_) => "safety.mode".to_owned(),
            Break::Unknown(key) => key.clone(),
        }
    }

    fn apply(&self, task: &mut Value) {
        match self {
            Break::Top(key, value) => task[*key] = value.clone(),
            Break::FirstFrame(value) => task["inputs"]["frameImages"][0] = value.clone(),
            Break::FirstPosition(value) => {
                task["inputs"]["frameImages"][0] = json!({"image": common::IMAGE_A, "frame": value})
            }
            Break::SafetyMode(value) => task["safety"] = json!({"mode": value}),
            Break::Unknown(key) => task[key.as_str()] = json!(1),
        }
    }
}

fn not_a_string() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(json!([])),
        Just(json!({}))
    ]
}

fn string_except(allowed: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop_oneof![
        "[A-Za-z0-9:@ ]{0,12}"
            .prop_filter("allowed", move |s| !allowed.contains(&s.as_str()))
            .prop_map(Value::from),
        not_a_string(),
    ]
}

fn bad_prompt() -> impl Strategy<Value = Value> {
    prop_oneof![
        vec(any::<char>(), 0..2).prop_map(|c| Value::from(String::from_iter(c))),
        (2501usize..2600).prop_map(|n| Value::from("é".repeat(n))),
        not_a_string(),
    ]
}

fn break_any() -> impl Strategy<Value = Break> {
    let non_v4 = (
        any::<[u8; 16]>(),
        select(vec![0u8, 1, 2, 3, 5, 6, 7, 8, 15]),
    )
        .prop_map(|(mut bytes, version)| {
            bytes[6] = (bytes[6] & 0x0F) | (version << 4);
            Value::from(uuid::Uuid::from_bytes(bytes).to_string())
        });
    let off_step = (0u32..100, 1u32..10)
        .prop_map(|(k, j)| json!(f64::from(k) / 100.0 + f64::from(j) / 1000.0));
    prop_oneof![
        prop_oneof![
            non_v4.clone(),
            "[a-z0-9-]{0,40}".prop_map(Value::from),
            not_a_string()
        ]
        .prop_map(|v| Break::Top("taskUUID", v)),
        string_except(&["klingai:5@2"]).prop_map(|v| Break::Top("model", v)),
        bad_prompt().prop_map(|v| Break::Top("positivePrompt", v)),
        bad_prompt().prop_map(|v| Break::Top("negativePrompt", v)),
        prop_oneof![
            (-1e6..-1e-4f64).prop_map(Value::from),
            (1.0001..1e6f64).prop_map(Value::from),
            off_step,
            Just(json!("0.5"))
        ]
        .prop_map(|v| Break::Top("CFGScale", v)),
        prop_oneof![
            (-100i64..1000)
                .prop_filter("5 or 10", |d| *d != 5 && *d != 10)
                .prop_map(Value::from),
            Just(json!(7.5)),
            Just(json!("5"))
        ]
        .prop_map(|v| Break::Top("duration", v)),
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            Just(json!(1.5)),
            Just(json!("42"))
        ]
        .prop_map(|v| Break::Top("seed", v)),
        prop_oneof![
            Just(json!({})),
            Just(json!({"kling": {"sound": true}})),
            Just(json!([]))
        ]
        .prop_map(|v| Break::Top("providerSettings", v)),
        prop_oneof![
            Just(json!(0)),
            (5i64..10_000).prop_map(Value::from),
            (i64::MIN..0).prop_map(Value::from),
            Just(json!(2.5))
        ]
        .prop_map(|v| Break::Top("numberResults", v)),
        prop_oneof![
            (0i64..20).prop_map(Value::from),
            (100i64..10_000).prop_map(Value::from),
            Just(json!("95"))
        ]
        .prop_map(|v| Break::Top("outputQuality", v)),
        prop_oneof![
            (-100i64..60).prop_map(Value::from),
            Just(json!(59.5)),
            Just(json!("3600"))
        ]
        .prop_map(|v| Break::Top("ttl", v)),
        string_except(&["URL"]).prop_map(|v| Break::Top("outputType", v)),
        string_except(&["MP4", "WEBM", "MOV"]).prop_map(|v| Break::Top("outputFormat", v)),
        string_except(&["async"]).prop_map(|v| Break::Top("deliveryMethod", v)),
        prop_oneof![
            "[a-z./]{0,12}".prop_map(Value::from),
            "ftp://[a-z]{1,8}".prop_map(Value::from),
            Just(json!("https://")),
            not_a_string()
        ]
        .prop_map(|v| Break::Top("webhookURL", v)),
        prop_oneof![
            "[a-z./]{0,12}".prop_map(Value::from),
            "s3://[a-z]{1,8}".prop_map(Value::from),
            not_a_string()
        ]
        .prop_map(|v| Break::Top("uploadEndpoint", v)),
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            "[a-z]{0,5}".prop_map(Value::from),
            Just(json!([]))
        ]
        .prop_map(|v| Break::Top("includeCost", v)),
        prop_oneof![(-5000i64..5000).prop_map(Value::from), Just(json!("1920"))]
            .prop_map(|v| Break::Top("width", v)),
        prop_oneof![(-5000i64..5000).prop_map(Value::from), Just(json!(1080.5))]
            .prop_map(|v| Break::Top("height", v)),
        prop_oneof![
            non_v4,
            "ftp://[a-z]{1,8}/x\\.png".prop_map(Value::from),
            Just(json!("data:image/gif;base64,R0lGODlh")),
            Just(json!("data:image/png;base64,!!")),
            "[a-z ]{1,5}![a-z]{0,5}".prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
        ]
        .prop_map(Break::FirstFrame),
        prop_oneof![
            Just(json!("middle")),
            Just(json!(1)),
            Just(json!(-2)),
            Just(json!(true)),
            Just(json!("FIRST"))
        ]
        .prop_map(Break::FirstPosition),
        string_except(&["none", "fast", "full"]).prop_map(Break::SafetyMode),
        "[a-zA-Z]{1,12}"
            .prop_filter("a known key", |k| !KNOWN_KEYS.contains(&k.as_str()))
            .prop_map(Break::Unknown),
    ]
}

// ---------------------------------------------------------------- arbitrary JSON

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        select(vec![
            "videoInference",
            "getResponse",
            "authentication",
            "ping",
            "imageUpload",
            "getTaskDetails",
            "success",
            "completed",
            "processing",
            "queued",
            "error",
            common::TASK,
            common::IMAGE_A,
            "https://x.io/a.png",
            "first",
            "last"
        ])
        .prop_map(Value::from),
    ];
    let keys = prop_oneof![
        select(KNOWN_KEYS.to_vec()).prop_map(str::to_owned),
        select(vec![
            "data",
            "errors",
            "error",
            "status",
            "code",
            "message",
            "parameter",
            "image",
            "frame",
            "inputImage",
            "videoUUID",
            "videoURL",
            "videoBase64Data",
            "videoDataURI",
            "progress",
            "dryRun",
            "request",
            "response",
            "providerSettings",
            "pong",
            "apiKey",
            "mode",
            "checkContent"
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z]{0,8}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(keys.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Tasks made mostly of known keys with arbitrary values, to reach deep into the validator.
fn task_like() -> impl Strategy<Value = Value> {
    (
        select(vec![
            "videoInference",
            "getResponse",
            "authentication",
            "ping",
            "imageUpload",
            "getTaskDetails",
        ]),
        btree_map(select(KNOWN_KEYS.to_vec()), any_json(), 0..10),
    )
        .prop_map(|(task_type, members)| {
            let mut map: serde_json::Map<String, Value> = members
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            map.insert("taskType".into(), Value::from(task_type));
            Value::Object(map)
        })
}

// ---------------------------------------------------------------- properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// Any valid request survives encode → decode → validate unchanged, and encodes the same again.
    #[test]
    fn valid_requests_survive_the_wire(request in request()) {
        let task = Task::from(request);
        let body = runware::encode(std::slice::from_ref(&task)).expect("encodes");
        let raw: Value = serde_json::from_str(&body).expect("the body is JSON");
        let read = runware::validate_body(&raw).expect("an array");
        prop_assert_eq!(&read, &vec![Ok(task.clone())]);
        prop_assert_eq!(runware::encode(&[task]).expect("encodes"), body);
    }

    /// A valid request with a single field pushed outside its rule is rejected, and every error
    /// names that field (alone, or among the fields of a rule between fields).
    #[test]
    fn one_broken_field_is_reported_at_its_path(request in request(), broken in break_any()) {
        let mut raw = common::encoded(request);
        broken.apply(&mut raw);
        let path = broken.path();
        let errors = runware::validate_task(&raw).expect_err("a broken field");
        prop_assert!(!errors.is_empty());
        for error in &errors {
            let named = error.parameter.as_ref().is_some_and(|p| p.mentions(&path));
            prop_assert!(named, "{} not named by {:#?}\nin {}", path, error, raw);
            prop_assert_eq!(error.task_type.as_deref(), Some("videoInference"));
        }
    }

    /// A valid request's inline images, base64 included, decode to the bytes they were made from.
    #[test]
    fn inline_images_decode_to_their_bytes(format in select(ImageFormat::ALL.to_vec()), bytes in vec(any::<u8>(), 1..64)) {
        let image = FrameImage::from_bytes(format, &bytes);
        let parsed = FrameImage::parse(&image.to_wire()).expect("valid");
        prop_assert_eq!(parsed.decode().expect("decodes"), Some(bytes));
    }

    /// The base64 check accepts exactly what the decoder decodes.
    #[test]
    fn base64_check_agrees_with_the_decoder(text in "[A-Za-z0-9+/=]{1,16}") {
        let parsed = FrameImage::parse(&text);
        let decoded = BASE64.decode(&text);
        prop_assert_eq!(parsed.is_ok(), decoded.is_ok(), "{}: {:?}", text, parsed);
        if let (Ok(image), Ok(bytes)) = (parsed, decoded) {
            prop_assert_eq!(image.decode().expect("decodes"), Some(bytes));
        }
    }
}

/// Shortened padding decodes in the decoder's `Indifferent` mode, so the check accepts it too;
/// surplus padding, padding after a full group and a lone final symbol are refused by both.
#[test]
fn base64_padding_edge_cases_agree_with_the_decoder() {
    for text in [
        "A+aAAw=", "A+aAAw==", "A+aAAw", "QQ=", "QQ==", "QUI=", "QUI", "QUJD", "QUJD=", "QUI==",
        "Q===", "QQ===", "Q", "=",
    ] {
        assert_eq!(
            FrameImage::parse(text).is_ok(),
            BASE64.decode(text).is_ok(),
            "{text}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// No JSON value makes any validator or reader panic; what validates re-validates the same.
    #[test]
    fn arbitrary_json_never_panics(value in any_json()) {
        if let Ok(task) = runware::validate_task(&value) {
            prop_assert_eq!(runware::validate_task(&common::encoded(task.clone())), Ok(task));
        }
        let _ = runware::validate_body(&value);
        let _ = runware::validate_body(&json!([value.clone()]));
        if let Some(reply) = Reply::from_value(&value) {
            let mut progress = TaskProgress::new(common::TASK, NumberResults::default());
            progress.observe(&reply);
            let _ = progress.state();
            let encoded = serde_json::to_value(&reply).expect("a reply serialises");
            prop_assert!(Reply::from_value(&encoded).is_some());
        }
        let _ = Item::from_value(&value);
        let _ = ApiError::from_value_lenient(&value);
        let _ = reply::decode(value.to_string().as_bytes());
        let _ = reply::decode(json!({"data": value.clone(), "errors": value.clone(), "error": value}).to_string().as_bytes());
    }

    /// Task-shaped objects with arbitrary member values never panic the validator, and whatever
    /// it accepts round-trips.
    #[test]
    fn task_shaped_json_never_panics(value in task_like()) {
        if let Ok(task) = runware::validate_task(&value) {
            prop_assert_eq!(runware::validate_task(&common::encoded(task.clone())), Ok(task));
        }
    }

    /// No bytes make the reply decoder or the image sniffer panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..256)) {
        if let Err(error) = reply::decode(&bytes) {
            prop_assert_eq!(error.body(), bytes.as_slice());
        }
        let _ = image::inspect(&bytes);
    }

    /// Bytes behind a real magic number reach deep into each sniffer without panicking, and any
    /// facts found are within the headers' ranges.
    #[test]
    fn sniffing_after_a_magic_number_never_panics(
        magic in select(vec![&b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"[..], &b"\xFF\xD8\xFF"[..], &b"RIFF\xff\x00\x00\x00WEBPVP8"[..], &b"GIF89a"[..], &b"<svg"[..]]),
        tail in vec(any::<u8>(), 0..200),
    ) {
        let bytes = [magic, tail.as_slice()].concat();
        if let Ok(facts) = image::sniff(&bytes) {
            prop_assert!(facts.width > 0 && facts.height > 0);
            prop_assert_eq!(facts.byte_len, bytes.len());
        }
    }

    /// No string makes the string constructors panic.
    #[test]
    fn arbitrary_strings_never_panic(text in ".{0,64}") {
        let _ = FrameImage::parse(&text);
        let _ = TaskId::parse(&text);
        let _ = HttpUrl::webhook(text.clone());
        let _ = Prompt::new(text.clone());
        let _ = FrameImage::parse(&format!("data:{text}"));
        let _ = FrameImage::parse(&format!("https://{text}"));
    }
}
