//! The video renderer: one ffmpeg process per result, turning the request's frames into a clip.
//!
//! The picture: each frame image is scaled to cover the output size once, then `zoompan` moves a
//! virtual camera over it (a slow zoom plus a drift, both chosen by the seed), and with two frames
//! an `xfade` cross-fade carries the first image into the last. The clip opens on the whole first
//! image (the camera then pushes in) and closes on the whole last image (the camera pulls back
//! onto it), so its first and last frames are the request's own. Scaling the still once and
//! panning over it is much cheaper than filtering every frame at full size, and the encoder preset
//! is picked by size (`ultrafast` at 1080p), so a 5 s 1080p MP4 takes a few seconds on two cores.
//! A semaphore bounds how many renders run at once, since each one already uses every core.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::Command;
use tokio::sync::Semaphore;

/// Frames per second of every output.
pub const FPS: u32 = 24;

/// Output container (and so codec).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// MP4 with H.264 (yuv420p, `faststart`).
    Mp4,
    /// WEBM with VP9 (or VP8, by configuration).
    Webm,
    /// QuickTime MOV with H.264.
    Mov,
}

/// One render to do.
#[derive(Debug, Clone)]
pub struct RenderJob {
    /// Image the clip starts on.
    pub first: Option<PathBuf>,
    /// Image the clip ends on.
    pub last: Option<PathBuf>,
    /// Output width in pixels (even).
    pub width: u32,
    /// Output height in pixels (even).
    pub height: u32,
    /// Length in whole seconds.
    pub seconds: u32,
    /// Container and codec.
    pub container: Container,
    /// Runware `outputQuality`, 20–99.
    pub quality: u8,
    /// Chooses the camera motion.
    pub seed: u64,
    /// Where the finished file goes; written through a temporary name, so the path only ever
    /// holds a complete video.
    pub output: PathBuf,
}

/// WEBM codec choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebmCodec {
    /// libvpx VP8: faster, larger.
    Vp8,
    /// libvpx-vp9.
    Vp9,
}

/// How renders are run.
#[derive(Debug, Clone)]
pub struct RenderSettings {
    /// The ffmpeg executable.
    pub ffmpeg: PathBuf,
    /// x264 preset, or `auto`.
    pub x264_preset: String,
    /// WEBM codec.
    pub webm_codec: WebmCodec,
    /// A render still running after this is killed.
    pub timeout: Duration,
}

/// A render that did not produce a video.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The job names no image at all.
    #[error("no frame image to render")]
    NoFrames,
    /// ffmpeg could not be started.
    #[error("cannot start ffmpeg ({program}): {source}")]
    Spawn {
        /// The program tried.
        program: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// ffmpeg ran and failed.
    #[error("ffmpeg failed ({status}): {stderr}")]
    Failed {
        /// Exit status.
        status: String,
        /// The end of its error output.
        stderr: String,
    },
    /// ffmpeg took longer than the time limit.
    #[error("ffmpeg took longer than {0:?}")]
    Timeout(Duration),
    /// Moving the finished file into place failed.
    #[error("cannot store the video: {0}")]
    Io(#[from] std::io::Error),
}

/// Runs renders, a bounded number at a time.
#[derive(Debug)]
pub struct Renderer {
    settings: RenderSettings,
    permits: Semaphore,
}

impl Renderer {
    /// A renderer running at most `concurrency` ffmpeg processes at once.
    pub fn new(settings: RenderSettings, concurrency: usize) -> Self {
        Self {
            settings,
            permits: Semaphore::new(concurrency.max(1)),
        }
    }

    /// Renders the job once a slot is free; returns the time ffmpeg itself took.
    pub async fn render(&self, job: &RenderJob) -> Result<Duration, RenderError> {
        // The semaphore is never closed, so acquiring only fails if it were; render anyway then.
        let _permit = self.permits.acquire().await.ok();
        let started = Instant::now();
        let partial = partial_path(&job.output);
        let args = self.ffmpeg_args(job, &partial)?;
        let mut command = Command::new(&self.settings.ffmpeg);
        command
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // A test or a shutdown that drops the future must not leave ffmpeg running.
            .kill_on_drop(true);
        let child = command.spawn().map_err(|source| RenderError::Spawn {
            program: self.settings.ffmpeg.display().to_string(),
            source,
        })?;
        let output =
            match tokio::time::timeout(self.settings.timeout, child.wait_with_output()).await {
                Ok(result) => result?,
                Err(_) => {
                    let _ = tokio::fs::remove_file(&partial).await;
                    return Err(RenderError::Timeout(self.settings.timeout));
                }
            };
        if !output.status.success() {
            let _ = tokio::fs::remove_file(&partial).await;
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: String = stderr
                .lines()
                .rev()
                .take(6)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join(" | ");
            return Err(RenderError::Failed {
                status: output.status.to_string(),
                stderr: tail,
            });
        }
        tokio::fs::rename(&partial, &job.output).await?;
        Ok(started.elapsed())
    }

    /// The ffmpeg command line for a job, writing to `out`.
    pub fn ffmpeg_args(&self, job: &RenderJob, out: &Path) -> Result<Vec<OsString>, RenderError> {
        let frames = job.seconds.max(1) * FPS;
        let (w, h) = (job.width, job.height);
        let mut args: Vec<OsString> = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
            .iter()
            .map(OsString::from)
            .collect();
        // The clip starts exactly on the first image and ends exactly on the last: the camera
        // pushes in from the first, and pulls back onto the last.
        let inputs: Vec<(&PathBuf, Role)> = [
            job.first.as_ref().map(|p| (p, Role::Opening)),
            job.last.as_ref().map(|p| (p, Role::Closing)),
        ]
        .into_iter()
        .flatten()
        .collect();
        if inputs.is_empty() {
            return Err(RenderError::NoFrames);
        }
        for (input, _) in &inputs {
            args.push("-i".into());
            args.push(input.as_os_str().to_owned());
        }
        let fade = Motion::from_seed(job.seed);
        // With two images the second joins `offset` frames in and runs to the end, so the
        // cross-fade's output is exactly `frames` long and ends on the second image's last frame.
        let offset = if inputs.len() == 2 {
            (f64::from(frames) * fade.fade_start).round() as u32
        } else {
            0
        };
        let mut graph = String::new();
        for (i, (_, role)) in inputs.iter().enumerate() {
            let motion = Motion::from_seed(job.seed.wrapping_add(i as u64 * 0x9E37_79B9));
            let length = if i == 0 { frames } else { frames - offset };
            graph.push_str(&format!(
                "[{i}:v]scale={w}:{h}:force_original_aspect_ratio=increase:flags=bicubic,\
                 crop={w}:{h},setsar=1,format=yuv420p,{zoompan}[v{i}];",
                zoompan = motion.zoompan(w, h, length, *role),
            ));
        }
        if inputs.len() == 2 {
            let fps = f64::from(FPS);
            let start = f64::from(offset) / fps;
            let room = f64::from(frames - offset) / fps - 0.25;
            let length = (f64::from(frames) / fps * fade.fade_len).min(room).max(0.5);
            graph.push_str(&format!(
                "[v0][v1]xfade=transition=fade:duration={length:.4}:offset={start:.4}[v]"
            ));
        } else {
            graph.push_str("[v0]null[v]");
        }
        args.extend(
            [
                "-filter_complex",
                &graph,
                "-map",
                "[v]",
                "-frames:v",
                &frames.to_string(),
                "-r",
                &FPS.to_string(),
                "-an",
            ]
            .iter()
            .map(OsString::from),
        );
        args.extend(self.codec_args(job).into_iter().map(OsString::from));
        args.push(out.as_os_str().to_owned());
        Ok(args)
    }

    fn codec_args(&self, job: &RenderJob) -> Vec<String> {
        let q = f64::from(job.quality.clamp(20, 99));
        // outputQuality 20..99 onto the encoders' constant-quality scales, best quality at 99.
        let x264_crf = (40.0 - (q - 20.0) * 24.0 / 79.0).round() as u32; // 40 .. 16
        let vpx_crf = (50.0 - (q - 20.0) * 34.0 / 79.0).round() as u32; // 50 .. 16
        let gop = (FPS * 2).to_string();
        let h264 = |format: &str| -> Vec<String> {
            let preset = match self.settings.x264_preset.as_str() {
                "auto" if u64::from(job.width) * u64::from(job.height) > 1_500_000 => "ultrafast",
                "auto" => "superfast",
                other => other,
            };
            let mut v: Vec<String> = [
                "-c:v",
                "libx264",
                "-preset",
                preset,
                "-crf",
                &x264_crf.to_string(),
                "-pix_fmt",
                "yuv420p",
                "-g",
                &gop,
                "-movflags",
                "+faststart",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            if format == "mov" {
                v.extend(["-tag:v".to_owned(), "avc1".to_owned()]);
            }
            v.extend(["-f".to_owned(), format.to_owned()]);
            v
        };
        match job.container {
            Container::Mp4 => h264("mp4"),
            Container::Mov => h264("mov"),
            Container::Webm => {
                let common = [
                    "-deadline",
                    "realtime",
                    "-cpu-used",
                    "8",
                    "-crf",
                    &vpx_crf.to_string(),
                    "-pix_fmt",
                    "yuv420p",
                    "-g",
                    &gop,
                    "-threads",
                    "2",
                ]
                .map(str::to_owned);
                let mut v = match self.settings.webm_codec {
                    // VP8 needs a bitrate ceiling for its constant-quality mode.
                    WebmCodec::Vp8 => vec!["-c:v", "libvpx", "-b:v", "12M"],
                    WebmCodec::Vp9 => vec!["-c:v", "libvpx-vp9", "-b:v", "0", "-row-mt", "1"],
                }
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>();
                v.extend(common);
                v.extend(["-f".to_owned(), "webm".to_owned()]);
                v
            }
        }
    }
}

/// `video.mp4` → `video.mp4.part`: ffmpeg is told the format explicitly, so the name is free.
fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

/// Which end of the clip an image holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The first frame: the camera starts on the whole image and pushes in.
    Opening,
    /// The last frame: the camera starts pushed in and pulls back onto the whole image.
    Closing,
}

/// The camera move of one image, and the cross-fade timing, derived from a seed.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Motion {
    zoom: f64,
    from: (f64, f64),
    to: (f64, f64),
    fade_start: f64,
    fade_len: f64,
}

impl Motion {
    fn from_seed(seed: u64) -> Self {
        let mut state = seed;
        let mut next = move || {
            // splitmix64: a few well-mixed numbers from one seed, no RNG state to carry around.
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64
        };
        Motion {
            zoom: 0.08 + 0.10 * next(),
            from: (next(), next()),
            to: (next(), next()),
            fade_start: 0.15 + 0.2 * next(),
            fade_len: 0.35 + 0.2 * next(),
        }
    }

    /// A `zoompan` over `frames` frames. Zoom 1 shows the whole (cover-cropped) image; the drift
    /// moves the visible window between two seeded points of the room the zoom leaves.
    fn zoompan(&self, w: u32, h: u32, frames: u32, role: Role) -> String {
        let last = f64::from(frames.saturating_sub(1).max(1));
        // Smoothstep of the frame position: the camera eases in and out instead of jerking.
        let p = format!("(on/{last:.1})");
        let ease = format!("({p}*{p}*(3-2*{p}))");
        let zoom = match role {
            Role::Opening => format!("1+{:.4}*{ease}", self.zoom),
            Role::Closing => format!("1+{:.4}*(1-{ease})", self.zoom),
        };
        let (fx0, fy0) = self.from;
        let (fx1, fy1) = self.to;
        format!(
            "zoompan=z='{zoom}':x='(iw-iw/zoom)*({fx0:.4}+{dx:.4}*{ease})':\
             y='(ih-ih/zoom)*({fy0:.4}+{dy:.4}*{ease})':d={frames}:s={w}x{h}:fps={FPS}",
            dx = fx1 - fx0,
            dy = fy1 - fy0,
        )
    }
}

/// Writes a synthetic test picture (`testsrc2`, `mandelbrot`, `smptebars`, …) as a PNG, for
/// benchmarks and tests that need frames without shipping image files.
pub async fn synth_frame(
    ffmpeg: &Path,
    pattern: &str,
    width: u32,
    height: u32,
    out: &Path,
) -> Result<(), RenderError> {
    let output = Command::new(ffmpeg)
        .args([
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!("{pattern}=size={width}x{height}"))
        .args(["-frames:v", "1", "-f", "image2", "-c:v", "png"])
        .arg(out)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|source| RenderError::Spawn {
            program: ffmpeg.display().to_string(),
            source,
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(RenderError::Failed {
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renderer() -> Renderer {
        Renderer::new(
            RenderSettings {
                ffmpeg: "ffmpeg".into(),
                x264_preset: "auto".into(),
                webm_codec: WebmCodec::Vp9,
                timeout: Duration::from_secs(60),
            },
            1,
        )
    }

    fn job(container: Container, frames: usize) -> RenderJob {
        RenderJob {
            first: Some("a.png".into()),
            last: (frames == 2).then(|| "b.png".into()),
            width: 1920,
            height: 1080,
            seconds: 5,
            container,
            quality: 95,
            seed: 42,
            output: "out.mp4".into(),
        }
    }

    fn joined(args: &[OsString]) -> String {
        args.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn two_frames_cross_fade() {
        let args = renderer()
            .ffmpeg_args(&job(Container::Mp4, 2), Path::new("o"))
            .unwrap();
        let line = joined(&args);
        assert!(line.contains("xfade=transition=fade"));
        assert!(line.contains("-frames:v 120"));
        assert!(line.contains("libx264 -preset ultrafast -crf 17"));
        assert!(line.contains("-f mp4"));
    }

    #[test]
    fn one_frame_camera_move_only() {
        let mut j = job(Container::Webm, 1);
        j.seconds = 10;
        j.width = 720;
        j.height = 720;
        let line = joined(&renderer().ffmpeg_args(&j, Path::new("o")).unwrap());
        assert!(!line.contains("xfade"));
        assert!(line.contains("zoompan"));
        assert!(line.contains("-frames:v 240"));
        assert!(line.contains("libvpx-vp9"));
    }

    #[test]
    fn seed_changes_motion() {
        assert_ne!(Motion::from_seed(1), Motion::from_seed(2));
        assert_eq!(Motion::from_seed(7), Motion::from_seed(7));
    }

    #[test]
    fn no_frames_is_an_error() {
        let mut j = job(Container::Mov, 1);
        j.first = None;
        assert!(matches!(
            renderer().ffmpeg_args(&j, Path::new("o")),
            Err(RenderError::NoFrames)
        ));
    }
}
