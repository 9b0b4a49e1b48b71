#!/bin/bash
# tests/fuzz/run.sh: run each libFuzzer target of a fuzz build for SECONDS
# (default 60) on a scratch copy of its seed corpus, and print one TAP line
# per target: ok, or not ok naming the input that crashed it (kept in
# BUILD/fuzz-findings/). Builds nothing: set it up first with
#   CC=clang meson setup build-fuzz -Dfuzz=true && meson compile -C build-fuzz
# Usage: tests/fuzz/run.sh [SECONDS] [BUILD_DIR]   (BUILD_DIR: build-fuzz)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-60}
build=${2:-$here/../../build-fuzz}
case "$seconds" in
    ''|*[!0-9]*) echo "run.sh: SECONDS must be a whole number, not '$seconds'" >&2; exit 2 ;;
esac
targets=(config seccomp state)

echo "1..${#targets[@]}"
if [ ! -d "$build/tests/fuzz" ]; then
    for i in "${!targets[@]}"; do
        echo "not ok $((i + 1)) - fuzz-${targets[$i]}: no fuzz build in $build (meson setup -Dfuzz=true)"
    done
    exit 1
fi
build=$(cd "$build" && pwd)
findings=$build/fuzz-findings
mkdir -p "$findings" || exit 1

scratch=$(mktemp -d) || exit 1
trap 'rm -rf "$scratch"' EXIT

# Leaks are findings too; UBSan stops at the first report so that libFuzzer
# sees it as a crash.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

status=0
for i in "${!targets[@]}"; do
    name=${targets[$i]}
    exe=$build/tests/fuzz/fuzz-$name
    n=$((i + 1))
    if [ ! -x "$exe" ]; then
        echo "not ok $n - fuzz-$name: $exe is not built"
        status=1
        continue
    fi
    corpus=$scratch/$name
    mkdir -p "$corpus" && cp "$here/corpus/$name"/* "$corpus"/ || exit 1
    log=$findings/fuzz-$name.log
    # -max_len: configs are small; the default (the largest seed) would
    # keep the fuzzer from growing inputs past the biggest seed.
    "$exe" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
        -dict="$here/oci.dict" -print_final_stats=1 -artifact_prefix="$findings/fuzz-$name-" \
        "$corpus" > "$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log" | tail -n 1)
    if [ "$rc" -eq 0 ]; then
        echo "ok $n - fuzz-$name: ${runs:-?} runs in ${seconds}s"
    else
        crash=$(grep -o "Test unit written to .*" "$log" | tail -n 1 | sed 's/^Test unit written to //')
        echo "not ok $n - fuzz-$name: exit $rc, input ${crash:-none written}, log $log"
        # The first report and its stack, so that CI output alone says where.
        sed -n '/ERROR: \|runtime error:/,/^SUMMARY/p' "$log" | head -n 30 | sed 's/^/# /'
        status=1
    fi
done
exit "$status"
