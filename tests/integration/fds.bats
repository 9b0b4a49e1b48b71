#!/usr/bin/env bats
# fds.bats: file descriptors and environment an engine hands to the
# container: --preserve-fds, socket activation (LISTEN_FDS/LISTEN_PID),
# NOTIFY_SOCKET relaying, and --log-format json lines for an error inside
# the init core.

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
    printf 'first\n' >"$BATS_TEST_TMPDIR/f3"
    printf 'second\n' >"$BATS_TEST_TMPDIR/f4"
    printf 'third\n' >"$BATS_TEST_TMPDIR/f5"
    # The container's shell: its environment's activation variables, what
    # fds 3.. hold, and which of fds 0-9 it holds (tested one by one with
    # builtins: busybox runs ls inside the shell, whose directory fd would
    # show).
    make_bundle "$B" sh -c 'echo "fds=$LISTEN_FDS pid=$LISTEN_PID"; for fd in 3 4 5; do [ -e /proc/$$/fd/$fd ] && eval "read -r line <&$fd" && echo "fd$fd=$line"; done; for fd in 0 1 2 3 4 5 6 7 8 9; do [ -e /proc/$$/fd/$fd ] && echo $fd; done; true'
}

teardown() {
    common_teardown
}

# in_shell SCRIPT: run SCRIPT with bash (so that its fd redirections and
# exec do not touch bats' own fds); sets status, output and lines.
in_shell() {
    local file=$BATS_TEST_TMPDIR/out.$RANDOM
    status=0
    NOOK_ROOT=$NOOK_ROOT B=$B T=$BATS_TEST_TMPDIR bash -c "$1" </dev/null >"$file" 2>&1 || status=$?
    output=$(cat "$file")
    mapfile -t lines <"$file"
}

# assert_lines TEXT: the output's lines, joined by spaces, are TEXT.
assert_lines() {
    if [ "${lines[*]}" != "$1" ]; then
        echo "expected lines: $1" >&2
        echo "actual lines:   ${lines[*]}" >&2
        return 1
    fi
}

@test "fds: --preserve-fds N passes fds 3..3+N-1 and nothing above" {
    in_shell 'exec 3<"$T/f3" 4<"$T/f4" 5<"$T/f5"; exec "$NOOK" --root "$NOOK_ROOT" run --preserve-fds 2 -b "$B" c1'
    assert_status 0
    assert_lines "fds= pid= fd3=first fd4=second 0 1 2 3 4"
}

@test "fds: without --preserve-fds only stdio reaches the container" {
    in_shell 'exec 3<"$T/f3" 4<"$T/f4"; exec "$NOOK" --root "$NOOK_ROOT" run -b "$B" c1'
    assert_status 0
    assert_lines "fds= pid= 0 1 2"
}

@test "fds: socket activation passes LISTEN_FDS fds with LISTEN_PID=1" {
    in_shell 'exec 3<"$T/f3" 4<"$T/f4" 5<"$T/f5"; export LISTEN_FDS=2 LISTEN_PID=$$; exec "$NOOK" --root "$NOOK_ROOT" run -b "$B" c1'
    assert_status 0
    assert_lines "fds=2 pid=1 fd3=first fd4=second 0 1 2 3 4"
}

@test "fds: activation fds come first, --preserve-fds ones after them" {
    in_shell 'exec 3<"$T/f3" 4<"$T/f4" 5<"$T/f5"; export LISTEN_FDS=1 LISTEN_PID=$$; exec "$NOOK" --root "$NOOK_ROOT" run --preserve-fds 2 -b "$B" c1'
    assert_status 0
    assert_lines "fds=1 pid=1 fd3=first fd4=second fd5=third 0 1 2 3 4 5"
}

@test "fds: LISTEN_FDS meant for another process is ignored" {
    in_shell 'exec 3<"$T/f3"; export LISTEN_FDS=1 LISTEN_PID=1; exec "$NOOK" --root "$NOOK_ROOT" run -b "$B" c1'
    assert_status 0
    assert_lines "fds= pid= 0 1 2"
}

@test "fds: config.json's own LISTEN_ variables give way to the activation's" {
    edit_config "$B" 'c["process"]["env"] += ["LISTEN_FDS=9", "LISTEN_PID=77"]'
    in_shell 'exec 3<"$T/f3"; export LISTEN_FDS=1 LISTEN_PID=$$; exec "$NOOK" --root "$NOOK_ROOT" run -b "$B" c1'
    assert_status 0
    [ "${lines[0]}" = "fds=1 pid=1" ]
}

@test "log: --log-format json writes an init core error as JSON lines" {
    B=$BATS_TEST_TMPDIR/missing-binary
    make_bundle "$B" /no/such/binary
    log=$BATS_TEST_TMPDIR/nook.log
    nook_capture --log "$log" --log-format json create -b "$B" c1
    assert_status 1
    assert_output_contains "/no/such/binary"
    [ -s "$log" ]
    "$NOOK_PYTHON" - "$log" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "empty log"
errors = []
for line in lines:
    entry = json.loads(line)
    assert set(entry) == {"level", "msg", "time"}, entry
    assert entry["time"].endswith("Z"), entry
    if entry["level"] == "error":
        errors.append(entry["msg"])
assert len(errors) == 1, errors
assert "/no/such/binary" in errors[0], errors
assert errors[0].startswith("create: "), errors
PY
    assert_no_leftovers c1 "$B"
}

@test "log: a bad mount inside the init core is logged as one JSON error line" {
    edit_config "$B" 'c["mounts"].append({"destination": "/x", "type": "bind", "source": "/no/such/source", "options": ["rbind"]})'
    log=$BATS_TEST_TMPDIR/nook.log
    nook_capture --log "$log" --log-format json run -b "$B" c1
    assert_status 1
    "$NOOK_PYTHON" - "$log" <<'PY'
import json, sys
entries = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
errors = [e for e in entries if e["level"] == "error"]
assert len(errors) == 1, entries
assert "/no/such/source" in errors[0]["msg"], errors
PY
    assert_no_leftovers c1 "$B"
}

# notify_bundle DIR SCRIPT: a bundle whose process runs SCRIPT with the
# static sd_notify client at /home/notify-send and a tmpfs on /run (where
# the container's notify directory is bound, as engines give it).
notify_bundle() {
    local dir=$1
    mkdir -p "$BATS_TEST_TMPDIR/tools"
    cp "$NOOK_BUILD_ROOT/tests/notify-send" "$BATS_TEST_TMPDIR/tools/notify-send"
    chmod 0755 "$BATS_TEST_TMPDIR/tools" "$BATS_TEST_TMPDIR/tools/notify-send"
    rm -f "$dir/config.json"
    make_bundle "$dir" sh -c "$2"
    edit_config "$dir" "c['mounts'] += [{'destination': '/run', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['nosuid', 'nodev']}, {'destination': '/home', 'type': 'bind', 'source': '$BATS_TEST_TMPDIR/tools', 'options': ['rbind']}]"
}

# start_receiver: the caller's notify socket at $SOCK, a python datagram
# receiver writing each message as a line to $RECEIVED until MAINPID
# arrives (or 20 seconds pass).
start_receiver() {
    SOCK=$BATS_TEST_TMPDIR/host-notify.sock
    RECEIVED=$BATS_TEST_TMPDIR/received
    : >"$RECEIVED"
    "$NOOK_PYTHON" - "$SOCK" "$RECEIVED" >/dev/null 2>&1 </dev/null 3>&- <<'PY' &
import socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(20)
with open(out, "a") as f:
    while True:
        try:
            data = s.recv(4096).decode()
        except socket.timeout:
            break
        f.write(data + "\n")
        f.flush()
        if data.startswith("MAINPID="):
            break
PY
    RECEIVER=$!
    local i
    for i in $(seq 100); do [ -S "$SOCK" ] && return 0; sleep 0.1; done
    echo "the notify receiver never bound $SOCK" >&2
    return 1
}

@test "notify: run relays the container's messages and READY=1 to NOTIFY_SOCKET" {
    notify_bundle "$B" 'echo "socket=$NOTIFY_SOCKET"; /home/notify-send STATUS=starting && /home/notify-send READY=1'
    start_receiver
    nook_capture_env() { NOTIFY_SOCKET=$SOCK nook_capture "$@"; }
    nook_capture_env run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = "socket=/run/notify/notify.sock" ]
    wait "$RECEIVER"
    mapfile -t got <"$RECEIVED"
    [ "${got[0]}" = STATUS=starting ]
    [ "${got[1]}" = READY=1 ]
    [[ "${got[2]}" =~ ^MAINPID=[0-9]+$ ]]
    assert_no_leftovers c1 "$B"
}

@test "notify: run --detach returns once the container said READY=1" {
    notify_bundle "$B" 'sleep 1; /home/notify-send READY=1; sleep 100'
    start_receiver
    NOTIFY_SOCKET=$SOCK nook_detached run -d -b "$B" c1
    # READY=1 is already relayed when run returns, not a second later.
    grep -qx READY=1 "$RECEIVED"
    pid=$(nook state c1 | "$NOOK_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["pid"])')
    wait "$RECEIVER"
    grep -qx "MAINPID=$pid" "$RECEIVED"
}

@test "notify: after create, start waits for READY=1 and relays it" {
    notify_bundle "$B" 'sleep 1; /home/notify-send READY=1; sleep 100'
    start_receiver
    NOTIFY_SOCKET=$SOCK nook_detached create -b "$B" c1
    [ ! -s "$RECEIVED" ]
    NOTIFY_SOCKET=$SOCK nook start c1
    grep -qx READY=1 "$RECEIVED"
    wait "$RECEIVER"
    nook delete --force c1
    assert_no_leftovers c1 "$B"
}

@test "notify: a container that exits without READY=1 does not hang start" {
    notify_bundle "$B" 'exit 0'
    start_receiver
    NOTIFY_SOCKET=$SOCK nook_detached create -b "$B" c1
    NOTIFY_SOCKET=$SOCK timeout 20 "$NOOK" --root "$NOOK_ROOT" start c1
    [ ! -s "$RECEIVED" ]
    kill "$RECEIVER"
    nook delete c1
}

@test "notify: without NOTIFY_SOCKET the container gets no socket" {
    notify_bundle "$B" 'echo "socket=${NOTIFY_SOCKET:-none}"; [ -e /run/notify ] && echo present; true'
    run env -u NOTIFY_SOCKET "$NOOK" --root "$NOOK_ROOT" run -b "$B" c1
    assert_status 0
    [ "$output" = "socket=none" ]
}
