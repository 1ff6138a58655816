//! Over WebSocket, answers carry no request id: they are matched to the questions waiting for
//! them by `taskUUID` (and by kind for authentication and ping). This module does the matching,
//! as plain data, so that its rules are tested natively.

use runware::ErrorCode;
use runware::reply::{Item, Reply};

use super::TransportError;

/// What a waiting question expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Answers about these tasks (lower-case `taskUUID`s).
    Tasks(Vec<String>),
    /// A pong.
    Pong,
    /// The answer to `authentication`.
    Auth,
}

/// A question waiting for its answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Waiting {
    /// The question's id.
    pub id: u64,
    /// What answers it.
    pub expects: Expect,
    /// What has come so far.
    pub got: Reply,
    /// The tasks answered so far.
    pub answered: Vec<String>,
}

impl Waiting {
    /// A question expecting `expects`.
    pub fn new(id: u64, expects: Expect) -> Self {
        Waiting {
            id,
            expects,
            got: Reply::default(),
            answered: Vec::new(),
        }
    }

    fn expects_task(&self, task_uuid: &str) -> bool {
        matches!(&self.expects, Expect::Tasks(ids) if ids.iter().any(|id| id.eq_ignore_ascii_case(task_uuid)))
    }

    fn note(&mut self, task_uuid: &str) {
        let id = task_uuid.to_ascii_lowercase();
        if !self.answered.contains(&id) {
            self.answered.push(id);
        }
    }

    fn complete(&self) -> bool {
        match &self.expects {
            Expect::Tasks(ids) => ids.iter().all(|id| self.answered.contains(id)),
            Expect::Pong | Expect::Auth => !self.got.data.is_empty() || !self.got.errors.is_empty(),
        }
    }
}

/// What a message did.
#[derive(Debug, Default, PartialEq)]
pub struct Routed {
    /// Questions now answered, with their answers.
    pub finished: Vec<(u64, Result<Reply, TransportError>)>,
    /// Parts of the message no question claimed: pushed results, replays.
    pub unclaimed: Option<Reply>,
}

/// Whether an error code says "try again later" rather than "this is wrong". Servers name these
/// after the HTTP status they stand for, which WebSocket has no room for.
pub fn is_transient_code(code: &ErrorCode) -> bool {
    let code = code.as_str().to_ascii_lowercase();
    [
        "ratelimit",
        "toomany",
        "unavailable",
        "internal",
        "gateway",
        "overload",
        "busy",
    ]
    .iter()
    .any(|word| code.contains(word))
}

/// Hands out one decoded message among `waiting` (oldest first); answered questions are removed.
pub fn route(waiting: &mut Vec<Waiting>, reply: Reply) -> Routed {
    let mut unclaimed = Reply::default();
    for item in reply.data {
        let target = match &item {
            Item::Authentication { .. } => waiting.iter().position(|w| w.expects == Expect::Auth),
            Item::Pong => waiting.iter().position(|w| w.expects == Expect::Pong),
            other => other
                .task_uuid()
                .and_then(|id| waiting.iter().position(|w| w.expects_task(id))),
        };
        match target {
            Some(i) => {
                if let Some(id) = item.task_uuid() {
                    waiting[i].note(id);
                }
                waiting[i].got.data.push(item);
            }
            None if matches!(item, Item::Authentication { .. } | Item::Pong) => {}
            None => unclaimed.data.push(item),
        }
    }
    let mut failed: Vec<(u64, TransportError)> = Vec::new();
    for error in reply.errors {
        if let Some(id) = error.task_uuid.clone() {
            match waiting.iter().position(|w| w.expects_task(&id)) {
                Some(i) => {
                    waiting[i].note(&id);
                    waiting[i].got.errors.push(error);
                }
                None => unclaimed.errors.push(error),
            }
            continue;
        }
        // No task named: the answer to a whole question, given to the one asked first.
        let auth = waiting.iter().position(|w| w.expects == Expect::Auth);
        let Some(i) = auth.or_else(|| {
            waiting
                .iter()
                .position(|w| matches!(w.expects, Expect::Tasks(_)))
        }) else {
            continue;
        };
        if auth.is_none() && is_transient_code(&error.code) {
            failed.push((
                waiting[i].id,
                TransportError::Busy {
                    status: 503,
                    retry_after_ms: None,
                    detail: Some(format!("{}: {}", error.code, error.message)),
                },
            ));
            waiting.remove(i);
            continue;
        }
        let w = &mut waiting[i];
        w.got.errors.push(error);
        if let Expect::Tasks(ids) = &w.expects {
            w.answered = ids.clone();
        }
    }
    let mut routed = Routed {
        finished: failed.into_iter().map(|(id, e)| (id, Err(e))).collect(),
        unclaimed: (!unclaimed.data.is_empty() || !unclaimed.errors.is_empty())
            .then_some(unclaimed),
    };
    let mut i = 0;
    while i < waiting.len() {
        if waiting[i].complete() {
            let done = waiting.remove(i);
            routed.finished.push((done.id, Ok(done.got)));
        } else {
            i += 1;
        }
    }
    routed
}

/// A message that could not be decoded: it cannot be told whose it was, so the oldest question
/// about tasks gets the error (and retries); the others keep waiting.
pub fn route_malformed(waiting: &mut Vec<Waiting>, body: String) -> Routed {
    let mut routed = Routed::default();
    if let Some(i) = waiting
        .iter()
        .position(|w| matches!(w.expects, Expect::Tasks(_)))
    {
        let w = waiting.remove(i);
        routed
            .finished
            .push((w.id, Err(TransportError::Malformed { status: None, body })));
    }
    routed
}

/// The connection is gone: every question fails with `reason`.
pub fn fail_all(waiting: &mut Vec<Waiting>, reason: &str) -> Routed {
    Routed {
        finished: waiting
            .drain(..)
            .map(|w| (w.id, Err(TransportError::Unreachable(reason.to_owned()))))
            .collect(),
        unclaimed: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runware::reply::decode;

    const A: &str = "6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f";
    const B: &str = "11111111-2222-4333-8444-555555555555";

    fn processing(id: &str) -> String {
        format!(r#"{{"taskType":"videoInference","taskUUID":"{id}","status":"processing"}}"#)
    }

    fn msg(text: &str) -> Reply {
        decode(text.as_bytes()).expect("a reply")
    }

    #[test]
    fn a_batch_is_answered_when_every_task_is() {
        let mut waiting = vec![Waiting::new(1, Expect::Tasks(vec![A.into(), B.into()]))];
        let r = route(
            &mut waiting,
            msg(&format!(r#"{{"data":[{}]}}"#, processing(A))),
        );
        assert!(r.finished.is_empty());
        assert_eq!(waiting[0].answered, vec![A.to_string()]);
        let r = route(
            &mut waiting,
            msg(&format!(
                r#"{{"data":[{}]}}"#,
                processing(&B.to_uppercase())
            )),
        );
        assert_eq!(r.finished.len(), 1);
        assert!(matches!(&r.finished[0], (1, Ok(reply)) if reply.data.len() == 2));
        assert!(waiting.is_empty());
    }

    #[test]
    fn pushed_results_go_unclaimed_and_pongs_to_their_ping() {
        let mut waiting = vec![
            Waiting::new(7, Expect::Pong),
            Waiting::new(8, Expect::Tasks(vec![A.into()])),
        ];
        let pushed = format!(
            r#"{{"data":[{{"taskType":"ping","pong":true}},{{"taskType":"videoInference","taskUUID":"{B}","status":"success","videoURL":"u"}}]}}"#
        );
        let r = route(&mut waiting, msg(&pushed));
        assert_eq!(r.finished.len(), 1);
        assert_eq!(r.finished[0].0, 7);
        assert_eq!(r.unclaimed.map(|u| u.data.len()), Some(1));
        assert_eq!(waiting.len(), 1);
    }

    #[test]
    fn errors_without_a_task_answer_the_oldest_question() {
        let mut waiting = vec![
            Waiting::new(1, Expect::Tasks(vec![A.into()])),
            Waiting::new(2, Expect::Tasks(vec![B.into()])),
        ];
        let busy = msg(r#"{"errors":[{"code":"serviceUnavailable","message":"busy"}]}"#);
        let r = route(&mut waiting, busy);
        assert!(matches!(
            &r.finished[..],
            [(1, Err(TransportError::Busy { .. }))]
        ));
        let credits = msg(r#"{"errors":[{"code":"insufficientCredits","message":"top up"}]}"#);
        let r = route(&mut waiting, credits);
        assert!(matches!(&r.finished[..], [(2, Ok(reply))] if reply.errors.len() == 1));
    }

    #[test]
    fn authentication_failures_go_to_the_authentication() {
        let mut waiting = vec![
            Waiting::new(1, Expect::Tasks(vec![A.into()])),
            Waiting::new(2, Expect::Auth),
        ];
        let r = route(
            &mut waiting,
            msg(r#"{"errors":[{"code":"invalidApiKey","message":"no"}]}"#),
        );
        assert!(matches!(&r.finished[..], [(2, Ok(reply))] if reply.errors.len() == 1));
    }

    #[test]
    fn unreadable_messages_and_lost_connections_fail_questions() {
        let mut waiting = vec![
            Waiting::new(1, Expect::Pong),
            Waiting::new(2, Expect::Tasks(vec![A.into()])),
        ];
        let r = route_malformed(&mut waiting, "{\"da".into());
        assert!(matches!(
            &r.finished[..],
            [(2, Err(TransportError::Malformed { .. }))]
        ));
        let r = fail_all(&mut waiting, "closed");
        assert!(matches!(
            &r.finished[..],
            [(1, Err(TransportError::Unreachable(_)))]
        ));
        assert!(waiting.is_empty());
    }

    #[test]
    fn transient_codes_are_recognised() {
        for code in [
            "rateLimitExceeded",
            "serviceUnavailable",
            "internalServerError",
            "gatewayTimeout",
        ] {
            assert!(is_transient_code(&ErrorCode::parse(code)), "{code}");
        }
        for code in ["insufficientCredits", "invalidApiKey", "timeoutProvider"] {
            assert!(!is_transient_code(&ErrorCode::parse(code)), "{code}");
        }
    }
}
