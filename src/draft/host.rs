//! What an embedding page configures for the form (`data-default-…`, `data-lock`, `data-hide`):
//! defaults read into the draft's settings, checked by the `runware` crate's own constructors,
//! with a sentence for each one that cannot be used.

use runware::{CfgScale, HttpUrl, NumberResults, OutputQuality, Ttl};

use super::settings::{self, DraftSettings};
use crate::host_options::Field;

/// Sets `field` of `s` from the text of its `data-default-…` attribute, or says why it cannot.
pub fn apply_default(s: &mut DraftSettings, field: Field, text: &str) -> Result<(), String> {
    let value = text.trim();
    let refuse = |why: &str| {
        Err(format!(
            "data-default-{}=\"{value}\" {why}; using the default",
            field.name()
        ))
    };
    let number = || crate::num::parse_decimal(value);
    match field {
        Field::Prompt => s.prompt = text.to_string(),
        Field::NegativePrompt => s.negative_prompt = text.to_string(),
        Field::Resolution => match runware::Tier::ALL.into_iter().find(|t| t.label() == value) {
            Some(tier) => s.tier = tier.label().into(),
            None => return refuse("is not 720p or 1080p"),
        },
        Field::Aspect => match (value, settings::aspect_of(value)) {
            ("auto", _) => s.aspect = settings::AUTO.into(),
            (_, Some(aspect)) => s.aspect = aspect.label().into(),
            _ => return refuse("is not 16:9, 1:1, 9:16 or auto"),
        },
        Field::Duration => match value
            .parse::<u32>()
            .ok()
            .map(runware::Duration::from_seconds)
        {
            Some(Ok(d)) => s.duration = d.seconds(),
            _ => return refuse("is not 5 or 10"),
        },
        Field::CfgScale => match number().map(CfgScale::new) {
            Some(Ok(cfg)) => s.cfg = cfg.to_string(),
            Some(Err(e)) => return refuse(&format!("is refused: {e}")),
            None => return refuse("is not a number"),
        },
        Field::Results => match value.parse::<u8>().ok().map(NumberResults::new) {
            Some(Ok(n)) => s.results = n.get(),
            _ => return refuse("is not a whole number from 1 to 4"),
        },
        Field::Format => match runware::OutputFormat::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(value))
        {
            Some(format) => s.format = format.as_str().into(),
            None => return refuse("is not MP4, WEBM or MOV"),
        },
        Field::Quality => match value.parse::<u8>().ok().map(OutputQuality::new) {
            Some(Ok(q)) => s.quality = q.to_string(),
            _ => return refuse("is not a whole number from 20 to 99"),
        },
        Field::IncludeCost => match value {
            "true" | "yes" | "on" => s.include_cost = true,
            "false" | "no" | "off" => s.include_cost = false,
            _ => return refuse("is not true or false"),
        },
        Field::Safety => match value {
            "off" | "none" => s.safety = "none".into(),
            "fast" | "full" => s.safety = value.into(),
            _ => return refuse("is not off, fast or full"),
        },
        Field::Ttl => match value.parse::<u64>().ok().map(Ttl::new) {
            Some(Ok(ttl)) => s.ttl = ttl.to_string(),
            _ => return refuse("is not a whole number of seconds, at least 60"),
        },
        Field::WebhookUrl => match HttpUrl::webhook(value) {
            Ok(url) => s.webhook = url.to_string(),
            Err(_) => return refuse("is not an absolute http or https URL"),
        },
        Field::UploadEndpoint => match HttpUrl::upload_endpoint(value) {
            Ok(url) => s.upload = url.to_string(),
            Err(_) => return refuse("is not an absolute http or https URL"),
        },
    }
    Ok(())
}

/// `into` with the values of `from` copied for each of `fields` (locked fields keep the site's
/// value whatever a saved draft, preset, link or past job says).
pub fn keep(into: &mut DraftSettings, from: &DraftSettings, fields: &[Field]) {
    for field in fields {
        match field {
            Field::Prompt => into.prompt.clone_from(&from.prompt),
            Field::NegativePrompt => into.negative_prompt.clone_from(&from.negative_prompt),
            Field::Resolution => into.tier.clone_from(&from.tier),
            Field::Aspect => into.aspect.clone_from(&from.aspect),
            Field::Duration => into.duration = from.duration,
            Field::CfgScale => into.cfg.clone_from(&from.cfg),
            Field::Results => into.results = from.results,
            Field::Format => into.format.clone_from(&from.format),
            Field::Quality => into.quality.clone_from(&from.quality),
            Field::IncludeCost => into.include_cost = from.include_cost,
            Field::Safety => into.safety.clone_from(&from.safety),
            Field::Ttl => into.ttl.clone_from(&from.ttl),
            Field::WebhookUrl => into.webhook.clone_from(&from.webhook),
            Field::UploadEndpoint => into.upload.clone_from(&from.upload),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_defaults_are_taken_in_the_forms_terms() {
        let mut s = DraftSettings::default();
        for (field, text) in [
            (Field::Resolution, "720p"),
            (Field::Aspect, "9:16"),
            (Field::Duration, "10"),
            (Field::CfgScale, "0.7"),
            (Field::Results, "2"),
            (Field::Format, "webm"),
            (Field::Quality, "80"),
            (Field::IncludeCost, "true"),
            (Field::Safety, "off"),
            (Field::Ttl, "600"),
            (Field::WebhookUrl, "https://h.example/x"),
        ] {
            apply_default(&mut s, field, text).expect(text);
        }
        assert_eq!(
            (s.tier.as_str(), s.aspect.as_str(), s.duration),
            ("720p", "9:16", 10)
        );
        assert_eq!((s.cfg.as_str(), s.results), ("0.7", 2));
        assert_eq!(
            (s.format.as_str(), s.quality.as_str(), s.safety.as_str()),
            ("WEBM", "80", "none")
        );
        assert!(s.include_cost && s.ttl == "600" && s.webhook == "https://h.example/x");
    }

    #[test]
    fn bad_defaults_are_named_and_leave_the_setting_alone() {
        let mut s = DraftSettings::default();
        let e = apply_default(&mut s, Field::Duration, "7").expect_err("refused");
        assert_eq!(
            e,
            "data-default-duration=\"7\" is not 5 or 10; using the default"
        );
        let e = apply_default(&mut s, Field::CfgScale, "1.5").expect_err("refused");
        assert!(e.contains("CFGScale must be between 0 and 1"), "{e}");
        assert!(apply_default(&mut s, Field::Ttl, "10").is_err());
        assert!(apply_default(&mut s, Field::UploadEndpoint, "ftp://x").is_err());
        assert_eq!(s, DraftSettings::default());
    }

    #[test]
    fn locked_fields_keep_the_sites_values() {
        let site = DraftSettings {
            duration: 5,
            prompt: "Site".into(),
            ..DraftSettings::default()
        };
        let mut loaded = DraftSettings {
            duration: 10,
            prompt: "Mine".into(),
            results: 3,
            ..DraftSettings::default()
        };
        keep(&mut loaded, &site, &[Field::Duration, Field::Prompt]);
        assert_eq!(
            (loaded.duration, loaded.prompt.as_str(), loaded.results),
            (5, "Site", 3)
        );
    }
}
