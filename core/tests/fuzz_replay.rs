//! Replays every committed fuzz input on stable: each file of `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/` goes through its target's check function, so fixes for fuzz
//! findings stay fixed in CI without nightly or cargo-fuzz.
//!
//! A target whose corpus directory is missing or empty fails the test: a replay of zero
//! files would pass without checking anything.
#![cfg(feature = "fuzzing")]

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use egress_core::fuzz_checks::{TARGETS, check_fn};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files directly inside `dir`, sorted; `None` when the directory does not exist.
fn files(dir: &Path) -> Option<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .map(|entry| entry.unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())))
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    Some(files)
}

/// Runs each file through `check`; returns how many ran and the files that panicked.
fn replay(check: fn(&[u8]), files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .filter_map(|path| {
            let data = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            catch_unwind(AssertUnwindSafe(|| check(&data)))
                .err()
                .map(|_| path.display().to_string())
        })
        .collect()
}

#[test]
fn every_target_has_a_corpus_and_every_input_passes() {
    let mut failures = Vec::new();
    let mut total = 0;
    for target in TARGETS {
        let check = check_fn(target).unwrap_or_else(|| panic!("no check fn for {target}"));
        let corpus_dir = fuzz_dir().join("corpus").join(target);
        let corpus = files(&corpus_dir)
            .unwrap_or_else(|| panic!("missing corpus directory {}", corpus_dir.display()));
        assert!(!corpus.is_empty(), "empty corpus {}", corpus_dir.display());
        // Regressions exist only for targets that found something; an absent directory is
        // fine, an empty one is not (it would be a leftover).
        let regressions_dir = fuzz_dir().join("regressions").join(target);
        let regressions = files(&regressions_dir).unwrap_or_default();
        if regressions_dir.exists() {
            assert!(
                !regressions.is_empty(),
                "empty {}",
                regressions_dir.display()
            );
        }
        total += corpus.len() + regressions.len();
        failures.extend(replay(check, &corpus));
        failures.extend(replay(check, &regressions));
    }
    assert!(
        failures.is_empty(),
        "fuzz inputs failing their checks: {failures:#?}"
    );
    println!("replayed {total} fuzz inputs");
}

#[test]
fn every_fuzz_target_file_has_a_check() {
    // The cargo-fuzz crate has one target per check; a target added there without a check
    // here (or the reverse) would never be replayed.
    let dir = fuzz_dir().join("fuzz_targets");
    let mut names: Vec<String> = files(&dir)
        .unwrap_or_else(|| panic!("missing {}", dir.display()))
        .iter()
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .collect();
    names.sort();
    let mut expected: Vec<String> = TARGETS.iter().map(|t| (*t).to_owned()).collect();
    expected.sort();
    assert_eq!(names, expected);
}

#[test]
fn a_failing_input_is_reported() {
    // The replay must notice a panicking check, or it could pass while checking nothing.
    fn always_fails(_: &[u8]) {
        panic!("expected failure");
    }
    let file = fuzz_dir()
        .join("corpus/proxy_url")
        .read_dir()
        .ok()
        .and_then(|mut d| d.next());
    let path = file
        .and_then(Result::ok)
        .map(|entry| entry.path())
        .unwrap_or_else(|| panic!("no proxy_url corpus file"));
    assert_eq!(replay(always_fails, std::slice::from_ref(&path)).len(), 1);
}
