# podman-world.bash: the private world that tests/engines/podman.bats (on
# the host) and tests/vm/podman.bats (in the VM) give podman, so that
# nothing of the user's own podman setup is read or touched: a temporary
# directory with HOME (containers.conf naming nook as the runtime,
# storage.conf with overlay storage inside it), TMPDIR, a wrapper runtime
# that logs each call, and an image imported from the busybox rootfs.

# podman_world_setup TEMPLATE CONTAINERS_SECTION ENGINE_LINES: make
# PODMAN_DIR from mktemp's TEMPLATE and write the world into it.
# CONTAINERS_SECTION goes first in containers.conf (may be empty),
# ENGINE_LINES into its [engine] table. Exports PODMAN_DIR, IMAGE (the
# caller's), PODMAN_RUNTIME (nook unless set: what the wrapper runs),
# PODMAN_WRAPPER, HOME and TMPDIR.
podman_world_setup() {
    local template=$1 containers_section=$2 engine_lines=$3
    PODMAN_DIR=$(mktemp -d "$template") || return 1
    chmod 0700 "$PODMAN_DIR"
    export PODMAN_DIR IMAGE
    export PODMAN_RUNTIME=${PODMAN_RUNTIME:-$NOOK}
    export PODMAN_WRAPPER=$PODMAN_DIR/bin/nook
    # The configuration goes where podman finds it from $HOME: conmon
    # passes HOME, not XDG_CONFIG_HOME, to the `podman container cleanup`
    # it runs when a container exits.
    local config=$PODMAN_DIR/home/.config/containers
    mkdir -p "$PODMAN_DIR/bin" "$config" "$PODMAN_DIR/tmp" || return 1
    export HOME=$PODMAN_DIR/home
    export TMPDIR=$PODMAN_DIR/tmp
    unset XDG_CONFIG_HOME CONTAINERS_CONF CONTAINERS_STORAGE_CONF

    cat >"$PODMAN_WRAPPER" <<EOT
#!/bin/sh
# Records how podman and conmon call nook, one line a call, then is nook.
printf '%s\n' "\$*" >>"$PODMAN_DIR/nook-calls.log"
exec "$PODMAN_RUNTIME" "\$@"
EOT
    chmod 0755 "$PODMAN_WRAPPER"

    # The runtime's name ("nook", from the [engine.runtimes] key) is what
    # podman looks up in the runtime_supports_* lists.
    cat >"$config/containers.conf" <<EOT
$containers_section
[engine]
runtime = "nook"
$engine_lines
events_logger = "file"
tmp_dir = "$PODMAN_DIR/libpod-tmp"
runtime_supports_json = ["crun", "runc", "nook"]
runtime_supports_nocgroup = ["crun", "nook"]

[engine.runtimes]
nook = ["$PODMAN_WRAPPER"]
EOT
    cat >"$config/storage.conf" <<EOT
[storage]
driver = "overlay"
graphroot = "$PODMAN_DIR/storage"
runroot = "$PODMAN_DIR/run"
EOT
}

# podman_world_import SECONDS: the busybox rootfs as $IMAGE (no registry
# is reachable), within SECONDS.
podman_world_import() {
    tar -C "$NOOK_BUNDLE_ROOTFS" -c . |
        timeout "$1" podman import --change CMD=/bin/sh - "$IMAGE" >"$PODMAN_DIR/import.out" 2>&1 || {
        echo "podman import failed: $(cat "$PODMAN_DIR/import.out")" >&2
        return 1
    }
}

# podman_world_remove SECONDS [PAUSE_PID_FILE...]: every pod and
# container, the storage, podman's pause process (its pid in
# $PODMAN_DIR/libpod-tmp/pause.pid or the files given) and PODMAN_DIR;
# each podman call within SECONDS.
podman_world_remove() {
    local seconds=$1 pid
    shift
    [ -n "${PODMAN_DIR:-}" ] && [ -d "$PODMAN_DIR" ] || return 0
    timeout "$seconds" podman pod rm -af -t 0 >/dev/null 2>&1
    timeout "$seconds" podman rm -af -t 0 >/dev/null 2>&1
    # The storage holds files of the user's subordinate ids: only podman's
    # user namespace may remove them.
    timeout "$seconds" podman unshare rm -rf "$PODMAN_DIR/storage" "$PODMAN_DIR/run" >/dev/null 2>&1
    for pid in $(cat "$@" "$PODMAN_DIR"/libpod-tmp/pause.pid 2>/dev/null); do
        kill -KILL "$pid" 2>/dev/null
    done
    rm -rf "$PODMAN_DIR"
}
