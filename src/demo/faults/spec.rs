//! The `--fault` syntax (`PATH:FAULT[,FAULT...]`): parsing a rule of the demo's fault
//! injection, with messages that say what was expected.

use std::str::FromStr;
use std::time::Duration;

use axum::http::StatusCode;

use super::{BodyFault, DEFAULT_DRIP_CHUNK, FaultRule};

/// A `--fault` value that does not parse, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FaultSpecError(String);

fn bad(msg: impl Into<String>) -> FaultSpecError {
    FaultSpecError(msg.into())
}

/// The `--fault` syntax, for error messages.
const SYNTAX: &str = "PATH:FAULT[,FAULT...], e.g. /cds/coverage:status=503,count=2";
const KINDS: &str =
    "latency=, status=, truncate, invalid-json, oversize=, drip=, chunk=, reset, hostile, count=";

/// Parses a `--fault` value (clap value parser).
pub fn parse_fault_spec(s: &str) -> Result<FaultRule, FaultSpecError> {
    s.parse()
}

impl FromStr for FaultRule {
    type Err = FaultSpecError;

    /// `PATH:FAULT[,FAULT...]`. The path is split at the last `:` (faults never contain one).
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let spec = spec.trim();
        let Some((path, faults)) = spec.rsplit_once(':') else {
            return Err(bad(format!("`{spec}` names no fault; write {SYNTAX}")));
        };
        check_path(path)?;
        let mut rule = FaultRule::new(path);
        let mut drip_chunk: Option<usize> = None;
        let mut seen: Vec<&str> = Vec::new();
        for item in faults.split(',').map(str::trim) {
            if item.is_empty() {
                return Err(bad(format!("`{spec}` has an empty fault; write {SYNTAX}")));
            }
            let (key, value) = match item.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (item, None),
            };
            if seen.contains(&key) {
                return Err(bad(format!("`{key}` is given twice in `{spec}`")));
            }
            seen.push(key);
            let body = parse_fault(&mut rule, &mut drip_chunk, key, value)?;
            if let Some(b) = body {
                if let Some(prev) = &rule.body {
                    return Err(bad(format!(
                        "`{}` and `{item}` both replace the response; give each its own --fault",
                        describe(prev)
                    )));
                }
                rule.body = Some(b);
            }
        }
        if let Some(n) = drip_chunk {
            match &mut rule.body {
                Some(BodyFault::Drip { chunk, .. }) => *chunk = n,
                _ => return Err(bad("`chunk` only applies together with `drip`")),
            }
        }
        if rule.latency.is_none() && rule.body.is_none() {
            return Err(bad(format!(
                "`{spec}` has no fault to inject; expected one of {KINDS}"
            )));
        }
        Ok(rule)
    }
}

/// A rule's path: `*`, or an absolute path with at most a trailing `*`.
fn check_path(path: &str) -> Result<(), FaultSpecError> {
    if path != "*" && !path.starts_with('/') {
        return Err(bad(format!(
            "path `{path}` must start with `/` (or be `*` for every path)"
        )));
    }
    if path.contains(char::is_whitespace) || path.contains('?') {
        return Err(bad(format!(
            "path `{path}` may not contain spaces or a query string"
        )));
    }
    if let Some(i) = path.find('*')
        && i != path.len() - 1
    {
        return Err(bad(format!(
            "path `{path}`: `*` is only allowed at the end (a prefix such as /cds/*)"
        )));
    }
    Ok(())
}

/// One `KEY[=VALUE]` fault: sets the rule's latency, count or drip chunk, or returns the
/// response fault it names.
fn parse_fault(
    rule: &mut FaultRule,
    drip_chunk: &mut Option<usize>,
    key: &str,
    value: Option<&str>,
) -> Result<Option<BodyFault>, FaultSpecError> {
    let need = |what: &str| {
        value
            .filter(|v| !v.is_empty())
            .ok_or_else(|| bad(format!("`{key}` needs a value, e.g. {key}={what}")))
    };
    let no_value = || match value {
        Some(_) => Err(bad(format!("`{key}` takes no value"))),
        None => Ok(()),
    };
    Ok(match key {
        "latency" => {
            rule.latency = Some(parse_duration(key, need("200ms")?)?);
            None
        }
        "status" => Some(BodyFault::Status(parse_status(need("503")?)?)),
        "truncate" => {
            no_value()?;
            Some(BodyFault::Truncate)
        }
        "invalid-json" => {
            no_value()?;
            Some(BodyFault::InvalidJson)
        }
        "reset" => {
            no_value()?;
            Some(BodyFault::Reset)
        }
        "hostile" => {
            no_value()?;
            Some(BodyFault::Hostile)
        }
        "oversize" => Some(BodyFault::Oversize(parse_size(need("50MB")?)?)),
        "drip" => Some(BodyFault::Drip {
            interval: parse_duration(key, need("100ms")?)?,
            chunk: DEFAULT_DRIP_CHUNK,
        }),
        "chunk" => {
            let n = parse_size(need("16")?)?;
            *drip_chunk = Some(usize::try_from(n).map_err(|_| bad("chunk is too large"))?);
            None
        }
        "count" => {
            let v = need("2")?;
            let n: u64 = v
                .parse()
                .map_err(|_| bad(format!("count `{v}` is not a whole number")))?;
            if n == 0 {
                return Err(bad("count must be at least 1"));
            }
            rule.count = Some(n);
            None
        }
        other => {
            return Err(bad(format!(
                "unknown fault `{other}`; expected one of {KINDS}"
            )));
        }
    })
}

fn describe(b: &BodyFault) -> String {
    match b {
        BodyFault::Status(s) => format!("status={}", s.as_u16()),
        BodyFault::Truncate => "truncate".to_owned(),
        BodyFault::InvalidJson => "invalid-json".to_owned(),
        BodyFault::Oversize(n) => format!("oversize={n}"),
        BodyFault::Drip { interval, .. } => format!("drip={}ms", interval.as_millis()),
        BodyFault::Reset => "reset".to_owned(),
        BodyFault::Hostile => "hostile".to_owned(),
    }
}

/// `200` (milliseconds), `200ms` or `2s`; at most ten minutes.
fn parse_duration(key: &str, v: &str) -> Result<Duration, FaultSpecError> {
    let lower = v.to_ascii_lowercase();
    let (digits, unit_ms) = if let Some(d) = lower.strip_suffix("ms") {
        (d, 1)
    } else if let Some(d) = lower.strip_suffix('s') {
        (d, 1000)
    } else {
        (lower.as_str(), 1)
    };
    let n: u64 = digits.trim().parse().map_err(|_| {
        bad(format!(
            "{key} `{v}` is not a duration; write milliseconds (200, 200ms) or seconds (2s)"
        ))
    })?;
    let ms = n.saturating_mul(unit_ms);
    if ms > 600_000 {
        return Err(bad(format!("{key} `{v}` is longer than ten minutes")));
    }
    Ok(Duration::from_millis(ms))
}

/// An HTTP error status, 400–599.
fn parse_status(v: &str) -> Result<StatusCode, FaultSpecError> {
    v.parse::<u16>()
        .ok()
        .filter(|n| (400..=599).contains(n))
        .and_then(|n| StatusCode::from_u16(n).ok())
        .ok_or_else(|| {
            bad(format!(
                "status `{v}` is not an HTTP error status (400-599)"
            ))
        })
}

/// Bytes: `1000`, `64KB`/`50MB`/`1GB` (powers of 1000) or `64KiB`/`50MiB`/`1GiB` (powers of
/// 1024); at least 1 byte, at most 1 TiB.
fn parse_size(v: &str) -> Result<u64, FaultSpecError> {
    let lower = v.to_ascii_lowercase();
    let units: [(&str, u64); 7] = [
        ("kib", 1 << 10),
        ("mib", 1 << 20),
        ("gib", 1 << 30),
        ("kb", 1_000),
        ("mb", 1_000_000),
        ("gb", 1_000_000_000),
        ("b", 1),
    ];
    let (digits, mult) = units
        .iter()
        .find_map(|(u, m)| lower.strip_suffix(u).map(|d| (d, *m)))
        .unwrap_or((lower.as_str(), 1));
    let n: u64 = digits.trim().parse().map_err(|_| {
        bad(format!(
            "size `{v}` is not a size; write bytes (1000) or with a unit (64KB, 50MB, 1GiB)"
        ))
    })?;
    let bytes = n.saturating_mul(mult);
    if bytes == 0 || bytes > 1 << 40 {
        return Err(bad(format!("size `{v}` must be between 1 byte and 1 TiB")));
    }
    Ok(bytes)
}
