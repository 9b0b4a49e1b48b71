#!/usr/bin/env bats
# containerd.bats: containerd drives nook, unchanged, as root through its
# runc shim v2 (`ctr run --runc-binary`). setup_file starts a containerd of
# the file's own (config, root, state and socket in a temporary directory;
# no CRI plugin) and imports an OCI image built from the busybox rootfs
# (make-oci-image.sh; no registry is reachable); teardown_file stops it and
# every shim it started and leaves nothing behind. The shim calls nook with
# `--root DIR --log FILE --log-format json` and create/start/state/kill/
# delete/exec/ps/pause/resume; a wrapper (given as --runc-binary) records
# each call's arguments in $CTRD_DIR/nook-calls.log.
# CTRD_RUNTIME=/usr/sbin/runc runs the same scenario with runc instead of
# nook (the wrapper execs it), to compare the two.

load ../integration/helpers

IMAGE=docker.io/library/nook-busybox:latest

setup_file() {
    # bats 1.8 (Debian 12's) cannot skip from setup_file: setup skips each
    # test with the reason instead.
    local missing= tool
    for tool in containerd ctr containerd-shim-runc-v2; do
        command -v "$tool" >/dev/null || missing+=" $tool"
    done
    if [ -n "$missing" ]; then
        export CTRD_SKIP="containerd is not installed (missing:$missing; Debian: apt-get install containerd)"
        return 0
    fi
    if [ "$NOOK_TEST_MODE" != root ]; then
        export CTRD_SKIP="containerd runs nook as root only"
        return 0
    fi

    CTRD_DIR=$(mktemp -d /tmp/nook-ctrd.XXXXXX) || return 1
    export CTRD_DIR IMAGE
    # The containerd namespace: the shim makes each container's cgroup
    # /NAMESPACE/ID (runc also in the cgroup v1 hierarchies, which no
    # cgroup namespace of the test runner's separates) and nook's state
    # dir RUNC_ROOT/NAMESPACE/ID. Unique, so that runs never meet.
    CTRD_NS=nookctr-${CTRD_DIR##*.}
    export CTRD_NS=${CTRD_NS,,}
    export CTRD_SOCK=$CTRD_DIR/containerd.sock
    # nook's --root: the shim appends the namespace.
    export CTRD_RUNC_ROOT=$CTRD_DIR/nook
    export CTRD_WRAPPER=$CTRD_DIR/nook-wrapper
    export CTRD_RUNTIME=${CTRD_RUNTIME:-$NOOK}
    # containerd's runc shim keeps its sockets in /run/containerd/s whatever
    # the config says (containerd 1.6): note what to remove afterwards.
    [ -e /run/containerd ] || touch "$CTRD_DIR/made-run-containerd"

    cat >"$CTRD_WRAPPER" <<EOF
#!/bin/sh
# Records how the runc shim calls nook, one line a call, then is nook.
printf '%s\n' "\$*" >>"$CTRD_DIR/nook-calls.log"
exec "$CTRD_RUNTIME" "\$@"
EOF
    chmod 0755 "$CTRD_WRAPPER"

    cat >"$CTRD_DIR/config.toml" <<EOF
version = 2
root = "$CTRD_DIR/root"
state = "$CTRD_DIR/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$CTRD_SOCK"

[ttrpc]
  address = "$CTRD_SOCK.ttrpc"

[debug]
  level = "debug"

[plugins."io.containerd.internal.v1.opt"]
  path = "$CTRD_DIR/opt"
EOF

    # Not holding bats' descriptors (fd 3 above all): bats would wait for it.
    containerd --config "$CTRD_DIR/config.toml" </dev/null >"$CTRD_DIR/containerd.log" 2>&1 3>&- &
    echo $! >"$CTRD_DIR/containerd.pid"
    local i
    for i in $(seq 100); do
        ctr -a "$CTRD_SOCK" version >/dev/null 2>&1 && break
        if ! kill -0 "$(cat "$CTRD_DIR/containerd.pid")" 2>/dev/null; then
            echo "containerd exited at start: $(tail -5 "$CTRD_DIR/containerd.log")" >&2
            return 1
        fi
        sleep 0.1
    done
    ctr -a "$CTRD_SOCK" version >/dev/null || {
        echo "containerd did not answer on $CTRD_SOCK within 10 s: $(tail -5 "$CTRD_DIR/containerd.log")" >&2
        return 1
    }

    # overlayfs where the temporary directory's filesystem takes it (the
    # plugin reports itself "ok"), else native (copies).
    if ctr -a "$CTRD_SOCK" plugins ls | grep -Eq 'io\.containerd\.snapshotter\.v1 +overlayfs +[^ ]+ +ok'; then
        export CONTAINERD_SNAPSHOTTER=overlayfs
    else
        export CONTAINERD_SNAPSHOTTER=native
    fi

    "$NOOK_SOURCE_ROOT/tests/engines/make-oci-image.sh" "$NOOK_BUNDLE_ROOTFS" "$CTRD_DIR/image.tar" "$IMAGE" ||
        return 1
    ctr -a "$CTRD_SOCK" -n "$CTRD_NS" image import "$CTRD_DIR/image.tar" >"$CTRD_DIR/import.out" 2>&1 || {
        echo "ctr image import failed: $(cat "$CTRD_DIR/import.out")" >&2
        return 1
    }
}

# remove_all_containers: every task killed and deleted, every container
# deleted, in the test's containerd.
remove_all_containers() {
    local id
    for id in $(ctrd task ls -q 2>/dev/null); do
        ctrd task kill -s SIGKILL --all "$id" >/dev/null 2>&1
        ctrd task delete --force "$id" >/dev/null 2>&1
    done
    for id in $(ctrd container ls -q 2>/dev/null); do
        ctrd container delete "$id" >/dev/null 2>&1
    done
}

teardown_file() {
    if [ -z "${CTRD_DIR:-}" ] || [ ! -d "$CTRD_DIR" ]; then
        return 0
    fi
    local id pid i
    if [ -S "$CTRD_SOCK" ]; then
        remove_all_containers
        ctrd image rm "$IMAGE" >/dev/null 2>&1
    fi
    if pid=$(cat "$CTRD_DIR/containerd.pid" 2>/dev/null); then
        kill -TERM "$pid" 2>/dev/null
        for i in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    # A shim outlives containerd by design: this containerd's are the ones
    # given its socket.
    for pid in $(pgrep -f -- "containerd-shim-runc-v2 .*-address $CTRD_SOCK"); do
        kill -KILL "$pid" 2>/dev/null
    done
    # Containers a failed test left in nook's state (the shim's are gone).
    for id in $("$CTRD_RUNTIME" --root "$CTRD_RUNC_ROOT/$CTRD_NS" list -q 2>/dev/null); do
        "$CTRD_RUNTIME" --root "$CTRD_RUNC_ROOT/$CTRD_NS" delete --force "$id" >/dev/null 2>&1
    done
    # The snapshotter's mounts, should a task not have been deleted.
    grep -o -- " $CTRD_DIR/[^ ]*" /proc/self/mountinfo | sort -r | while read -r mnt; do
        umount -l "$mnt" 2>/dev/null
    done
    # The namespace's parent cgroup, which the runtime leaves (as runc
    # does); in cgroup v1 too after a run with CTRD_RUNTIME=runc.
    find /sys/fs/cgroup -maxdepth 5 -type d -name "$CTRD_NS" -exec rmdir {} + 2>/dev/null
    if [ -e "$CTRD_DIR/made-run-containerd" ]; then
        rmdir /run/containerd/s /run/containerd 2>/dev/null
    fi
    rm -rf "$CTRD_DIR"
}

setup() {
    [ -z "${CTRD_SKIP:-}" ] || skip "$CTRD_SKIP"
    : > "$CTRD_DIR/nook-calls.log"
}

teardown() {
    [ -z "${CTRD_SKIP:-}" ] || return 0
    # A failing test's tasks and containers go with it, so the next test
    # starts clean (ids are reused).
    remove_all_containers
}

# ctrd ARGS...: ctr against this file's containerd, in its namespace,
# bounded in time so that a hang fails the test instead of the suite.
ctrd() {
    timeout 60 ctr -a "$CTRD_SOCK" -n "$CTRD_NS" "$@"
}

# ctrd_run ARGS...: `ctr run` with nook (through the recording wrapper) as
# the runc binary, its state under the test's directory.
ctrd_run() {
    ctrd run --runc-binary "$CTRD_WRAPPER" --runc-root "$CTRD_RUNC_ROOT" --fifo-dir "$CTRD_DIR/fifo" "$@"
}

# ctrd_exec ARGS...: `ctr task exec`, its fifos under the test's directory.
ctrd_exec() {
    ctrd task exec --fifo-dir "$CTRD_DIR/fifo" "$@"
}

# task_field ID COLUMN: the PID (2) or STATUS (3) column of `ctr task ls`.
task_field() {
    ctrd task ls | awk -v id="$1" -v col="$2" '$1 == id { print $col }'
}

# wait_task_status ID STATUS: poll `ctr task ls` for up to 10 seconds.
wait_task_status() {
    local i
    for i in $(seq 100); do
        [ "$(task_field "$1" 3)" = "$2" ] && return 0
        sleep 0.1
    done
    echo "task $1 never reached $2: $(ctrd task ls)" >&2
    return 1
}

# calls: what the shim asked of nook, one call a line, the global flags
# (--root, --log, --log-format) cut off.
calls() {
    sed 's/^.* --log-format json //' "$CTRD_DIR/nook-calls.log"
}

# assert_called PATTERN: some call of nook matches the extended regex.
assert_called() {
    if ! calls | grep -Eq -- "$1"; then
        echo "no call of nook matches: $1" >&2
        echo "calls: $(calls)" >&2
        return 1
    fi
}

# assert_process_gone PID: PID is gone (reaped by the shim) within 5 s.
assert_process_gone() {
    local i
    for i in $(seq 50); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "process $1 is still there: $(cat "/proc/$1/cmdline" 2>/dev/null | tr '\0' ' ')" >&2
    return 1
}

# assert_container_gone ID: nothing of container ID remains: no task or
# container in containerd, no state in nook's root, no process, no cgroup,
# no mount of its bundle.
assert_container_gone() {
    local id=$1 v2
    if ctrd container ls -q | grep -qx -- "$id"; then
        echo "containerd still has container $id" >&2
        return 1
    fi
    if [ -e "$CTRD_RUNC_ROOT/$CTRD_NS/$id" ]; then
        echo "nook's state $CTRD_RUNC_ROOT/$CTRD_NS/$id is left behind: $(ls -la "$CTRD_RUNC_ROOT/$CTRD_NS/$id")" >&2
        return 1
    fi
    if pgrep -f -- "-namespace $CTRD_NS -id $id -address $CTRD_SOCK" >/dev/null; then
        echo "the shim of $id is left running" >&2
        return 1
    fi
    if grep -q -- "/$CTRD_NS/$id/" /proc/self/mountinfo; then
        echo "a mount of $id's bundle is left: $(grep -- "/$CTRD_NS/$id/" /proc/self/mountinfo)" >&2
        return 1
    fi
    if v2=$(cgroup_v2_root) && [ -e "$v2/$CTRD_NS/$id" ]; then
        echo "the cgroup $v2/$CTRD_NS/$id is left behind" >&2
        return 1
    fi
}

@test "ctr image import: the image built from the busybox rootfs is listed" {
    run ctrd image ls
    assert_status 0
    assert_output_contains "$IMAGE"
    assert_output_contains "application/vnd.oci.image.manifest.v1+json"
    assert_output_contains "linux/"
    run cat "$CTRD_DIR/import.out"
    assert_output_contains "unpacking $IMAGE"
}

@test "ctr run --rm --runc-binary nook: the container's output reaches ctr" {
    run ctrd run --rm --runc-binary "$CTRD_RUNTIME" --runc-root "$CTRD_RUNC_ROOT" --fifo-dir "$CTRD_DIR/fifo" \
        "$IMAGE" c1 sh -c 'echo hello from nook; echo "pid $$"'
    assert_status 0
    [ "${lines[0]}" = "hello from nook" ]
    # In a pid namespace of its own, as containerd's spec asks.
    [ "${lines[1]}" = "pid 1" ]
    [ "${#lines[@]}" -eq 2 ]
    assert_container_gone c1
}

@test "the shim drives nook with runc's flags: --root, --log, --log-format json, create, start, delete" {
    run ctrd_run --rm "$IMAGE" c1 true
    assert_status 0
    run cat "$CTRD_DIR/nook-calls.log"
    assert_output_contains "--root $CTRD_RUNC_ROOT/$CTRD_NS --log $CTRD_DIR/state/io.containerd.runtime.v2.task/$CTRD_NS/c1/log.json --log-format json"
    assert_called "^create --bundle $CTRD_DIR/state/io.containerd.runtime.v2.task/$CTRD_NS/c1 --pid-file [^ ]+/init.pid c1\$"
    assert_called '^start c1$'
    assert_called '^delete c1$'
    assert_container_gone c1
}

@test "the container's exit code reaches ctr run" {
    run ctrd_run --rm "$IMAGE" c1 sh -c 'echo before; exit 7'
    assert_status 7
    assert_output_contains before
    run ctrd_run --rm "$IMAGE" c1 false
    assert_status 1
    run ctrd_run --rm "$IMAGE" c1 sh -c 'exit 255'
    assert_status 255
    assert_container_gone c1
}

@test "an error of nook's reaches ctr (through --log-format json) and nothing is left" {
    run ctrd_run --rm "$IMAGE" c1 /no/such/program
    [ "$status" -ne 0 ]
    assert_output_contains "OCI runtime create failed"
    assert_output_contains "/no/such/program"
    run ctrd container delete c1
    assert_container_gone c1
}

@test "ctr run -d, ctr task exec: output and exit code of the exec'd process" {
    run ctrd_run -d "$IMAGE" c1 sleep 1000
    assert_status 0
    wait_task_status c1 RUNNING
    run ctrd_exec --exec-id e1 c1 sh -c 'echo in the container; cat /proc/1/cmdline | tr "\0" " "; exit 3'
    assert_status 3
    [ "${lines[0]}" = "in the container" ]
    [ "${lines[1]}" = "sleep 1000 " ]
    assert_called '^exec --process [^ ]+ --detach --pid-file [^ ]+/e1\.pid c1$'
    run ctrd_exec --exec-id e2 --cwd /etc --user 65534 c1 sh -c 'pwd; id -u'
    assert_status 0
    [ "${lines[0]}" = /etc ]
    [ "${lines[1]}" = 65534 ]
}

@test "ctr task ps lists the init and an exec'd process" {
    ctrd_run -d "$IMAGE" c1 sleep 1000
    wait_task_status c1 RUNNING
    ctrd_exec -d --exec-id e1 c1 sleep 999
    local init
    init=$(task_field c1 2)
    [ -n "$init" ]
    run ctrd task ps c1
    assert_status 0
    assert_output_contains "$init"
    assert_output_contains "ExecID:e1"
    assert_called '^ps --format json c1$'
    [ "${#lines[@]}" -eq 3 ]
}

@test "ctr task kill: SIGTERM stops the task with the status its process chose" {
    ctrd_run -d "$IMAGE" c1 sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
    wait_task_status c1 RUNNING
    run ctrd task kill c1
    assert_status 0
    assert_called '^kill c1 15$'
    wait_task_status c1 STOPPED
    run ctrd task delete c1
    assert_status 0
    assert_output_contains "task c1 exit with non-zero exit code 42"
    assert_called '^delete c1$'
    run ctrd container delete c1
    assert_status 0
    assert_container_gone c1
}

@test "ctr task kill --all -s SIGKILL: every process of the container goes" {
    ctrd_run -d "$IMAGE" c1 sleep 1000
    wait_task_status c1 RUNNING
    ctrd_exec -d --exec-id e1 c1 sleep 999
    local init exec_pid
    init=$(task_field c1 2)
    exec_pid=$(ctrd task ps c1 | awk '/ExecID:e1[,}]/ { print $1 }')
    [ -n "$exec_pid" ]
    run ctrd task kill --all -s SIGKILL c1
    assert_status 0
    assert_called '^kill --all c1 9$'
    wait_task_status c1 STOPPED
    assert_process_gone "$init"
    assert_process_gone "$exec_pid"
    run ctrd task delete c1
    assert_output_contains "exit code 137"
}

@test "ctr task pause and resume freeze and thaw the container's cgroup" {
    local v2
    v2=$(cgroup_v2_root) || skip "this host has no cgroup v2 hierarchy (nook's freezer is cgroup v2's)"
    ctrd_run -d "$IMAGE" c1 sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/next; mv /tmp/next /tmp/count; sleep 0.05; done'
    wait_task_status c1 RUNNING
    local init cgroup
    init=$(task_field c1 2)
    cgroup=$(sed -n 's/^0:://p' "/proc/$init/cgroup")
    [ "$cgroup" = "/$CTRD_NS/c1" ]
    local i
    for i in $(seq 100); do
        [ -s "/proc/$init/root/tmp/count" ] && break
        sleep 0.1
    done
    run ctrd task pause c1
    assert_status 0
    assert_called '^pause c1$'
    [ "$(task_field c1 3)" = PAUSED ]
    grep -qx 'frozen 1' "$v2$cgroup/cgroup.events"
    run "$CTRD_RUNTIME" --root "$CTRD_RUNC_ROOT/$CTRD_NS" state c1
    assert_output_contains '"status": "paused"'
    local before after
    before=$(cat "/proc/$init/root/tmp/count")
    sleep 0.3
    after=$(cat "/proc/$init/root/tmp/count")
    [ "$before" = "$after" ]
    run ctrd task resume c1
    assert_status 0
    assert_called '^resume c1$'
    [ "$(task_field c1 3)" = RUNNING ]
    grep -qx 'frozen 0' "$v2$cgroup/cgroup.events"
    sleep 0.3
    [ "$(cat "/proc/$init/root/tmp/count")" -gt "$after" ]
}

@test "ctr run -t: the container gets a terminal through --console-socket" {
    command -v script >/dev/null || skip "script(1) (util-linux) is needed to give ctr a terminal"
    run timeout 60 script -qec "ctr -a $CTRD_SOCK -n $CTRD_NS run --rm -t --runc-binary $CTRD_WRAPPER --runc-root $CTRD_RUNC_ROOT --fifo-dir $CTRD_DIR/fifo $IMAGE c1 sh -c 'test -t 0 && test -t 1 && tty; exit 5'" /dev/null </dev/null
    assert_status 5
    assert_output_contains /dev/pts/0
    assert_called '^create --bundle [^ ]+ --pid-file [^ ]+ --console-socket [^ ]+ c1$'
    assert_container_gone c1
}

@test "ctr task exec -t: an exec'd process gets a terminal" {
    command -v script >/dev/null || skip "script(1) (util-linux) is needed to give ctr a terminal"
    ctrd_run -d "$IMAGE" c1 sleep 1000
    wait_task_status c1 RUNNING
    run timeout 60 script -qec "ctr -a $CTRD_SOCK -n $CTRD_NS task exec -t --fifo-dir $CTRD_DIR/fifo --exec-id e1 c1 sh -c 'test -t 0 && tty; exit 4'" /dev/null </dev/null
    assert_status 4
    assert_output_contains /dev/pts/
    assert_called '^exec --process [^ ]+ --console-socket [^ ]+ --detach --pid-file [^ ]+ c1$'
}

@test "ctr task delete and ctr container delete leave nothing in nook's root" {
    ctrd_run -d "$IMAGE" c1 sleep 1000
    wait_task_status c1 RUNNING
    [ -d "$CTRD_RUNC_ROOT/$CTRD_NS/c1" ]
    run "$CTRD_RUNTIME" --root "$CTRD_RUNC_ROOT/$CTRD_NS" state c1
    assert_status 0
    assert_output_contains '"status": "running"'
    ctrd task kill -s SIGKILL c1
    wait_task_status c1 STOPPED
    run ctrd task delete c1
    assert_status 0
    run ctrd container delete c1
    assert_status 0
    assert_container_gone c1
    run ls -A "$CTRD_RUNC_ROOT/$CTRD_NS"
    [ -z "$output" ]
}

@test "ctr task kill on a task that has exited: the shim hears runc's 'container not running'" {
    ctrd_run -d "$IMAGE" c1 true
    wait_task_status c1 STOPPED
    run ctrd task kill c1
    [ "$status" -ne 0 ]
    assert_called '^kill c1 15$'
    # checkKillError in the shim turns runc's words into "not found";
    # anything else is "unknown error after kill".
    assert_output_contains "process already finished: not found"
}

@test "ctr task delete --force takes a running task away (kill --all, then delete)" {
    ctrd_run -d "$IMAGE" c1 sleep 1000
    wait_task_status c1 RUNNING
    local init
    init=$(task_field c1 2)
    run ctrd task delete --force c1
    assert_status 0
    assert_called '^kill --all c1 9$'
    assert_called '^delete c1$'
    assert_process_gone "$init"
    run ctrd container delete c1
    assert_container_gone c1
}

@test "ctr task exec of a missing program: nook's error reaches ctr, the task runs on" {
    ctrd_run -d "$IMAGE" c1 sleep 1000
    wait_task_status c1 RUNNING
    run ctrd_exec --exec-id e1 c1 /no/such/program
    [ "$status" -ne 0 ]
    assert_output_contains "OCI runtime exec failed"
    assert_output_contains '"/no/such/program": No such file or directory'
    [ "$(task_field c1 3)" = RUNNING ]
    run ctrd_exec --exec-id e2 c1 echo still here
    assert_status 0
    [ "$output" = "still here" ]
}

# (Not --no-pivot: ctr 1.6 then replaces the task's runtime options,
# --runc-binary included, and the shim runs runc.)
@test "ctr run --seccomp, --read-only, --mount, --env, --cwd reach the container" {
    mkdir -p "$CTRD_DIR/shared"
    echo from the host >"$CTRD_DIR/shared/file"
    # containerd's default seccomp profile, a large real one.
    run ctrd_run --rm --seccomp --read-only --env GREETING=hi --cwd /etc \
        --mount "type=bind,src=$CTRD_DIR/shared,dst=/shared,options=rbind:ro" \
        "$IMAGE" c1 sh -c 'grep "^Seccomp:" /proc/self/status; echo "$GREETING"; pwd; cat /shared/file; touch /new 2>&1; touch /shared/new 2>&1; true'
    assert_status 0
    [ "${lines[0]}" = "Seccomp:	2" ]
    [ "${lines[1]}" = hi ]
    [ "${lines[2]}" = /etc ]
    [ "${lines[3]}" = "from the host" ]
    [[ "${lines[4]}" == *"/new: Read-only file system" ]]
    [[ "${lines[5]}" == *"/shared/new: Read-only file system" ]]
    [ ! -e "$CTRD_DIR/shared/new" ]
}

@test "a memory limit: applied where cgroup v2 has the controller, else a clear error, or with nook.cgroup.optional a warning in the log only" {
    local v2
    v2=$(cgroup_v2_root) || skip "this host has no cgroup v2 hierarchy"
    if grep -qw memory "$v2/cgroup.controllers"; then
        ctrd_run -d --memory-limit 67108864 "$IMAGE" c1 sleep 1000
        wait_task_status c1 RUNNING
        [ "$(cat "$v2/$CTRD_NS/c1/memory.max")" = 67108864 ]
        return 0
    fi
    run ctrd_run --rm --memory-limit 67108864 "$IMAGE" c1 echo ran
    [ "$status" -ne 0 ]
    assert_output_contains 'OCI runtime create failed'
    assert_output_contains '.linux.resources.memory.limit: cannot be applied: the cgroup v2 controller "memory" is missing'
    assert_output_contains 'nook.cgroup.optional'
    run ctrd container delete c1
    assert_container_gone c1
    # Optional: the container runs, and its output is its own (the shim
    # gives create the container's stdio); the warning is in nook's log.
    ctrd_run -d --memory-limit 67108864 --annotation nook.cgroup.optional=true "$IMAGE" c1 \
        sh -c 'echo ran > /tmp/ran; sleep 1000'
    wait_task_status c1 RUNNING
    run cat "$CTRD_DIR/state/io.containerd.runtime.v2.task/$CTRD_NS/c1/log.json"
    assert_output_contains '"level":"warning","msg":"config.json: .linux.resources.memory.limit: not applied'
    run ctrd task kill -s SIGKILL c1
    wait_task_status c1 STOPPED
    run ctrd task delete c1
    run ctrd container delete c1
    run ctrd_run --rm --memory-limit 67108864 --annotation nook.cgroup.optional=true "$IMAGE" c1 echo ran
    assert_status 0
    [ "$output" = ran ]
}

@test "update --resources -, as the shim runs it (CRI's UpdateContainerResources; ctr has no update)" {
    local v2 resources file expected
    v2=$(cgroup_v2_root) || skip "this host has no cgroup v2 hierarchy"
    if grep -qw pids "$v2/cgroup.controllers"; then
        resources='{"pids": {"limit": 77}}' file=pids.max expected=77
    elif grep -qw hugetlb "$v2/cgroup.controllers"; then
        resources='{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}' file=hugetlb.2MB.max expected=4194304
    else
        skip "cgroup v2 has neither the pids nor the hugetlb controller here"
    fi
    ctrd_run -d "$IMAGE" c1 sleep 1000
    wait_task_status c1 RUNNING
    local log=$CTRD_DIR/state/io.containerd.runtime.v2.task/$CTRD_NS/c1/log.json
    run "$CTRD_RUNTIME" --root "$CTRD_RUNC_ROOT/$CTRD_NS" --log "$log" --log-format json update --resources - c1 <<<"$resources"
    assert_status 0
    [ "$(cat "$v2/$CTRD_NS/c1/$file")" = "$expected" ]
}
