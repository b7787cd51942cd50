#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS (default 30), one after the other, and prints
# executions per second and total executions per target. Exits non-zero if a target
# crashes (the crash input is in fuzz/artifacts/<target>/; copy it to
# fuzz/regressions/<target>/ with the fix so `cargo test` replays it).
#
# New inputs found during a run go to fuzz/corpus-run/<target>/ (ignored by git); the
# committed seeds in fuzz/corpus/<target>/ are read, never written. To keep useful growth,
# minimize it into the committed corpus: `cargo +nightly fuzz cmin <target> ...`.
#
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-30}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    targets=(proxy_url env no_proxy route connect_response forward_rewriter establish auth request_path forward_auth)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "installing the nightly toolchain (cargo-fuzz needs it for sanitizer flags)"
    rustup toolchain install nightly --profile minimal
fi

mkdir -p logs
summary=()
failed=()
for target in "${targets[@]}"; do
    mkdir -p "corpus-run/$target"
    dict=()
    if [ -f "dict/$target.dict" ]; then
        dict=("-dict=dict/$target.dict")
    fi
    log="logs/$target.log"
    echo "=== $target for ${seconds}s (log: fuzz/$log)"
    status=0
    # -max_len 65536 lets connect_response inputs pass the 16 KiB head limit directly.
    cargo +nightly fuzz run "$target" "corpus-run/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 -max_len=65536 \
        "${dict[@]}" >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    line=$(printf '%-18s %10s exec/s %14s execs %6ss' "$target" "${rate:-?}" "${execs:-?}" "$seconds")
    if [ "$status" -ne 0 ]; then
        line="$line  FAILED (exit $status)"
        failed+=("$target")
        grep -E 'panicked|ERROR|Test unit written|artifact_prefix' "$log" | head -n 5 || true
    fi
    echo "$line"
    summary+=("$line")
done

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -ne 0 ]; then
    echo "crashed: ${failed[*]}"
    exit 1
fi
