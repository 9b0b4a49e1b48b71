#!/usr/bin/env bats
# hardening.bats: the known ways to turn a runtime against its user, each
# tried for real: host fds reaching the container (CVE-2024-21626 class),
# mounts over /proc redirecting what masks protect (CVE-2019-16884 and
# CVE-2019-19921 class), container ids escaping --root, two creates of one
# id racing, and the runtime binary being reachable from inside while nook
# works in the container (CVE-2019-5736 class).

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

private_rootfs() {
    cp -a "$NOOK_BUNDLE_ROOTFS" "$B/rootfs"
    edit_config "$B" 'c["root"]["path"] = "rootfs"'
}

@test "fds: a host fd open in nook's caller does not reach the container" {
    make_bundle "$B" sh -c 'for fd in 5 7 9; do [ -e /proc/self/fd/$fd ] && echo "fd $fd: $(readlink /proc/self/fd/$fd)"; done; echo checked'
    exec 5<"$BATS_TEST_TMPDIR" 7</ 9>"$BATS_TEST_TMPDIR/w"
    nook_capture run -b "$B" fds1
    exec 5<&- 7<&- 9>&-
    assert_status 0
    [ "$output" = checked ]
}

@test "fds: process.cwd through /proc/self/fd of a leaked host fd is refused" {
    make_bundle "$B" pwd
    edit_config "$B" 'c["process"]["cwd"] = "/proc/self/fd/7"'
    exec 7</
    nook_capture run -b "$B" fds2
    exec 7<&-
    [ "$status" -ne 0 ]
    assert_output_contains 'process.cwd "/proc/self/fd/7"'
    assert_no_leftovers fds2 "$B"
}

@test "fds: --preserve-fds passes exactly the fds asked for" {
    status=0
    make_bundle "$B" sh -c '[ -e /proc/self/fd/3 ] && echo three; [ -e /proc/self/fd/4 ] && echo four; echo done'
    # fd 3 is bats' own: give the container new 3 and 4 in a subshell.
    (exec 3<"$BATS_TEST_TMPDIR" 4<"$BATS_TEST_TMPDIR"; nook run --preserve-fds 1 -b "$B" fds3 </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1) || status=$?
    mapfile -t lines <"$BATS_TEST_TMPDIR/out"
    output=$(cat "$BATS_TEST_TMPDIR/out")
    assert_status 0
    [ "${lines[0]}" = three ]
    [ "${lines[1]}" = done ]
}

@test "/proc: a bind mount of a plain directory over /proc is refused" {
    make_bundle "$B" true
    mkdir "$BATS_TEST_TMPDIR/fakeproc"
    edit_config "$B" "c['mounts'].append({'destination': '/proc', 'type': 'bind', 'source': '$BATS_TEST_TMPDIR/fakeproc', 'options': ['rbind']})"
    nook_capture run -b "$B" proc1
    [ "$status" -ne 0 ]
    assert_output_contains 'on "/proc": refused: only procfs may be mounted on /proc'
    assert_no_leftovers proc1 "$B"
}

@test "/proc: mounts over /proc/self/attr or /proc/sys are refused" {
    make_bundle "$B" true
    mkdir "$BATS_TEST_TMPDIR/empty"
    edit_config "$B" "c['mounts'].append({'destination': '/proc/sys', 'type': 'bind', 'source': '$BATS_TEST_TMPDIR/empty', 'options': ['rbind']})"
    nook_capture run -b "$B" proc2
    [ "$status" -ne 0 ]
    assert_output_contains 'on "/proc/sys": refused: only procfs may be mounted inside /proc'

    rm "$B/config.json"
    make_bundle "$B" true
    edit_config "$B" "c['mounts'].append({'destination': '/proc/self/attr/../../1/attr', 'type': 'tmpfs', 'source': 'tmpfs'})"
    nook_capture run -b "$B" proc3
    [ "$status" -ne 0 ]
    assert_output_contains 'refused: only procfs may be mounted inside /proc'
    assert_no_leftovers proc3 "$B"
}

@test "/proc: an lxcfs-style file bound over /proc/uptime is allowed" {
    make_bundle "$B" cat /proc/uptime
    echo "12345.00 678.00" >"$BATS_TEST_TMPDIR/uptime"
    edit_config "$B" "c['mounts'].append({'destination': '/proc/uptime', 'type': 'bind', 'source': '$BATS_TEST_TMPDIR/uptime', 'options': ['bind', 'ro']})"
    nook_capture run -b "$B" proc4
    assert_status 0
    [ "$output" = "12345.00 678.00" ]
}

@test "/proc: an image whose /proc is a symlink cannot redirect a mount meant for /proc/uptime" {
    make_bundle "$B" true
    private_rootfs
    rmdir "$B/rootfs/proc"
    mkdir "$B/rootfs/elsewhere"
    ln -s elsewhere "$B/rootfs/proc"
    echo "1.00 1.00" >"$BATS_TEST_TMPDIR/uptime"
    # No proc mount: /proc/uptime would resolve to /elsewhere/uptime.
    edit_config "$B" "c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/proc']
c['mounts'].append({'destination': '/proc/uptime', 'type': 'bind', 'source': '$BATS_TEST_TMPDIR/uptime', 'options': ['bind']})"
    nook_capture run -b "$B" proc5
    [ "$status" -ne 0 ]
    assert_output_contains 'the mount point is not on the container'"'"'s procfs'
    [ ! -e "$B/rootfs/elsewhere/uptime" ]
    assert_no_leftovers proc5 "$B"
}

@test "ids: ids with a slash or dots never reach outside --root" {
    make_bundle "$B" true
    for id in ../escape a/b .. . /abs "x/../../y"; do
        nook_capture create -b "$B" "$id"
        [ "$status" -ne 0 ]
        assert_output_contains 'invalid container id'
    done
    [ ! -e "$BATS_TEST_TMPDIR/escape" ]
    [ ! -e "$NOOK_ROOT/a" ]
    [ "$(ls -A "$NOOK_ROOT")" = "" ]
    for cmd in state start kill delete; do
        nook_capture "$cmd" ../state
        [ "$status" -ne 0 ]
        assert_output_contains 'invalid container id'
    done
    [ -d "$NOOK_ROOT" ]
}

@test "races: of two creates of one id at once exactly one wins, the other leaves nothing" {
    make_bundle "$B" sleep 30
    local i
    for i in 1 2 3 4; do
        for side in a b; do
            (
                rc=0
                nook create -b "$B" race </dev/null >"$BATS_TEST_TMPDIR/$side.$i" 2>&1 || rc=$?
                echo "$rc" >"$BATS_TEST_TMPDIR/$side.$i.rc"
            ) &
        done
        wait
        local a b
        a=$(cat "$BATS_TEST_TMPDIR/a.$i.rc") b=$(cat "$BATS_TEST_TMPDIR/b.$i.rc")
        if [ "$a" = 0 ]; then [ "$b" != 0 ]; grep -q 'already exists' "$BATS_TEST_TMPDIR/b.$i"; fi
        if [ "$b" = 0 ]; then [ "$a" != 0 ]; grep -q 'already exists' "$BATS_TEST_TMPDIR/a.$i"; fi
        [ "$a" = 0 ] || [ "$b" = 0 ]
        [ "$(nook list -q)" = race ]
        [ "$(pgrep -c -f -- "$NOOK_ROOT.* race\$" || true)" -le 1 ]
        nook delete --force race
        assert_no_leftovers race "$B"
    done
}

@test "binary: a nook binary the caller can write runs from a sealed copy, which the container cannot reach" {
    # A nook the caller owns, as a user's own build is.
    cp "$NOOK" "$BATS_TEST_TMPDIR/nook"
    cp "$(dirname "$NOOK")/nook-json.so" "$BATS_TEST_TMPDIR/"
    local sum
    sum=$(sha256sum <"$BATS_TEST_TMPDIR/nook")
    make_bundle "$B" true
    "$BATS_TEST_TMPDIR/nook" --root "$NOOK_ROOT" create -b "$B" bin1 </dev/null >/dev/null 2>&1
    # The init waits at the exec barrier, still nook's code, as pid 1.
    nook_capture exec bin1 sh -c 'readlink /proc/1/exe; echo evil >/proc/1/exe && echo WROTE'
    [[ "${lines[0]}" == "/memfd:nook"* ]]
    [[ "$output" != *WROTE* ]]
    [ "$(sha256sum <"$BATS_TEST_TMPDIR/nook")" = "$sum" ]
    "$BATS_TEST_TMPDIR/nook" --root "$NOOK_ROOT" delete --force bin1
}

@test "binary: a nook binary the caller cannot write is run as it is" {
    [ ! -w "$NOOK" ] || skip "the nook binary is writable by this user"
    make_bundle "$B" true
    nook_detached create -b "$B" bin2
    nook_capture exec bin2 readlink /proc/1/exe
    [ "$output" = "$NOOK" ]
    nook delete --force bin2
}
