//! Small readers of raw JSON values that turn a wrong type into a [`FieldError`].

use serde_json::{Map, Number, Value};

use crate::error::{Expected, FieldError, Rule};

/// The value of a whole JSON number, also when written with a fraction of zero (`5.0`), since
/// JSON does not tell integers and floats apart.
pub(crate) fn integer(value: &Value) -> Option<i128> {
    let Value::Number(number) = value else {
        return None;
    };
    if let Some(i) = number.as_i64() {
        return Some(i128::from(i));
    }
    if let Some(u) = number.as_u64() {
        return Some(i128::from(u));
    }
    // `as` saturates for floats beyond i128, which the range checks then reject.
    number
        .as_f64()
        .filter(|f| f.is_finite() && f.fract() == 0.0)
        .map(|f| f as i128)
}

/// A JSON number for an integer bound, as written in `min`/`max`.
pub(crate) fn number(value: i128) -> Number {
    if let Ok(i) = i64::try_from(value) {
        Number::from(i)
    } else if let Ok(u) = u64::try_from(value) {
        Number::from(u)
    } else {
        // Bounds never leave the i64/u64 range; a float is the closest honest answer otherwise.
        Number::from_f64(value as f64).unwrap_or_else(|| Number::from(0))
    }
}

/// A whole number in `min..=max` (no upper bound when `max` is `None`).
pub(crate) fn integer_in(
    value: &Value,
    path: &str,
    min: i128,
    max: Option<i128>,
) -> Result<i128, FieldError> {
    let n = integer(value).ok_or_else(|| {
        FieldError::new(
            path,
            Rule::Type {
                expected: Expected::Integer,
            },
        )
    })?;
    if n < min || max.is_some_and(|max| n > max) {
        return Err(FieldError::new(
            path,
            Rule::Range {
                min: number(min),
                max: max.map(number),
            },
        ));
    }
    Ok(n)
}

/// The text of a JSON string.
pub(crate) fn string<'a>(value: &'a Value, path: &str) -> Result<&'a str, FieldError> {
    value.as_str().ok_or_else(|| {
        FieldError::new(
            path,
            Rule::Type {
                expected: Expected::String,
            },
        )
    })
}

/// A JSON boolean.
pub(crate) fn boolean(value: &Value, path: &str) -> Result<bool, FieldError> {
    value.as_bool().ok_or_else(|| {
        FieldError::new(
            path,
            Rule::Type {
                expected: Expected::Boolean,
            },
        )
    })
}

/// A JSON object.
pub(crate) fn object<'a>(
    value: &'a Value,
    path: &str,
) -> Result<&'a Map<String, Value>, FieldError> {
    value.as_object().ok_or_else(|| {
        FieldError::new(
            path,
            Rule::Type {
                expected: Expected::Object,
            },
        )
    })
}

/// A string that must be one of `allowed`, reported with `allowedValues` when it is not.
pub(crate) fn one_of<'a>(
    value: &'a Value,
    path: &str,
    allowed: &[&str],
) -> Result<&'a str, FieldError> {
    match value.as_str() {
        Some(text) if allowed.contains(&text) => Ok(text),
        _ => Err(not_one_of(path, allowed)),
    }
}

/// The error for a value outside the closed set `allowed`.
pub(crate) fn not_one_of(path: &str, allowed: &[&str]) -> FieldError {
    FieldError::new(
        path,
        Rule::OneOf {
            allowed: allowed.iter().map(|a| Value::from(*a)).collect(),
        },
    )
}

/// The members of `map` that are present: JSON `null` counts as absent, as most JSON APIs (and
/// SDKs that write `None` as `null`) expect.
pub(crate) fn member<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).filter(|value| !value.is_null())
}

/// Implements `Deserialize` through the type's `from_json`, so a value read by serde obeys the
/// same rules (and gives the same message) as one read by the validator.
macro_rules! deserialize_with_from_json {
    ($($type:ty),* $(,)?) => {$(
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                <$type>::from_json(&value).map_err(serde::de::Error::custom)
            }
        }
    )*};
}
pub(crate) use deserialize_with_from_json;
