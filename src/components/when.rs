//! A non-generic `<Show>`: the same behaviour (children built when the condition turns true,
//! kept while it stays true), compiled once for every use instead of once per condition type.

use leptos::prelude::*;

/// A condition for [`When`]: a closure, boxed so that every condition has the same type.
pub type Condition = Box<dyn Fn() -> bool + Send + Sync>;

/// `f` as a [`Condition`].
pub fn condition(f: impl Fn() -> bool + Send + Sync + 'static) -> Condition {
    Box::new(f)
}

/// Its children while `when` is true, else its fallback (nothing by default). Only a change of
/// the condition itself rebuilds them.
#[component]
pub fn When(
    /// Whether the children are shown (tracked).
    when: Condition,
    /// What is shown while `when` is true.
    children: ChildrenFn,
    /// What is shown while it is false.
    #[prop(optional, into)]
    fallback: ViewFn,
) -> impl IntoView {
    let shown = Memo::new(move |_| when());
    move || {
        if shown.get() {
            children()
        } else {
            fallback.run()
        }
    }
}
