#!/bin/bash
# run-bats.sh: run one bats file for meson (TAP on stdout) in one mode.
#   rootless: as the caller when not root; as the test user when root.
#   root:     only when started as root (the root-mode cases); skipped otherwise.
# Usage: run-bats.sh rootless|root FILE.bats
set -u
mode=$1
file=$2
bats_args=(--tap)

bail() {
    echo "Bail out! $*"
    exit 1
}

case "$mode" in
root)
    if [ "$(id -u)" != 0 ]; then
        echo "1..0 # SKIP root-mode cases run only when meson test is started as root"
        exit 0
    fi
    export NOOK_TEST_MODE=root
    exec bats "${bats_args[@]}" "$file"
    ;;
rootless)
    if [ "$(id -u)" != 0 ]; then
        export NOOK_TEST_MODE=rootless
        exec bats "${bats_args[@]}" "$file"
    fi
    user=${NOOK_TEST_USER:-nooktest}
    uid=$(id -u "$user" 2>/dev/null) ||
        bail "test user '$user' does not exist; create it with: sudo tests/setup-test-user.sh $user"
    for path in "$NOOK" "$file" "$NOOK_SOURCE_ROOT/tests/integration/helpers.bash"; do
        runuser -u "$user" -- test -r "$path" ||
            bail "test user '$user' cannot read $path; put the checkout where $user can read it (not under /root)"
    done
    runtime_dir=/run/user/$uid
    if [ ! -d "$runtime_dir" ]; then
        mkdir -p "$runtime_dir" && chown "$user:" "$runtime_dir" && chmod 0700 "$runtime_dir" ||
            bail "cannot create $runtime_dir for $user"
    fi
    home=$(getent passwd "$user" | cut -d: -f6)
    exec runuser -u "$user" -- env -i \
        PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        HOME="${home:-/tmp}" USER="$user" LOGNAME="$user" \
        XDG_RUNTIME_DIR="$runtime_dir" \
        NOOK="$NOOK" NOOK_SOURCE_ROOT="$NOOK_SOURCE_ROOT" NOOK_BUILD_ROOT="$NOOK_BUILD_ROOT" \
        NOOK_BUNDLE_ROOTFS="$NOOK_BUNDLE_ROOTFS" NOOK_TEST_MODE=rootless \
        NOOK_RECVTTY="${NOOK_RECVTTY:-}" \
        bats "${bats_args[@]}" "$file"
    ;;
*)
    bail "run-bats.sh: mode must be rootless or root, not '$mode'"
    ;;
esac
