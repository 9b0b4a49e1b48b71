#!/usr/bin/env bats
# exec.bats: `nook exec`: a process joins a created or running container
# (its namespaces, its root, its hostname), gets the container's process
# settings changed by the flags or a process.json, and its exit code,
# detach and pid file, and runc's errors for what cannot be exec'd.

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
}

teardown() {
    common_teardown
}

# A running container c1 whose init sleeps; ARGS: more python edits of
# its config.json (see edit_config).
start_sleeper() {
    make_bundle "$B" sleep 1000
    edit_config "$B" 'c["hostname"] = "exec-host"; c["process"]["env"].append("FROM_CONFIG=yes")' "$@"
    nook_detached run -d -b "$B" c1
    wait_for_status c1 running
}

init_pid() {
    nook state c1 | "${NOOK_PYTHON:-python3}" -c 'import json, sys; print(json.load(sys.stdin)["pid"])'
}

@test "exec: runs a command in the container and exits with its code" {
    start_sleeper
    run nook exec c1 sh -c 'echo out; echo err >&2; exit 3'
    assert_status 3
    [ "${lines[0]}" = out ]
    [ "${lines[1]}" = err ]
    run nook exec c1 true
    assert_status 0
    [ -z "$output" ]
}

@test "exec: a process killed by a signal exits 128+signal" {
    start_sleeper
    run nook exec c1 sh -c 'kill -KILL $$'
    assert_status 137
}

@test "exec: sees the container's hostname, pid namespace, root and user namespace" {
    start_sleeper
    run nook exec c1 sh -c 'hostname; cat /proc/1/cmdline | tr "\0" " "; echo; echo $$; ls /'
    assert_status 0
    [ "${lines[0]}" = exec-host ]
    [ "${lines[1]}" = "sleep 1000 " ]
    # A new pid in the container's namespace, not a host pid.
    [ "${lines[2]}" -gt 1 ] && [ "${lines[2]}" -lt 100 ]
    assert_output_contains bin
    # Root of the user namespace, whatever the caller is on the host.
    run nook exec c1 id -u
    assert_status 0
    [ "$output" = 0 ]
}

@test "exec: the process starts from the container's env and takes --env and --cwd" {
    start_sleeper
    run nook exec --env FROM_FLAG=1 -e FROM_CONFIG=replaced --cwd /etc c1 sh -c 'echo "$FROM_CONFIG $FROM_FLAG"; pwd; env | grep -c ^FROM_CONFIG='
    assert_status 0
    [ "${lines[0]}" = "replaced 1" ]
    [ "${lines[1]}" = /etc ]
    [ "${lines[2]}" = 1 ]
    run nook exec c1 sh -c 'echo "$FROM_CONFIG"; pwd'
    [ "${lines[0]}" = yes ]
    [ "${lines[1]}" = / ]
}

@test "exec: --user and --additional-gids" {
    start_sleeper
    run nook exec --user 1000 c1 id -u
    assert_status 0
    [ "$output" = 1000 ]
    run nook exec -u 1000:100 -g 10 --additional-gids 20 c1 sh -c 'id -u; id -g; id -G'
    assert_status 0
    [ "${lines[0]}" = 1000 ]
    [ "${lines[1]}" = 100 ]
    [ "${lines[2]}" = "10 20" ] || [ "${lines[2]}" = "100 10 20" ]
}

@test "exec: --user that is not a number is refused before anything runs" {
    start_sleeper
    run nook exec --user alice c1 true
    assert_status 1
    assert_output_contains '--user: "alice" is not a numeric id'
}

@test "exec: --cap adds a capability and --no-new-privs sets no_new_privs" {
    start_sleeper '; c["process"]["noNewPrivileges"] = False'
    run nook exec c1 sh -c 'grep ^CapEff /proc/self/status; grep ^NoNewPrivs /proc/self/status'
    assert_status 0
    before=$(echo "${lines[0]}" | awk '{print $2}')
    [ $(( 0x$before & (1 << 12) )) -eq 0 ]
    [ "$(echo "${lines[1]}" | awk '{print $2}')" = 0 ]
    run nook exec --cap CAP_NET_ADMIN --no-new-privs c1 sh -c 'grep ^CapEff /proc/self/status; grep ^NoNewPrivs /proc/self/status'
    assert_status 0
    after=$(echo "${lines[0]}" | awk '{print $2}')
    [ $(( 0x$after & (1 << 12) )) -ne 0 ]
    [ "$(echo "${lines[1]}" | awk '{print $2}')" = 1 ]
}

@test "exec: -p process.json gives the whole process" {
    start_sleeper
    cat >"$BATS_TEST_TMPDIR/process.json" <<'JSON'
{"args": ["sh", "-c", "echo $ONLY; pwd; id -u; echo ${FROM_CONFIG:-unset}"], "env": ["ONLY=json", "PATH=/bin:/sbin"], "cwd": "/tmp", "user": {"uid": 1000, "gid": 1000}}
JSON
    run nook exec -p "$BATS_TEST_TMPDIR/process.json" c1
    assert_status 0
    [ "${lines[0]}" = json ]
    [ "${lines[1]}" = /tmp ]
    [ "${lines[2]}" = 1000 ]
    [ "${lines[3]}" = unset ]
}

@test "exec: a broken process.json is named with the JSON path" {
    start_sleeper
    echo '{"args": "sh", "cwd": "/"}' >"$BATS_TEST_TMPDIR/process.json"
    run nook exec --process "$BATS_TEST_TMPDIR/process.json" c1
    assert_status 1
    assert_output_contains "process.json"
    assert_output_contains ".args"
    [ "${#lines[@]}" -eq 1 ]
}

@test "exec: --detach returns at once and --pid-file names the process, inside the container" {
    start_sleeper
    pidfile=$BATS_TEST_TMPDIR/exec.pid
    nook exec --detach --pid-file "$pidfile" c1 sleep 999 </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1
    pid=$(cat "$pidfile")
    [ -n "$pid" ] && [ -d "/proc/$pid" ]
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qx 'sleep 999 '
    init=$(init_pid)
    for ns in pid mnt uts ipc user net cgroup; do
        [ "$(readlink "/proc/$pid/ns/$ns")" = "$(readlink "/proc/$init/ns/$ns")" ] ||
            { echo "namespace $ns differs" >&2; return 1; }
    done
    [ "$(readlink "/proc/$pid/root")" = "$(readlink "/proc/$init/root")" ]
    # Its root is the container's: it sees the container's files.
    [ -e "/proc/$pid/root/bin/busybox" ] || [ -e "/proc/$pid/root/bin/sh" ]
}

@test "exec: into a created container, before start" {
    make_bundle "$B" sleep 1000
    nook_detached create -b "$B" c1
    run nook exec c1 echo early
    assert_status 0
    [ "$output" = early ]
    run nook state c1
    assert_output_contains '"status": "created"'
}

@test "exec: into a stopped container is runc's error" {
    make_bundle "$B" true
    nook_detached run -d -b "$B" c1
    wait_for_status c1 stopped
    run nook exec c1 echo hi
    assert_status 1
    assert_output_contains "cannot exec in a stopped container"
    [ "${#lines[@]}" -eq 1 ]
}

@test "exec: a missing container says so" {
    run nook exec nosuch true
    assert_status 1
    assert_output_contains 'container "nosuch" does not exist'
}

@test "exec: a missing binary fails with runc's message and leaves no process" {
    start_sleeper
    run nook exec c1 nosuch-binary arg
    assert_status 1
    assert_output_contains 'exec: "nosuch-binary": executable file not found in $PATH'
    # Named once: not "exec: exec: ...".
    [[ "$output" != *'exec: exec:'* ]]
    [ "${#lines[@]}" -eq 1 ]
    run nook ps -f json c1
    assert_status 0
    [ "$output" = "[$(init_pid)]" ]
    ! pgrep -f nosuch-binary || false
}

@test "exec: --preserve-fds passes fds from 3 on" {
    start_sleeper
    echo kept >"$BATS_TEST_TMPDIR/kept"
    run nook exec --preserve-fds 1 c1 sh -c 'cat <&3' 3<"$BATS_TEST_TMPDIR/kept"
    assert_status 0
    [ "$output" = kept ]
    run nook exec c1 sh -c 'cat <&3' 3<"$BATS_TEST_TMPDIR/kept"
    [ "$status" -ne 0 ]
}

@test "exec: usage errors: no command, a command with --process, terminal flags that do not fit" {
    start_sleeper
    run nook exec c1
    assert_status 1
    assert_output_contains "no command given"
    echo '{"args": ["true"], "cwd": "/"}' >"$BATS_TEST_TMPDIR/process.json"
    run nook exec -p "$BATS_TEST_TMPDIR/process.json" c1 true
    assert_status 1
    assert_output_contains "both given"
    run nook exec --detach --tty c1 true
    assert_status 1
    assert_output_contains "cannot allocate a terminal when nook exec detaches without --console-socket"
    run nook exec --console-socket "$BATS_TEST_TMPDIR/sock" c1 true
    assert_status 1
    assert_output_contains "--console-socket: only for a terminal"
    run nook exec --cwd relative c1 true
    assert_status 1
    assert_output_contains "must be an absolute path"
}

@test "exec --tty: under a pseudo-terminal the process gets a pty of the container, answers input, keeps its exit code" {
    start_sleeper
    out=$BATS_TEST_TMPDIR/pty.out
    { sleep 1; printf 'read x; echo "got $x"; tty; exit 4\r'; sleep 0.5; printf 'typed\r'; sleep 1; } |
        timeout 60 script -qec "'$NOOK' --root '$NOOK_ROOT' exec -t c1 sh; echo \"exit=\$?\"" /dev/null >"$out" 2>&1
    output=$(tr -d '\r' <"$out")
    assert_output_contains "got typed"
    assert_output_contains "/dev/pts/"
    assert_output_contains "exit=4"
}

@test "exec --tty --detach --console-socket: the master goes to nook-recvtty" {
    : "${NOOK_RECVTTY:?run through meson test, which builds nook-recvtty}"
    start_sleeper
    sock=$BATS_TEST_TMPDIR/tty.sock
    printf 'hello\n' >"$BATS_TEST_TMPDIR/input"
    timeout 30 "$NOOK_RECVTTY" "$sock" <"$BATS_TEST_TMPDIR/input" >"$BATS_TEST_TMPDIR/tty.out" 2>"$BATS_TEST_TMPDIR/tty.err" &
    recvtty=$!
    for i in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
    nook_capture exec -d -t --console-socket "$sock" c1 sh -c 'read x; echo "got $x"; tty'
    assert_status 0
    [ -z "$output" ]
    wait "$recvtty"
    output=$(tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out")
    assert_output_contains "got hello"
    assert_output_contains "/dev/pts/"
}

@test "exec: the process's root is the container's, with pivot_root and with --no-pivot" {
    make_bundle "$B" sleep 1000
    nook_detached run -d -b "$B" c1
    nook_detached run -d --no-pivot -b "$B" c2
    wait_for_status c1 running
    wait_for_status c2 running
    for id in c1 c2; do
        run nook exec "$id" sh -c 'test -e /bin/sh && test ! -e /work && test ! -e "$0" && echo inside' "$NOOK_SOURCE_ROOT"
        assert_status 0
        [ "$output" = inside ]
    done
}
