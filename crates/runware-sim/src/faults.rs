//! Faults on demand: random ones from command-line rates, and explicit ones asked for per request.
//!
//! A fault spec is a comma-separated list of directives, case-insensitive, `-` and `_` ignored:
//!
//! | directive | effect |
//! |---|---|
//! | `status=503` | the request is refused with that HTTP status (400–599) and a Runware-shaped error; nothing runs |
//! | `latency=2000` | the reply waits that long (ms, or with a unit: `2s`) |
//! | `malformed` | the tasks run, but the reply body is truncated, invalid JSON |
//! | `drop` | the tasks run, but the connection is cut before a complete reply |
//! | `timeoutProvider` | each `videoInference` of the request is accepted, then fails with `timeoutProvider` through `getResponse` |
//! | `insufficientCredits` | a request holding a `videoInference` is refused with 402 `insufficientCredits` |
//! | `nsfw` | every result of the request's `videoInference` tasks carries `NSFWContent: true` |
//! | `missPong` | WebSocket: `ping` tasks on this connection get no `pong` |
//! | `acceptedTimeout` | the tasks run, but a reply that accepts a `videoInference` is held back for `--accepted-timeout-delay`, past the client's timeout |
//!
//! It can be given by the `X-Sim-Fault` header (REST), by a `fault` query parameter on `/v1` (REST,
//! and the WebSocket upgrade URL, where it applies to every message of the connection), or for the
//! task-level directives (`timeoutProvider`, `insufficientCredits`, `nsfw`) by a marker
//! `[sim-fault:<spec>]` inside `positivePrompt`, which an app can send without touching headers.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use clap::Args;
use rand::Rng;

use crate::config::parse_duration;

/// Faults to apply to one request, one connection, or one task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultSpec {
    /// Refuse the request with this HTTP status.
    pub status: Option<u16>,
    /// Delay the reply by this much.
    pub latency: Option<Duration>,
    /// Reply with invalid JSON after running the tasks.
    pub malformed: bool,
    /// Cut the connection after running the tasks.
    pub drop: bool,
    /// Fail the submitted tasks later with `timeoutProvider`.
    pub timeout_provider: bool,
    /// Refuse submissions with 402 `insufficientCredits`.
    pub insufficient_credits: bool,
    /// Flag every result as NSFW.
    pub nsfw: bool,
    /// Leave WebSocket pings unanswered.
    pub miss_pong: bool,
    /// Hold back a reply that accepts a job until after the client has given up on it.
    pub accepted_timeout: bool,
}

/// A fault spec that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultParseError {
    /// A directive name that is not in the table.
    #[error(
        "unknown fault `{0}` (known: status=N, latency=MS, malformed, drop, timeoutProvider, insufficientCredits, nsfw, missPong, acceptedTimeout)"
    )]
    Unknown(String),
    /// A directive whose value is not valid.
    #[error("bad value in fault `{0}`")]
    BadValue(String),
}

impl FromStr for FaultSpec {
    type Err = FaultParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut spec = FaultSpec::default();
        for token in s
            .split([',', ';', ' '])
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let (name, value) = match token.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (token, None),
            };
            let key: String = name
                .chars()
                .filter(|c| *c != '-' && *c != '_')
                .flat_map(char::to_lowercase)
                .collect();
            match (key.as_str(), value) {
                ("status", Some(v)) => {
                    let code: u16 = v
                        .parse()
                        .map_err(|_| FaultParseError::BadValue(token.to_owned()))?;
                    if !(400..=599).contains(&code) {
                        return Err(FaultParseError::BadValue(token.to_owned()));
                    }
                    spec.status = Some(code);
                }
                ("latency", Some(v)) => {
                    let d = if v.chars().all(|c| c.is_ascii_digit()) {
                        v.parse().map(Duration::from_millis).ok()
                    } else {
                        parse_duration(v).ok()
                    };
                    spec.latency =
                        Some(d.ok_or_else(|| FaultParseError::BadValue(token.to_owned()))?);
                }
                ("malformed", None) => spec.malformed = true,
                ("drop", None) => spec.drop = true,
                ("timeoutprovider", None) => spec.timeout_provider = true,
                ("insufficientcredits", None) => spec.insufficient_credits = true,
                ("nsfw", None) => spec.nsfw = true,
                ("misspong", None) => spec.miss_pong = true,
                ("acceptedtimeout", None) => spec.accepted_timeout = true,
                ("none", None) => {}
                _ => return Err(FaultParseError::Unknown(token.to_owned())),
            }
        }
        Ok(spec)
    }
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(s) = self.status {
            parts.push(format!("status={s}"));
        }
        if let Some(l) = self.latency {
            parts.push(format!("latency={}", l.as_millis()));
        }
        for (on, name) in [
            (self.malformed, "malformed"),
            (self.drop, "drop"),
            (self.timeout_provider, "timeoutProvider"),
            (self.insufficient_credits, "insufficientCredits"),
            (self.nsfw, "nsfw"),
            (self.miss_pong, "missPong"),
            (self.accepted_timeout, "acceptedTimeout"),
        ] {
            if on {
                parts.push(name.to_owned());
            }
        }
        f.write_str(&parts.join(","))
    }
}

impl FaultSpec {
    /// True when no fault is set.
    pub fn is_empty(&self) -> bool {
        *self == FaultSpec::default()
    }

    /// Both specs together; where both set a value, `other` wins.
    pub fn merge(&self, other: &FaultSpec) -> FaultSpec {
        FaultSpec {
            status: other.status.or(self.status),
            latency: other.latency.or(self.latency),
            malformed: self.malformed || other.malformed,
            drop: self.drop || other.drop,
            timeout_provider: self.timeout_provider || other.timeout_provider,
            insufficient_credits: self.insufficient_credits || other.insufficient_credits,
            nsfw: self.nsfw || other.nsfw,
            miss_pong: self.miss_pong || other.miss_pong,
            accepted_timeout: self.accepted_timeout || other.accepted_timeout,
        }
    }

    /// The task-level directives of a `[sim-fault:…]` marker in a prompt, if there is one.
    /// Request-level directives in a marker are ignored: a prompt cannot cut its own connection.
    pub fn from_prompt(prompt: &str) -> Option<FaultSpec> {
        const MARK: &str = "[sim-fault:";
        let start = prompt.find(MARK)? + MARK.len();
        let end = prompt[start..].find(']')? + start;
        let spec: FaultSpec = prompt[start..end].parse().ok()?;
        Some(FaultSpec {
            timeout_provider: spec.timeout_provider,
            insufficient_credits: spec.insufficient_credits,
            nsfw: spec.nsfw,
            ..FaultSpec::default()
        })
    }
}

/// Random faults, as rates between 0 and 1 of the `/v1` requests (REST requests and WebSocket
/// messages). All zero by default.
#[derive(Debug, Clone, Args)]
pub struct FaultRates {
    /// Fraction of /v1 requests refused with an error status taken from --fault-status.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub fault_rate: f64,

    /// HTTP statuses used by --fault-rate, picked at random.
    #[arg(long, default_value = "500,429,503", value_delimiter = ',')]
    pub fault_status: Vec<u16>,

    /// Latency added to every /v1 reply: milliseconds, or a range such as `100..800`.
    #[arg(long, value_parser = parse_latency)]
    pub latency_ms: Option<(u64, u64)>,

    /// Fraction of /v1 requests whose connection is cut after the tasks ran.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub drop_rate: f64,

    /// Fraction of /v1 replies sent as truncated, invalid JSON after the tasks ran.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub malformed_rate: f64,

    /// Fraction of videoInference tasks that fail later with `timeoutProvider`.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub provider_timeout_rate: f64,

    /// Fraction of submissions refused with 402 `insufficientCredits`.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub insufficient_credits_rate: f64,

    /// Fraction of videoInference tasks whose results are flagged `NSFWContent: true`.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub nsfw_rate: f64,

    /// Fraction of WebSocket `ping` tasks left without a `pong`.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub miss_pong_rate: f64,

    /// Fraction of /v1 requests whose acceptance of a videoInference is answered only after
    /// --accepted-timeout-delay (the job runs meanwhile), so the client times out and retries.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub accepted_timeout_rate: f64,
}

impl Default for FaultRates {
    fn default() -> Self {
        Self {
            fault_rate: 0.0,
            fault_status: vec![500, 429, 503],
            latency_ms: None,
            drop_rate: 0.0,
            malformed_rate: 0.0,
            provider_timeout_rate: 0.0,
            insufficient_credits_rate: 0.0,
            nsfw_rate: 0.0,
            miss_pong_rate: 0.0,
            accepted_timeout_rate: 0.0,
        }
    }
}

impl FaultRates {
    /// Draws the random faults of one request. Missed pongs are drawn per ping instead.
    pub fn roll(&self) -> FaultSpec {
        let mut rng = rand::rng();
        let mut hit = |rate: f64| rate > 0.0 && rng.random_bool(rate.min(1.0));
        let status = if hit(self.fault_rate) && !self.fault_status.is_empty() {
            let i = rand::rng().random_range(0..self.fault_status.len());
            Some(self.fault_status[i])
        } else {
            None
        };
        let mut spec = FaultSpec {
            status,
            drop: hit(self.drop_rate),
            malformed: hit(self.malformed_rate),
            timeout_provider: hit(self.provider_timeout_rate),
            insufficient_credits: hit(self.insufficient_credits_rate),
            nsfw: hit(self.nsfw_rate),
            accepted_timeout: hit(self.accepted_timeout_rate),
            ..FaultSpec::default()
        };
        if let Some((lo, hi)) = self.latency_ms {
            let ms = if hi > lo {
                rand::rng().random_range(lo..=hi)
            } else {
                lo
            };
            if ms > 0 {
                spec.latency = Some(Duration::from_millis(ms));
            }
        }
        spec
    }

    /// Whether this ping should go unanswered.
    pub fn roll_miss_pong(&self) -> bool {
        self.miss_pong_rate > 0.0 && rand::rng().random_bool(self.miss_pong_rate.min(1.0))
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err("a rate is between 0 and 1".to_owned())
    }
}

fn parse_latency(s: &str) -> Result<(u64, u64), String> {
    let num = |x: &str| {
        x.trim()
            .parse::<u64>()
            .map_err(|_| format!("`{x}` is not a number of milliseconds"))
    };
    match s.split_once("..") {
        Some((a, b)) => {
            let (a, b) = (num(a)?, num(b)?);
            if b < a {
                return Err(format!("range `{s}` ends before it starts"));
            }
            Ok((a, b))
        }
        None => {
            let v = num(s)?;
            Ok((v, v))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_directive() {
        let spec: FaultSpec =
            "status=503, latency=2000,malformed,drop,timeoutProvider,insufficient-credits,NSFW,miss-pong,accepted-timeout"
                .parse()
                .unwrap();
        assert_eq!(spec.status, Some(503));
        assert_eq!(spec.latency, Some(Duration::from_millis(2000)));
        assert!(spec.malformed && spec.drop && spec.timeout_provider);
        assert!(spec.insufficient_credits && spec.nsfw && spec.miss_pong);
        assert!(spec.accepted_timeout);
        let again: FaultSpec = spec.to_string().parse().unwrap();
        assert_eq!(again, spec);
    }

    #[test]
    fn rejects_unknown_and_bad_values() {
        assert!("explode".parse::<FaultSpec>().is_err());
        assert!("status=200".parse::<FaultSpec>().is_err());
        assert!("latency=soon".parse::<FaultSpec>().is_err());
        assert_eq!(
            "latency=2s".parse::<FaultSpec>().unwrap().latency,
            Some(Duration::from_secs(2))
        );
        assert!("".parse::<FaultSpec>().unwrap().is_empty());
    }

    #[test]
    fn prompt_marker_keeps_task_level_directives_only() {
        let spec = FaultSpec::from_prompt("a cat [sim-fault:nsfw,drop] on a mat").unwrap();
        assert!(spec.nsfw);
        assert!(!spec.drop);
        assert!(FaultSpec::from_prompt("a cat").is_none());
    }

    #[test]
    fn full_rates_always_hit() {
        let rates = FaultRates {
            fault_rate: 1.0,
            fault_status: vec![429],
            nsfw_rate: 1.0,
            latency_ms: Some((5, 5)),
            ..FaultRates::default()
        };
        let spec = rates.roll();
        assert_eq!(spec.status, Some(429));
        assert!(spec.nsfw);
        assert_eq!(spec.latency, Some(Duration::from_millis(5)));
        assert!(FaultRates::default().roll().is_empty());
    }
}
