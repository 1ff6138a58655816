//! CFG scale: a slider from "more creative" to "closer to the prompt", with the number editable.

use leptos::prelude::*;

use crate::components::aria_flag;

use crate::components::field_messages::{FieldMessages, has_messages, messages_id};
use crate::components::handler::handler;
use crate::draft::Draft;
use crate::draft::fields::Control;
use crate::host_options::Field;
use crate::num::{parse_decimal, short};

/// A hundredths value written the way people write it: `0.5`, `0.05`, `1`.
fn format_hundredths(h: u32) -> String {
    let text = format!("{}.{:02}", h / 100, h % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The CFG scale slider and its number box, both writing the same value.
#[component]
pub fn CfgSlider() -> impl IntoView {
    let draft = Draft::expect();
    let cfg = draft.cfg;
    let invalid = has_messages(Control::CfgScale);
    let locked = draft.is_locked(Field::CfgScale);
    let described = format!("ks-cfg-ends {}", messages_id(Control::CfgScale));
    view! {
        <div class="ks-field ks-cfg" hidden=draft.is_hidden(Field::CfgScale)>
            <div class="ks-field__head">
                <label class="ks-field__label" for="ks-cfg-range">
                    "Prompt adherence " <span class="ks-field__aside">"CFG scale"</span>
                </label>
                <input
                    class="ks-input ks-input--number"
                    class:ks-input--invalid=move || invalid.get()
                    id=Control::CfgScale.dom_id()
                    type="text"
                    inputmode="decimal"
                    disabled=locked
                    aria-label="CFG scale value, 0 to 1"
                    aria-describedby=messages_id(Control::CfgScale)
                    aria-invalid=move || aria_flag(invalid.get())
                    prop:value=move || cfg.get()
                    on:input=handler(move |ev| cfg.set(event_target_value(&ev)))
                />
            </div>
            <input
                class="ks-range"
                id="ks-cfg-range"
                type="range"
                disabled=locked
                min="0"
                max="1"
                step="0.01"
                aria-describedby=described
                aria-valuetext=move || cfg.get()
                // The slider shows the typed number when it reads as one; the validator judges the rest.
                prop:value=move || {
                    cfg.with(|t| parse_decimal(t))
                        .map_or_else(|| "0.5".to_string(), |v| short(v.clamp(0.0, 1.0), 2))
                }
                on:input=handler(move |ev| {
                    // The browser's decimal steps, read back as whole hundredths.
                    let v = parse_decimal(&event_target_value(&ev)).unwrap_or(0.5);
                    cfg.set(format_hundredths((v * 100.0).round() as u32));
                })
            />
            <div class="ks-cfg__ends" id="ks-cfg-ends">
                <span>"More creative"</span>
                <span>"Closer to the prompt"</span>
            </div>
            <FieldMessages control=Control::CfgScale />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::format_hundredths;

    #[test]
    fn hundredths_read_as_people_write_them() {
        let cases = [(0, "0"), (5, "0.05"), (50, "0.5"), (73, "0.73"), (100, "1")];
        for (h, text) in cases {
            assert_eq!(format_hundredths(h), text);
        }
    }
}
