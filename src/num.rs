//! Numbers as people type and read them.
//!
//! The studio never uses `core`'s float parser or float formatter: together they put about
//! 30 KB of tables and code into the wasm, for inputs that are plain decimals (`0.55`, `12`,
//! `2.5`) and figures shown with a fixed number of places.

/// Reads plain decimal notation: an optional sign, digits, and an optional fraction (`12`,
/// `-0.5`, `.25`, `3.`). Exponents, `inf`, `NaN`, hex and empty text are not numbers.
///
/// Exact for up to 15 significant digits with up to 22 fractional places (every value a person
/// types); longer input is within one unit in the last place.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    // Significant digits go into an integer (exact below 2^53); the rest only scale it.
    let mut mantissa: u64 = 0;
    let mut scale: i32 = 0;
    let mut significant = 0;
    for (b, in_fraction) in whole
        .bytes()
        .map(|b| (b, false))
        .chain(fraction.bytes().map(|b| (b, true)))
    {
        let digit = u64::from(b - b'0');
        if significant < 19 {
            mantissa = mantissa * 10 + digit;
            if mantissa > 0 {
                significant += 1;
            }
            if in_fraction {
                scale -= 1;
            }
        } else if !in_fraction {
            scale += 1;
        }
    }
    let magnitude = times_power_of_ten(mantissa as f64, scale);
    Some(if negative { -magnitude } else { magnitude })
}

/// `value × 10^exp`, dividing by exact powers of ten for negative exponents (so that `55` and
/// `-2` give exactly `0.55`).
fn times_power_of_ten(value: f64, exp: i32) -> f64 {
    // 10^0 ..= 10^22 are exact in an f64.
    const EXACT: i32 = 22;
    let mut value = value;
    let mut exp = exp;
    while exp > 0 {
        let step = exp.min(EXACT);
        value *= pow10(step);
        exp -= step;
    }
    while exp < 0 {
        let step = (-exp).min(EXACT);
        value /= pow10(step);
        exp += step;
    }
    value
}

fn pow10(exp: i32) -> f64 {
    (0..exp).fold(1.0, |acc, _| acc * 10.0)
}

/// `value` rounded to `decimals` places (at most 9) and written with a point: `fixed(2.0 / 3.0,
/// 2)` is `0.67`, `fixed(5.0, 1)` is `5.0`. Not-a-number is `NaN`, infinities `∞` and `-∞`.
pub fn fixed(value: f64, decimals: u32) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "∞" } else { "-∞" }.to_string();
    }
    let decimals = decimals.min(9);
    let unit = 10u64.pow(decimals);
    // Saturates above 1.8e19 units, far past any figure the studio shows.
    let scaled = (value.abs() * unit as f64).round() as u64;
    let sign = if value < 0.0 && scaled > 0 { "-" } else { "" };
    let whole = scaled / unit;
    if decimals == 0 {
        return format!("{sign}{whole}");
    }
    let fraction = scaled % unit;
    format!(
        "{sign}{whole}.{fraction:0width$}",
        width = decimals as usize
    )
}

/// Like [`fixed`], without trailing zeros or a trailing point: `short(0.5, 2)` is `0.5`,
/// `short(1.0, 2)` is `1`.
pub fn short(value: f64, decimals: u32) -> String {
    let text = fixed(value, decimals);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::{fixed, parse_decimal, short};

    #[test]
    fn plain_decimals_read_exactly_as_the_standard_parser_reads_them() {
        for text in [
            "0",
            "1",
            "0.5",
            "0.55",
            "0.05",
            "-0.5",
            "+2",
            "12.5",
            ".25",
            "3.",
            "007",
            "600",
            "99999",
            "0.1",
            "0.3",
            "1.15",
            "123456.789",
            "0.000001",
            "4.35",
            " 2 ",
        ] {
            let expected: f64 = text.trim().parse().expect("a number");
            assert_eq!(parse_decimal(text), Some(expected), "{text}");
        }
    }

    #[test]
    fn long_input_stays_within_one_ulp() {
        for text in [
            "3.14159265358979323846264338327950288",
            "12345678901234567890123",
        ] {
            let expected: f64 = text.parse().expect("a number");
            let got = parse_decimal(text).expect("a number");
            assert!(
                (got - expected).abs() <= expected.abs() * f64::EPSILON,
                "{text}: {got}"
            );
        }
    }

    #[test]
    fn anything_but_plain_decimals_is_refused() {
        for text in [
            "", " ", "-", ".", "+.", "1e3", "inf", "NaN", "0x10", "1.2.3", "1,5", "--1",
        ] {
            assert_eq!(parse_decimal(text), None, "{text:?}");
        }
    }

    #[test]
    fn fixed_rounds_to_the_places_asked() {
        assert_eq!(fixed(2.0 / 3.0, 2), "0.67");
        assert_eq!(fixed(5.0, 1), "5.0");
        assert_eq!(fixed(0.125, 3), "0.125");
        assert_eq!(fixed(1234.5, 0), "1235");
        assert_eq!(fixed(-0.004, 2), "0.00");
        assert_eq!(fixed(-1.5, 1), "-1.5");
        assert_eq!(fixed(0.0, 3), "0.000");
        assert_eq!(fixed(f64::NAN, 2), "NaN");
        assert_eq!(fixed(f64::INFINITY, 2), "∞");
        assert_eq!(fixed(f64::NEG_INFINITY, 2), "-∞");
    }

    #[test]
    fn fixed_matches_the_standard_formatter_for_everyday_figures() {
        for value in [0.0, 0.1, 0.49, 1.0, 12.34, 99.99, 0.07, 1.999, 250.0] {
            for places in 0..=3 {
                let expected = format!("{value:.places$}", places = places as usize);
                assert_eq!(fixed(value, places), expected, "{value} to {places}");
            }
        }
    }

    #[test]
    fn short_drops_trailing_zeros() {
        assert_eq!(short(0.5, 2), "0.5");
        assert_eq!(short(1.0, 2), "1");
        assert_eq!(short(0.05, 2), "0.05");
        assert_eq!(short(0.731, 2), "0.73");
        assert_eq!(short(12.0, 0), "12");
    }
}
