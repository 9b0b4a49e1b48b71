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

# python3 may be a slow launcher (pyenv shims cost about a second a call);
# call this from setup_file to resolve the interpreter once per file. Tests
# then run "${NOOK_PYTHON:-python3}".
export_python() {
    NOOK_PYTHON=$(python3 -c 'import sys; print(sys.executable)') && export NOOK_PYTHON
}

# make_bundle DIR [ARGS...]: a bundle in DIR (created if missing) whose
# config.json is `nook spec` output for the current mode, with root.path
# the shared busybox rootfs ($NOOK_BUNDLE_ROOTFS, read-only), terminal
# false, and process.args ARGS (default: sh).
make_bundle() {
    local dir=$1
    shift
    mkdir -p "$dir" || return 1
    "$NOOK" spec -b "$dir" || return 1
    "${NOOK_PYTHON:-python3}" - "$dir/config.json" "$NOOK_BUNDLE_ROOTFS" "$@" <<'PY' || return 1
import json, sys
path, rootfs, args = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(path) as f:
    config = json.load(f)
config["root"]["path"] = rootfs
config["process"]["terminal"] = False
if args:
    config["process"]["args"] = args
with open(path, "w") as f:
    json.dump(config, f, indent="\t")
    f.write("\n")
PY
}
