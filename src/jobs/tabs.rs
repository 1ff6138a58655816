//! Several tabs, one poller: the tab holding a Web Lock polls every pending job; the others
//! follow through a BroadcastChannel. When the polling tab closes, the lock passes to another
//! tab, which picks up where it left off from the journal. A tab the user brings to the front
//! takes the lock over, because browsers slow down the timers of hidden tabs.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{BroadcastChannel, MessageEvent};

use super::json;
use super::model::Job;

const LOCK_NAME: &str = "kling-studio-poller";
/// Held by the tab sending a job, while it sends: `kling-studio-send-<taskUUID>`.
const SEND_PREFIX: &str = "kling-studio-send-";
const CHANNEL_NAME: &str = "kling-studio-jobs";

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks.request(name, options, callback)`; throws where Web Locks are missing.
    #[wasm_bindgen(js_namespace = ["navigator", "locks"], js_name = request, catch)]
    fn lock_request(name: &str, options: &Object, callback: &Function) -> Result<Promise, JsValue>;

    /// `navigator.locks.query()`: the locks held and asked for, by every tab of the origin.
    #[wasm_bindgen(js_namespace = ["navigator", "locks"], js_name = query, catch)]
    fn lock_query() -> Result<Promise, JsValue>;
}

/// The lock of a send in progress, released when dropped.
pub struct SendLock {
    state: Rc<RefCell<(bool, Option<Function>)>>,
}

impl Drop for SendLock {
    fn drop(&mut self) {
        let mut state = self.state.borrow_mut();
        state.0 = true;
        if let Some(release) = state.1.take() {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

/// Tells every tab that this one is sending job `id`, for as long as the value lives. A tab
/// that finds a job waiting to be sent with nobody holding its lock knows its sender is gone
/// (closed mid-send) and sends it at once.
pub fn sending(id: &str) -> SendLock {
    // (released already, the function that releases the granted lock)
    let state: Rc<RefCell<(bool, Option<Function>)>> = Rc::default();
    let granted = {
        let state = state.clone();
        Closure::once_into_js(move |_lock: JsValue| -> Promise {
            let mut held = None;
            let promise = Promise::new(&mut |resolve, _| held = Some(resolve));
            let mut s = state.borrow_mut();
            match (s.0, held) {
                (true, Some(resolve)) => {
                    let _ = resolve.call0(&JsValue::NULL);
                }
                (_, held) => s.1 = held,
            }
            promise
        })
    };
    let _ = lock_request(
        &format!("{SEND_PREFIX}{id}"),
        &Object::new(),
        granted.unchecked_ref(),
    );
    SendLock { state }
}

/// The jobs some tab is sending now; `None` where Web Locks are missing (nobody can tell).
pub async fn sends_in_progress() -> Option<Vec<String>> {
    let snapshot = JsFuture::from(lock_query().ok()?).await.ok()?;
    let mut ids = Vec::new();
    for list in ["held", "pending"] {
        let entries = Reflect::get(&snapshot, &list.into()).ok()?;
        for entry in js_sys::Array::from(&entries).iter() {
            let name = Reflect::get(&entry, &"name".into())
                .ok()
                .and_then(|n| n.as_string());
            if let Some(id) = name.as_deref().and_then(|n| n.strip_prefix(SEND_PREFIX)) {
                ids.push(id.to_owned());
            }
        }
    }
    Some(ids)
}

/// A message between tabs.
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// A job was added or changed: merge it.
    Upsert {
        /// The job as the sender holds it.
        job: Box<Job>,
    },
    /// A job was deleted.
    Remove {
        /// Its `taskUUID`.
        id: String,
    },
    /// Something for the polling tab to look at soon (a new job was accepted).
    Wake,
}

impl Note {
    /// The note as it travels: `{"kind":0,"job":…}`, `{"kind":1,"id":…}` or `{"kind":2}`.
    fn to_text(&self) -> String {
        let mut wire = Map::new();
        let kind = match self {
            Note::Upsert { job } => {
                wire.insert("job".to_owned(), job.to_json());
                0
            }
            Note::Remove { id } => {
                wire.insert("id".to_owned(), Value::from(id.as_str()));
                1
            }
            Note::Wake => 2,
        };
        wire.insert("kind".to_owned(), Value::from(kind));
        json::text(&Value::Object(wire))
    }

    fn from_text(text: &str) -> Option<Note> {
        let wire: Value = serde_json::from_str(text).ok()?;
        match wire.get("kind")?.as_u64()? {
            0 => Some(Note::Upsert {
                job: Box::new(Job::from_json(wire.get("job")?).ok()?),
            }),
            1 => Some(Note::Remove {
                id: wire.get("id")?.as_str()?.to_owned(),
            }),
            2 => Some(Note::Wake),
            _ => None,
        }
    }
}

/// The channel to the other tabs.
#[derive(Clone)]
pub struct Channel {
    channel: Option<BroadcastChannel>,
}

impl Channel {
    /// Opens the channel; `on_note` receives what the other tabs say.
    pub fn open(on_note: impl Fn(Note) + 'static) -> Self {
        let channel = BroadcastChannel::new(CHANNEL_NAME).ok();
        if let Some(channel) = &channel {
            let listener = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
                let note = event
                    .data()
                    .as_string()
                    .and_then(|text| Note::from_text(&text));
                if let Some(note) = note {
                    on_note(note);
                }
            });
            channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
            // The channel lives as long as the page: so does its listener.
            listener.forget();
        }
        Channel { channel }
    }

    /// Tells the other tabs.
    pub fn post(&self, note: &Note) {
        if let Some(channel) = &self.channel {
            let _ = channel.post_message(&JsValue::from_str(&note.to_text()));
        }
    }
}

/// This tab's part in the election.
struct Election {
    leader: bool,
    /// Aborts this tab's queued (not yet granted) request.
    queued: Option<web_sys::AbortController>,
    on_change: Rc<dyn Fn(bool)>,
}

/// Joins the election; `on_change(true)` when this tab becomes the polling tab, `false` when it
/// stops being it. Without Web Locks every tab polls (there is no safe way to agree).
pub fn elect(on_change: impl Fn(bool) + 'static) {
    let election = Rc::new(RefCell::new(Election {
        leader: false,
        queued: None,
        on_change: Rc::new(on_change),
    }));
    if !request(&election, false) {
        let on_change = election.borrow().on_change.clone();
        on_change(true);
        return;
    }
    // Bring-to-front takes over.
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(document) = document {
        let doc = document.clone();
        let listener = Closure::<dyn Fn()>::new(move || {
            let visible = doc.visibility_state() == web_sys::VisibilityState::Visible;
            if visible && !election.borrow().leader {
                if let Some(queued) = election.borrow_mut().queued.take() {
                    queued.abort();
                }
                request(&election, true);
            }
        });
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            listener.as_ref().unchecked_ref(),
        );
        listener.forget();
    }
}

/// Asks for the lock (`steal`: at once, taking it from its holder). False without Web Locks.
fn request(election: &Rc<RefCell<Election>>, steal: bool) -> bool {
    let options = Object::new();
    let controller = web_sys::AbortController::new().ok();
    if steal {
        let _ = Reflect::set(&options, &"steal".into(), &JsValue::TRUE);
    } else if let Some(controller) = &controller {
        let _ = Reflect::set(&options, &"signal".into(), &controller.signal());
    }
    let granted = {
        let election = election.clone();
        Closure::once_into_js(move |_lock: JsValue| -> Promise {
            let on_change = {
                let mut e = election.borrow_mut();
                e.leader = true;
                e.queued = None;
                e.on_change.clone()
            };
            on_change(true);
            // Held until the page goes away (or another tab steals it).
            Promise::new(&mut |_, _| {})
        })
    };
    let Ok(promise) = lock_request(LOCK_NAME, &options, granted.unchecked_ref()) else {
        return false;
    };
    if !steal {
        election.borrow_mut().queued = controller;
    }
    let election = election.clone();
    spawn_local(async move {
        // Settles only when the lock is lost: stolen by a tab brought to the front, or this
        // queued request aborted because this tab is stealing instead.
        if JsFuture::from(promise).await.is_err() {
            let was_leader = std::mem::replace(&mut election.borrow_mut().leader, false);
            if was_leader {
                let on_change = election.borrow().on_change.clone();
                on_change(false);
                request(&election, false);
            }
        }
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_travel_as_before() {
        // As the earlier serde derive wrote them: every member, `null` when unused.
        assert_eq!(
            Note::from_text(r#"{"kind":1,"job":null,"id":"a"}"#),
            Some(Note::Remove { id: "a".into() })
        );
        assert_eq!(
            Note::from_text(r#"{"kind":2,"job":null,"id":null}"#),
            Some(Note::Wake)
        );
        assert_eq!(Note::from_text(r#"{"kind":0,"job":null}"#), None);
        for note in [Note::Remove { id: "b".into() }, Note::Wake] {
            assert_eq!(Note::from_text(&note.to_text()), Some(note));
        }
    }
}
