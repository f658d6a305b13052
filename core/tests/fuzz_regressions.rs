//! Inputs the fuzz targets (fuzz/) found crashing, kept as regression tests: each must
//! now give a value or an error, never a panic.

use soopervisor_core::project::yaml;

/// fuzz target `yaml11`: a plain scalar shaped like a float whose exponent starts with
/// a multi-byte character (`0.5e򛚏`) made the float resolver slice inside a character.
#[test]
fn float_with_a_multibyte_exponent_is_a_string() {
    let input = b"&aw3\n0.5e\xf2\x9b\x9a\x8f  - ge\xf2\x9b\x9a\x8fe\n";
    let text = std::str::from_utf8(input).unwrap();
    let _ = yaml::parse(text);
    let v = yaml::parse("x: 0.5e\u{9b68f}\ny: 1.5e\u{e9}3\n")
        .unwrap()
        .value
        .to_json();
    assert_eq!(v["x"], "0.5e\u{9b68f}");
    assert_eq!(v["y"], "1.5e\u{e9}3");
    assert_eq!(yaml::resolve_plain("1.0e+3"), yaml::Value::Float(1000.0));
}

/// fuzz target `yaml_emitter`: the emitter writes i64::MIN as `-9223372036854775808`,
/// which the YAML 1.1 reader took for a string (it parsed the magnitude as an i64).
#[test]
fn the_smallest_integer_reads_back_as_an_integer() {
    let value = serde_json::json!({ "min": i64::MIN, "max": i64::MAX });
    let text = soopervisor_core::output::yaml::to_string(&value);
    assert_eq!(yaml::parse(&text).unwrap().value.to_json(), value, "{text}");
    assert_eq!(
        yaml::resolve_plain("-9_223_372_036_854_775_808"),
        yaml::Value::Int(i64::MIN)
    );
}

/// fuzz target `yaml_emitter`: a key longer than 1024 characters was written as an
/// implicit key, which YAML readers refuse; long keys are now explicit (`? key`).
#[test]
fn long_keys_are_written_as_explicit_keys() {
    let long = "\u{0}'".repeat(300) + &"k".repeat(2000);
    let value = serde_json::json!({
        "short": 1,
        long.clone(): {"nested": [1, {long.clone(): "v"}]},
        "list": [{long.clone(): null, "after": true}],
    });
    let text = soopervisor_core::output::yaml::to_string(&value);
    let v12: serde_json::Value = serde_yaml::from_str(&text).unwrap();
    assert_eq!(v12, value);
    assert_eq!(yaml::parse(&text).unwrap().value.to_json(), value);
}
