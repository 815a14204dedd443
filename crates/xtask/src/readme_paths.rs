//! Keeps the README and the docs true of the tree: every path they name
//! in backticks (`crates/core/src/cache/engine.rs`, `ui/src/{a,b}.rs`)
//! must exist, every relative link must lead to a file, and the README
//! stays a guide (at most 300 lines). Checked by this crate's tests, so
//! `cargo xtask test` fails on a path that moved.

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

    /// The documents checked, from the root.
    const DOCUMENTS: &[&str] = &[
        "README.md",
        "docs/DESIGN.md",
        "docs/PLATFORMS.md",
        "docs/TESTING.md",
        "docs/BENCHMARKS.md",
        "docs/INSTALLERS.md",
        "mock-api/README.md",
    ];

    fn read(document: &str) -> String {
        std::fs::read_to_string(root().join(document))
            .unwrap_or_else(|err| panic!("{document}: {err}"))
    }

    #[test]
    fn every_path_the_documents_name_exists() {
        let checked: usize = DOCUMENTS.iter().map(|doc| paths_named_exist(doc)).sum();
        assert!(
            checked > 40,
            "only {checked} paths found: are the documents there?"
        );
    }

    #[test]
    fn every_relative_link_leads_to_a_file() {
        for document in DOCUMENTS {
            let text = read(document);
            let folder = root().join(document);
            let folder = folder.parent().expect("a folder");
            for link in text.split("](").skip(1) {
                let Some(end) = link.find(')') else { continue };
                let target = link[..end].split('#').next().unwrap_or_default();
                if target.is_empty() || target.contains("://") {
                    continue;
                }
                assert!(
                    folder.join(target).exists(),
                    "{document} links to {target}, which does not exist"
                );
            }
        }
    }

    #[test]
    fn the_readme_is_a_guide_not_a_changelog() {
        let lines = read("README.md").lines().count();
        assert!(
            lines <= 300,
            "the README has {lines} lines; move detail into docs/"
        );
    }

    /// Whether `path` is something the build writes (git ignores it), such
    /// as the wasm UI in `ui/dist/`: it exists once the UI is built.
    fn is_build_output(path: &str) -> bool {
        std::process::Command::new("git")
            .args(["check-ignore", "-q", path])
            .current_dir(root())
            .status()
            .is_ok_and(|status| status.success())
    }

    /// Checks the paths `document` names; returns how many.
    fn paths_named_exist(document: &str) -> usize {
        let text = read(document);
        let mut checked = 0;
        for (index, quoted) in text.split('`').enumerate() {
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
                    root().join(path).exists() || is_build_output(path),
                    "{document} names {path}, which does not exist"
                );
                checked += 1;
            }
        }
        checked
    }

    #[test]
    fn braces_expand_to_each_file() {
        assert_eq!(expand("a/{b,c}.rs"), ["a/b.rs", "a/c.rs"]);
        assert_eq!(expand("a/b.rs"), ["a/b.rs"]);
    }
}
