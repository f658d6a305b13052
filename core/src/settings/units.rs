//! Units of the production settings, parsed once and printed the same way for every
//! engine: Kubernetes quantities for `cpu` (millicores) and `memory` (bytes), and
//! durations (`30s`, `5m`, `6h`, `1d`, `1h30m`, or whole seconds).
//!
//! Parsing follows Kubernetes' `resource.Quantity` grammar for the inputs people write
//! (`500m`, `0.5`, `2`, `512Mi`, `2Gi`, `1G`, `1e9`); values Kubernetes would accept but
//! that are surely mistakes (a fraction of a millicore, memory in millibytes) are
//! refused with the reason.

use std::time::Duration;

/// Binary suffixes and their factor.
const BINARY: [(&str, u64); 6] = [
    ("Ki", 1 << 10),
    ("Mi", 1 << 20),
    ("Gi", 1 << 30),
    ("Ti", 1 << 40),
    ("Pi", 1 << 50),
    ("Ei", 1 << 60),
];
/// Decimal suffixes and their factor.
const DECIMAL: [(&str, u64); 6] = [
    ("k", 1_000),
    ("M", 1_000_000),
    ("G", 1_000_000_000),
    ("T", 1_000_000_000_000),
    ("P", 1_000_000_000_000_000),
    ("E", 1_000_000_000_000_000_000),
];

/// A non-negative decimal number as an exact fraction `digits / 10^scale`.
fn decimal(text: &str) -> Option<(u128, u32)> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, f),
        None => (text, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) || frac.len() > 18 {
        return None;
    }
    let digits: String = format!("{int}{frac}");
    let value: u128 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    Some((value, frac.len() as u32))
}

/// `value * factor / 10^scale` when it is a whole number that fits.
fn exact(value: u128, scale: u32, factor: u128) -> Option<u128> {
    let n = value.checked_mul(factor)?;
    let d = 10u128.checked_pow(scale)?;
    (n % d == 0).then_some(n / d)
}

/// Splits `1.5Gi` into (`1.5`, factor of `Gi`), `1e9` into (`1`, 10^9), `500m` into
/// (`500`, `m` as a factor of 1 in thousandths: returned as `None` here).
fn split_suffix(text: &str) -> Option<(&str, Suffix)> {
    for (s, f) in BINARY {
        if let Some(n) = text.strip_suffix(s) {
            return Some((n, Suffix::Factor(f as u128)));
        }
    }
    if let Some(n) = text.strip_suffix('m') {
        return Some((n, Suffix::Milli));
    }
    for (s, f) in DECIMAL {
        if let Some(n) = text.strip_suffix(s) {
            return Some((n, Suffix::Factor(f as u128)));
        }
    }
    if let Some((n, e)) = text.split_once(['e', 'E']) {
        let e: u32 = e.strip_prefix('+').unwrap_or(e).parse().ok()?;
        return Some((n, Suffix::Factor(10u128.checked_pow(e)?)));
    }
    Some((text, Suffix::Factor(1)))
}

enum Suffix {
    Factor(u128),
    Milli,
}

/// `cpu`: `2`, `0.5`, `500m` → millicores (at least 1).
pub fn parse_cpu(text: &str) -> Result<u64, String> {
    let bad = || {
        format!("'{text}' is not a CPU quantity: write whole or fractional CPUs (2, 0.5) or millicores (500m)")
    };
    let (number, suffix) = split_suffix(text.trim()).ok_or_else(bad)?;
    let (value, scale) = decimal(number).ok_or_else(bad)?;
    let millis = match suffix {
        Suffix::Milli => exact(value, scale, 1),
        Suffix::Factor(f) => f.checked_mul(1000).and_then(|f| exact(value, scale, f)),
    }
    .ok_or_else(|| {
        format!("'{text}' is not a whole number of millicores (the smallest CPU unit is 1m)")
    })?;
    if millis == 0 {
        return Err(format!("cpu must be more than zero, not '{text}'"));
    }
    u64::try_from(millis)
        .ok()
        .filter(|m| *m <= 1_000_000_000)
        .ok_or_else(|| format!("'{text}' is more CPUs than any machine has"))
}

/// Smallest memory accepted: below it a bare number is surely meant in another unit.
const MIN_MEMORY: u64 = 1 << 20;

/// `memory`: `2Gi`, `512Mi`, `1G`, `1e9`, `268435456` (bytes) → bytes.
pub fn parse_memory(text: &str) -> Result<u64, String> {
    let bad = || {
        format!("'{text}' is not a memory quantity: write a number with a unit such as 512Mi, 2Gi or 1G")
    };
    let (number, suffix) = split_suffix(text.trim()).ok_or_else(bad)?;
    let (value, scale) = decimal(number).ok_or_else(bad)?;
    let bytes = match suffix {
        Suffix::Milli => {
            return Err(format!(
            "'{text}' is in millibytes (the 'm' suffix); write Mi or M for mebibytes or megabytes"
        ))
        }
        Suffix::Factor(f) => exact(value, scale, f)
            .ok_or_else(|| format!("'{text}' is not a whole number of bytes"))?,
    };
    let bytes = u64::try_from(bytes)
        .ok()
        .filter(|b| *b < (1 << 62))
        .ok_or_else(|| format!("'{text}' is more memory than any machine has"))?;
    if bytes < MIN_MEMORY {
        return Err(format!(
            "memory '{text}' is {bytes} bytes, less than 1Mi: a bare number is in bytes, so write the unit (e.g. {text}Mi)"
        ));
    }
    Ok(bytes)
}

/// Millicores as Kubernetes prints them: `2` for whole CPUs, else `500m`.
pub fn cpu_quantity(millicores: u64) -> String {
    if millicores % 1000 == 0 {
        (millicores / 1000).to_string()
    } else {
        format!("{millicores}m")
    }
}

/// Bytes as a Kubernetes quantity: the largest binary unit that divides it exactly,
/// else the largest decimal one, else plain bytes.
pub fn memory_quantity(bytes: u64) -> String {
    for (s, f) in BINARY.iter().rev().chain(DECIMAL.iter().rev()) {
        if bytes >= *f && bytes % f == 0 {
            return format!("{}{s}", bytes / f);
        }
    }
    bytes.to_string()
}

/// Longest duration accepted (a year): longer is surely a typo.
const MAX_DURATION: u64 = 366 * 24 * 3600;

/// `30s`, `5m`, `6h`, `1d`, `1h30m`, or a whole number of seconds → a duration of at
/// least one second.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!("'{text}' is not a duration: write a number with a unit, such as 30s, 5m, 6h, 1d or 1h30m")
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    if t.bytes().all(|b| b.is_ascii_digit()) {
        total = t.parse().map_err(|_| bad())?;
    } else {
        let mut rest = t;
        let mut last_unit = u64::MAX;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad());
            }
            let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
            rest = &rest[digits..];
            let unit = match rest.as_bytes().first() {
                Some(b'd') => 86_400,
                Some(b'h') => 3_600,
                Some(b'm') => 60,
                Some(b's') => 1,
                _ => return Err(bad()),
            };
            // each unit once, largest first: `1h30m`, never `30m1h`
            if unit >= last_unit {
                return Err(bad());
            }
            last_unit = unit;
            rest = &rest[1..];
            total = n
                .checked_mul(unit)
                .and_then(|s| total.checked_add(s))
                .ok_or_else(bad)?;
        }
    }
    if total == 0 {
        return Err(format!(
            "a duration must be at least one second, not '{text}'"
        ));
    }
    if total > MAX_DURATION {
        return Err(format!("'{text}' is longer than a year"));
    }
    Ok(Duration::from_secs(total))
}

/// A duration as the shortest form [`parse_duration`] reads back (`1h30m`, `45s`).
pub fn duration_text(d: Duration) -> String {
    let mut s = d.as_secs();
    if s == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if s >= size {
            out.push_str(&format!("{}{unit}", s / size));
            s %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_reads_cpus_fractions_and_millicores() {
        assert_eq!(parse_cpu("2"), Ok(2000));
        assert_eq!(parse_cpu("0.5"), Ok(500));
        assert_eq!(parse_cpu("500m"), Ok(500));
        assert_eq!(parse_cpu("1.25"), Ok(1250));
        assert_eq!(parse_cpu("1k"), Ok(1_000_000));
        assert!(parse_cpu("0.0001").unwrap_err().contains("millicore"));
        assert!(parse_cpu("0").unwrap_err().contains("more than zero"));
        assert!(parse_cpu("two").unwrap_err().contains("not a CPU quantity"));
        assert!(parse_cpu("-1").is_err());
        assert!(parse_cpu("1Gb").is_err());
    }

    #[test]
    fn memory_reads_binary_decimal_exponent_and_bytes() {
        assert_eq!(parse_memory("2Gi"), Ok(2 << 30));
        assert_eq!(parse_memory("512Mi"), Ok(512 << 20));
        assert_eq!(parse_memory("1G"), Ok(1_000_000_000));
        assert_eq!(parse_memory("1e9"), Ok(1_000_000_000));
        assert_eq!(parse_memory("1.5Gi"), Ok(3 << 29));
        assert_eq!(parse_memory("268435456"), Ok(1 << 28));
        assert!(parse_memory("2048").unwrap_err().contains("2048Mi"));
        assert!(parse_memory("100m").unwrap_err().contains("millibytes"));
        assert!(parse_memory("2GB").is_err());
        assert!(parse_memory("99Ei").unwrap_err().contains("more memory"));
    }

    #[test]
    fn quantities_print_back_to_the_same_value() {
        for m in [1, 500, 1000, 2500, 64_000] {
            assert_eq!(parse_cpu(&cpu_quantity(m)), Ok(m));
        }
        assert_eq!(cpu_quantity(2000), "2");
        assert_eq!(cpu_quantity(250), "250m");
        for b in [1 << 20, 3 << 29, 1_000_000_000, (1 << 20) + 1, 32 << 30] {
            assert_eq!(parse_memory(&memory_quantity(b)), Ok(b));
        }
        assert_eq!(memory_quantity(32 << 30), "32Gi");
        assert_eq!(memory_quantity(1_500_000_000), "1500M");
    }

    #[test]
    fn durations_read_units_in_order() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert!(parse_duration("30m1h").is_err());
        assert!(parse_duration("1.5h").is_err());
        assert!(parse_duration("0s")
            .unwrap_err()
            .contains("at least one second"));
        assert!(parse_duration("400d").unwrap_err().contains("year"));
        assert!(parse_duration("10x")
            .unwrap_err()
            .contains("not a duration"));
        for s in [1, 59, 60, 3601, 90_061] {
            let d = Duration::from_secs(s);
            assert_eq!(parse_duration(&duration_text(d)), Ok(d));
        }
    }
}
