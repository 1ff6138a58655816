//! Server configuration: every command-line flag of `runware-sim`, with its parsing.
//!
//! The same [`Config`] is used by the binary (through clap) and by tests, which build one with
//! [`Config::default`] and change the fields they care about.

use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::Args;

use crate::faults::FaultRates;

/// Everything the server needs to start.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address to listen on. Keep the loopback default unless other machines must reach it.
    #[arg(long, default_value = "127.0.0.1", env = "RUNWARE_SIM_HOST")]
    pub host: IpAddr,

    /// Port to listen on; 0 picks a free port (the chosen one is printed on start).
    #[arg(long, default_value_t = 8787, env = "RUNWARE_SIM_PORT")]
    pub port: u16,

    /// The accepted API key. Without it, any non-empty key is accepted.
    #[arg(long, env = "RUNWARE_SIM_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,

    /// Base URL of the links handed out in `videoURL` (default: `http://<host>:<actual port>`).
    #[arg(long, env = "RUNWARE_SIM_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Directory for rendered videos and uploaded images (default: a temporary directory,
    /// removed on exit).
    #[arg(long, env = "RUNWARE_SIM_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Time until each result is ready, drawn uniformly per result from the range (`6s..12s`,
    /// `500ms..2s`, or one value such as `8s`). Units: ms, s, m, h, d.
    #[arg(long, default_value = "6s..12s", value_parser = parse_delay_range)]
    pub delay: DelayRange,

    /// Realistic timing: results take 2-5 minutes, like KlingAI 2.1 Pro on Runware (overrides
    /// --delay).
    #[arg(long)]
    pub realistic: bool,

    /// Multiplies every simulated duration (result delays, ttl, webhook retry back-off) so
    /// tests can compress time: `0.01` makes a 60 s ttl last 0.6 s.
    #[arg(long, default_value_t = 1.0, value_parser = parse_time_scale)]
    pub time_scale: f64,

    /// A WebSocket that receives nothing for this long is closed, as Runware does after 120 s.
    #[arg(long, default_value = "120s", value_parser = parse_duration)]
    pub ws_idle_timeout: Duration,

    /// How long a disconnected WebSocket session keeps its buffered replies for a resume.
    #[arg(long, default_value = "15m", value_parser = parse_duration)]
    pub session_retention: Duration,

    /// Push each finished result (or the failure) of a videoInference sent over a WebSocket to
    /// that socket as it happens. Off by default: like Runware, the simulator answers a
    /// WebSocket client's getResponse polls and pushes nothing.
    #[arg(long)]
    pub push_results: bool,

    /// How long each task reports `status: "queued"` (progress 0) before `processing`, drawn
    /// per task from the range and capped at a quarter of its first result's delay; scaled by
    /// --time-scale. `0` turns the queue off.
    #[arg(long, default_value = "1s..2s", value_parser = parse_delay_range)]
    pub queue_time: DelayRange,

    /// How long after a task finished `getResponse` still reports it; later it answers
    /// `taskFailedOrNotFound` while `getTaskDetails` still describes the task. Not scaled by
    /// --time-scale. The default is long enough never to matter in a session.
    #[arg(long, default_value = "30d", value_parser = parse_duration)]
    pub response_retention: Duration,

    /// How long the `accepted-timeout` fault holds back an acknowledgement: longer than the
    /// studio's 60 s submit timeout, so the client gives up and retries. Not scaled by
    /// --time-scale (it plays against the client's own clock).
    #[arg(long, default_value = "70s", value_parser = parse_duration)]
    pub accepted_timeout_delay: Duration,

    /// How many ffmpeg renders may run at once (each one uses every core).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub render_concurrency: u32,

    /// The ffmpeg executable.
    #[arg(long, default_value = "ffmpeg", env = "RUNWARE_SIM_FFMPEG")]
    pub ffmpeg: PathBuf,

    /// x264 preset for MP4/MOV; `auto` takes `ultrafast` for 1080p and `superfast` below, which
    /// keeps a 5 s 1080p render within a few seconds on two cores.
    #[arg(long, default_value = "auto", value_parser = [
        "auto", "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow",
    ])]
    pub x264_preset: String,

    /// WEBM video codec.
    #[arg(long, default_value = "vp9", value_parser = ["vp8", "vp9"])]
    pub webm_codec: String,

    /// Time limit for fetching a frame image given by URL.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub fetch_timeout: Duration,

    /// Largest accepted request body, in MiB; larger bodies get a 413 in Runware's error shape.
    #[arg(long, default_value_t = 64)]
    pub body_limit_mb: usize,

    /// Simulated price in USD per second of video, per output tier, used for `cost` when a
    /// request sets `includeCost`. These are NOT Runware's prices.
    #[arg(long, default_value = "1080p=0.098,720p=0.07", value_parser = parse_price_table)]
    pub prices: PriceTable,

    /// Simulated account balance in USD. Each accepted videoInference spends its cost; once the
    /// balance is too low, submissions fail with 402 `insufficientCredits`. Unlimited when absent.
    #[arg(long)]
    pub credits: Option<f64>,

    /// Log format of the one line per request written to stderr.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,

    /// Random faults, all off by default.
    #[command(flatten)]
    pub faults: FaultRates,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8787,
            api_key: None,
            public_url: None,
            data_dir: None,
            delay: DelayRange {
                min: Duration::from_secs(6),
                max: Duration::from_secs(12),
            },
            realistic: false,
            time_scale: 1.0,
            ws_idle_timeout: Duration::from_secs(120),
            session_retention: Duration::from_secs(15 * 60),
            push_results: false,
            queue_time: DelayRange {
                min: Duration::from_secs(1),
                max: Duration::from_secs(2),
            },
            response_retention: Duration::from_secs(30 * 86_400),
            accepted_timeout_delay: Duration::from_secs(70),
            render_concurrency: 1,
            ffmpeg: PathBuf::from("ffmpeg"),
            x264_preset: "auto".to_owned(),
            webm_codec: "vp9".to_owned(),
            fetch_timeout: Duration::from_secs(10),
            body_limit_mb: 64,
            prices: PriceTable::default(),
            credits: None,
            log_format: "text".to_owned(),
            faults: FaultRates::default(),
        }
    }
}

impl Config {
    /// The delay range in force, after `--realistic`.
    pub fn effective_delay(&self) -> DelayRange {
        if self.realistic {
            DelayRange {
                min: Duration::from_secs(120),
                max: Duration::from_secs(300),
            }
        } else {
            self.delay
        }
    }

    /// A simulated duration scaled by `--time-scale`.
    pub fn scaled(&self, d: Duration) -> Duration {
        Duration::try_from_secs_f64(d.as_secs_f64() * self.time_scale).unwrap_or(Duration::MAX)
    }
}

/// A closed range of durations, drawn from uniformly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DelayRange {
    /// Shortest delay.
    pub min: Duration,
    /// Longest delay.
    pub max: Duration,
}

impl DelayRange {
    /// A random duration in the range.
    pub fn sample(&self) -> Duration {
        use rand::Rng;
        if self.max <= self.min {
            return self.min;
        }
        let span = (self.max - self.min).as_secs_f64();
        self.min + Duration::from_secs_f64(rand::rng().random_range(0.0..=span))
    }
}

impl FromStr for DelayRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        parse_delay_range(s)
    }
}

/// Parses `6s..12s` or a single duration.
pub fn parse_delay_range(s: &str) -> Result<DelayRange, String> {
    let (min, max) = match s.split_once("..") {
        Some((a, b)) => (parse_duration(a)?, parse_duration(b)?),
        None => {
            let d = parse_duration(s)?;
            (d, d)
        }
    };
    if max < min {
        return Err(format!("range `{s}` ends before it starts"));
    }
    Ok(DelayRange { min, max })
}

/// Parses `250ms`, `6s`, `1.5s`, `2m`, `1h`, `30d`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a duration such as 500ms, 6s or 2m"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("`{s}` must be a non-negative duration"));
    }
    let seconds = match unit.trim() {
        "ms" => value / 1000.0,
        "s" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        "d" => value * 86_400.0,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{s}` (use ms, s, m, h or d)"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{s}` is too long a duration"))
}

fn parse_time_scale(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err("the time scale must be a positive number".to_owned())
    }
}

/// Simulated USD per second of output video, by tier (the shorter side: 720 or 1080).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceTable {
    /// Price per second of a 1080p video.
    pub p1080: f64,
    /// Price per second of a 720p video.
    pub p720: f64,
}

impl Default for PriceTable {
    fn default() -> Self {
        // 0.098 $/s makes a 5 s 1080p video cost 0.49, the figure used in the wire contract's
        // examples; 720p is cheaper. Invented numbers, not Runware's.
        Self {
            p1080: 0.098,
            p720: 0.07,
        }
    }
}

impl PriceTable {
    /// The cost of one result of `width`×`height` lasting `seconds`, rounded to a tenth of a cent.
    pub fn cost(&self, width: u32, height: u32, seconds: f64) -> f64 {
        let per_second = if width.min(height) >= 1080 {
            self.p1080
        } else {
            self.p720
        };
        (per_second * seconds * 1000.0).round() / 1000.0
    }
}

/// Parses `1080p=0.098,720p=0.07` (either entry may be left out to keep its default).
pub fn parse_price_table(s: &str) -> Result<PriceTable, String> {
    let mut table = PriceTable::default();
    for entry in s.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (tier, price) = entry
            .split_once('=')
            .ok_or_else(|| format!("`{entry}` is not of the form 1080p=0.098"))?;
        let price: f64 = price
            .trim()
            .parse()
            .map_err(|_| format!("`{price}` is not a price"))?;
        if !price.is_finite() || price < 0.0 {
            return Err(format!("`{price}` must be a non-negative price"));
        }
        match tier.trim() {
            "1080p" => table.p1080 = price,
            "720p" => table.p720 = price,
            other => return Err(format!("unknown tier `{other}` (use 1080p or 720p)")),
        }
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("6s"), Ok(Duration::from_secs(6)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn ranges() {
        let r = parse_delay_range("6s..12s").unwrap();
        assert_eq!(r.min, Duration::from_secs(6));
        assert_eq!(r.max, Duration::from_secs(12));
        let d = r.sample();
        assert!(d >= r.min && d <= r.max);
        assert!(parse_delay_range("5s..1s").is_err());
        assert_eq!(parse_delay_range("8s").unwrap().max, Duration::from_secs(8));
    }

    #[test]
    fn prices() {
        let t = parse_price_table("1080p=0.1").unwrap();
        assert_eq!(t.p1080, 0.1);
        assert_eq!(t.p720, 0.07);
        assert_eq!(PriceTable::default().cost(1920, 1080, 5.0), 0.49);
        assert_eq!(PriceTable::default().cost(720, 1280, 10.0), 0.7);
        assert!(parse_price_table("4k=1").is_err());
    }
}
