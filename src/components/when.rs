//! A non-generic `<Show>`: the same behaviour (children built when the condition turns true,
//! kept while it stays true), compiled once for every use instead of once per condition type.

use leptos::prelude::*;

/// Its children while `when` is true, else its fallback (nothing by default). Only a change of
/// the condition itself rebuilds them.
#[component]
pub fn When(
    /// Whether the children are shown.
    when: Signal<bool>,
    /// What is shown while `when` is true.
    children: ChildrenFn,
    /// What is shown while it is false.
    #[prop(optional, into)]
    fallback: ViewFn,
) -> impl IntoView {
    let shown = Memo::new(move |_| when.get());
    move || {
        if shown.get() {
            children()
        } else {
            fallback.run()
        }
    }
}
