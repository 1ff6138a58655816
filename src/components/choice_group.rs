//! A set of mutually exclusive options drawn as a segmented control: native radio buttons, so
//! the arrow keys move between options and screen readers announce a radio group.
//!
//! The group works on option indices, not on a value type: one copy of its rendering code
//! serves every group of the form (a generic component would be compiled once per value type,
//! which the bundle size budget feels).

use leptos::prelude::*;

use crate::components::handler::handler;

/// One option of a [`ChoiceGroup`].
#[derive(Clone, Copy)]
pub struct Choice {
    /// Its visible (and accessible) name.
    pub label: &'static str,
    /// An optional decorative drawing before the label (an SVG path in a 20×20 box).
    pub icon: Option<&'static str>,
}

impl Choice {
    /// An option with a label only.
    pub const fn new(label: &'static str) -> Self {
        Choice { label, icon: None }
    }

    /// An option with a decorative icon.
    pub const fn with_icon(label: &'static str, icon: &'static str) -> Self {
        Choice {
            label,
            icon: Some(icon),
        }
    }
}

/// The index signal and the setter of a group over `values`, bound to `value`.
pub fn bind<T>(values: &'static [T], value: RwSignal<T>) -> (Signal<usize>, Callback<usize>)
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let selected = Signal::derive(move || {
        let current = value.get();
        values.iter().position(|v| *v == current).unwrap_or(0)
    });
    let select = Callback::new(move |i: usize| {
        if let Some(v) = values.get(i) {
            value.set(*v);
        }
    });
    (selected, select)
}

/// A labelled segmented control.
#[component]
pub fn ChoiceGroup(
    /// The group's name, shown as its legend.
    legend: &'static str,
    /// The `name` shared by the radio buttons (unique in the form).
    name: &'static str,
    /// The options, in order.
    options: &'static [Choice],
    /// The index of the chosen option.
    selected: Signal<usize>,
    /// Called with the index of the option the user chooses.
    on_select: Callback<usize>,
    /// The group's id (the target of "go to this control" links).
    #[prop(optional)]
    id: Option<&'static str>,
    /// Ids of elements describing the group (hint, messages).
    #[prop(optional, into)]
    described_by: Option<String>,
    /// Locked by the embedding page: shown, not changeable.
    #[prop(optional)]
    disabled: bool,
    /// Hidden by the embedding page.
    #[prop(optional)]
    hidden: bool,
) -> impl IntoView {
    let legend_id = format!("{name}-legend");
    let labelled_by = legend_id.clone();
    let items = options
        .iter()
        .enumerate()
        .map(|(i, choice)| {
            view! {
                <label class="ks-choice__option">
                    <input
                        type="radio"
                        name=name
                        class="ks-choice__input"
                        disabled=disabled
                        prop:checked=move || selected.get() == i
                        on:change=handler(move |_| on_select.run(i))
                    />
                    <span class="ks-choice__face">
                        {choice.icon.map(|d| view! {
                            <svg class="ks-choice__icon" viewBox="0 0 20 20" aria-hidden="true">
                                <path d=d />
                            </svg>
                        }.into_any())}
                        {choice.label}
                    </span>
                </label>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <fieldset class="ks-choice" id=id role="radiogroup" aria-labelledby=labelled_by
            aria-describedby=described_by hidden=hidden>
            <legend class="ks-field__label" id=legend_id>{legend}</legend>
            <div class="ks-choice__options">{items}</div>
        </fieldset>
    }
}
