//! The configuration file (`--config gateway.toml`): every key, its default, and the checks that
//! refuse a file at start with the key at fault and the reason.
//!
//! The API key is never in the file: [`Config::api_key_env`] names the environment variable it is
//! read from, so the file can be committed, shared and printed without giving the key away.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use ipnet::IpNet;
use runware::{Duration, OutputSize};
use serde::Deserialize;

/// Why a configuration file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not TOML, has an unknown key, or a value of the wrong type. The text names
    /// the key, its line and what was expected.
    #[error("the configuration file {path} is invalid: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// What the TOML reader said (it names the key and shows the line).
        message: String,
    },
    /// A value has the right type but breaks a rule.
    #[error("the configuration key `{key}` is invalid: {reason}")]
    Invalid {
        /// The key, with its table (`limits.durations`).
        key: &'static str,
        /// The rule, and what was found.
        reason: String,
    },
    /// The environment variable named by `api_key_env` is not set or empty.
    #[error(
        "the environment variable {name} (named by the configuration key `api_key_env`) holds no API key; set it to the site's Runware key"
    )]
    MissingKey {
        /// The variable's name.
        name: String,
    },
}

fn invalid(key: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        reason: reason.into(),
    }
}

/// The whole file. Every key is optional; the defaults are those of `Config::default()`, listed
/// in the crate's README.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on. Default `127.0.0.1:8788`.
    pub listen: SocketAddr,
    /// Runware's REST endpoint (or the simulator's `/v1`). Default `https://api.runware.ai/v1`.
    pub upstream: String,
    /// The environment variable holding the site's Runware key. Default `RUNWARE_API_KEY`.
    pub api_key_env: String,
    /// Page origins (`https://example.com`, scheme, host and port, no path) allowed to use the
    /// gateway from a browser. Requests without an `Origin` header (servers, curl) are let
    /// through: the limits still apply to them. Default: none.
    pub allowed_origins: Vec<String>,
    /// Proxies (addresses or networks such as `10.0.0.0/8`) whose `X-Forwarded-For` is
    /// believed. Default: none (the peer address is the visitor).
    pub trusted_proxies: Vec<String>,
    /// Attempts per upstream request (the first included) on 429, 5xx and connection errors.
    /// Default 4.
    pub upstream_attempts: u32,
    /// Base of the jittered exponential back-off between attempts, in milliseconds. Default 250.
    pub upstream_backoff_ms: u64,
    /// Time allowed for one upstream attempt, in seconds. Default 60.
    pub upstream_timeout_s: u64,
    /// `json` (the default) or `text`.
    pub log_format: String,
    /// What visitors may ask for, and how much.
    pub limits: Limits,
    /// Where limits and budget are kept.
    pub store: StoreConfig,
}

/// The `[limits]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Jobs one visitor may start in any 60 minutes. Default 10.
    pub jobs_per_visitor_per_hour: u32,
    /// Jobs one visitor may have running at once. Default 2.
    pub concurrent_jobs_per_visitor: u32,
    /// The site's spend per UTC day, in USD, from Runware's reported cost. Default 20.0.
    pub daily_budget_usd: f64,
    /// Reserved per second of video (per result) until the site has a price of its own for
    /// that size. Default 0.2.
    pub price_ceiling_usd_per_second: f64,
    /// The most videos one job may ask for (`numberResults`), 1–4. Default 2.
    pub max_number_results: u8,
    /// The durations visitors may ask for, a subset of 5 and 10. Default `[5, 10]`.
    pub durations: Vec<u32>,
    /// The sizes visitors may ask for (`"1280x720"`), a subset of the model's six. Default: all six.
    pub sizes: Vec<String>,
    /// A job not seen finished this many minutes after it started stops counting against its
    /// visitor's concurrency (its reservation stays in the day's spend). Default 30.
    pub job_expiry_minutes: u32,
}

/// The `[store]` table: `sqlite` (one instance) or `redis` (several), not both.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// The SQLite file. Default `gateway.db` (beside the working directory) when `redis` is not set.
    pub sqlite: Option<PathBuf>,
    /// A Redis URL (`redis://127.0.0.1:6379`) shared by several gateway instances.
    pub redis: Option<String>,
    /// Prefix of every Redis key, so several sites can share one Redis. Default `runware-gateway`.
    pub redis_prefix: Option<String>,
}

/// The store a checked configuration uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreKind {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A Redis server, with the key prefix.
    Redis {
        /// `redis://…`.
        url: String,
        /// Prefix of every key.
        prefix: String,
    },
}

/// The default `listen`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8788";
/// The default `upstream`.
pub const DEFAULT_UPSTREAM: &str = "https://api.runware.ai/v1";
/// The default `api_key_env`.
pub const DEFAULT_API_KEY_ENV: &str = "RUNWARE_API_KEY";
/// The default `store.sqlite`.
pub const DEFAULT_SQLITE: &str = "gateway.db";
/// The default `store.redis_prefix`.
pub const DEFAULT_REDIS_PREFIX: &str = "runware-gateway";

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8788)),
            upstream: DEFAULT_UPSTREAM.to_owned(),
            api_key_env: DEFAULT_API_KEY_ENV.to_owned(),
            allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            upstream_attempts: 4,
            upstream_backoff_ms: 250,
            upstream_timeout_s: 60,
            log_format: "json".to_owned(),
            limits: Limits::default(),
            store: StoreConfig::default(),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            jobs_per_visitor_per_hour: 10,
            concurrent_jobs_per_visitor: 2,
            daily_budget_usd: 20.0,
            price_ceiling_usd_per_second: 0.2,
            max_number_results: 2,
            durations: vec![5, 10],
            sizes: OutputSize::ALL.iter().map(|s| size_name(*s)).collect(),
            job_expiry_minutes: 30,
        }
    }
}

/// How a size is written in the file and in the store: `1920x1080`.
pub fn size_name(size: OutputSize) -> String {
    format!("{}x{}", size.width(), size.height())
}

/// A configuration that passed every check, in the types the gateway works with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The upstream REST URL.
    pub upstream: reqwest::Url,
    /// Allowed page origins, lower case, without a trailing slash.
    pub allowed_origins: Vec<String>,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Attempts per upstream request.
    pub upstream_attempts: u32,
    /// Back-off base.
    pub upstream_backoff: std::time::Duration,
    /// Time per upstream attempt.
    pub upstream_timeout: std::time::Duration,
    /// `json` or `text`.
    pub log_format: String,
    /// The limits, checked.
    pub limits: CheckedLimits,
    /// The store.
    pub store: StoreKind,
}

/// `[limits]`, checked; money in micro-dollars so that sums are exact.
#[derive(Debug, Clone)]
pub struct CheckedLimits {
    /// Jobs per visitor per hour.
    pub jobs_per_hour: u32,
    /// Running jobs per visitor.
    pub concurrent_jobs: u32,
    /// The day's budget, micro-USD.
    pub daily_budget_micros: i64,
    /// Reserved per second per result without a price history, micro-USD.
    pub price_ceiling_micros_per_second: i64,
    /// Highest `numberResults`.
    pub max_number_results: u8,
    /// Allowed durations.
    pub durations: Vec<Duration>,
    /// Allowed sizes.
    pub sizes: Vec<OutputSize>,
    /// When a running job stops counting against concurrency.
    pub job_expiry: std::time::Duration,
}

/// USD as micro-dollars (rounded to the nearest).
pub fn micros(usd: f64) -> i64 {
    (usd * 1_000_000.0).round() as i64
}

impl Config {
    /// Reads and checks a file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text).map_err(|e| match e {
            ConfigError::Syntax { message, .. } => ConfigError::Syntax {
                path: path.to_owned(),
                message,
            },
            other => other,
        })
    }

    /// Reads TOML text; the result still needs [`Config::check`].
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: PathBuf::new(),
            message: e.to_string(),
        })
    }

    /// Checks every rule and returns the settings the gateway runs with.
    pub fn check(&self) -> Result<Settings, ConfigError> {
        let upstream = reqwest::Url::parse(&self.upstream)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                invalid(
                    "upstream",
                    format!("`{}` is not an http:// or https:// URL", self.upstream),
                )
            })?;
        let env_ok = !self.api_key_env.is_empty()
            && self
                .api_key_env
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !env_ok {
            return Err(invalid(
                "api_key_env",
                format!(
                    "`{}` is not an environment variable name (letters, digits and _)",
                    self.api_key_env
                ),
            ));
        }
        let allowed_origins = self
            .allowed_origins
            .iter()
            .map(|o| check_origin(o).map_err(|reason| invalid("allowed_origins", reason)))
            .collect::<Result<Vec<_>, _>>()?;
        let trusted_proxies = self
            .trusted_proxies
            .iter()
            .map(|p| {
                parse_net(p).ok_or_else(|| {
                    invalid(
                        "trusted_proxies",
                        format!("`{p}` is not an IP address or a network such as 10.0.0.0/8"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !(1..=10).contains(&self.upstream_attempts) {
            return Err(invalid(
                "upstream_attempts",
                format!("must be 1 to 10, not {}", self.upstream_attempts),
            ));
        }
        if self.upstream_backoff_ms > 60_000 {
            return Err(invalid(
                "upstream_backoff_ms",
                format!("must be at most 60000, not {}", self.upstream_backoff_ms),
            ));
        }
        if !(1..=600).contains(&self.upstream_timeout_s) {
            return Err(invalid(
                "upstream_timeout_s",
                format!("must be 1 to 600, not {}", self.upstream_timeout_s),
            ));
        }
        if !matches!(self.log_format.as_str(), "json" | "text") {
            return Err(invalid(
                "log_format",
                format!("must be \"json\" or \"text\", not \"{}\"", self.log_format),
            ));
        }
        Ok(Settings {
            listen: self.listen,
            upstream,
            allowed_origins,
            trusted_proxies,
            upstream_attempts: self.upstream_attempts,
            upstream_backoff: std::time::Duration::from_millis(self.upstream_backoff_ms),
            upstream_timeout: std::time::Duration::from_secs(self.upstream_timeout_s),
            log_format: self.log_format.clone(),
            limits: self.limits.check()?,
            store: self.store.check()?,
        })
    }
}

impl Limits {
    fn check(&self) -> Result<CheckedLimits, ConfigError> {
        if self.jobs_per_visitor_per_hour == 0 {
            return Err(invalid(
                "limits.jobs_per_visitor_per_hour",
                "must be at least 1",
            ));
        }
        if self.concurrent_jobs_per_visitor == 0 {
            return Err(invalid(
                "limits.concurrent_jobs_per_visitor",
                "must be at least 1",
            ));
        }
        if !self.daily_budget_usd.is_finite() || self.daily_budget_usd < 0.0 {
            return Err(invalid(
                "limits.daily_budget_usd",
                format!("must be 0 or more USD, not {}", self.daily_budget_usd),
            ));
        }
        if !self.price_ceiling_usd_per_second.is_finite()
            || self.price_ceiling_usd_per_second <= 0.0
        {
            return Err(invalid(
                "limits.price_ceiling_usd_per_second",
                format!(
                    "must be more than 0 USD, not {}",
                    self.price_ceiling_usd_per_second
                ),
            ));
        }
        if !(1..=4).contains(&self.max_number_results) {
            return Err(invalid(
                "limits.max_number_results",
                format!("must be 1 to 4, not {}", self.max_number_results),
            ));
        }
        if self.durations.is_empty() {
            return Err(invalid(
                "limits.durations",
                "must name at least one duration",
            ));
        }
        let durations = self
            .durations
            .iter()
            .map(|d| {
                Duration::from_seconds(*d).map_err(|_| {
                    invalid(
                        "limits.durations",
                        format!("{d} is not a duration of the model (5 or 10)"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if self.sizes.is_empty() {
            return Err(invalid("limits.sizes", "must name at least one size"));
        }
        let sizes = self
            .sizes
            .iter()
            .map(|s| {
                parse_size(s).ok_or_else(|| {
                    invalid(
                        "limits.sizes",
                        format!(
                            "\"{s}\" is not a size of the model (one of {})",
                            OutputSize::ALL
                                .iter()
                                .map(|s| size_name(*s))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if self.job_expiry_minutes == 0 {
            return Err(invalid("limits.job_expiry_minutes", "must be at least 1"));
        }
        Ok(CheckedLimits {
            jobs_per_hour: self.jobs_per_visitor_per_hour,
            concurrent_jobs: self.concurrent_jobs_per_visitor,
            daily_budget_micros: micros(self.daily_budget_usd),
            price_ceiling_micros_per_second: micros(self.price_ceiling_usd_per_second).max(1),
            max_number_results: self.max_number_results,
            durations,
            sizes,
            job_expiry: std::time::Duration::from_secs(u64::from(self.job_expiry_minutes) * 60),
        })
    }
}

impl StoreConfig {
    fn check(&self) -> Result<StoreKind, ConfigError> {
        match (&self.sqlite, &self.redis) {
            (Some(_), Some(_)) => Err(invalid(
                "store",
                "set either `sqlite` (one instance) or `redis` (several), not both",
            )),
            (_, Some(url)) => {
                if !(url.starts_with("redis://")
                    || url.starts_with("rediss://")
                    || url.starts_with("unix://"))
                {
                    return Err(invalid(
                        "store.redis",
                        "must be a redis://, rediss:// or unix:// URL",
                    ));
                }
                let prefix = self
                    .redis_prefix
                    .clone()
                    .unwrap_or_else(|| DEFAULT_REDIS_PREFIX.to_owned());
                if prefix.is_empty() || prefix.contains(char::is_whitespace) {
                    return Err(invalid(
                        "store.redis_prefix",
                        "must be a non-empty word without spaces",
                    ));
                }
                Ok(StoreKind::Redis {
                    url: url.clone(),
                    prefix,
                })
            }
            (sqlite, None) => {
                if self.redis_prefix.is_some() {
                    return Err(invalid(
                        "store.redis_prefix",
                        "only means something with `store.redis`",
                    ));
                }
                let path = sqlite
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_SQLITE));
                if path.as_os_str().is_empty() {
                    return Err(invalid("store.sqlite", "must name a file"));
                }
                Ok(StoreKind::Sqlite(path))
            }
        }
    }
}

/// An origin as browsers send it: `scheme://host[:port]`, compared in lower case.
fn check_origin(origin: &str) -> Result<String, String> {
    let lower = origin.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| format!("`{origin}` must start with https:// or http://"))?;
    if rest.is_empty() || rest.contains('/') {
        return Err(format!(
            "`{origin}` must be scheme, host and port only, e.g. https://example.com (no path, no trailing slash)"
        ));
    }
    Ok(lower)
}

/// `1.2.3.4`, `::1` or `10.0.0.0/8`.
fn parse_net(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

/// `1280x720` (also with `×` or `X`).
pub fn parse_size(text: &str) -> Option<OutputSize> {
    let normal = text.trim().replace(['×', 'X'], "x");
    let (w, h) = normal.split_once('x')?;
    OutputSize::new(w.trim().parse().ok()?, h.trim().parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Settings, ConfigError> {
        Config::parse(text)?.check()
    }

    fn refused_key(text: &str) -> String {
        match check(text) {
            Err(ConfigError::Invalid { key, .. }) => key.to_owned(),
            Err(ConfigError::Syntax { message, .. }) => message,
            other => panic!("accepted: {other:?}"),
        }
    }

    #[test]
    fn an_empty_file_is_every_default() {
        let s = check("").unwrap();
        assert_eq!(s.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(s.upstream.as_str(), DEFAULT_UPSTREAM);
        assert!(s.allowed_origins.is_empty());
        assert_eq!(s.limits.jobs_per_hour, 10);
        assert_eq!(s.limits.concurrent_jobs, 2);
        assert_eq!(s.limits.daily_budget_micros, 20_000_000);
        assert_eq!(s.limits.price_ceiling_micros_per_second, 200_000);
        assert_eq!(s.limits.max_number_results, 2);
        assert_eq!(s.limits.durations, Duration::ALL.to_vec());
        assert_eq!(s.limits.sizes, OutputSize::ALL.to_vec());
        assert_eq!(s.store, StoreKind::Sqlite(PathBuf::from("gateway.db")));
    }

    #[test]
    fn the_issue_example_is_accepted() {
        let s = check(
            r#"
            listen = "127.0.0.1:8788"
            upstream = "https://api.runware.ai/v1"
            api_key_env = "RUNWARE_API_KEY"
            allowed_origins = ["https://example.com"]
            trusted_proxies = []
            [limits]
            jobs_per_visitor_per_hour = 10
            concurrent_jobs_per_visitor = 2
            daily_budget_usd = 20.0
            price_ceiling_usd_per_second = 0.2
            max_number_results = 2
            durations = [5, 10]
            sizes = ["1920x1080", "1080x1080", "1080x1920", "1280x720", "720x720", "720x1280"]
            [store]
            sqlite = "gateway.db"
            "#,
        )
        .unwrap();
        assert_eq!(s.allowed_origins, ["https://example.com"]);
    }

    #[test]
    fn redis_is_chosen_by_naming_it() {
        let s = check("[store]\nredis = \"redis://127.0.0.1:6379\"").unwrap();
        assert_eq!(
            s.store,
            StoreKind::Redis {
                url: "redis://127.0.0.1:6379".into(),
                prefix: DEFAULT_REDIS_PREFIX.into()
            }
        );
    }

    #[test]
    fn invalid_values_name_their_key() {
        for (text, key) in [
            ("upstream = \"ftp://x\"", "upstream"),
            ("api_key_env = \"MY KEY\"", "api_key_env"),
            ("allowed_origins = [\"example.com\"]", "allowed_origins"),
            (
                "allowed_origins = [\"https://example.com/\"]",
                "allowed_origins",
            ),
            ("trusted_proxies = [\"proxy\"]", "trusted_proxies"),
            ("upstream_attempts = 0", "upstream_attempts"),
            ("log_format = \"xml\"", "log_format"),
            (
                "[limits]\njobs_per_visitor_per_hour = 0",
                "limits.jobs_per_visitor_per_hour",
            ),
            (
                "[limits]\nconcurrent_jobs_per_visitor = 0",
                "limits.concurrent_jobs_per_visitor",
            ),
            (
                "[limits]\ndaily_budget_usd = -1.0",
                "limits.daily_budget_usd",
            ),
            (
                "[limits]\nprice_ceiling_usd_per_second = 0.0",
                "limits.price_ceiling_usd_per_second",
            ),
            (
                "[limits]\nmax_number_results = 5",
                "limits.max_number_results",
            ),
            ("[limits]\ndurations = [7]", "limits.durations"),
            ("[limits]\ndurations = []", "limits.durations"),
            ("[limits]\nsizes = [\"640x480\"]", "limits.sizes"),
            ("[store]\nsqlite = \"a.db\"\nredis = \"redis://x\"", "store"),
            ("[store]\nredis = \"http://x\"", "store.redis"),
        ] {
            assert_eq!(refused_key(text), key, "{text}");
        }
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_named() {
        let message = refused_key("[limits]\njobs_per_hour = 3");
        assert!(message.contains("jobs_per_hour"), "{message}");
        let message = refused_key("[limits]\ndurations = \"5\"");
        assert!(message.contains("durations"), "{message}");
        let message = refused_key("api_key = \"sk-123\"");
        assert!(message.contains("api_key"), "{message}");
    }

    #[test]
    fn sizes_read_in_several_spellings() {
        assert_eq!(
            parse_size("1280x720").map(size_name).as_deref(),
            Some("1280x720")
        );
        assert_eq!(
            parse_size("720×1280").map(size_name).as_deref(),
            Some("720x1280")
        );
        assert!(parse_size("100x100").is_none());
    }
}
