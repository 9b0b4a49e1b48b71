#!/bin/bash
# check.sh: nook's VM tests from start to end, for CI and on demand: build
# (or reuse) the guest image, boot it, run tests/vm/*.bats inside (as the
# test user; the *-root.bats files as root) against a nook build made on
# this host, and print one TAP stream on stdout. When the VM cannot be had (no image could be built, the
# guest never ran the tests, or the time given is too short), every test is
# reported as skipped with the reason: never silently missing.
#
# Usage (as root): tests/vm/check.sh [--budget SECONDS] [--skip REASON] [BUILD_DIR]
#   BUILD_DIR   a configured and compiled nook build (default: build)
#   --budget    the whole run, image build included, must fit in this many
#               seconds (default 2400); the guest gets what the image
#               build leaves, and nothing starts with less than 240 s.
#   --skip      run nothing: report every test as skipped for REASON.
# Exit status: 0 when no test failed (skips included), 1 otherwise.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_root=$(cd "$here/../.." && pwd)
budget=2400
build=build
skip_reason=""
while [ $# -gt 0 ]; do
    case "$1" in
        --budget) [[ "${2:-}" =~ ^[0-9]+$ ]] || { echo "check.sh: --budget needs seconds" >&2; exit 2; }
                  budget=$2; shift 2 ;;
        --skip) [ -n "${2:-}" ] || { echo "check.sh: --skip needs a reason" >&2; exit 2; }
                skip_reason=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "check.sh: unknown option $1" >&2; exit 2 ;;
        *) build=$1; shift ;;
    esac
done
deadline=$((SECONDS + budget))
files=("$here/environment.bats")
for f in "$here"/*.bats; do
    [ "$f" = "$here/environment.bats" ] || files+=("$f")
done

# skip_all REASON: the plan and every test of the files, skipped.
skip_all() {
    local total
    total=$(bats --count "${files[@]}" 2>/dev/null) || total=0
    echo "# VM tests skipped: $1" >&2
    echo "1..$total"
    sed -n 's/^@test "\(.*\)" *{ *$/\1/p' "${files[@]}" |
        awk -v reason="$1" '{ printf "ok %d %s # skip %s\n", NR, $0, reason }'
    exit 0
}

[ -z "$skip_reason" ] || skip_all "$skip_reason"
build_arg=$build
build=$(realpath -e "$build_arg" 2>/dev/null) ||
    skip_all "no nook build directory '$build_arg' (meson setup and compile it first)"
case "$build" in
    "$source_root"/*) ;;
    *) skip_all "the build $build is outside the checkout $source_root, which is all the guest sees" ;;
esac
[ -x "$build/src/nook" ] || skip_all "$build/src/nook is not built"
[ "$(id -u)" = 0 ] || skip_all "the VM needs root on the host (debootstrap, qemu's 9p share)"

remaining() { echo $((deadline - SECONDS)); }
# What the boot and the tests take under TCG on a 2-core machine (about
# 9 to 11 minutes measured, podman.bats the longest): a run that starts
# with less would be cut short, which counts as a failure.
tests_need=${NOOK_VM_TESTS_SECONDS:-720}
[ "$(remaining)" -gt "$tests_need" ] || skip_all "only $(remaining) s of the time budget left, a VM run needs about $tests_need"
# The image build's progress goes to stderr as it happens (a CI log shows
# where the minutes went); its last word is the reason when it fails.
log=$(mktemp /tmp/nook-vm-image.XXXXXX.log)
timeout "$(( $(remaining) - tests_need ))" "$here/build-image.sh" 2>&1 | tee "$log" | sed 's/^/# /' >&2
image_status=${PIPESTATUS[0]}
reason=$(grep '^build-image.sh:' "$log" | tail -n 1)
rm -f "$log"
if [ "$image_status" = 124 ]; then
    skip_all "no VM image: build-image.sh did not finish within the time budget"
elif [ "$image_status" != 0 ]; then
    skip_all "no VM image: ${reason:-build-image.sh failed with status $image_status}"
fi
[ "$(remaining)" -ge "$tests_need" ] ||
    skip_all "the image build left only $(remaining) s of the time budget, and the tests need about $tests_need"

tap=$(mktemp /tmp/nook-vm-tap.XXXXXX)
run_log=$(mktemp /tmp/nook-vm-run.XXXXXX)
trap 'rm -f "$tap" "$run_log"' EXIT
relative=()
for f in "${files[@]}"; do relative+=("tests/vm/${f##*/}"); done
# As root in the guest: guest-tests.sh runs the *-root.bats files itself
# and hands the others to tester's systemd manager.
"$here/run.sh" --root --timeout "$(remaining)" --share "$source_root" -- \
    tests/vm/guest-tests.sh "$build" "${relative[@]}" 2> "$run_log" | tee "$tap"
status=${PIPESTATUS[0]}
cat "$run_log" >&2
case "$status" in
    125) # The VM failed. Before the plan nothing was tested: skipped, with
         # the reason. After it, tests were cut short: a failure.
        reason=$(grep '^run.sh:' "$run_log" | head -n 1)
        grep -q '^1\.\.' "$tap" || skip_all "${reason#run.sh: }"
        echo "not ok 9999 the VM stopped before the tests finished (${reason#run.sh: })"
        exit 1 ;;
    124)
        grep -q '^1\.\.' "$tap" || skip_all "the VM did not reach the tests within the time budget ($budget s)"
        echo "not ok 9999 the VM tests ran out of time (the time budget was $budget s)"
        exit 1 ;;
esac
grep -q '^1\.\.' "$tap" || { echo "not ok 9999 the VM tests printed no TAP plan (exit $status)"; exit 1; }
[ "$status" = 0 ]
