//! WebSocket sessions: the `connectionSessionUUID` handed out on authentication, outliving the
//! socket that created it.
//!
//! Every reply meant for a session goes through [`Sessions::deliver`]: while a socket is attached
//! it is sent at once, otherwise it is buffered, and a later socket that authenticates with the
//! same `connectionSessionUUID` receives the buffer first. A resume takes the session over from a
//! socket that is still attached (whose writer then stops, closing it).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use uuid::Uuid;

/// Most replies kept for a disconnected session; older ones are dropped first.
const BUFFER_LIMIT: usize = 1000;

/// The sending half of an attached socket.
pub type Outbox = mpsc::UnboundedSender<String>;

#[derive(Debug)]
struct Session {
    api_key: String,
    outbox: Option<(u64, Outbox)>,
    buffer: VecDeque<String>,
    detached_at: Option<Instant>,
}

/// All sessions of the server.
#[derive(Debug, Default)]
pub struct Sessions {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    sessions: HashMap<Uuid, Session>,
    next_attachment: u64,
}

/// A socket's hold on a session; pass it back to [`Sessions::detach`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attachment {
    /// The session.
    pub session: Uuid,
    id: u64,
}

/// Why a resume was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResumeError {
    /// No such session, or it expired.
    #[error("unknown or expired connectionSessionUUID")]
    Unknown,
    /// The session belongs to another API key.
    #[error("the session belongs to another API key")]
    OtherKey,
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Sessions hold plain data; a panic elsewhere cannot leave them inconsistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens a new session for `api_key`, attached to `outbox`, and sends it the greeting (the
    /// authentication reply, which names the new session).
    pub fn open(
        &self,
        api_key: &str,
        outbox: Outbox,
        greeting: impl FnOnce(Uuid) -> String,
    ) -> Attachment {
        let mut inner = self.lock();
        inner.next_attachment += 1;
        let id = inner.next_attachment;
        let session = Uuid::new_v4();
        let _ = outbox.send(greeting(session));
        inner.sessions.insert(
            session,
            Session {
                api_key: api_key.to_owned(),
                outbox: Some((id, outbox)),
                buffer: VecDeque::new(),
                detached_at: None,
            },
        );
        Attachment { session, id }
    }

    /// Attaches `outbox` to an existing session: sends it `greeting` (the authentication reply),
    /// then the buffered replies. Returns the attachment and how many replies were replayed.
    pub fn resume(
        &self,
        session: Uuid,
        api_key: &str,
        outbox: Outbox,
        greeting: String,
    ) -> Result<(Attachment, usize), ResumeError> {
        let mut inner = self.lock();
        inner.next_attachment += 1;
        let id = inner.next_attachment;
        let entry = inner
            .sessions
            .get_mut(&session)
            .ok_or(ResumeError::Unknown)?;
        if entry.api_key != api_key {
            return Err(ResumeError::OtherKey);
        }
        let replayed = entry.buffer.len();
        let _ = outbox.send(greeting);
        for message in entry.buffer.drain(..) {
            // A socket that is already gone simply leaves the message unsent; the client resumes
            // again and the session goes on buffering from then on.
            let _ = outbox.send(message);
        }
        entry.outbox = Some((id, outbox));
        entry.detached_at = None;
        Ok((Attachment { session, id }, replayed))
    }

    /// Marks the socket of `attachment` gone, unless a newer socket took the session over.
    pub fn detach(&self, attachment: Attachment) {
        let mut inner = self.lock();
        if let Some(entry) = inner.sessions.get_mut(&attachment.session)
            && matches!(entry.outbox, Some((id, _)) if id == attachment.id)
        {
            entry.outbox = None;
            entry.detached_at = Some(Instant::now());
        }
    }

    /// Sends `message` to the session's socket, or buffers it while there is none.
    /// Returns false when the session does not exist (any more).
    pub fn deliver(&self, session: Uuid, message: String) -> bool {
        let mut inner = self.lock();
        let Some(entry) = inner.sessions.get_mut(&session) else {
            return false;
        };
        let message = match &entry.outbox {
            Some((_, outbox)) => match outbox.send(message) {
                Ok(()) => return true,
                // The socket closed but has not detached yet: keep the reply for a resume.
                Err(mpsc::error::SendError(message)) => message,
            },
            None => message,
        };
        if entry.buffer.len() >= BUFFER_LIMIT {
            entry.buffer.pop_front();
        }
        entry.buffer.push_back(message);
        true
    }

    /// Forgets sessions detached for longer than `retention`.
    pub fn expire(&self, retention: Duration) {
        let now = Instant::now();
        self.lock().sessions.retain(|_, s| match s.detached_at {
            Some(at) => now.duration_since(at) < retention,
            None => true,
        });
    }

    /// Whether the session exists.
    pub fn exists(&self, session: Uuid) -> bool {
        self.lock().sessions.contains_key(&session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_while_detached_and_replays_on_resume() {
        let sessions = Sessions::default();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let a = sessions.open("k", tx, |id| id.to_string());
        assert_eq!(rx.try_recv().unwrap(), a.session.to_string());
        assert!(sessions.deliver(a.session, "one".into()));
        assert_eq!(rx.try_recv().unwrap(), "one");
        sessions.detach(a);
        assert!(sessions.deliver(a.session, "two".into()));
        let (tx2, mut rx2) = mpsc::unbounded_channel();
        assert_eq!(
            sessions.resume(a.session, "other", tx2.clone(), "hi".into()),
            Err(ResumeError::OtherKey)
        );
        let (b, replayed) = sessions.resume(a.session, "k", tx2, "hi".into()).unwrap();
        assert_eq!(replayed, 1);
        assert_eq!(rx2.try_recv().unwrap(), "hi");
        assert_eq!(rx2.try_recv().unwrap(), "two");
        // The old socket's late detach must not detach the new one.
        sessions.detach(a);
        assert!(sessions.deliver(b.session, "three".into()));
        assert_eq!(rx2.try_recv().unwrap(), "three");
    }

    #[test]
    fn expiry_and_unknown_sessions() {
        let sessions = Sessions::default();
        let (tx, _rx) = mpsc::unbounded_channel();
        let a = sessions.open("k", tx, |_| String::new());
        sessions.detach(a);
        sessions.expire(Duration::ZERO);
        assert!(!sessions.exists(a.session));
        let (tx, _rx) = mpsc::unbounded_channel();
        assert_eq!(
            sessions.resume(a.session, "k", tx, "hi".into()).map(|_| ()),
            Err(ResumeError::Unknown)
        );
        assert!(!sessions.deliver(a.session, "x".into()));
    }
}
