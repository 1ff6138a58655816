//! Event handlers behind one type per event.
//!
//! Every `on:` handler is a closure of its own type, and the view code that attaches it is
//! compiled once per type: a few hundred bytes of wasm for each of the studio's ~100 handlers.
//! Boxed, all handlers of an event share one type, so that code is compiled once per event.

/// `f` as a boxed event handler, for `on:event=handler(move |ev| …)`.
pub fn handler<E>(f: impl FnMut(E) + 'static) -> Box<dyn FnMut(E)> {
    Box::new(f)
}
