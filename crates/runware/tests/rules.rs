//! One test per rule of spec §2–§4: at each bound, just inside, just outside.

mod common;

use common::{IMAGE_A, IMAGE_B, TASK, base, errors, ok, one_error, parameter, with, with_frames};
use runware::{
    ErrorCode, FrameImage, FrameInput, FramePosition, OutputSize, SafetyMode, Task, TaskId,
};
use serde_json::{Value, json};

fn assert_rejected(raw: &Value, code: ErrorCode, path: Value) -> runware::ApiError {
    let error = one_error(raw);
    assert_eq!(error.code, code, "{error:#?}");
    assert_eq!(parameter(&error), path, "{error:#?}");
    assert_eq!(error.task_type.as_deref(), Some("videoInference"));
    error
}

// ---------------------------------------------------------------- CFGScale

#[test]
fn cfg_scale_bounds() {
    for (value, hundredths) in [
        (json!(0), 0),
        (json!(0.0), 0),
        (json!(0.01), 1),
        (json!(0.5), 50),
    ] {
        assert_eq!(
            ok(&with("CFGScale", value))
                .cfg_scale
                .map(|c| c.hundredths()),
            Some(hundredths)
        );
    }
    for (value, hundredths) in [
        (json!(0.99), 99),
        (json!(1), 100),
        (json!(1.0), 100),
        (json!(0.29), 29),
    ] {
        assert_eq!(
            ok(&with("CFGScale", value))
                .cfg_scale
                .map(|c| c.hundredths()),
            Some(hundredths)
        );
    }
    for value in [json!(-0.01), json!(1.01), json!(-1), json!(2), json!(1e300)] {
        let error = assert_rejected(
            &with("CFGScale", value),
            ErrorCode::InvalidParameter,
            json!("CFGScale"),
        );
        assert_eq!((error.min, error.max), (Some(json!(0)), Some(json!(1))));
        assert_eq!(error.message, "CFGScale must be between 0 and 1");
    }
}

/// 0.505 is inside 0–1 but not on the 0.01 grid: refused with a step error, never rounded.
#[test]
fn cfg_scale_off_step_is_rejected_not_rounded() {
    for value in [0.505, 0.001, 0.999, 0.125, 0.5000001] {
        let error = assert_rejected(
            &with("CFGScale", json!(value)),
            ErrorCode::InvalidParameter,
            json!("CFGScale"),
        );
        assert!(
            error.message.contains("steps of 0.01"),
            "{value}: {}",
            error.message
        );
    }
    assert!(runware::CfgScale::new(0.505).is_err());
    assert!(runware::CfgScale::from_hundredths(101).is_err());
    assert_eq!(
        runware::CfgScale::from_hundredths(100).map(|c| c.value()),
        Ok(1.0)
    );
}

#[test]
fn cfg_scale_type() {
    assert_rejected(
        &with("CFGScale", json!("0.5")),
        ErrorCode::InvalidParameter,
        json!("CFGScale"),
    );
}

/// Written back as the number it stands for: whole values as integers, others as decimals.
#[test]
fn cfg_scale_encoding() {
    for (hundredths, written) in [
        (0, json!(0)),
        (100, json!(1)),
        (50, json!(0.5)),
        (29, json!(0.29)),
        (1, json!(0.01)),
    ] {
        let scale = runware::CfgScale::from_hundredths(hundredths).expect("in range");
        assert_eq!(serde_json::to_value(scale).expect("serialises"), written);
    }
}

// ---------------------------------------------------------------- prompts

fn text(c: char, n: usize) -> String {
    std::iter::repeat_n(c, n).collect()
}

#[test]
fn prompt_lengths_count_unicode_scalar_values() {
    for key in ["positivePrompt", "negativePrompt"] {
        for c in ['a', 'é', '字', '😀'] {
            for n in [2, 3, 2499, 2500] {
                let task = ok(&with(key, json!(text(c, n))));
                let prompt = if key == "positivePrompt" {
                    Some(task.positive_prompt)
                } else {
                    task.negative_prompt
                };
                assert_eq!(prompt.map(|p| p.chars()), Some(n), "{key} {c} {n}");
            }
            for n in [0, 1, 2501, 2600] {
                let error = assert_rejected(
                    &with(key, json!(text(c, n))),
                    ErrorCode::InvalidParameter,
                    json!(key),
                );
                assert_eq!((error.min, error.max), (Some(json!(2)), Some(json!(2500))));
                assert!(
                    error.message.ends_with(&format!("it has {n}")),
                    "{}",
                    error.message
                );
            }
        }
    }
}

/// A letter plus a combining accent is two scalar values, so it is a valid (two-character) prompt,
/// while 2500 `é` are 5000 bytes and still valid: the rule counts characters, not bytes.
#[test]
fn prompt_multibyte_edges() {
    assert!(runware::Prompt::new("e\u{301}").is_ok());
    assert!(runware::Prompt::new("😀").is_err());
    assert_eq!(text('é', 2500).len(), 5000);
    assert!(runware::Prompt::new(text('é', 2500)).is_ok());
    let error = runware::Prompt::negative("x").expect_err("too short");
    assert_eq!(error.path(), "negativePrompt");
}

#[test]
fn prompt_type() {
    assert_rejected(
        &with("positivePrompt", json!(["a prompt"])),
        ErrorCode::InvalidParameter,
        json!("positivePrompt"),
    );
}

// ---------------------------------------------------------------- width and height

#[test]
fn every_supported_size_is_accepted() {
    for size in OutputSize::ALL {
        let mut task = base();
        task["width"] = json!(size.width());
        task["height"] = json!(size.height());
        assert_eq!(ok(&task).size, Some(size));
    }
}

#[test]
fn every_other_pair_is_unsupported() {
    let sides = [720, 1080, 1280, 1920];
    let mut pairs: Vec<(i64, i64)> = Vec::new();
    for w in sides {
        for h in sides {
            if !OutputSize::ALL
                .iter()
                .any(|s| i64::from(s.width()) == w && i64::from(s.height()) == h)
            {
                pairs.push((w, h));
            }
        }
    }
    assert_eq!(pairs.len(), 10);
    pairs.extend([
        (1921, 1080),
        (1919, 1080),
        (1920, 1081),
        (0, 0),
        (-1920, -1080),
        (512, 512),
        (3840, 2160),
    ]);
    for (w, h) in pairs {
        let mut task = base();
        task["width"] = json!(w);
        task["height"] = json!(h);
        let error = assert_rejected(
            &task,
            ErrorCode::UnsupportedDimensions,
            json!(["width", "height"]),
        );
        assert_eq!(
            error
                .allowed_values
                .as_ref()
                .and_then(Value::as_array)
                .map(Vec::len),
            Some(6)
        );
        assert!(
            error.message.contains(&format!("{w}×{h}")),
            "{}",
            error.message
        );
    }
}

#[test]
fn width_and_height_go_together() {
    let error = assert_rejected(
        &with("width", json!(1920)),
        ErrorCode::MissingParameter,
        json!(["width", "height"]),
    );
    assert!(
        error
            .message
            .starts_with("height is required when width is given")
    );
    let error = assert_rejected(
        &with("height", json!(1080)),
        ErrorCode::MissingParameter,
        json!(["width", "height"]),
    );
    assert!(
        error
            .message
            .starts_with("width is required when height is given")
    );
}

#[test]
fn size_types() {
    let mut task = base();
    task["width"] = json!("1920");
    task["height"] = json!(1080);
    assert_rejected(&task, ErrorCode::InvalidParameter, json!("width"));
    task["width"] = json!(1920.0);
    assert_eq!(ok(&task).size, OutputSize::new(1920, 1080).ok());
}

#[test]
fn output_size_parts() {
    use runware::{Aspect, Tier};
    let size = OutputSize::from_parts(Tier::P720, Aspect::Portrait9x16);
    assert_eq!((size.width(), size.height()), (720, 1280));
    assert_eq!(
        (size.tier(), size.aspect()),
        (Tier::P720, Aspect::Portrait9x16)
    );
    assert_eq!(
        OutputSize::new(1920, 1080).map(|s| (s.tier(), s.aspect())),
        Ok((Tier::P1080, Aspect::Landscape16x9))
    );
    assert_eq!(
        OutputSize::new(1080, 1080).map(|s| s.aspect()),
        Ok(Aspect::Square)
    );
    assert_eq!(size.to_string(), "720×1280");
    for tier in Tier::ALL {
        for aspect in Aspect::ALL {
            let size = OutputSize::from_parts(tier, aspect);
            assert_eq!(OutputSize::new(size.width(), size.height()), Ok(size));
        }
    }
}

// ---------------------------------------------------------------- duration

#[test]
fn duration_five_or_ten() {
    assert_eq!(
        ok(&with("duration", json!(5)))
            .duration
            .map(|d| d.seconds()),
        Some(5)
    );
    assert_eq!(
        ok(&with("duration", json!(10)))
            .duration
            .map(|d| d.frames()),
        Some(240)
    );
    assert_eq!(
        ok(&with("duration", json!(5.0)))
            .duration
            .map(|d| d.frames()),
        Some(120)
    );
    for value in [
        json!(7),
        json!(4),
        json!(6),
        json!(9),
        json!(11),
        json!(0),
        json!(-5),
        json!(5.5),
    ] {
        let error = assert_rejected(
            &with("duration", value),
            ErrorCode::UnsupportedDuration,
            json!("duration"),
        );
        assert_eq!(error.allowed_values, Some(json!([5, 10])));
    }
    assert_rejected(
        &with("duration", json!("5")),
        ErrorCode::InvalidParameter,
        json!("duration"),
    );
}

// ---------------------------------------------------------------- numberResults, outputQuality, ttl; seed and providerSettings

#[test]
fn number_results_one_to_four() {
    for n in 0..=5 {
        let raw = with("numberResults", json!(n));
        if (1..=4).contains(&n) {
            assert_eq!(ok(&raw).number_results.map(|r| r.get()), Some(n as u8));
        } else {
            let error = assert_rejected(&raw, ErrorCode::InvalidParameter, json!("numberResults"));
            assert_eq!((error.min, error.max), (Some(json!(1)), Some(json!(4))));
        }
    }
    assert_rejected(
        &with("numberResults", json!(2.5)),
        ErrorCode::InvalidParameter,
        json!("numberResults"),
    );
}

#[test]
fn output_quality_twenty_to_ninety_nine() {
    for (q, valid) in [
        (19, false),
        (20, true),
        (21, true),
        (98, true),
        (99, true),
        (100, false),
    ] {
        let raw = with("outputQuality", json!(q));
        if valid {
            assert_eq!(ok(&raw).output_quality.map(|o| o.get()), Some(q as u8));
        } else {
            let error = assert_rejected(&raw, ErrorCode::InvalidParameter, json!("outputQuality"));
            assert_eq!((error.min, error.max), (Some(json!(20)), Some(json!(99))));
        }
    }
}

#[test]
fn ttl_at_least_sixty() {
    let error = assert_rejected(
        &with("ttl", json!(59)),
        ErrorCode::InvalidParameter,
        json!("ttl"),
    );
    assert_eq!((error.min, error.max), (Some(json!(60)), None));
    assert_eq!(ok(&with("ttl", json!(60))).ttl.map(|t| t.get()), Some(60));
    assert_eq!(
        ok(&with("ttl", json!(u64::MAX))).ttl.map(|t| t.get()),
        Some(u64::MAX)
    );
    let error = assert_rejected(
        &with("ttl", json!(1e20)),
        ErrorCode::InvalidParameter,
        json!("ttl"),
    );
    assert!(error.max.is_some());
}

#[test]
fn ttl_only_with_url_output() {
    let mut task = with("ttl", json!(60));
    task["outputType"] = json!("URL");
    assert!(ok(&task).ttl.is_some());
    for other in ["dataURI", "base64Data", "url"] {
        task["outputType"] = json!(other);
        let errors = errors(&task);
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert_eq!(parameter(&errors[0]), json!("outputType"));
        assert_eq!(parameter(&errors[1]), json!(["ttl", "outputType"]));
        assert_eq!(
            errors[1].message,
            "ttl applies only when outputType is \"URL\""
        );
    }
    // Without ttl, a wrong outputType is one error only.
    assert_eq!(errors(&with("outputType", json!("dataURI"))).len(), 1);
}

#[test]
fn seed_and_provider_settings_are_unknown_parameters() {
    for (key, value) in [
        ("seed", json!(42)),
        ("seed", json!(0)),
        ("seed", json!("42")),
        (
            "providerSettings",
            json!({"kling": {"cameraControl": {"type": "simple"}}}),
        ),
        ("providerSettings", json!({})),
    ] {
        let error = assert_rejected(
            &with(key, value.clone()),
            ErrorCode::UnknownParameter,
            json!(key),
        );
        assert_eq!(
            error.message,
            format!("{key} is not a parameter this task takes"),
            "{value}"
        );
    }
    // Reported together with every other broken rule.
    let mut task = with("seed", json!(7));
    task["providerSettings"] = json!({"kling": {}});
    task["duration"] = json!(7);
    let found: Vec<(String, Value)> = errors(&task)
        .iter()
        .map(|e| (e.code.to_string(), common::parameter(e)))
        .collect();
    assert_eq!(
        found,
        vec![
            ("unsupportedDuration".to_owned(), json!("duration")),
            ("unknownParameter".to_owned(), json!("providerSettings")),
            ("unknownParameter".to_owned(), json!("seed")),
        ]
    );
}

#[test]
fn positive_prompt_is_required() {
    let mut task = base();
    task.as_object_mut()
        .expect("an object")
        .remove("positivePrompt");
    let error = assert_rejected(&task, ErrorCode::MissingParameter, json!("positivePrompt"));
    assert_eq!(error.message, "positivePrompt is required");
    assert_eq!(error.task_uuid.as_deref(), Some(TASK));
    // `null` counts as absent.
    assert_rejected(
        &with("positivePrompt", Value::Null),
        ErrorCode::MissingParameter,
        json!("positivePrompt"),
    );
    // Reported together with the other errors, in the checker's order.
    task["duration"] = json!(3);
    task["inputs"] = json!({"frameImages": []});
    let found: Vec<(String, Value)> = errors(&task)
        .iter()
        .map(|e| (e.code.to_string(), common::parameter(e)))
        .collect();
    assert_eq!(
        found,
        vec![
            ("invalidParameter".to_owned(), json!("inputs.frameImages")),
            ("missingParameter".to_owned(), json!("positivePrompt")),
            ("unsupportedDuration".to_owned(), json!("duration")),
        ]
    );
}

// ---------------------------------------------------------------- closed sets and URLs

#[test]
fn output_format_type_delivery_model() {
    for (format, ext, mime) in [
        ("MP4", "mp4", "video/mp4"),
        ("WEBM", "webm", "video/webm"),
        ("MOV", "mov", "video/quicktime"),
    ] {
        let chosen = ok(&with("outputFormat", json!(format)))
            .output_format
            .expect("set");
        assert_eq!(
            (chosen.as_str(), chosen.extension(), chosen.mime()),
            (format, ext, mime)
        );
    }
    for bad in ["mp4", "GIF", "", "MKV"] {
        let error = assert_rejected(
            &with("outputFormat", json!(bad)),
            ErrorCode::InvalidParameter,
            json!("outputFormat"),
        );
        assert_eq!(error.allowed_values, Some(json!(["MP4", "WEBM", "MOV"])));
    }
    assert!(ok(&with("outputType", json!("URL"))).output_type.is_some());
    assert_rejected(
        &with("outputType", json!("base64Data")),
        ErrorCode::InvalidParameter,
        json!("outputType"),
    );
    assert!(
        ok(&with("deliveryMethod", json!("async")))
            .delivery_method
            .is_some()
    );
    let error = assert_rejected(
        &with("deliveryMethod", json!("sync")),
        ErrorCode::InvalidParameter,
        json!("deliveryMethod"),
    );
    assert_eq!(error.allowed_values, Some(json!(["async"])));
    let error = assert_rejected(
        &with("model", json!("klingai:5@1")),
        ErrorCode::InvalidParameter,
        json!("model"),
    );
    assert_eq!(error.allowed_values, Some(json!(["klingai:5@2"])));
}

#[test]
fn webhook_and_upload_urls() {
    for key in ["webhookURL", "uploadEndpoint"] {
        for good in [
            "https://example.com/hook",
            "http://localhost:8080/h?x=1#y",
            "HTTPS://EXAMPLE.COM",
            "https://user:pw@example.com/",
            "http://[::1]:3000/",
            "http://é.example/ü",
            "https://bucket.s3.amazonaws.com/a.mp4?X-Amz-Signature=abc123&X-Amz-Expires=3600",
        ] {
            assert!(
                runware::validate_video_inference(&with(key, json!(good))).is_ok(),
                "{key} {good}"
            );
        }
        for bad in [
            "ftp://example.com/",
            "example.com/hook",
            "https://",
            "https:///path",
            "http://exa mple.com",
            "https://example.com:port/",
            "https://example.com:/",
            "http://[]/",
            "",
            "javascript:alert(1)",
        ] {
            let error = assert_rejected(
                &with(key, json!(bad)),
                ErrorCode::InvalidParameter,
                json!(key),
            );
            assert!(error.message.contains("http or https"), "{}", error.message);
        }
    }
}

#[test]
fn include_cost_and_safety() {
    assert_eq!(
        ok(&with("includeCost", json!(true))).include_cost,
        Some(true)
    );
    assert_rejected(
        &with("includeCost", json!("yes")),
        ErrorCode::InvalidParameter,
        json!("includeCost"),
    );
    for (safety, mode) in [
        (json!({}), SafetyMode::None),
        (json!({"checkContent": true}), SafetyMode::Fast),
        (json!({"checkContent": false}), SafetyMode::None),
        (json!({"mode": "full"}), SafetyMode::Full),
        (
            json!({"mode": "none", "checkContent": true}),
            SafetyMode::None,
        ),
        (
            json!({"mode": "fast", "checkContent": false}),
            SafetyMode::Fast,
        ),
    ] {
        let task = ok(&with("safety", safety.clone()));
        assert_eq!(task.safety_mode(), mode, "{safety}");
        assert_eq!(
            common::encoded(task)["safety"],
            safety,
            "the safety object is kept as given"
        );
    }
    assert_rejected(
        &with("safety", json!({"mode": "strict"})),
        ErrorCode::InvalidParameter,
        json!("safety.mode"),
    );
    assert_rejected(
        &with("safety", json!({"checkContent": 1})),
        ErrorCode::InvalidParameter,
        json!("safety.checkContent"),
    );
    assert_rejected(
        &with("safety", json!({"level": 1})),
        ErrorCode::UnknownParameter,
        json!("safety.level"),
    );
    assert_rejected(
        &with("safety", json!(true)),
        ErrorCode::InvalidParameter,
        json!("safety"),
    );
}

// ---------------------------------------------------------------- frame images

#[test]
fn frame_list_length() {
    assert!(runware::validate_video_inference(&with_frames(json!([IMAGE_A]))).is_ok());
    assert!(runware::validate_video_inference(&with_frames(json!([IMAGE_A, IMAGE_B]))).is_ok());
    for frames in [json!([]), json!([IMAGE_A, IMAGE_B, IMAGE_A])] {
        let n = frames.as_array().map(Vec::len);
        let error = assert_rejected(
            &with_frames(frames),
            ErrorCode::InvalidParameter,
            json!("inputs.frameImages"),
        );
        assert_eq!((error.min, error.max), (Some(json!(1)), Some(json!(2))));
        assert!(
            error
                .message
                .ends_with(&format!("it has {}", n.unwrap_or(0)))
        );
    }
    assert_rejected(
        &with_frames(json!(IMAGE_A)),
        ErrorCode::InvalidParameter,
        json!("inputs.frameImages"),
    );
}

#[test]
fn frames_are_required() {
    let mut task = base();
    task.as_object_mut().map(|m| m.remove("inputs"));
    assert_rejected(
        &task,
        ErrorCode::MissingParameter,
        json!("inputs.frameImages"),
    );
    task["inputs"] = json!({});
    assert_rejected(
        &task,
        ErrorCode::MissingParameter,
        json!("inputs.frameImages"),
    );
    task["inputs"] = json!([IMAGE_A]);
    assert_rejected(&task, ErrorCode::InvalidParameter, json!("inputs"));
}

#[test]
fn two_frames_on_one_position() {
    for (a, b) in [
        ("first", json!("first")),
        ("first", json!(0)),
        ("last", json!(-1)),
        ("last", json!("last")),
    ] {
        let frames = json!([{"image": IMAGE_A, "frame": a}, {"image": IMAGE_B, "frame": b}]);
        let error = assert_rejected(
            &with_frames(frames),
            ErrorCode::InvalidParameter,
            json!(["inputs.frameImages[0].frame", "inputs.frameImages[1].frame"]),
        );
        assert!(
            error.message.contains(&format!("the {a} frame")),
            "{}",
            error.message
        );
    }
}

#[test]
fn implicit_positions_fill_what_is_free() {
    let cases = [
        (json!([IMAGE_A]), vec![FramePosition::First]),
        (
            json!([{"image": IMAGE_A, "frame": "last"}]),
            vec![FramePosition::Last],
        ),
        (
            json!([IMAGE_A, IMAGE_B]),
            vec![FramePosition::First, FramePosition::Last],
        ),
        (
            json!([IMAGE_A, {"image": IMAGE_B, "frame": "first"}]),
            vec![FramePosition::Last, FramePosition::First],
        ),
        (
            json!([{"image": IMAGE_A, "frame": "last"}, IMAGE_B]),
            vec![FramePosition::Last, FramePosition::First],
        ),
        (
            json!([{"image": IMAGE_A}, {"image": IMAGE_B}]),
            vec![FramePosition::First, FramePosition::Last],
        ),
        (
            json!([{"image": IMAGE_A, "frame": null}, IMAGE_B]),
            vec![FramePosition::First, FramePosition::Last],
        ),
    ];
    for (frames, positions) in cases {
        let task = ok(&with_frames(frames.clone()));
        let got: Vec<FramePosition> = task
            .frame_images()
            .positioned()
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(got, positions, "{frames}");
    }
}

#[test]
fn frame_positions() {
    for (frame, position) in [
        (json!("first"), FramePosition::First),
        (json!(0), FramePosition::First),
        (json!(0.0), FramePosition::First),
        (json!("last"), FramePosition::Last),
        (json!(-1), FramePosition::Last),
    ] {
        let task = ok(&with_frames(json!([{"image": IMAGE_A, "frame": frame}])));
        assert_eq!(task.frame_images().items()[0].frame(), Some(position));
    }
    for frame in [
        json!(1),
        json!(-2),
        json!("middle"),
        json!("First"),
        json!(true),
        json!("0"),
    ] {
        let error = assert_rejected(
            &with_frames(json!([IMAGE_A, {"image": IMAGE_B, "frame": frame}])),
            ErrorCode::InvalidParameter,
            json!("inputs.frameImages[1].frame"),
        );
        assert_eq!(error.allowed_values, Some(json!(["first", "last", 0, -1])));
    }
}

#[test]
fn frame_items() {
    assert_rejected(
        &with_frames(json!([IMAGE_A, {"frame": "last"}])),
        ErrorCode::MissingParameter,
        json!("inputs.frameImages[1].image"),
    );
    assert_rejected(
        &with_frames(json!([IMAGE_A, {"image": IMAGE_B, "weight": 1}])),
        ErrorCode::UnknownParameter,
        json!("inputs.frameImages[1].weight"),
    );
    assert_rejected(
        &with_frames(json!([42])),
        ErrorCode::InvalidParameter,
        json!("inputs.frameImages[0]"),
    );
    assert_rejected(
        &with_frames(json!([{"image": 42}])),
        ErrorCode::InvalidParameter,
        json!("inputs.frameImages[0].image"),
    );
}

#[test]
fn image_strings() {
    let png = "data:image/png;base64,iVBORw0KGgo=";
    type IsForm = fn(&FrameImage) -> bool;
    let cases: Vec<(&str, IsForm)> = vec![
        (IMAGE_A, |i| matches!(i, FrameImage::Uuid(_))),
        ("AAC49721-1964-481A-AE78-8A4E29B91402", |i| {
            matches!(i, FrameImage::Uuid(_))
        }),
        ("https://example.com/a.png", |i| {
            matches!(i, FrameImage::Url(_))
        }),
        ("http://example.com/a.png?x=1", |i| {
            matches!(i, FrameImage::Url(_))
        }),
        (png, |i| {
            matches!(
                i,
                FrameImage::DataUri {
                    mime: runware::ImageFormat::Png,
                    ..
                }
            )
        }),
        ("data:image/jpeg;base64,/9j/4AAQ", |i| {
            matches!(
                i,
                FrameImage::DataUri {
                    mime: runware::ImageFormat::Jpeg,
                    ..
                }
            )
        }),
        ("data:image/webp;base64,UklGRg==", |i| {
            matches!(
                i,
                FrameImage::DataUri {
                    mime: runware::ImageFormat::Webp,
                    ..
                }
            )
        }),
        ("iVBORw0KGgo=", |i| matches!(i, FrameImage::Base64(_))),
        ("iVBORw0KGgo", |i| matches!(i, FrameImage::Base64(_))),
    ];
    for (text, is_form) in cases {
        let task = ok(&with_frames(json!([text])));
        let image = task.frame_images().items()[0].image();
        assert!(is_form(image), "{text}: {image:?}");
    }
    let rejected = [
        ("data:image/gif;base64,R0lGODlh", "image/gif"),
        ("data:text/plain;base64,aGk=", "text/plain"),
        ("data:image/png,abc", "data URI"),
        ("data:image/png;base64,", "data URI"),
        ("data:image/png;charset=utf-8;base64,aGk=", "data URI"),
        ("data:image/png;base64,abc*", "base64"),
        ("data:image/png;base64,aGl", "base64"),
        ("ftp://example.com/a.png", "http"),
        ("file:///tmp/a.png", "http"),
        ("6f1c1f5e-2b1a-1c3d-9e8f-0a1b2c3d4e5f", "version 1"),
        ("00000000-0000-0000-0000-000000000000", "version 0"),
        ("{aac49721-1964-481a-ae78-8a4e29b91402}", "an image"),
        ("a", "base64"),
        ("aGk===", "base64"),
        ("not an image", "an image"),
        ("", "an image"),
    ];
    for (text, hint) in rejected {
        let error = assert_rejected(
            &with_frames(json!([text])),
            ErrorCode::InvalidParameter,
            json!("inputs.frameImages[0]"),
        );
        assert!(error.message.contains(hint), "{text}: {}", error.message);
    }
}

#[test]
fn image_uuid_written_in_lower_case() {
    let task = ok(&with_frames(json!([
        "AAC49721-1964-481A-AE78-8A4E29B91402"
    ])));
    assert_eq!(
        common::encoded(task)["inputs"]["frameImages"],
        json!([IMAGE_A])
    );
}

// ---------------------------------------------------------------- legacy frame images

#[test]
fn legacy_frame_images_are_read_and_written_modern() {
    let mut task = base();
    task.as_object_mut().map(|m| m.remove("inputs"));
    task["frameImages"] = json!([{"inputImage": IMAGE_A, "frame": "first"}, {"inputImage": IMAGE_B, "frame": "last"}]);
    let typed = ok(&task);
    assert_eq!(
        typed.frame_images().items(),
        [
            FrameInput::Placed {
                image: FrameImage::parse(IMAGE_A).expect("uuid"),
                frame: Some(FramePosition::First)
            },
            FrameInput::Placed {
                image: FrameImage::parse(IMAGE_B).expect("uuid"),
                frame: Some(FramePosition::Last)
            },
        ]
    );
    let written = common::encoded(typed);
    assert!(written.get("frameImages").is_none());
    assert_eq!(
        written["inputs"]["frameImages"][1],
        json!({"image": IMAGE_B, "frame": "last"})
    );

    // A legacy item without `frame` takes its position from the list, like a modern one.
    task["frameImages"] = json!([{"inputImage": IMAGE_A}]);
    assert_eq!(
        ok(&task)
            .frame_images()
            .first_frame()
            .map(FrameImage::to_wire)
            .as_deref(),
        Some(IMAGE_A)
    );
    // `inputs` holding something else but no frameImages is fine beside the legacy form.
    task["inputs"] = json!({});
    assert!(runware::validate_video_inference(&task).is_ok());
}

#[test]
fn legacy_frame_image_errors() {
    let mut task = base();
    task.as_object_mut().map(|m| m.remove("inputs"));
    task["frameImages"] = json!([IMAGE_A]);
    assert_rejected(&task, ErrorCode::InvalidParameter, json!("frameImages[0]"));
    task["frameImages"] =
        json!([{"inputImage": IMAGE_A, "frame": "first"}, {"inputImage": IMAGE_B, "frame": 0}]);
    assert_rejected(
        &task,
        ErrorCode::InvalidParameter,
        json!(["frameImages[0].frame", "frameImages[1].frame"]),
    );
    task["frameImages"] = json!([{"inputImage": "nope!"}]);
    assert_rejected(
        &task,
        ErrorCode::InvalidParameter,
        json!("frameImages[0].inputImage"),
    );
    task["frameImages"] = json!([]);
    assert_rejected(&task, ErrorCode::InvalidParameter, json!("frameImages"));
}

#[test]
fn legacy_and_modern_together_are_refused() {
    let mut task = base();
    task["frameImages"] = json!([{"inputImage": IMAGE_B, "frame": "last"}]);
    assert_rejected(
        &task,
        ErrorCode::InvalidParameter,
        json!(["inputs.frameImages", "frameImages"]),
    );
}

// ---------------------------------------------------------------- keys, task type, task UUID

#[test]
fn unknown_keys() {
    let error = assert_rejected(
        &with("foo", json!(1)),
        ErrorCode::UnknownParameter,
        json!("foo"),
    );
    assert_eq!(error.message, "foo is not a parameter this task takes");
    for (key, known) in [
        ("cfgScale", "CFGScale"),
        ("taskUuid", "taskUUID"),
        ("webhookUrl", "webhookURL"),
        ("NEGATIVEPROMPT", "negativePrompt"),
    ] {
        let error = assert_rejected(
            &with(key, json!(1)),
            ErrorCode::UnknownParameter,
            json!(key),
        );
        assert!(
            error.message.ends_with(&format!("did you mean {known}?")),
            "{}",
            error.message
        );
    }
    let mut task = base();
    task["inputs"]["referenceImages"] = json!([IMAGE_B]);
    assert_rejected(
        &task,
        ErrorCode::UnknownParameter,
        json!("inputs.referenceImages"),
    );
}

#[test]
fn null_members_count_as_absent() {
    let task = ok(&with("negativePrompt", Value::Null));
    assert_eq!(task.negative_prompt, None);
    assert!(common::encoded(task).get("negativePrompt").is_none());
    assert_rejected(
        &with("taskUUID", Value::Null),
        ErrorCode::MissingParameter,
        json!("taskUUID"),
    );
}

#[test]
fn task_uuid_rules() {
    assert_rejected(
        &with("taskUUID", json!("not-a-uuid")),
        ErrorCode::InvalidParameter,
        json!("taskUUID"),
    );
    let error = assert_rejected(
        &with("taskUUID", json!("6f1c1f5e-2b1a-1c3d-9e8f-0a1b2c3d4e5f")),
        ErrorCode::InvalidParameter,
        json!("taskUUID"),
    );
    assert!(error.message.contains("version 1"));
    // The broken UUID is still echoed, so the client can match the error to its task.
    assert_eq!(
        error.task_uuid.as_deref(),
        Some("6f1c1f5e-2b1a-1c3d-9e8f-0a1b2c3d4e5f")
    );
    for other_form in [
        "6f1c1f5e2b1a4c3d9e8f0a1b2c3d4e5f",
        "{6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f}",
        "urn:uuid:6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f",
        " 6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f",
        "6f1c1f5e-2b1a-4c3d-cf8f-0a1b2c3d4e5f",
    ] {
        assert_rejected(
            &with("taskUUID", json!(other_form)),
            ErrorCode::InvalidParameter,
            json!("taskUUID"),
        );
    }
    assert_rejected(
        &with("taskUUID", json!(42)),
        ErrorCode::InvalidParameter,
        json!("taskUUID"),
    );
    let upper = ok(&with("taskUUID", json!(TASK.to_uppercase())));
    assert_eq!(upper.task_uuid.to_string(), TASK);
    assert!(upper.task_uuid.matches(&TASK.to_uppercase()));
}

#[test]
fn task_type_rules() {
    let error = one_error(&with("taskType", json!("imageInference")));
    assert_eq!(parameter(&error), json!("taskType"));
    assert_eq!(
        error
            .allowed_values
            .as_ref()
            .and_then(Value::as_array)
            .map(Vec::len),
        Some(6)
    );
    let mut task = base();
    task.as_object_mut().map(|m| m.remove("taskType"));
    assert_eq!(parameter(&one_error(&task)), json!("taskType"));
    // Asked for directly, a videoInference validator names the one type it reads.
    let error = runware::validate_video_inference(&with("taskType", json!("ping")))
        .expect_err("wrong type");
    assert_eq!(error[0].message, "taskType must be \"videoInference\"");
    assert_eq!(one_error(&json!("task")).parameter, None);
}

#[test]
fn every_violation_is_reported_at_once() {
    let mut task = with("CFGScale", json!(2));
    task["duration"] = json!(7);
    task["numberResults"] = json!(0);
    task["width"] = json!(100);
    task["bogus"] = json!(true);
    task["inputs"]["frameImages"] = json!([IMAGE_A, IMAGE_B, IMAGE_A]);
    let errors = errors(&task);
    let params: Vec<Value> = errors.iter().map(parameter).collect();
    assert_eq!(
        params,
        vec![
            json!("inputs.frameImages"),
            json!(["width", "height"]),
            json!("duration"),
            json!("CFGScale"),
            json!("numberResults"),
            json!("bogus"),
        ]
    );
    assert!(errors.iter().all(|e| e.task_uuid.as_deref() == Some(TASK)
        && e.task_type.as_deref() == Some("videoInference")));
}

// ---------------------------------------------------------------- the other tasks

#[test]
fn get_task_details_is_validated_like_get_response() {
    use runware::{GetTaskDetails, TaskType};
    let id = TaskId::parse(TASK).expect("v4");
    let raw = json!({"taskType": "getTaskDetails", "taskUUID": TASK});
    assert_eq!(
        runware::validate_task(&raw),
        Ok(Task::GetTaskDetails(GetTaskDetails::new(id)))
    );
    assert_eq!(
        runware::validate_get_task_details(&raw),
        Ok(GetTaskDetails { task_uuid: id })
    );
    assert_eq!(common::encoded(GetTaskDetails::new(id)), raw);
    assert_eq!(
        TaskType::parse("getTaskDetails"),
        Some(TaskType::GetTaskDetails)
    );
    assert_eq!(TaskType::GetTaskDetails.to_string(), "getTaskDetails");
    assert_eq!(
        Task::from(GetTaskDetails::new(id)).task_type(),
        TaskType::GetTaskDetails
    );

    let missing = one_error(&json!({"taskType": "getTaskDetails"}));
    assert_eq!(
        (missing.code.clone(), parameter(&missing)),
        (ErrorCode::MissingParameter, json!("taskUUID"))
    );
    assert_eq!(missing.task_type.as_deref(), Some("getTaskDetails"));
    let not_v4 = one_error(
        &json!({"taskType": "getTaskDetails", "taskUUID": "6f1c1f5e-2b1a-1c3d-9e8f-0a1b2c3d4e5f"}),
    );
    assert_eq!(
        (not_v4.code.clone(), parameter(&not_v4)),
        (ErrorCode::InvalidParameter, json!("taskUUID"))
    );
    let unknown =
        one_error(&json!({"taskType": "getTaskDetails", "taskUUID": TASK, "taskUuid": TASK}));
    assert_eq!(
        (unknown.code.clone(), parameter(&unknown)),
        (ErrorCode::UnknownParameter, json!("taskUuid"))
    );
    assert_eq!(
        unknown.message,
        "taskUuid is not a parameter this task takes; did you mean taskUUID?"
    );
    let wrong_type =
        runware::validate_get_task_details(&json!({"taskType": "getResponse", "taskUUID": TASK}))
            .expect_err("the wrong type");
    assert_eq!(wrong_type[0].message, "taskType must be \"getTaskDetails\"");

    // In a body beside the task it asks about, and through serde.
    let body = json!([raw.clone(), {"taskType": "getResponse", "taskUUID": TASK}]);
    let read = runware::validate_body(&body).expect("an array");
    assert!(matches!(read[0], Ok(Task::GetTaskDetails(_))));
    assert!(matches!(read[1], Ok(Task::GetResponse(_))));
    assert_eq!(
        serde_json::from_value::<GetTaskDetails>(raw).ok(),
        Some(GetTaskDetails::new(id))
    );
    assert!(
        serde_json::from_value::<GetTaskDetails>(json!({"taskType": "getTaskDetails"})).is_err()
    );
}

#[test]
fn other_tasks() {
    use runware::{Authentication, GetResponse, Ping};
    assert!(matches!(
        runware::validate_task(&json!({"taskType": "getResponse", "taskUUID": TASK})),
        Ok(Task::GetResponse(GetResponse { .. }))
    ));
    assert_eq!(
        parameter(&one_error(&json!({"taskType": "getResponse"}))),
        json!("taskUUID")
    );
    assert_eq!(
        parameter(&one_error(
            &json!({"taskType": "getResponse", "taskUUID": TASK, "x": 1})
        )),
        json!("x")
    );

    let missing = one_error(&json!({"taskType": "authentication"}));
    assert_eq!(
        (missing.code.clone(), missing.http_status()),
        (ErrorCode::MissingApiKey, 401)
    );
    assert_eq!(
        one_error(&json!({"taskType": "authentication", "apiKey": ""})).code,
        ErrorCode::MissingApiKey
    );
    assert_eq!(
        one_error(&json!({"taskType": "authentication", "apiKey": 5})).code,
        ErrorCode::InvalidParameter
    );
    let bad_session = one_error(
        &json!({"taskType": "authentication", "apiKey": "k", "connectionSessionUUID": "x"}),
    );
    assert_eq!(parameter(&bad_session), json!("connectionSessionUUID"));
    assert!(matches!(
        runware::validate_task(&json!({"taskType": "authentication", "apiKey": "k"})),
        Ok(Task::Authentication(Authentication { .. }))
    ));

    assert_eq!(
        runware::validate_task(&json!({"taskType": "ping", "ping": true})),
        Ok(Task::Ping(Ping { ping: true }))
    );
    assert_eq!(
        parameter(&one_error(&json!({"taskType": "ping"}))),
        json!("ping")
    );
    assert_eq!(
        parameter(&one_error(&json!({"taskType": "ping", "ping": "yes"}))),
        json!("ping")
    );

    let upload = json!({"taskType": "imageUpload", "taskUUID": TASK, "image": "ftp://x/y.png"});
    assert_eq!(parameter(&one_error(&upload)), json!("image"));
    assert_eq!(
        parameter(&one_error(
            &json!({"taskType": "imageUpload", "taskUUID": TASK})
        )),
        json!("image")
    );
}

#[test]
fn body_must_be_an_array() {
    let error = runware::validate_body(&base()).expect_err("an object");
    assert_eq!(error[0].code, ErrorCode::InvalidParameter);
    let results = runware::validate_body(&json!([base(), {"taskType": "ping"}])).expect("an array");
    assert!(results[0].is_ok() && results[1].is_err());
    assert!(
        runware::validate_body(&json!([]))
            .expect("an array")
            .is_empty()
    );
}

// ---------------------------------------------------------------- typed construction

#[test]
fn the_short_constructor_is_a_valid_request() {
    let id = TaskId::parse(TASK).expect("v4");
    let request = runware::VideoInference::new(
        id,
        FrameImage::parse(IMAGE_A).expect("uuid"),
        common::prompt(),
    );
    assert_eq!(common::encoded(request.clone()), base());
    assert_eq!(
        runware::validate_task(&base()),
        Ok(Task::VideoInference(request))
    );
}
