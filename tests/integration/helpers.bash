# helpers.bash: shared setup for nook's bats integration tests.
# Environment from meson: NOOK (the binary), NOOK_SOURCE_ROOT, NOOK_BUILD_ROOT,
# NOOK_BUNDLE_ROOTFS (busybox rootfs), NOOK_TEST_MODE (rootless|root).

: "${NOOK:?run the integration tests through meson test}"

# Every test gets its own state root so tests never see each other.
common_setup() {
    NOOK_ROOT=$BATS_TEST_TMPDIR/state
    mkdir -p "$NOOK_ROOT"
}

# nook with the test's private --root.
nook() {
    "$NOOK" --root "$NOOK_ROOT" "$@"
}

require_rootless() {
    [ "$NOOK_TEST_MODE" = rootless ] || skip "a rootless-only case"
}

require_root() {
    [ "$NOOK_TEST_MODE" = root ] || skip "a root-only case"
}

# Fail with what was expected and what came out.
assert_output_contains() {
    if [[ "$output" != *"$1"* ]]; then
        echo "expected output to contain: $1" >&2
        echo "actual output: $output" >&2
        return 1
    fi
}

assert_status() {
    if [ "$status" -ne "$1" ]; then
        echo "expected exit status $1, got $status; output: $output" >&2
        return 1
    fi
}
