#!/usr/bin/env bats
# terminal.bats: process.terminal: the pty made inside the container, its
# master handed to a --console-socket (served by nook-recvtty) or relayed
# by `nook run` itself under a real pseudo-terminal (script(1)), and the
# refusals of terminal flags that do not fit together.

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
    SOCK=$BATS_TEST_TMPDIR/tty.sock
    : "${NOOK_RECVTTY:?run through meson test, which builds nook-recvtty}"
}

teardown() {
    if [ -n "${RECVTTY_PID:-}" ]; then
        kill "$RECVTTY_PID" 2>/dev/null || true
    fi
    common_teardown
}

# terminal_bundle ARGS...: a bundle whose process has a terminal.
terminal_bundle() {
    make_bundle "$B" "$@" &&
        edit_config "$B" 'c["process"]["terminal"] = True; c["process"]["consoleSize"] = {"height": 30, "width": 100}'
}

# start_recvtty INPUT: nook-recvtty on $SOCK in the background, typing the
# file INPUT into the terminal and writing what the terminal shows to
# $BATS_TEST_TMPDIR/tty.out; returns once it listens.
start_recvtty() {
    timeout 30 "$NOOK_RECVTTY" "$SOCK" <"$1" >"$BATS_TEST_TMPDIR/tty.out" 2>"$BATS_TEST_TMPDIR/tty.err" &
    RECVTTY_PID=$!
    local i
    for i in $(seq 100); do
        [ -S "$SOCK" ] && return 0
        sleep 0.05
    done
    echo "nook-recvtty never listened on $SOCK: $(cat "$BATS_TEST_TMPDIR/tty.err")" >&2
    return 1
}

# wait_recvtty: nook-recvtty exits once the container closed its terminal.
wait_recvtty() {
    local code=0
    wait "$RECVTTY_PID" || code=$?
    RECVTTY_PID=
    output=$(tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out")
    if [ "$code" -ne 0 ]; then
        echo "nook-recvtty exited $code: $(cat "$BATS_TEST_TMPDIR/tty.err")" >&2
        return 1
    fi
}

# in_pty COMMAND INPUT...: run the shell COMMAND under script(1), a real
# pseudo-terminal, typing each INPUT a second apart; output is what the
# terminal showed, without carriage returns.
in_pty() {
    local command=$1
    shift
    local out=$BATS_TEST_TMPDIR/pty.out
    status=0
    { for input in "$@"; do sleep 1; printf '%s' "$input"; done; sleep 1; } |
        timeout 60 script -qec "$command" /dev/null >"$out" 2>&1 || status=$?
    output=$(tr -d '\r' <"$out")
}

@test "create --console-socket: the container answers input typed through nook-recvtty" {
    terminal_bundle sh -c 'read x; echo "got $x"; tty; stty size; ls -l /dev/console'
    printf 'hello\n' >"$BATS_TEST_TMPDIR/input"
    start_recvtty "$BATS_TEST_TMPDIR/input"
    nook_capture create --console-socket "$SOCK" -b "$B" c1
    assert_status 0
    [ -z "$output" ]
    # The master went to the socket; the console socket is not kept.
    [ ! -e "$SOCK" ]
    nook start c1
    wait_recvtty
    assert_output_contains "got hello"
    assert_output_contains "/dev/pts/0"
    # process.consoleSize
    assert_output_contains "30 100"
    # /dev/console is the pty: a character device of the pts major (136).
    assert_output_contains "136,   0"
    [[ "$output" == *"crw"*"/dev/console"* ]]
    wait_for_status c1 stopped
    nook delete c1
    assert_no_leftovers c1 "$B"
}

@test "create --console-socket: the terminal is the stdio and controlling terminal of the process, and its user's" {
    terminal_bundle sh -c 'ls -l /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2; echo "owner=$(stat -c %u "$(tty)")"; cat /proc/self/stat'
    edit_config "$B" 'c["process"]["user"] = {"uid": 1000, "gid": 1000}'
    : >"$BATS_TEST_TMPDIR/input"
    start_recvtty "$BATS_TEST_TMPDIR/input"
    nook_detached create --console-socket "$SOCK" -b "$B" c1
    nook start c1
    wait_recvtty
    [ "$(grep -c -- '-> /dev/pts/0' <<<"$output")" -eq 3 ]
    # /proc/self/stat's 7th field is tty_nr: 136 << 8 | 0 for /dev/pts/0.
    stat_line=$(grep -E '^[0-9]+ \(cat\)' <<<"$output")
    [ "$(awk '{print $7}' <<<"$stat_line")" -eq $((136 << 8)) ]
    assert_output_contains "owner=1000"
}

@test "run: a terminal container under a pseudo-terminal answers input, keeps its exit code, restores the terminal" {
    terminal_bundle sh -c 'read x; echo "got $x"; exit 7'
    in_pty "stty -g >'$BATS_TEST_TMPDIR/before'; '$NOOK' --root '$NOOK_ROOT' run -b '$B' c1; echo \"exit=\$?\"; stty -g >'$BATS_TEST_TMPDIR/after'" $'world\r'
    assert_status 0
    assert_output_contains "got world"
    assert_output_contains "exit=7"
    # Typed input is echoed once, by the container's terminal: the
    # caller's was raw (a cooked one would echo it a second time).
    [ "$(grep -cx world <<<"$output")" -eq 1 ]
    # Raw mode on the caller's terminal is undone.
    [ -s "$BATS_TEST_TMPDIR/before" ]
    [ "$(cat "$BATS_TEST_TMPDIR/before")" = "$(cat "$BATS_TEST_TMPDIR/after")" ]
    assert_no_leftovers c1 "$B"
}

@test "run: ^C typed in the terminal interrupts the container, whose exit code run returns" {
    terminal_bundle sh -c 'trap "echo caught-INT; exit 5" INT; echo ready; while :; do sleep 0.1; done'
    in_pty "'$NOOK' --root '$NOOK_ROOT' run -b '$B' c1; echo \"exit=\$?\"" $'\003'
    assert_status 0
    assert_output_contains "caught-INT"
    assert_output_contains "exit=5"
    assert_no_leftovers c1 "$B"
}

@test "run: the window size is the caller's, and follows it on SIGWINCH" {
    terminal_bundle sh -c 'stty size; sleep 3; stty size'
    in_pty "stty rows 40 cols 120; '$NOOK' --root '$NOOK_ROOT' run -b '$B' c1 </dev/tty & sleep 1.5; stty rows 50 cols 90; wait"
    assert_status 0
    [[ "$output" == *"40 120"*"50 90"* ]]
}

@test "create: a terminal without --console-socket is refused and leaves nothing" {
    terminal_bundle true
    nook_capture create -b "$B" c1
    assert_status 1
    [ "${#lines[@]}" -eq 1 ]
    assert_output_contains "cannot allocate a terminal when nook detaches without --console-socket"
    assert_no_leftovers c1 "$B"
}

@test "run --detach: a terminal without --console-socket is refused and leaves nothing" {
    terminal_bundle true
    nook_capture run -d -b "$B" c1
    assert_status 1
    assert_output_contains "--console-socket"
    assert_no_leftovers c1 "$B"
}

@test "create: a console socket that does not exist is a clear error and leaves nothing" {
    terminal_bundle true
    nook_capture create --console-socket "$BATS_TEST_TMPDIR/nope.sock" -b "$B" c1
    assert_status 1
    [ "${#lines[@]}" -eq 1 ]
    assert_output_contains "--console-socket: connect to \"$BATS_TEST_TMPDIR/nope.sock\": No such file or directory"
    assert_no_leftovers c1 "$B"
}

@test "create: --console-socket without a terminal is refused" {
    make_bundle "$B" true
    : >"$BATS_TEST_TMPDIR/input"
    start_recvtty "$BATS_TEST_TMPDIR/input"
    nook_capture create --console-socket "$SOCK" -b "$B" c1
    assert_status 1
    assert_output_contains "--console-socket: cannot use a console socket"
    assert_no_leftovers c1 "$B"
}

@test "run: --console-socket in the foreground is refused, as runc does" {
    terminal_bundle true
    nook_capture run --console-socket "$SOCK" -b "$B" c1
    assert_status 1
    assert_output_contains "--console-socket: cannot use a console socket when nook does not detach"
    assert_no_leftovers c1 "$B"
}

@test "run --detach --console-socket: the detached container's terminal goes to the socket" {
    terminal_bundle sh -c 'read x; echo "detached got $x"'
    printf 'ping\n' >"$BATS_TEST_TMPDIR/input"
    start_recvtty "$BATS_TEST_TMPDIR/input"
    nook_capture run -d --console-socket "$SOCK" -b "$B" c1
    assert_status 0
    wait_recvtty
    assert_output_contains "detached got ping"
}

@test "nook-recvtty: usage errors are explained" {
    run "$NOOK_RECVTTY"
    assert_status 2
    assert_output_contains "expected one SOCKET-PATH argument"
    run "$NOOK_RECVTTY" --help
    assert_status 0
    assert_output_contains "usage: nook-recvtty"
}
