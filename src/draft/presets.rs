//! Named presets of the generation settings, kept in this browser's local storage. A preset
//! holds [`DraftSettings`] only: never a frame, never the API key.
//!
//! The draft itself is kept there too, so that a reload does not lose a prompt being written.

use serde::Serialize;
use serde_json::Value;

use super::case::lowercase;
use super::settings::DraftSettings;
use crate::config::storage;

/// Where presets are kept.
const PRESETS_STORE: &str = "kling-studio.presets";
/// Where the settings of the form being edited are kept.
const DRAFT_STORE: &str = "kling-studio.draft";

/// A named set of settings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preset {
    /// The name the user gave it.
    pub name: String,
    /// The settings.
    pub settings: DraftSettings,
}

/// The stored document, versioned so that a later format can read an older one.
#[derive(Serialize)]
struct Stored {
    version: u32,
    presets: Vec<Preset>,
}

/// Adds `preset`, replacing one of the same name (names compare without regard to case or
/// surrounding spaces); the list stays sorted by name, case aside.
///
/// The list is always kept sorted, so the new preset is inserted at its place rather than the
/// list sorted again (a sort is one more generic instantiation in the wasm).
pub fn upsert(list: &mut Vec<Preset>, mut preset: Preset) {
    preset.name = preset.name.trim().to_owned();
    let key = lowercase(&preset.name);
    list.retain(|p| lowercase(&p.name) != key);
    let at = list
        .iter()
        .position(|p| lowercase(&p.name) > key)
        .unwrap_or(list.len());
    list.insert(at, preset);
}

/// Removes the preset called `name`.
pub fn remove(list: &mut Vec<Preset>, name: &str) {
    list.retain(|p| p.name != name);
}

/// Reads a stored list; anything unreadable is an empty list.
pub fn decode(text: &str) -> Vec<Preset> {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| read_stored(&v))
        .unwrap_or_default()
}

/// The presets of a stored document, or `None` when it is not one (a field missing or of the
/// wrong type), as derived deserializers of [`Stored`] and [`Preset`] would answer. Read by
/// hand: see [`DraftSettings::from_json`].
fn read_stored(value: &Value) -> Option<Vec<Preset>> {
    let version = value.get("version")?.as_u64()?;
    u32::try_from(version).ok()?;
    value
        .get("presets")?
        .as_array()?
        .iter()
        .map(|p| {
            Some(Preset {
                name: p.get("name")?.as_str()?.to_owned(),
                settings: DraftSettings::from_json(p.get("settings")?)?,
            })
        })
        .collect()
}

/// Writes a list for storage.
pub fn encode(list: &[Preset]) -> String {
    serde_json::to_string(&Stored {
        version: 1,
        presets: list.to_vec(),
    })
    .unwrap_or_default()
}

/// The presets saved in this browser.
pub fn load() -> Vec<Preset> {
    storage::get(PRESETS_STORE)
        .map(|t| decode(&t))
        .unwrap_or_default()
}

/// Saves the presets in this browser.
pub fn save(list: &[Preset]) {
    storage::set(PRESETS_STORE, &encode(list));
}

/// The form's settings saved at the last change, if any.
pub fn load_draft() -> Option<DraftSettings> {
    let value = serde_json::from_str::<Value>(&storage::get(DRAFT_STORE)?).ok()?;
    DraftSettings::from_json(&value)
}

/// Saves the form's settings.
pub fn save_draft(settings: &DraftSettings) {
    if let Ok(text) = serde_json::to_string(settings) {
        storage::set(DRAFT_STORE, &text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preset(name: &str, prompt: &str) -> Preset {
        Preset {
            name: name.into(),
            settings: DraftSettings {
                prompt: prompt.into(),
                ..DraftSettings::default()
            },
        }
    }

    #[test]
    fn saving_under_an_existing_name_replaces_it_and_keeps_the_order() {
        let mut list = Vec::new();
        upsert(&mut list, preset("Slow pan", "a"));
        upsert(&mut list, preset("  action ", "b"));
        upsert(&mut list, preset("slow PAN", "c"));
        let names: Vec<&str> = list.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["action", "slow PAN"]);
        assert_eq!(list[1].settings.prompt, "c");
        remove(&mut list, "action");
        assert_eq!(list.len(), 1);
    }

    #[test]
    fn the_stored_form_round_trips_and_holds_no_frame_or_key() {
        let list = vec![preset("One", "A cat")];
        let text = encode(&list);
        assert!(
            text.starts_with(
                r#"{"version":1,"presets":[{"name":"One","settings":{"prompt":"A cat""#
            )
        );
        assert!(!text.contains("apiKey") && !text.contains("frameImages"));
        assert_eq!(decode(&text), list);
        assert!(decode("not json").is_empty());
        // Settings saved by an older version, with fields missing, still load with defaults.
        let old = r#"{"version":1,"presets":[{"name":"Old","settings":{"prompt":"x"}}]}"#;
        assert_eq!(decode(old)[0].settings.duration, 5);
    }
}
