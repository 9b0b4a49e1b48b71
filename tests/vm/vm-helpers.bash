# vm-helpers.bash: what the VM tests add to tests/integration/helpers.bash:
# finding a container's cgroup from its init's /proc/PID/cgroup, and waits
# long enough for a guest that runs 8-15 times slower than the host.

CGROUP_ROOT=/sys/fs/cgroup

# container_pid ID: the init's pid from `nook state`.
container_pid() {
    nook state "$1" | sed -n 's/^ *"pid": *\([0-9]*\).*/\1/p'
}

# cgroup_of PID: the cgroup PID is in, as a path inside the hierarchy.
cgroup_of() {
    sed -n 's/^0:://p' "/proc/$1/cgroup"
}

# container_cgroup_dir ID: the directory of the cgroup the container's init
# is in (for the systemd manager: the scope's "container" sub-cgroup).
container_cgroup_dir() {
    local pid
    pid=$(container_pid "$1") && [ -n "$pid" ] || return 1
    echo "$CGROUP_ROOT$(cgroup_of "$pid")"
}

# wait_until SECONDS COMMAND...: poll COMMAND every 0.2 s until it succeeds.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "timed out waiting for: $*" >&2
            return 1
        fi
        sleep 0.2
    done
}

# status_is ID STATUS: the container's status is STATUS now.
status_is() {
    nook state "$1" 2>/dev/null | grep -q "\"status\": \"$2\""
}

# file_has FILE TEXT: FILE exists and contains TEXT.
file_has() {
    grep -qF -- "$2" "$1" 2>/dev/null
}

# unit_state UNIT: systemd's ActiveState of a user unit ("inactive" for one
# it does not know).
unit_state() {
    systemctl --user show -p ActiveState --value "$1" 2>/dev/null
}

# ticks PID: user+system CPU time the process has used, in clock ticks.
ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# note TEXT: a line in the TAP stream (bats passes fd 3 through): what the
# guest measured, so a run's log shows the limits at work, not only "ok".
note() {
    printf '#   %s\n' "$(printf '%s' "$*" | tr '\n' ' ')" >&3
}

# start ID NOOK_ARGS...: nook NOOK_ARGS... run -d ID (ARGS hold the global
# flags and run's own, with -b); on failure, nook's stderr is shown.
start() {
    local id=$1
    shift
    if ! nook_detached "$@" "$id"; then
        echo "nook $* $id failed: $(cat "$BATS_TEST_TMPDIR/container.err")" >&2
        return 1
    fi
}
