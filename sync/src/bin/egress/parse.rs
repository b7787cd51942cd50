//! Parsers for flag values, so clap rejects a bad value with exit 2 before anything runs.

use ipnet::IpNet;

/// A `Name: value` header (`-H`, `--proxy-header`): a token name, a value without control
/// characters, both trimmed.
pub(crate) fn header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| String::from("expected 'Name: value'"))?;
    let name = name.trim();
    let valid_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid_name {
        return Err(format!("{name:?} is not a valid header name"));
    }
    let value = value.trim();
    if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
        return Err(String::from(
            "header values cannot contain control characters",
        ));
    }
    Ok((name.to_owned(), value.to_owned()))
}

/// Seconds above 0 and at most a day (timeouts, retry limits).
pub(crate) fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 => Ok(secs),
        _ => Err(String::from(
            "expected a number of seconds, above 0 and at most 86400",
        )),
    }
}

/// Seconds from 0 to a day (`--retry-delay 0` retries at once).
pub(crate) fn delay(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs.is_finite() && (0.0..=86_400.0).contains(&secs) => Ok(secs),
        _ => Err(String::from(
            "expected a number of seconds, from 0 to 86400",
        )),
    }
}

/// The `-w` format: only `json` (curl's `%{json}` is accepted too).
pub(crate) fn write_out(text: &str) -> Result<WriteOutFormat, String> {
    match text {
        "json" | "%{json}" => Ok(WriteOutFormat::Json),
        _ => Err(String::from(
            "only `json` is supported: one JSON object after the body",
        )),
    }
}

/// What `-w` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WriteOutFormat {
    /// One JSON object (fields in `egress get --help`).
    Json,
}

/// A CIDR range or a single address (`--block-allow`).
pub(crate) fn cidr(text: &str) -> Result<IpNet, String> {
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is not an address or CIDR range (e.g. 10.1.0.0/16)"))
}

/// An HTTP method token (`-X`), upper-cased as curl sends what it is given.
pub(crate) fn method(text: &str) -> Result<String, String> {
    let valid = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if valid {
        Ok(text.to_owned())
    } else {
        Err(format!("{text:?} is not a valid method"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_need_a_name_and_a_colon() {
        assert_eq!(
            header("X-Test:  a b "),
            Ok(("X-Test".to_owned(), "a b".to_owned()))
        );
        assert!(header("no colon").is_err());
        assert!(header(": empty name").is_err());
        assert!(header("Bad Name: x").is_err());
        assert!(header("X: a\rb").is_err());
    }

    #[test]
    fn timeouts_are_positive_seconds_and_delays_may_be_zero() {
        assert_eq!(seconds("1.5"), Ok(1.5));
        for bad in ["0", "-3", "NaN", "1e9"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
        assert_eq!(delay("0"), Ok(0.0));
        assert!(delay("-1").is_err());
    }

    #[test]
    fn values_table() {
        assert_eq!(write_out("json"), Ok(WriteOutFormat::Json));
        assert_eq!(write_out("%{json}"), Ok(WriteOutFormat::Json));
        assert!(write_out("%{http_code}").is_err());
        assert_eq!(
            cidr("10.1.0.0/16").map(|n| n.to_string()),
            Ok("10.1.0.0/16".into())
        );
        assert_eq!(
            cidr("127.0.0.1").map(|n| n.to_string()),
            Ok("127.0.0.1/32".into())
        );
        assert!(cidr("10.1.0.0/33").is_err());
        assert_eq!(method("PATCH"), Ok("PATCH".into()));
        assert!(method("GET X").is_err());
        assert!(method("").is_err());
    }
}
