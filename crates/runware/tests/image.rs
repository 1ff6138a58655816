//! Image sniffing on handcrafted headers: PNG, JPEG with several segments, WEBP in its three
//! forms, the refused formats, truncation at every length, and the model's limits.

mod common;

use runware::image::{
    self, ImageError, ImageFacts, ImageFormat, MAX_ASPECT_FRACTION, MAX_ASPECT_RATIO, MAX_BYTES,
    MAX_SIDE, MIN_ASPECT_RATIO, MIN_SIDE, OtherFormat,
};
use runware::{ErrorCode, FrameImage, TaskId, VideoInference};
use serde_json::json;

// ---------------------------------------------------------------- builders

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    chunk.extend_from_slice(&[0, 0, 0, 0]); // CRC: not checked by the sniffer
    chunk
}

fn png_with(width: u32, height: u32, colour_type: u8, extra: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, colour_type, 0, 0, 0]);
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(png_chunk(b"IHDR", &ihdr));
    for (kind, data) in extra {
        bytes.extend(png_chunk(kind, data));
    }
    bytes.extend(png_chunk(b"IDAT", &[0x78, 0x9C, 0x63, 0x00, 0x00]));
    bytes.extend(png_chunk(b"IEND", &[]));
    bytes
}

fn png(width: u32, height: u32) -> Vec<u8> {
    png_with(width, height, 2, &[(b"sRGB", &[0])])
}

fn jpeg_segment(marker: u8, data: &[u8]) -> Vec<u8> {
    let mut segment = vec![0xFF, marker];
    segment.extend_from_slice(&((data.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(data);
    segment
}

/// A JPEG with APP0, an APP1 holding a thumbnail's `FF D9` (to be skipped by length), DQT, the
/// given SOF marker, DHT, a scan with stuffed bytes and a restart marker, and EOI.
fn jpeg_with(width: u16, height: u16, sof: u8) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8];
    bytes.extend(jpeg_segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    bytes.extend(jpeg_segment(0xE1, b"Exif\0\0thumb\xFF\xD8\xFF\xD9end"));
    bytes.extend(jpeg_segment(0xDB, &[0u8; 65]));
    let mut frame = vec![8];
    frame.extend_from_slice(&height.to_be_bytes());
    frame.extend_from_slice(&width.to_be_bytes());
    frame.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    bytes.push(0xFF); // a fill byte before the marker is allowed
    bytes.extend(jpeg_segment(sof, &frame));
    bytes.extend(jpeg_segment(0xC4, &[0u8; 28]));
    bytes.extend(jpeg_segment(0xDA, &[3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3F, 0]));
    bytes.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0x78]);
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

fn jpeg(width: u16, height: u16) -> Vec<u8> {
    jpeg_with(width, height, 0xC0)
}

fn riff(chunk: &[u8]) -> Vec<u8> {
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&((chunk.len() + 4) as u32).to_le_bytes());
    bytes.extend_from_slice(b"WEBP");
    bytes.extend_from_slice(chunk);
    bytes
}

fn webp_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = kind.to_vec();
    chunk.extend_from_slice(&(data.len() as u32).to_le_bytes());
    chunk.extend_from_slice(data);
    if data.len() % 2 == 1 {
        chunk.push(0);
    }
    chunk
}

fn webp_vp8(width: u16, height: u16) -> Vec<u8> {
    let mut data = vec![0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A];
    data.extend_from_slice(&width.to_le_bytes());
    data.extend_from_slice(&height.to_le_bytes());
    data.extend_from_slice(&[0u8; 8]);
    riff(&webp_chunk(b"VP8 ", &data))
}

fn webp_vp8l(width: u32, height: u32, alpha: bool) -> Vec<u8> {
    let bits = (width - 1) | ((height - 1) << 14) | (u32::from(alpha) << 28);
    let mut data = vec![0x2F];
    data.extend_from_slice(&bits.to_le_bytes());
    data.extend_from_slice(&[0u8; 6]);
    riff(&webp_chunk(b"VP8L", &data))
}

fn webp_vp8x(width: u32, height: u32, flags: u8) -> Vec<u8> {
    let mut data = vec![flags, 0, 0, 0];
    data.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    data.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut chunks = webp_chunk(b"VP8X", &data);
    if flags & 0x02 != 0 {
        chunks.extend(webp_chunk(b"ANIM", &[0u8; 6]));
        chunks.extend(webp_chunk(b"ANMF", &[0u8; 16]));
    } else {
        chunks.extend(webp_chunk(b"VP8L", &[0x2F, 0, 0, 0, 0]));
    }
    riff(&chunks)
}

fn facts(
    format: ImageFormat,
    width: u32,
    height: u32,
    bytes: &[u8],
    has_alpha: bool,
    animated: bool,
) -> ImageFacts {
    ImageFacts {
        format,
        width,
        height,
        byte_len: bytes.len(),
        has_alpha: Some(has_alpha),
        animated,
    }
}

// ---------------------------------------------------------------- accepted formats

#[test]
fn png_size_alpha_and_animation() {
    let plain = png(1280, 720);
    assert_eq!(
        image::sniff(&plain),
        Ok(facts(ImageFormat::Png, 1280, 720, &plain, false, false))
    );
    for colour_type in [4, 6] {
        let alpha = png_with(640, 480, colour_type, &[]);
        assert_eq!(image::sniff(&alpha).map(|f| f.has_alpha), Ok(Some(true)));
    }
    let trns = png_with(640, 480, 3, &[(b"PLTE", &[0, 0, 0]), (b"tRNS", &[0])]);
    assert_eq!(image::sniff(&trns).map(|f| f.has_alpha), Ok(Some(true)));
    let apng = png_with(640, 480, 6, &[(b"acTL", &[0, 0, 0, 2, 0, 0, 0, 0])]);
    assert_eq!(image::sniff(&apng).map(|f| f.animated), Ok(true));
    // Bytes after IEND do not matter.
    let mut trailing = png(300, 300);
    trailing.extend_from_slice(b"garbage");
    assert_eq!(
        image::sniff(&trailing).map(|f| (f.width, f.height)),
        Ok((300, 300))
    );
}

#[test]
fn jpeg_size_through_several_segments() {
    for sof in [0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC7, 0xC9, 0xCB, 0xCD, 0xCF] {
        let bytes = jpeg_with(1920, 1080, sof);
        assert_eq!(
            image::sniff(&bytes),
            Ok(facts(ImageFormat::Jpeg, 1920, 1080, &bytes, false, false)),
            "SOF {sof:X}"
        );
    }
}

#[test]
fn webp_forms() {
    let lossy = webp_vp8(1024, 768);
    assert_eq!(
        image::sniff(&lossy),
        Ok(facts(ImageFormat::Webp, 1024, 768, &lossy, false, false))
    );
    let lossless = webp_vp8l(2048, 300, true);
    assert_eq!(
        image::sniff(&lossless),
        Ok(facts(ImageFormat::Webp, 2048, 300, &lossless, true, false))
    );
    let opaque = webp_vp8l(16384, 1, false);
    assert_eq!(
        image::sniff(&opaque).map(|f| (f.width, f.height, f.has_alpha)),
        Ok((16384, 1, Some(false)))
    );
    let extended = webp_vp8x(4000, 3000, 0x10);
    assert_eq!(
        image::sniff(&extended),
        Ok(facts(ImageFormat::Webp, 4000, 3000, &extended, true, false))
    );
    let animated = webp_vp8x(500, 500, 0x02);
    assert_eq!(
        image::sniff(&animated),
        Ok(facts(ImageFormat::Webp, 500, 500, &animated, false, true))
    );
}

// ---------------------------------------------------------------- refused formats

#[test]
fn refused_formats_are_named() {
    let cases: Vec<(Vec<u8>, ImageError)> = vec![
        (
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00".to_vec(),
            ImageError::Unsupported(OtherFormat::Gif),
        ),
        (
            b"GIF87a".to_vec(),
            ImageError::Unsupported(OtherFormat::Gif),
        ),
        (
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\"/>".to_vec(),
            ImageError::Unsupported(OtherFormat::Svg),
        ),
        (
            b"<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<SVG></SVG>".to_vec(),
            ImageError::Unsupported(OtherFormat::Svg),
        ),
        (
            b"\xEF\xBB\xBF  \n\t<!-- drawn by hand -->\n<svg/>".to_vec(),
            ImageError::Unsupported(OtherFormat::Svg),
        ),
        (
            b"BM\x36\x00\x0C\x00".to_vec(),
            ImageError::Unsupported(OtherFormat::Bmp),
        ),
        (
            b"II*\x00\x08\x00\x00\x00".to_vec(),
            ImageError::Unsupported(OtherFormat::Tiff),
        ),
        (
            b"MM\x00*\x00\x00\x00\x08".to_vec(),
            ImageError::Unsupported(OtherFormat::Tiff),
        ),
        (
            b"\x00\x00\x00\x1CftypavifXXXX".to_vec(),
            ImageError::Unsupported(OtherFormat::Avif),
        ),
        (
            b"\x00\x00\x00\x18ftypheicXXXX".to_vec(),
            ImageError::Unsupported(OtherFormat::Heic),
        ),
        (
            b"\x00\x00\x00\x18ftypisomXXXX".to_vec(),
            ImageError::Unrecognised,
        ),
        (
            b"<?xml version=\"1.0\"?><html/>".to_vec(),
            ImageError::Unrecognised,
        ),
        (
            b"RIFF\x24\x00\x00\x00AVI LIST".to_vec(),
            ImageError::Unrecognised,
        ),
        (b"hello, world".to_vec(), ImageError::Unrecognised),
        (Vec::new(), ImageError::Empty),
    ];
    for (bytes, error) in cases {
        assert_eq!(
            image::sniff(&bytes),
            Err(error),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
    }
    assert_eq!(
        ImageError::Unsupported(OtherFormat::Gif).to_string(),
        "GIF images are not accepted; use PNG, JPEG or WEBP"
    );
}

// ---------------------------------------------------------------- truncation and damage

/// Every proper prefix of a valid file is reported as that format, cut short.
#[test]
fn every_prefix_is_truncated() {
    let files = [
        (ImageFormat::Png, png(640, 480)),
        (ImageFormat::Jpeg, jpeg(640, 480)),
        (ImageFormat::Webp, webp_vp8(640, 480)),
        (ImageFormat::Webp, webp_vp8l(640, 480, false)),
        (ImageFormat::Webp, webp_vp8x(640, 480, 0)),
    ];
    for (format, bytes) in files {
        assert!(image::sniff(&bytes).is_ok());
        for cut in 1..bytes.len() {
            assert_eq!(
                image::sniff(&bytes[..cut]),
                Err(ImageError::Truncated(format)),
                "{format} cut at {cut}"
            );
        }
    }
}

#[test]
fn damaged_headers() {
    let corrupt = |format| move |result: Result<ImageFacts, ImageError>| matches!(result, Err(ImageError::Corrupt { format: f, .. }) if f == format);
    let is_png = corrupt(ImageFormat::Png);
    let is_jpeg = corrupt(ImageFormat::Jpeg);
    let is_webp = corrupt(ImageFormat::Webp);

    let mut first_not_ihdr = b"\x89PNG\r\n\x1a\n".to_vec();
    first_not_ihdr.extend(png_chunk(b"IDAT", &[0]));
    first_not_ihdr.extend(png_chunk(b"IEND", &[]));
    assert!(is_png(image::sniff(&first_not_ihdr)));
    assert!(is_png(image::sniff(&png(0, 480))));
    let mut no_data = png(640, 480);
    let idat = no_data.windows(4).position(|w| w == b"IDAT").expect("IDAT") - 4;
    no_data.drain(idat..idat + 17);
    assert!(is_png(image::sniff(&no_data)));

    let mut scan_first = vec![0xFF, 0xD8];
    scan_first.extend(jpeg_segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]));
    scan_first.extend_from_slice(&[0xFF, 0xD9]);
    assert!(is_jpeg(image::sniff(&scan_first)));
    assert!(is_jpeg(image::sniff(&[0xFF, 0xD8, 0x00, 0x01])));
    assert!(is_jpeg(image::sniff(&[0xFF, 0xD8, 0xFF, 0xD9])));
    assert!(is_jpeg(image::sniff(&jpeg(0, 480))));

    let mut no_start_code = webp_vp8(640, 480);
    no_start_code[23] = 0;
    assert!(is_webp(image::sniff(&no_start_code)));
    let mut no_signature = webp_vp8l(640, 480, false);
    no_signature[20] = 0;
    assert!(is_webp(image::sniff(&no_signature)));
    let mut unknown_chunk = webp_vp8(640, 480);
    unknown_chunk[12..16].copy_from_slice(b"ALPH");
    assert!(is_webp(image::sniff(&unknown_chunk)));
}

// ---------------------------------------------------------------- limits

fn sized(width: u32, height: u32, byte_len: usize) -> ImageFacts {
    ImageFacts {
        format: ImageFormat::Png,
        width,
        height,
        byte_len,
        has_alpha: Some(false),
        animated: false,
    }
}

#[test]
fn side_limits_at_each_bound() {
    assert_eq!(
        (MIN_SIDE, MAX_SIDE, MAX_BYTES),
        (300, 2048, 20 * 1024 * 1024)
    );
    for side in [300, 301, 1024, 2047, 2048] {
        // The other side within 2:1 of this one, so that the aspect rule holds.
        let other = (side * 2).clamp(MIN_SIDE, MAX_SIDE);
        assert_eq!(image::check_limits(&sized(side, other, 1)), Ok(()));
        assert_eq!(image::check_limits(&sized(other, side, 1)), Ok(()));
    }
    for side in [0, 1, 299] {
        assert_eq!(
            image::check_limits(&sized(side, 1000, 1)),
            Err(ImageError::TooSmall {
                width: side,
                height: 1000,
                min: 300
            })
        );
        assert!(matches!(
            image::check_limits(&sized(1000, side, 1)),
            Err(ImageError::TooSmall { .. })
        ));
    }
    for side in [2049, 4096] {
        assert_eq!(
            image::check_limits(&sized(side, 1000, 1)),
            Err(ImageError::TooLarge {
                width: side,
                height: 1000,
                max: 2048
            })
        );
        assert!(matches!(
            image::check_limits(&sized(1000, side, 1)),
            Err(ImageError::TooLarge { .. })
        ));
    }
}

#[test]
fn aspect_rule_at_each_bound_in_both_orientations() {
    assert_eq!((MIN_ASPECT_RATIO, MAX_ASPECT_RATIO), (0.4, 2.5));
    assert_eq!(MAX_ASPECT_FRACTION, (5, 2));
    // (long side, short side, allowed): exactly 2.5, just under, just over.
    for (long, short, allowed) in [
        (750, 300, true),
        (749, 300, true),
        (751, 300, false),
        (2000, 800, true),
        (1999, 800, true),
        (2001, 800, false),
        (2048, 820, true),
        (2048, 819, false),
        (2048, 300, false),
        (300, 300, true),
    ] {
        for (width, height) in [(long, short), (short, long)] {
            assert_eq!(
                image::aspect_ratio_ok(width, height),
                allowed,
                "{width}×{height}"
            );
            let expected = if allowed {
                Ok(())
            } else {
                Err(ImageError::AspectRatio { width, height })
            };
            assert_eq!(
                image::check_aspect_ratio(width, height),
                expected,
                "{width}×{height}"
            );
            assert_eq!(
                image::check_limits(&sized(width, height, 1)),
                expected,
                "{width}×{height}"
            );
        }
    }
    // The side limits come first: an image both too large and too wide says it is too large.
    assert!(matches!(
        image::check_limits(&sized(4096, 300, 1)),
        Err(ImageError::TooLarge { .. })
    ));
    // Whole-number arithmetic: no overflow at the largest sides a header can hold.
    assert!(image::aspect_ratio_ok(u32::MAX, u32::MAX));
    assert!(!image::aspect_ratio_ok(u32::MAX, 1));
    assert!(!image::aspect_ratio_ok(0, 1));
}

#[test]
fn aspect_errors_name_the_ratio_and_the_rule() {
    let message = |width, height| {
        image::check_aspect_ratio(width, height)
            .expect_err("outside the rule")
            .to_string()
    };
    assert_eq!(
        message(751, 300),
        "the image is 751×300 px, an aspect ratio of 2.51:1; width ÷ height must be between 1:2.5 and 2.5:1"
    );
    assert_eq!(
        message(300, 751),
        "the image is 300×751 px, an aspect ratio of 1:2.51; width ÷ height must be between 1:2.5 and 2.5:1"
    );
    assert!(message(900, 300).contains("an aspect ratio of 3:1;"));
    assert!(message(300, 1050).contains("an aspect ratio of 1:3.5;"));
    // A ratio just over the bound never reads as the bound itself.
    assert!(message(2001, 800).contains("2.51:1"));
    let api = ImageError::AspectRatio {
        width: 751,
        height: 300,
    }
    .to_api_error("inputs.frameImages[1].image");
    assert_eq!(api.code, ErrorCode::InvalidParameter);
    assert_eq!(
        (api.min.clone(), api.max.clone()),
        (Some(json!(0.4)), Some(json!(2.5)))
    );
    assert_eq!(
        common::parameter(&api),
        json!("inputs.frameImages[1].image")
    );
}

#[test]
fn inline_frames_break_the_aspect_rule_at_their_paths() {
    let id = TaskId::parse(common::TASK).expect("v4");
    let frames = |first: Vec<u8>, last: Vec<u8>| {
        VideoInference::with_frame_images(
            id,
            runware::FrameImages::new(vec![
                runware::FrameInput::Plain(FrameImage::from_bytes(ImageFormat::Png, &first)),
                runware::FrameInput::Placed {
                    image: FrameImage::from_bytes(ImageFormat::Png, &last),
                    frame: Some(runware::FramePosition::Last),
                },
            ])
            .expect("two frames"),
            common::prompt(),
        )
    };
    let paths = |request: VideoInference| -> Vec<serde_json::Value> {
        request
            .check_inline_images()
            .iter()
            .map(common::parameter)
            .collect()
    };
    assert!(paths(frames(png(750, 300), png(300, 750))).is_empty());
    assert!(paths(frames(png(749, 300), png(300, 749))).is_empty());
    assert_eq!(
        paths(frames(png(751, 300), png(300, 751))),
        vec![
            json!("inputs.frameImages[0]"),
            json!("inputs.frameImages[1].image")
        ]
    );
    assert_eq!(
        paths(frames(png(300, 300), png(300, 751))),
        vec![json!("inputs.frameImages[1].image")]
    );
    // An image by URL or UUID has no known size: the rule does not apply to it.
    let by_url = VideoInference::new(
        id,
        FrameImage::parse("https://example.com/panorama-4000x1000.png").expect("url"),
        common::prompt(),
    );
    assert!(by_url.check_inline_images().is_empty());
    // The same rule through `FrameImage::inspect`.
    let wide = FrameImage::from_bytes(ImageFormat::Jpeg, &jpeg(1920, 700));
    assert!(matches!(
        wide.inspect(),
        Err(runware::FieldError {
            rule: runware::Rule::Image(ImageError::AspectRatio {
                width: 1920,
                height: 700
            }),
            ..
        })
    ));
}

#[test]
fn byte_limit_at_its_bound() {
    assert_eq!(image::check_limits(&sized(1000, 1000, MAX_BYTES)), Ok(()));
    let error = image::check_limits(&sized(1000, 1000, MAX_BYTES + 1)).expect_err("too heavy");
    assert_eq!(
        error,
        ImageError::TooHeavy {
            bytes: MAX_BYTES + 1,
            max: MAX_BYTES
        }
    );
    let api = error.to_api_error("inputs.frameImages[0]");
    assert_eq!(api.code, ErrorCode::InvalidParameter);
    assert_eq!(api.max, Some(json!(MAX_BYTES)));
}

#[test]
fn inspect_combines_sniff_and_limits() {
    assert!(image::inspect(&png(300, 750)).is_ok());
    assert!(image::inspect(&png(2048, 820)).is_ok());
    assert_eq!(
        image::inspect(&png(299, 300)),
        Err(ImageError::TooSmall {
            width: 299,
            height: 300,
            min: 300
        })
    );
    let api = image::inspect(&jpeg(4000, 3000))
        .expect_err("too large")
        .to_api_error("inputs.frameImages[1]");
    assert_eq!(
        api.message,
        "inputs.frameImages[1]: the image is 4000×3000 px; each side must be at most 2048 px"
    );
    assert_eq!((api.min, api.max), (Some(json!(300)), Some(json!(2048))));
}

// ---------------------------------------------------------------- frame images carrying bytes

#[test]
fn inline_frame_images_are_inspected() {
    let data_uri = FrameImage::from_bytes(ImageFormat::Png, &png(720, 720));
    assert!(
        data_uri
            .to_wire()
            .starts_with("data:image/png;base64,iVBORw0KGgo")
    );
    assert_eq!(
        FrameImage::parse(&data_uri.to_wire()).as_ref(),
        Ok(&data_uri)
    );
    assert_eq!(
        data_uri.inspect().map(|f| f.map(|f| (f.width, f.height))),
        Ok(Some((720, 720)))
    );

    let liar = FrameImage::from_bytes(ImageFormat::Jpeg, &png(720, 720));
    let error = liar.inspect().expect_err("declared JPEG, holds PNG");
    assert!(
        error.to_string().contains("says JPEG but the image is PNG"),
        "{error}"
    );

    let bare = FrameImage::parse(
        &FrameImage::from_bytes(ImageFormat::Webp, &webp_vp8(640, 480)).to_wire()
            ["data:image/webp;base64,".len()..],
    )
    .expect("bare base64");
    assert!(matches!(bare, FrameImage::Base64(_)));
    assert_eq!(
        bare.inspect().map(|f| f.map(|f| f.format)),
        Ok(Some(ImageFormat::Webp))
    );

    let url = FrameImage::parse("https://example.com/a.png").expect("url");
    assert_eq!(url.inspect(), Ok(None));
    assert_eq!(url.decode(), Ok(None));
}

#[test]
fn check_inline_images_reports_each_bad_image_at_its_path() {
    let gif = FrameImage::Base64("R0lGODlhAQABAAAAACw=".into());
    let small = FrameImage::from_bytes(ImageFormat::Png, &png(100, 100));
    let id = TaskId::parse(common::TASK).expect("v4");
    let request = VideoInference::with_frame_images(
        id,
        runware::FrameImages::new(vec![
            runware::FrameInput::Plain(gif),
            runware::FrameInput::Placed {
                image: small,
                frame: Some(runware::FramePosition::Last),
            },
        ])
        .expect("two frames"),
        common::prompt(),
    );
    let errors = request.check_inline_images();
    let summary: Vec<(String, String)> = errors
        .iter()
        .map(|e| {
            (
                common::parameter(e).as_str().unwrap_or_default().to_owned(),
                e.message.clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("inputs.frameImages[0]".to_owned(), "inputs.frameImages[0]: GIF images are not accepted; use PNG, JPEG or WEBP".to_owned()),
            ("inputs.frameImages[1].image".to_owned(), "inputs.frameImages[1].image: the image is 100×100 px; each side must be at least 300 px".to_owned()),
        ]
    );
    assert!(
        errors
            .iter()
            .all(|e| e.task_uuid.as_deref() == Some(common::TASK))
    );
    let fine = VideoInference::new(
        id,
        FrameImage::from_bytes(ImageFormat::Jpeg, &jpeg(1080, 1920)),
        common::prompt(),
    );
    assert!(fine.check_inline_images().is_empty());
}
