//! "Check with the server": the exact request the form would send, validated by the backend
//! itself in a dry run (nothing is generated, nothing is charged), and its verdict per field.
//!
//! Runware's JavaScript SDK asks for a dry run with `?dryRun=1` on the WebSocket URL; what a dry
//! run answers is not documented (spec §1). Ours, in one place here: an acknowledgement carrying
//! `"dryRun": true` passes, `errors` refuse, and an acknowledgement *without* the mark means the
//! server may have run the task after all, which the user is told plainly.

use runware::ApiError;
use runware::reply::{Item, Reply};
use serde_json::Value;

/// The query that turns a request into a dry run.
pub const DRY_RUN_QUERY: &str = "dryRun=1";

/// `url` with the dry-run query added (after any query it already has).
pub fn dry_run_url(url: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let joiner = if base.contains('?') { '&' } else { '?' };
    let mut out = format!("{base}{joiner}{DRY_RUN_QUERY}");
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Where the last check stands.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum ServerCheck {
    /// Not asked (or the form changed since, see [`ServerCheck::is_about`]).
    #[default]
    Idle,
    /// Asked; no answer yet.
    Checking {
        /// The request as checked, without its `taskUUID`.
        request: Value,
    },
    /// The server answered.
    Answered {
        /// The request as checked, without its `taskUUID`.
        request: Value,
        /// What it said.
        verdict: Verdict,
    },
}

/// What the server said of the request.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Valid: it would be accepted.
    Accepted,
    /// Refused, with every error the server gave.
    Refused(Vec<ApiError>),
    /// Acknowledged without the dry-run mark: the server may have run it, under this `taskUUID`.
    RanPerhaps(String),
    /// No verdict: the server could not be asked (the reason, in words).
    Unanswered(String),
}

impl ServerCheck {
    /// The request as the check compares it: the task without its `taskUUID`, which is renewed
    /// for every check and every submission and says nothing about validity.
    pub fn key(raw: &Value) -> Value {
        let mut key = raw.clone();
        if let Some(task) = key.as_object_mut() {
            task.remove("taskUUID");
        }
        key
    }

    /// Whether this check is about the request `raw` as the form stands now.
    pub fn is_about(&self, raw: &Value) -> bool {
        match self {
            ServerCheck::Idle => false,
            ServerCheck::Checking { request } | ServerCheck::Answered { request, .. } => {
                *request == ServerCheck::key(raw)
            }
        }
    }

    /// The server's errors, when it refused.
    pub fn errors(&self) -> &[ApiError] {
        match self {
            ServerCheck::Answered {
                verdict: Verdict::Refused(errors),
                ..
            } => errors,
            _ => &[],
        }
    }
}

/// Reads the answer to a dry run of task `task_uuid`.
pub fn read_verdict(task_uuid: &str, reply: &Reply) -> Verdict {
    if !reply.errors.is_empty() {
        return Verdict::Refused(reply.errors.clone());
    }
    // Anything about the task but a marked acknowledgement (a result, a status) means it runs.
    let ack = reply
        .items_for(task_uuid)
        .map(|item| matches!(item, Item::Ack { dry_run: true, .. }))
        .next();
    match ack {
        Some(true) => Verdict::Accepted,
        Some(false) => Verdict::RanPerhaps(task_uuid.to_owned()),
        None => Verdict::Unanswered("the server's answer did not mention the request".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runware::reply::decode;

    const ID: &str = "6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f";

    #[test]
    fn the_query_is_added_after_any_other() {
        assert_eq!(
            dry_run_url("wss://ws-api.runware.ai/v1"),
            "wss://ws-api.runware.ai/v1?dryRun=1"
        );
        assert_eq!(
            dry_run_url("https://gw.example/v1?site=a"),
            "https://gw.example/v1?site=a&dryRun=1"
        );
        assert_eq!(dry_run_url("http://h/v1#x"), "http://h/v1?dryRun=1#x");
    }

    #[test]
    fn verdicts_are_read_from_every_answer() {
        let accepted = decode(
            format!(
                r#"{{"data":[{{"taskType":"videoInference","taskUUID":"{ID}","dryRun":true}}]}}"#
            )
            .as_bytes(),
        )
        .expect("a reply");
        assert_eq!(read_verdict(ID, &accepted), Verdict::Accepted);

        let ran = decode(
            format!(r#"{{"data":[{{"taskType":"videoInference","taskUUID":"{ID}"}}]}}"#).as_bytes(),
        )
        .expect("a reply");
        assert_eq!(read_verdict(ID, &ran), Verdict::RanPerhaps(ID.into()));

        let refused = decode(
            br#"{"data":[],"errors":[{"code":"invalidParameter","message":"no image with that UUID","parameter":"inputs.frameImages[0]"}]}"#,
        )
        .expect("a reply");
        assert!(matches!(read_verdict(ID, &refused), Verdict::Refused(e) if e.len() == 1));

        let silent = decode(br#"{"data":[]}"#).expect("a reply");
        assert!(matches!(read_verdict(ID, &silent), Verdict::Unanswered(_)));
    }

    #[test]
    fn a_check_is_about_the_request_whatever_its_task_uuid() {
        let raw = serde_json::json!({"taskType": "videoInference", "taskUUID": ID, "duration": 5});
        let check = ServerCheck::Answered {
            request: ServerCheck::key(&raw),
            verdict: Verdict::Accepted,
        };
        let mut renewed = raw.clone();
        renewed["taskUUID"] = "11111111-2222-4333-8444-555555555555".into();
        assert!(check.is_about(&renewed));
        renewed["duration"] = 10.into();
        assert!(!check.is_about(&renewed));
        assert!(!ServerCheck::Idle.is_about(&raw));
    }
}
