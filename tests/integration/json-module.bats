#!/usr/bin/env bats
# json-module.bats: json-glib lives in the loadable module nook-json.so
# (src/lib/json-module.h): the commands that only read state.json must not
# load it, those that read config.json must, and without the module nook
# still manages its containers and says clearly what is missing. Also the
# JSON nook writes by itself (log lines), now without json-glib.

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
    LOG=$BATS_TEST_TMPDIR/linker.log
}

teardown() {
    common_teardown
}

# linker ARGS...: nook ARGS with the dynamic linker's log of every file it
# loads (LD_DEBUG=files, glibc) in $LOG; status in $status.
linker() {
    status=0
    LD_DEBUG=files "$NOOK" --root "$NOOK_ROOT" "$@" </dev/null \
        >>"$BATS_TEST_TMPDIR/container.out" 2>"$LOG" || status=$?
    if ! grep -q 'file=libc\.so\.6' "$LOG"; then
        echo "the dynamic linker wrote no log (not glibc?): $(head -5 "$LOG")" >&2
        return 1
    fi
}

loaded_json_glib() {
    grep -q 'file=libjson-glib-1\.0\.so' "$LOG"
}

refute_json_glib() {
    if loaded_json_glib; then
        echo "nook $* loaded json-glib:" >&2
        grep 'file=' "$LOG" >&2
        return 1
    fi
}

# A copy of the executable in a directory of its own, where no module is.
lone_nook() {
    mkdir -p "$BATS_TEST_TMPDIR/lone"
    cp "$NOOK" "$BATS_TEST_TMPDIR/lone/nook"
    LONE=$BATS_TEST_TMPDIR/lone/nook
}

@test "state, start, kill, list and delete do not load json-glib; create does" {
    make_bundle "$B" sleep 100
    linker create -b "$B" c1
    assert_status 0
    loaded_json_glib
    grep -q 'file=.*nook-json\.so\|dynamically loaded by' "$LOG"

    for cmd in "state c1" "list" "list -f json" "start c1"; do
        # shellcheck disable=SC2086
        linker $cmd
        assert_status 0
        refute_json_glib "$cmd"
    done
    wait_for_status c1 running
    linker kill c1 KILL
    assert_status 0
    refute_json_glib kill
    wait_for_status c1 stopped
    linker delete c1
    assert_status 0
    refute_json_glib delete
    assert_no_leftovers c1 "$B"

    linker spec -b "$BATS_TEST_TMPDIR"
    assert_status 0
    loaded_json_glib
}

@test "the executable does not link json-glib" {
    run readelf -d "$NOOK"
    [ "$status" -eq 0 ] || skip "no readelf"
    assert_output_contains "libc.so"
    if [[ "$output" == *json-glib* || "$output" == *gobject* || "$output" == *libgio* ]]; then
        echo "$output" >&2
        return 1
    fi
}

@test "without its JSON module nook still reads and removes containers" {
    make_bundle "$B" sleep 100
    nook_detached create -b "$B" c1
    lone_nook

    run "$LONE" --root "$NOOK_ROOT" state c1
    assert_status 0
    assert_output_contains '"status": "created"'
    run "$LONE" --root "$NOOK_ROOT" list -q
    assert_status 0
    [ "$output" = c1 ]
    run "$LONE" --root "$NOOK_ROOT" delete --force c1
    assert_status 0
    assert_no_leftovers c1 "$B"
}

@test "without its JSON module, what needs config.json fails with one clear line" {
    make_bundle "$B" true
    lone_nook

    run "$LONE" --root "$NOOK_ROOT" create -b "$B" c2
    assert_status 1
    [ "${#lines[@]}" -eq 1 ]
    assert_output_contains "nook-json.so"
    assert_output_contains "$BATS_TEST_TMPDIR/lone/nook-json.so"
    assert_output_contains "/nook/nook-json.so; reinstall nook"
    assert_no_leftovers c2 "$B"

    mkdir "$BATS_TEST_TMPDIR/empty"
    run "$LONE" spec -b "$BATS_TEST_TMPDIR/empty"
    assert_status 1
    assert_output_contains "spec: nook's JSON module nook-json.so"
    [ ! -e "$BATS_TEST_TMPDIR/empty/config.json" ]

    run "$LONE" features
    assert_status 1
    [ "${#lines[@]}" -eq 1 ]
    assert_output_contains "features: nook's JSON module nook-json.so"
}

@test "a JSON module beside the executable is used only when nobody else can write it" {
    lone_nook
    cp "$(dirname "$NOOK")/nook-json.so" "$BATS_TEST_TMPDIR/lone/nook-json.so"
    chmod 0646 "$BATS_TEST_TMPDIR/lone/nook-json.so"
    mkdir "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/two"
    run "$LONE" spec -b "$BATS_TEST_TMPDIR/one"
    assert_status 1
    assert_output_contains "$BATS_TEST_TMPDIR/lone/nook-json.so is writable by anyone: not loaded"
    [ ! -e "$BATS_TEST_TMPDIR/one/config.json" ]

    chmod 0644 "$BATS_TEST_TMPDIR/lone/nook-json.so"
    run "$LONE" spec -b "$BATS_TEST_TMPDIR/two"
    assert_status 0
    [ -s "$BATS_TEST_TMPDIR/two/config.json" ]

    echo "not a library" >"$BATS_TEST_TMPDIR/lone/nook-json.so"
    run "$LONE" spec -b "$BATS_TEST_TMPDIR/one"
    assert_status 1
    assert_output_contains "load $BATS_TEST_TMPDIR/lone/nook-json.so:"
}

@test "--log-format json writes one JSON object per line with Go's escapes" {
    run nook --log "$BATS_TEST_TMPDIR/log.json" --log-format json state 'no<such>&"id'
    assert_status 1
    run "${NOOK_PYTHON:-python3}" -c '
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1, lines
raw = lines[0]
assert "<" not in raw and ">" not in raw and "&" not in raw, raw
assert "\\u003c" in raw, raw
entry = json.loads(raw)
assert sorted(entry) == ["level", "msg", "time"], entry
assert entry["level"] == "error", entry
assert "no<such>&" in entry["msg"], entry
print("ok")
' "$BATS_TEST_TMPDIR/log.json"
    assert_status 0
    [ "$output" = ok ]
}
