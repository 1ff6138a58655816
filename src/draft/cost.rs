//! The cost estimate shown before submitting: the user's own past price per second of video per
//! result, at the same resolution tier, times what the form asks for. Nothing is invented: with
//! no finished job at that tier there is no estimate.

use runware::{OutputSize, Tier};

use crate::num::fixed;

/// How many of the latest jobs at a tier the estimate looks at: recent prices are the relevant ones.
pub const WINDOW: usize = 10;

/// What one finished job cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostPoint {
    /// Output width in pixels.
    pub width: u32,
    /// Output height in pixels.
    pub height: u32,
    /// Video length in seconds.
    pub duration_s: u32,
    /// Number of videos made.
    pub results: u32,
    /// Total cost in US dollars.
    pub cost_usd: f64,
}

/// An estimate and what it rests on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Expected cost in US dollars.
    pub usd: f64,
    /// How many past jobs it is computed from.
    pub jobs: usize,
    /// The tier those jobs ran at.
    pub tier: Tier,
}

impl Estimate {
    /// The sentence shown beside the submit button, e.g. "≈ $0.98, from your last 3 jobs at 1080p".
    pub fn sentence(&self) -> String {
        let jobs = if self.jobs == 1 {
            "your last job".to_string()
        } else {
            format!("your last {} jobs", self.jobs)
        };
        format!(
            "≈ ${}, from {jobs} at {}",
            fixed(self.usd, 2),
            self.tier.label()
        )
    }
}

/// The tier of a past job, from its short side.
fn tier_of(point: &CostPoint) -> Option<Tier> {
    let short = point.width.min(point.height);
    Tier::ALL.into_iter().find(|t| t.short_side() == short)
}

/// The estimate for a job of `size`, `duration_s` seconds and `results` videos, from `history`
/// (newest first, as the jobs journal lists it). The price per second per result is the total cost over the total seconds of
/// the latest [`WINDOW`] usable jobs at the same tier, so that long jobs weigh as much as they cost.
pub fn estimate(
    history: &[CostPoint],
    size: OutputSize,
    duration_s: u32,
    results: u32,
) -> Option<Estimate> {
    let tier = size.tier();
    let usable: Vec<&CostPoint> = history
        .iter()
        .filter(|p| tier_of(p) == Some(tier))
        .filter(|p| {
            p.duration_s > 0 && p.results > 0 && p.cost_usd.is_finite() && p.cost_usd >= 0.0
        })
        .take(WINDOW)
        .collect();
    if usable.is_empty() {
        return None;
    }
    let cost: f64 = usable.iter().map(|p| p.cost_usd).sum();
    let seconds: f64 = usable
        .iter()
        .map(|p| f64::from(p.duration_s) * f64::from(p.results))
        .sum();
    Some(Estimate {
        usd: cost / seconds * f64::from(duration_s) * f64::from(results),
        jobs: usable.len(),
        tier,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use runware::Aspect;

    fn point(width: u32, height: u32, duration_s: u32, results: u32, cost_usd: f64) -> CostPoint {
        CostPoint {
            width,
            height,
            duration_s,
            results,
            cost_usd,
        }
    }

    const HD: OutputSize = OutputSize::from_parts(Tier::P1080, Aspect::Landscape16x9);

    #[test]
    fn no_history_means_no_estimate() {
        assert_eq!(estimate(&[], HD, 5, 1), None);
        let other_tier = [point(1280, 720, 5, 1, 0.25)];
        assert_eq!(estimate(&other_tier, HD, 5, 1), None);
    }

    #[test]
    fn the_price_per_second_per_result_scales_to_the_request() {
        let history = [
            point(1920, 1080, 5, 1, 0.49),
            point(1080, 1920, 10, 1, 0.98),
            point(1080, 1080, 5, 2, 0.98),
        ];
        let e = estimate(&history, HD, 10, 1).expect("an estimate");
        assert_eq!(e.jobs, 3);
        assert!((e.usd - 0.98).abs() < 1e-9, "{e:?}");
        assert_eq!(e.sentence(), "≈ $0.98, from your last 3 jobs at 1080p");
        let e = estimate(&history, HD, 5, 4).expect("an estimate");
        assert!((e.usd - 1.96).abs() < 1e-9);
    }

    #[test]
    fn only_the_latest_usable_jobs_count() {
        // Newest first: two unusable entries, then WINDOW usable ones, then an old outlier.
        let mut history = vec![
            point(1920, 1080, 0, 1, 3.0),
            point(1920, 1080, 5, 1, f64::NAN),
        ];
        history.extend((0..WINDOW).map(|_| point(1920, 1080, 5, 1, 0.5)));
        history.push(point(1920, 1080, 5, 1, 5.0));
        let e = estimate(&history, HD, 5, 1).expect("an estimate");
        assert_eq!(e.jobs, WINDOW);
        assert!((e.usd - 0.5).abs() < 1e-9);
        let one = estimate(
            &[point(720, 720, 5, 1, 0.3)],
            OutputSize::from_parts(Tier::P720, Aspect::Square),
            5,
            1,
        )
        .expect("an estimate");
        assert_eq!(one.sentence(), "≈ $0.30, from your last job at 720p");
    }
}
