//! Times as people at the utility read them: in the server's `cds_timezone` (an IANA name,
//! CDS-WG1-02 §3.2), which is also the zone relative dates count in (§3.9).

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// `t` in the utility's time zone, to the second: `2029-12-31 16:00:00 PST`. With no zone, or
/// one this program does not know, in UTC: `2030-01-01 00:00:00 UTC`. (`--json` keeps RFC 3339.)
pub fn in_zone(t: Timestamp, zone: Option<&str>) -> String {
    let tz = zone
        .and_then(|name| TimeZone::get(name).ok())
        .unwrap_or(TimeZone::UTC);
    let zoned = t.to_zoned_datetime(tz);
    // jiff prints an unnamed (UTC) zone's abbreviation as "UTC" already.
    crate::text::sanitize(&zoned.strftime("%Y-%m-%d %H:%M:%S %Z").to_string())
}

/// When a customer's access token stops working, as the wizard and `authorize` say it.
pub fn token_valid_until(t: Timestamp, zone: Option<&str>) -> String {
    format!("access token valid until {}", in_zone(t, zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_in_a_named_time_zone() {
        let t: Timestamp = "2030-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(
            in_zone(t, Some("America/Los_Angeles")),
            "2029-12-31 16:00:00 PST"
        );
        let summer: Timestamp = "2030-07-01T12:30:07.123456789Z".parse().unwrap();
        assert_eq!(
            in_zone(summer, Some("Europe/Berlin")),
            "2030-07-01 14:30:07 CEST",
            "to the second, no nanoseconds"
        );
        assert_eq!(in_zone(t, None), "2030-01-01 00:00:00 UTC");
        assert_eq!(in_zone(t, Some("Mars/Olympus")), "2030-01-01 00:00:00 UTC");
    }
}
