//! The README's numbers are the code's: each count or limit it states is
//! checked here against the constant it describes, so the two cannot drift.

use larder_protocol::{
    auth::USERNAME_MAX_CHARS,
    settings::{CACHE_LIMIT_MIB_DEFAULT, CACHE_LIMIT_MIB_RANGE},
    WidgetId,
};

const README: &str = include_str!("../../../README.md");

/// `n` as the README writes it: "65,536".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `n` in words, as the README's prose writes small counts.
fn in_words(n: usize) -> &'static str {
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ]
    .get(n)
    .copied()
    .expect("a small count")
}

fn says(text: &str) {
    let flat = README.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(text), "the README should say {text:?}");
}

#[test]
fn the_widget_count_is_the_dashboards() {
    let count = WidgetId::ALL.len();
    says(&format!("shows {} independent widgets", in_words(count)));
    says(&format!("\"warming 3 of {count}\""));
}

#[test]
fn the_username_rule_is_the_protocols() {
    says(&format!(
        "any username (1 to {USERNAME_MAX_CHARS} characters)"
    ));
}

#[test]
fn the_cache_limit_is_the_settings() {
    says(&format!(
        "{} to {} MiB (default {})",
        thousands(*CACHE_LIMIT_MIB_RANGE.start()),
        thousands(*CACHE_LIMIT_MIB_RANGE.end()),
        CACHE_LIMIT_MIB_DEFAULT
    ));
}

#[test]
fn numbers_are_written_with_thousands_separators() {
    assert_eq!(thousands(65_536), "65,536");
    assert_eq!(thousands(256), "256");
    assert_eq!(thousands(1_000_000), "1,000,000");
}
