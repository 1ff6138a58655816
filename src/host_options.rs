//! The options a site owner sets with `data-` attributes on the host element.
//!
//! Parsing is pure (a list of attribute names and values in, options and warnings out) so every
//! rule is tested natively; the warnings go to the console, one per unknown or invalid attribute,
//! and the option falls back to its default.

use crate::config::{Backend, TransportChoice};

/// The studio's colour theme.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// Follow `prefers-color-scheme`.
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// The value of the root's `data-theme` attribute (`None`: follow the system).
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::Auto => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }
}

/// Whether visitors are asked for a Runware key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyPolicy {
    /// The visitor enters their own key (kept in memory unless they choose otherwise).
    #[default]
    Ask,
    /// No key field: the backend needs none (the simulator, or a server that adds the key itself).
    None,
}

/// A form field a site owner can preset, lock or hide, by its attribute name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// `positivePrompt`.
    Prompt,
    /// `negativePrompt`.
    NegativePrompt,
    /// The resolution tier of `width`×`height` (`720p`, `1080p`).
    Resolution,
    /// The aspect of `width`×`height` (`16:9`, `1:1`, `9:16`).
    Aspect,
    /// `duration` (5 or 10).
    Duration,
    /// `CFGScale` (0–1).
    CfgScale,
    /// `numberResults` (1–4).
    Results,
    /// `outputFormat`.
    Format,
    /// `outputQuality`.
    Quality,
    /// `includeCost`.
    IncludeCost,
    /// `safety.mode` (`off`, `fast`, `full`).
    Safety,
    /// `ttl`.
    Ttl,
    /// `webhookURL`.
    WebhookUrl,
    /// `uploadEndpoint`.
    UploadEndpoint,
}

impl Field {
    /// Every field, in form order.
    pub const ALL: [Field; 14] = [
        Field::Prompt,
        Field::NegativePrompt,
        Field::Resolution,
        Field::Aspect,
        Field::Duration,
        Field::CfgScale,
        Field::Results,
        Field::Format,
        Field::Quality,
        Field::IncludeCost,
        Field::Safety,
        Field::Ttl,
        Field::WebhookUrl,
        Field::UploadEndpoint,
    ];

    /// The field's name in attributes (`data-default-<name>`, `data-lock`, `data-hide`).
    pub fn name(self) -> &'static str {
        match self {
            Field::Prompt => "prompt",
            Field::NegativePrompt => "negative-prompt",
            Field::Resolution => "resolution",
            Field::Aspect => "aspect",
            Field::Duration => "duration",
            Field::CfgScale => "cfg-scale",
            Field::Results => "results",
            Field::Format => "format",
            Field::Quality => "quality",
            Field::IncludeCost => "include-cost",
            Field::Safety => "safety",
            Field::Ttl => "ttl",
            Field::WebhookUrl => "webhook-url",
            Field::UploadEndpoint => "upload-endpoint",
        }
    }

    /// The field named `name`, if any.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Everything the host element configures.
#[derive(Clone, Debug, PartialEq)]
pub struct HostOptions {
    /// The backend, when the attributes name one.
    pub backend: Option<Backend>,
    /// The transport, when the attributes name one.
    pub transport: Option<TransportChoice>,
    /// Colour theme.
    pub theme: Theme,
    /// A denser layout for small embeds: one column, smaller gaps.
    pub compact: bool,
    /// Whether the job history is shown.
    pub show_history: bool,
    /// Whether the developer panel is offered.
    pub show_developer: bool,
    /// Whether visitors are asked for a key.
    pub key_policy: KeyPolicy,
    /// Default values of form fields, as written (the form parses them and warns on bad ones).
    pub defaults: Vec<(Field, String)>,
    /// Fields whose value the visitor cannot change.
    pub locked: Vec<Field>,
    /// Fields not shown at all (their default still applies).
    pub hidden: Vec<Field>,
}

impl Default for HostOptions {
    fn default() -> Self {
        HostOptions {
            backend: None,
            transport: None,
            theme: Theme::Auto,
            compact: false,
            show_history: true,
            show_developer: true,
            key_policy: KeyPolicy::Ask,
            defaults: Vec::new(),
            locked: Vec::new(),
            hidden: Vec::new(),
        }
    }
}

fn flag(name: &str, value: &str, warnings: &mut Vec<String>) -> Option<bool> {
    match value.trim() {
        "" | "true" | "yes" | "on" | "show" => Some(true),
        "false" | "no" | "off" | "hide" => Some(false),
        other => {
            warnings.push(format!(
                "{name}=\"{other}\" is not true or false; using the default"
            ));
            None
        }
    }
}

fn fields(name: &str, value: &str, warnings: &mut Vec<String>) -> Vec<Field> {
    let mut out = Vec::new();
    for word in value
        .split([',', ' '])
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        match Field::from_name(word) {
            Some(f) if !out.contains(&f) => out.push(f),
            Some(_) => {}
            None => warnings.push(format!("{name} names {}", not_a_field(word))),
        }
    }
    out
}

/// Why `word` names no field, and which do exist. `seed` was a field before: Kling 2.1 Pro takes
/// none (each video reports the seed it used), so a page that still sets it is told so.
fn not_a_field(word: &str) -> String {
    let fields = Field::ALL.map(Field::name).join(", ");
    if word == "seed" {
        format!(
            "\"seed\", which KlingAI 2.1 Pro does not take (each video reports the seed it used); fields are: {fields}"
        )
    } else {
        format!("\"{word}\", which is not a field; fields are: {fields}")
    }
}

/// Reads the host element's attributes (`name`, `value` pairs, in any order).
pub fn parse<'a>(
    attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> (HostOptions, Vec<String>) {
    let mut o = HostOptions::default();
    let mut w = Vec::new();
    for (name, value) in attributes {
        if !name.starts_with("data-") {
            continue;
        }
        match name {
            "data-kling-studio" => {}
            "data-backend" => match value.trim() {
                "simulator" => o.backend = Some(Backend::Simulator),
                "runware" => o.backend = Some(Backend::Runware),
                other => w.push(format!(
                    "data-backend=\"{other}\" is not simulator or runware (for another server use data-backend-url); using the default"
                )),
            },
            "data-backend-url" => match Backend::custom(value) {
                Ok(b) => o.backend = Some(b),
                Err(e) => w.push(format!("data-backend-url=\"{value}\": {e}; using the default")),
            },
            "data-transport" => match value.trim() {
                "auto" => o.transport = Some(TransportChoice::Auto),
                "rest" => o.transport = Some(TransportChoice::Rest),
                "websocket" => o.transport = Some(TransportChoice::WebSocket),
                other => w.push(format!(
                    "data-transport=\"{other}\" is not auto, rest or websocket; using auto"
                )),
            },
            "data-theme" => match value.trim() {
                "auto" => o.theme = Theme::Auto,
                "light" => o.theme = Theme::Light,
                "dark" => o.theme = Theme::Dark,
                other => w.push(format!("data-theme=\"{other}\" is not light, dark or auto; using auto")),
            },
            "data-compact" => o.compact = flag(name, value, &mut w).unwrap_or(false),
            "data-history" => o.show_history = flag(name, value, &mut w).unwrap_or(true),
            "data-developer" => o.show_developer = flag(name, value, &mut w).unwrap_or(true),
            "data-key" => match value.trim() {
                "ask" => o.key_policy = KeyPolicy::Ask,
                "none" => o.key_policy = KeyPolicy::None,
                other => w.push(format!("data-key=\"{other}\" is not ask or none; using ask")),
            },
            "data-lock" => o.locked = fields(name, value, &mut w),
            "data-hide" => o.hidden = fields(name, value, &mut w),
            _ => match name.strip_prefix("data-default-").map(|f| (f, Field::from_name(f))) {
                Some((_, Some(field))) => o.defaults.push((field, value.to_string())),
                Some((f, None)) => w.push(format!("{name}: {}", not_a_field(f))),
                None => w.push(format!("{name} is not an attribute the studio knows; ignored")),
            },
        }
    }
    (o, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_attributes_give_the_defaults() {
        let (o, w) = parse([("data-kling-studio", "")]);
        assert_eq!(o, HostOptions::default());
        assert!(w.is_empty());
    }

    #[test]
    fn every_attribute_is_read() {
        let (o, w) = parse([
            ("data-backend-url", "http://127.0.0.1:8787/v1"),
            ("data-transport", "websocket"),
            ("data-theme", "dark"),
            ("data-compact", ""),
            ("data-history", "false"),
            ("data-developer", "hide"),
            ("data-key", "none"),
            ("data-default-duration", "5"),
            ("data-default-prompt", "a slow pan"),
            ("data-lock", "duration, resolution"),
            ("data-hide", "negative-prompt ttl"),
        ]);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(
            o.backend,
            Some(Backend::Custom("http://127.0.0.1:8787/v1".into()))
        );
        assert_eq!(o.transport, Some(TransportChoice::WebSocket));
        assert_eq!(o.theme, Theme::Dark);
        assert!(o.compact && !o.show_history && !o.show_developer);
        assert_eq!(o.key_policy, KeyPolicy::None);
        assert_eq!(
            o.defaults,
            vec![
                (Field::Duration, "5".into()),
                (Field::Prompt, "a slow pan".into())
            ]
        );
        assert_eq!(o.locked, vec![Field::Duration, Field::Resolution]);
        assert_eq!(o.hidden, vec![Field::NegativePrompt, Field::Ttl]);
    }

    #[test]
    fn each_bad_value_warns_once_and_falls_back() {
        let (o, w) = parse([
            ("data-theme", "purple"),
            ("data-transport", "carrier-pigeon"),
            ("data-backend", "elsewhere"),
            ("data-backend-url", "ftp://x"),
            ("data-history", "maybe"),
            ("data-key", "steal"),
            ("data-lock", "duration, colour"),
            ("data-default-speed", "fast"),
            ("data-size", "big"),
        ]);
        assert_eq!(w.len(), 9, "{w:#?}");
        assert_eq!(o.theme, Theme::Auto);
        assert_eq!(o.transport, None);
        assert_eq!(o.backend, None);
        assert!(o.show_history);
        assert_eq!(o.key_policy, KeyPolicy::Ask);
        assert_eq!(o.locked, vec![Field::Duration]);
        assert!(w.iter().any(|m| m.contains("colour")));
        assert!(w.iter().any(|m| m.contains("data-size")));
    }

    #[test]
    fn a_seed_is_refused_with_the_reason() {
        let (o, w) = parse([("data-default-seed", "42"), ("data-lock", "seed")]);
        assert!(o.defaults.is_empty() && o.locked.is_empty());
        assert_eq!(w.len(), 2, "{w:#?}");
        assert!(w.iter().all(|m| m.contains("does not take")), "{w:#?}");
    }

    #[test]
    fn other_attributes_are_left_alone() {
        let (_, w) = parse([("class", "studio"), ("id", "x"), ("style", "")]);
        assert!(w.is_empty());
    }

    #[test]
    fn field_names_round_trip() {
        for f in Field::ALL {
            assert_eq!(Field::from_name(f.name()), Some(f));
        }
    }
}
