//! Keeps the README true of the tree: every path it names in backticks
//! (`crates/core/src/cache/engine.rs`, `ui/src/{a,b}.rs`) must exist.
//! Checked by this crate's tests, so `cargo xtask test` fails on a path
//! that moved.

#[cfg(test)]
mod tests {
    use crate::process::root;

    /// The tree's top-level folders a README path may start with.
    const TOPS: &[&str] = &[
        "crates/",
        "src-tauri/",
        "ui/",
        "mock-api/",
        "docs/",
        ".github/",
        "icons/",
        ".ci/",
    ];

    /// `text` with one `{a,b}` group expanded into each alternative.
    fn expand(text: &str) -> Vec<String> {
        let (Some(open), Some(close)) = (text.find('{'), text.find('}')) else {
            return vec![text.to_owned()];
        };
        if close < open {
            return vec![text.to_owned()];
        }
        text[open + 1..close]
            .split(',')
            .flat_map(|part| expand(&format!("{}{part}{}", &text[..open], &text[close + 1..])))
            .collect()
    }

    #[test]
    fn every_path_the_readme_names_exists() {
        let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
        let mut checked = 0;
        for (index, quoted) in readme.split('`').enumerate() {
            // Odd pieces sit between backticks.
            if index % 2 == 0 || quoted.contains(char::is_whitespace) {
                continue;
            }
            if !TOPS.iter().any(|top| quoted.starts_with(top)) {
                continue;
            }
            for path in expand(quoted) {
                let path = path.trim_end_matches(':');
                assert!(
                    root().join(path).exists(),
                    "the README names {path}, which does not exist"
                );
                checked += 1;
            }
        }
        assert!(
            checked > 20,
            "only {checked} paths found: is the README there?"
        );
    }

    #[test]
    fn braces_expand_to_each_file() {
        assert_eq!(expand("a/{b,c}.rs"), ["a/b.rs", "a/c.rs"]);
        assert_eq!(expand("a/b.rs"), ["a/b.rs"]);
    }
}
