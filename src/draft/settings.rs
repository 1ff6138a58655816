//! The generation settings as plain data, without frames, key or task id: what a preset stores
//! and what a share link carries in its URL fragment.
//!
//! Values are kept as the form holds them (free text where the user types), so that a preset
//! restores exactly what was on screen, invalid values included, and the live validation then
//! says what is wrong. Unknown or damaged values fall back to the spec's defaults.

use runware::{Aspect, Duration, OutputFormat, SafetyMode, Tier, VideoInference};
use serde::Serialize;
use serde_json::Value;

/// Every setting of the form except the frames.
///
/// Written with serde (`camelCase` keys, every field); read back by [`DraftSettings::from_json`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftSettings {
    /// `positivePrompt` as typed.
    pub prompt: String,
    /// `negativePrompt` as typed.
    pub negative_prompt: String,
    /// Resolution tier label: `1080p` or `720p`.
    pub tier: String,
    /// Aspect label (`16:9`, `1:1`, `9:16`), or `auto` to follow the first frame.
    pub aspect: String,
    /// Whether frames are cropped to the output aspect.
    pub crop: bool,
    /// Seconds: 5 or 10.
    pub duration: u32,
    /// `CFGScale` as typed.
    pub cfg: String,
    /// `numberResults`, 1–4.
    pub results: u8,
    /// A fixed seed as typed, or `None` for a random one.
    pub seed: Option<String>,
    /// `outputFormat` wire name.
    pub format: String,
    /// `outputQuality` as typed.
    pub quality: String,
    /// `includeCost`.
    pub include_cost: bool,
    /// `safety.mode` wire name.
    pub safety: String,
    /// `ttl` as typed (empty: not sent).
    pub ttl: String,
    /// `webhookURL` as typed (empty: not sent).
    pub webhook: String,
    /// `uploadEndpoint` as typed (empty: not sent).
    pub upload: String,
}

impl Default for DraftSettings {
    fn default() -> Self {
        DraftSettings {
            prompt: String::new(),
            negative_prompt: String::new(),
            tier: Tier::P1080.label().into(),
            aspect: AUTO.into(),
            crop: true,
            duration: Duration::default().seconds(),
            cfg: runware::CfgScale::DEFAULT.to_string(),
            results: runware::NumberResults::DEFAULT.get(),
            seed: None,
            format: OutputFormat::default().as_str().into(),
            quality: runware::OutputQuality::DEFAULT.to_string(),
            include_cost: false,
            safety: SafetyMode::default().as_str().into(),
            ttl: String::new(),
            webhook: String::new(),
            upload: String::new(),
        }
    }
}

/// The aspect label meaning "follow the first frame".
pub const AUTO: &str = "auto";

/// The tier of a label, defaulting to 1080p.
pub fn tier_of(label: &str) -> Tier {
    Tier::ALL
        .into_iter()
        .find(|t| t.label() == label)
        .unwrap_or(Tier::P1080)
}

/// The aspect of a label; `None` for `auto` or anything unknown.
pub fn aspect_of(label: &str) -> Option<Aspect> {
    Aspect::ALL.into_iter().find(|a| a.label() == label)
}

/// The label of an aspect choice.
pub fn aspect_label(aspect: Option<Aspect>) -> &'static str {
    aspect.map_or(AUTO, Aspect::label)
}

/// The duration of a number of seconds, defaulting to 5.
pub fn duration_of(seconds: u32) -> Duration {
    Duration::from_seconds(seconds).unwrap_or_default()
}

/// The output format of a wire name, defaulting to MP4.
pub fn format_of(name: &str) -> OutputFormat {
    OutputFormat::ALL
        .into_iter()
        .find(|f| f.as_str() == name)
        .unwrap_or_default()
}

/// The safety mode of a wire name, defaulting to none.
pub fn safety_of(name: &str) -> SafetyMode {
    SafetyMode::ALL
        .into_iter()
        .find(|m| m.as_str() == name)
        .unwrap_or_default()
}

/// The marker that opens a share fragment, so that ordinary anchors are left alone.
pub const FRAGMENT_MARK: &str = "v=1";

impl DraftSettings {
    /// The share-link fragment (without `#`): only settings that differ from the defaults, as
    /// `key=value` pairs, percent-encoded.
    ///
    /// `ttl`, `webhookURL` and `uploadEndpoint` are left out: an endpoint URL often carries a
    /// token, and a link is read by whoever receives it.
    pub fn to_fragment(&self) -> String {
        let defaults = DraftSettings::default();
        let mut out = String::from(FRAGMENT_MARK);
        let flag = |b: bool| if b { "1" } else { "0" }.to_string();
        let pairs: [(&str, String, String); 13] = [
            ("prompt", self.prompt.clone(), defaults.prompt),
            (
                "negative",
                self.negative_prompt.clone(),
                defaults.negative_prompt,
            ),
            ("tier", self.tier.clone(), defaults.tier),
            ("aspect", self.aspect.clone(), defaults.aspect),
            ("crop", flag(self.crop), flag(defaults.crop)),
            (
                "duration",
                self.duration.to_string(),
                defaults.duration.to_string(),
            ),
            ("cfg", self.cfg.clone(), defaults.cfg),
            (
                "results",
                self.results.to_string(),
                defaults.results.to_string(),
            ),
            ("seed", self.seed.clone().unwrap_or_default(), String::new()),
            ("format", self.format.clone(), defaults.format),
            ("quality", self.quality.clone(), defaults.quality),
            ("cost", flag(self.include_cost), flag(defaults.include_cost)),
            ("safety", self.safety.clone(), defaults.safety),
        ];
        for (key, value, default) in pairs {
            if value != default {
                out.push('&');
                out.push_str(key);
                out.push('=');
                out.push_str(&percent_encode(&value));
            }
        }
        out
    }

    /// Reads a share fragment (with or without `#`); `None` when it is not one. Unknown keys are
    /// ignored and damaged values fall back to their defaults.
    pub fn from_fragment(fragment: &str) -> Option<DraftSettings> {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let mut parts = fragment.split('&');
        if parts.next() != Some(FRAGMENT_MARK) {
            return None;
        }
        let mut s = DraftSettings::default();
        for part in parts {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            let Some(value) = percent_decode(value) else {
                continue;
            };
            match key {
                "prompt" => s.prompt = value,
                "negative" => s.negative_prompt = value,
                "tier" => s.tier = tier_of(&value).label().into(),
                "aspect" => s.aspect = aspect_label(aspect_of(&value)).into(),
                "crop" => s.crop = value != "0",
                "duration" => s.duration = duration_of(value.parse().unwrap_or(0)).seconds(),
                "cfg" => s.cfg = value,
                "results" => {
                    s.results = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=4).contains(n))
                        .unwrap_or(1)
                }
                "seed" => s.seed = (!value.is_empty()).then_some(value),
                "format" => s.format = format_of(&value).as_str().into(),
                "quality" => s.quality = value,
                "cost" => s.include_cost = value == "1",
                "safety" => s.safety = safety_of(&value).as_str().into(),
                _ => {}
            }
        }
        Some(s)
    }
}

impl DraftSettings {
    /// Reads settings as [`Serialize`] writes them (a saved draft, a preset): missing fields
    /// take their defaults, unknown ones are ignored, and `None` when the value is not an object
    /// or a field has the wrong type, as a derived `Deserialize` with `#[serde(default)]` would
    /// answer.
    ///
    /// Read by hand from a [`Value`] (whose parser the app has anyway): the derived deserializer
    /// put about 14 KB of code into the wasm.
    pub fn from_json(value: &Value) -> Option<DraftSettings> {
        let text = |v: &Value| v.as_str().map(str::to_owned);
        let whole = |v: &Value| v.as_u64();
        let mut s = DraftSettings::default();
        for (key, v) in value.as_object()? {
            match key.as_str() {
                "prompt" => s.prompt = text(v)?,
                "negativePrompt" => s.negative_prompt = text(v)?,
                "tier" => s.tier = text(v)?,
                "aspect" => s.aspect = text(v)?,
                "crop" => s.crop = v.as_bool()?,
                "duration" => s.duration = u32::try_from(whole(v)?).ok()?,
                "cfg" => s.cfg = text(v)?,
                "results" => s.results = u8::try_from(whole(v)?).ok()?,
                "seed" => s.seed = if v.is_null() { None } else { Some(text(v)?) },
                "format" => s.format = text(v)?,
                "quality" => s.quality = text(v)?,
                "includeCost" => s.include_cost = v.as_bool()?,
                "safety" => s.safety = text(v)?,
                "ttl" => s.ttl = text(v)?,
                "webhook" => s.webhook = text(v)?,
                "upload" => s.upload = text(v)?,
                _ => {}
            }
        }
        Some(s)
    }
}

/// The settings of a past request, as the form would hold them (`crop` is not part of a
/// request: it is left on).
pub fn of_request(r: &VideoInference) -> DraftSettings {
    let text = |p: &Option<runware::Prompt>| {
        p.as_ref()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default()
    };
    let url = |u: &Option<runware::HttpUrl>| {
        u.as_ref()
            .map(|u| u.as_str().to_owned())
            .unwrap_or_default()
    };
    DraftSettings {
        prompt: r.positive_prompt.as_str().to_owned(),
        negative_prompt: text(&r.negative_prompt),
        tier: r.size.map_or(Tier::P1080, |s| s.tier()).label().into(),
        aspect: aspect_label(r.size.map(|s| s.aspect())).into(),
        crop: true,
        duration: r.duration_or_default().seconds(),
        cfg: r.cfg_scale_or_default().to_string(),
        results: r.number_results_or_default().get(),
        seed: None,
        format: r.output_format_or_default().as_str().into(),
        quality: r.output_quality_or_default().to_string(),
        include_cost: r.include_cost_or_default(),
        safety: r.safety_mode().as_str().into(),
        ttl: r.ttl.map(|t| t.to_string()).unwrap_or_default(),
        webhook: url(&r.webhook_url),
        upload: url(&r.upload_endpoint),
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, as UTF-8 bytes.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (and `+` as a space, as forms write it); `None` for a broken escape or
/// bytes that are not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_spec_defaults() {
        let d = DraftSettings::default();
        assert_eq!((d.duration, d.cfg.as_str(), d.results), (5, "0.5", 1));
        assert_eq!(
            (d.format.as_str(), d.quality.as_str(), d.safety.as_str()),
            ("MP4", "95", "none")
        );
        assert!(!d.include_cost && d.seed.is_none());
        assert_eq!(DraftSettings::default().to_fragment(), "v=1");
    }

    #[test]
    fn a_share_fragment_round_trips_and_leaves_out_endpoints() {
        let s = DraftSettings {
            prompt: "A cat & a dog, 100% \"happy\" — ünïcode".into(),
            negative_prompt: "blur".into(),
            tier: "720p".into(),
            aspect: "9:16".into(),
            crop: false,
            duration: 10,
            cfg: "0.73".into(),
            results: 3,
            seed: Some("42".into()),
            format: "WEBM".into(),
            quality: "80".into(),
            include_cost: true,
            safety: "full".into(),
            ttl: "3600".into(),
            webhook: "https://hooks.example/secret-token".into(),
            upload: "https://put.example/x?sig=abc".into(),
        };
        let fragment = s.to_fragment();
        assert!(
            !fragment.contains("secret") && !fragment.contains("sig") && !fragment.contains("3600")
        );
        assert!(fragment.starts_with("v=1&prompt=A%20cat%20%26%20a%20dog"));
        let back = DraftSettings::from_fragment(&format!("#{fragment}")).expect("a share fragment");
        let expected = DraftSettings {
            ttl: String::new(),
            webhook: String::new(),
            upload: String::new(),
            ..s
        };
        assert_eq!(back, expected);
    }

    #[test]
    fn a_past_request_fills_every_setting() {
        let raw = serde_json::json!({
            "taskType": "videoInference", "taskUUID": "6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f",
            "model": "klingai:5@2", "inputs": {"frameImages": ["https://e.com/a.png"]},
            "positivePrompt": "A cat", "width": 720, "height": 1280, "duration": 10, "CFGScale": 0.29,
            "seed": 77, "numberResults": 2, "outputFormat": "MOV", "outputQuality": 60,
            "includeCost": true, "safety": {"checkContent": true}, "ttl": 600,
            "webhookURL": "https://hook.example/x"
        });
        let request = runware::validate_video_inference(&raw).expect("valid");
        let s = of_request(&request);
        assert_eq!(
            (s.tier.as_str(), s.aspect.as_str(), s.duration),
            ("720p", "9:16", 10)
        );
        assert_eq!(
            (s.cfg.as_str(), s.results, s.seed.as_deref()),
            ("0.29", 2, Some("77"))
        );
        assert_eq!(
            (s.format.as_str(), s.quality.as_str(), s.safety.as_str()),
            ("MOV", "60", "fast")
        );
        assert!(s.include_cost && s.ttl == "600" && s.webhook == "https://hook.example/x");
        let bare = raw_minimal();
        let s = of_request(&bare);
        assert_eq!(s, DraftSettings::default());
    }

    fn raw_minimal() -> VideoInference {
        let raw = serde_json::json!({
            "taskType": "videoInference", "taskUUID": "6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f",
            "model": "klingai:5@2", "inputs": {"frameImages": ["https://e.com/a.png"]}
        });
        runware::validate_video_inference(&raw).expect("valid")
    }

    #[test]
    fn stored_settings_read_back_as_serde_wrote_them() {
        let s = DraftSettings {
            prompt: "A \"cat\" ü".into(),
            seed: Some("7".into()),
            results: 4,
            duration: 10,
            include_cost: true,
            ..DraftSettings::default()
        };
        let text = serde_json::to_string(&s).expect("encodes");
        let back = serde_json::from_str::<Value>(&text).expect("json");
        assert_eq!(DraftSettings::from_json(&back), Some(s));
        let read = |text: &str| {
            serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|v| DraftSettings::from_json(&v))
        };
        assert_eq!(
            read(r#"{"seed":null,"zzz":[1]}"#),
            Some(DraftSettings::default())
        );
        for broken in [
            r#"{"prompt":1}"#,
            r#"{"duration":5.0}"#,
            r#"{"results":256}"#,
            r#"{"crop":"yes"}"#,
            r#"{"seed":7}"#,
            "[]",
            "null",
        ] {
            assert_eq!(read(broken), None, "{broken}");
        }
    }

    #[test]
    fn other_fragments_and_damaged_values_are_handled() {
        assert_eq!(DraftSettings::from_fragment("#ks-form"), None);
        let s = DraftSettings::from_fragment(
            "v=1&duration=7&results=9&tier=4k&aspect=4:3&format=gif&prompt=%E2%28&safety=x&zzz=1",
        )
        .expect("a share fragment");
        assert_eq!(s, DraftSettings::default());
        assert_eq!(percent_decode("a+b%20c"), Some("a b c".into()));
        assert_eq!(percent_decode("%2"), None);
    }
}
