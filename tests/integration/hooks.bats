#!/usr/bin/env bats
# hooks.bats: config.json's lifecycle hooks: each runs once at its point
# (create, start, delete) with the container's state on stdin, in the
# right namespace; failures before the start fail and tear down, later
# ones are warnings; timeouts kill the hook.

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
    # Host directory for the hook scripts and their log; bound into the
    # container at /home so that startContainer (which resolves its path
    # in the container) finds the same script and log.
    H=$BATS_TEST_TMPDIR/hooks
    mkdir -p "$H"
    chmod 0777 "$H"
    # One line per call: the point (argv[1]), then the state on stdin with
    # its newlines dropped, then $HOOKVAR.
    cat >"$H/log-state.sh" <<'EOF'
#!/bin/sh
{ printf '%s ' "$1"; tr -d '\n'; printf ' var=%s\n' "$HOOKVAR"; } >>"$2"
EOF
    cat >"$H/fail.sh" <<'EOF'
#!/bin/sh
echo "hook $1 refuses" >&2
exit 3
EOF
    chmod 0755 "$H/log-state.sh" "$H/fail.sh"
    make_bundle "$B" sh -c 'echo container-ran >>/home/ran'
    edit_config "$B" "c['mounts'].append({'destination': '/home', 'type': 'bind', 'source': '$H', 'options': ['rbind']})"
}

teardown() {
    common_teardown
}

# add_hook POINT PATH ARGS-JSON [EXTRA-PYTHON-DICT-ITEMS]
add_hook() {
    edit_config "$B" "c.setdefault('hooks', {}).setdefault('$1', []).append(dict(path='$2', args=$3 $4))"
}

# Every point logs to $H/log (host paths) or /home/log (in the container).
add_logging_hooks() {
    local point
    for point in prestart createRuntime createContainer poststart poststop; do
        add_hook "$point" "$H/log-state.sh" "['log-state', '$point', '$H/log']"
    done
    add_hook startContainer /home/log-state.sh "['log-state', 'startContainer', '/home/log']"
}

# points: the points logged so far, in order, one line.
points() {
    [ -f "$H/log" ] || { echo ""; return; }
    cut -d' ' -f1 "$H/log" | paste -sd' '
}

# check_state POINT STATUS PID: the state POINT's hook got on stdin.
check_state() {
    "$NOOK_PYTHON" - "$H/log" "$1" "$2" "$3" "$B" <<'PY'
import json, sys
log, point, status, pid, bundle = sys.argv[1:]
lines = [l for l in open(log) if l.split(" ", 1)[0] == point]
assert len(lines) == 1, f"{point} ran {len(lines)} times"
body = lines[0].split(" ", 1)[1].rsplit(" var=", 1)[0]
state = json.loads(body)
assert state["id"] == "c1", state
assert state["status"] == status, (point, state["status"], status)
assert str(state["pid"]) == pid, (point, state["pid"], pid)
assert state["bundle"] == bundle, state
assert state["ociVersion"], state
PY
}

@test "hooks: each runs once at its point with the state on stdin" {
    add_logging_hooks
    nook_detached create -b "$B" c1
    [ "$(points)" = "prestart createRuntime createContainer" ]
    pid=$(nook state c1 | "$NOOK_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["pid"])')
    [ "$pid" -gt 1 ]
    check_state prestart creating "$pid"
    check_state createRuntime creating "$pid"
    # In the container's namespaces: its pid as the container sees it.
    check_state createContainer creating 1
    [ ! -e "$H/ran" ]

    nook start c1
    [ "$(points)" = "prestart createRuntime createContainer startContainer poststart" ]
    check_state startContainer created 1
    check_state poststart running "$pid"
    wait_for_status c1 stopped
    [ "$(cat "$H/ran")" = container-ran ]

    nook delete c1
    [ "$(points)" = "prestart createRuntime createContainer startContainer poststart poststop" ]
    check_state poststop stopped 0
    assert_no_leftovers c1 "$B"
}

@test "hooks: run goes through every point once, in order" {
    add_logging_hooks
    run nook run -b "$B" c1
    assert_status 0
    [ "$(points)" = "prestart createRuntime createContainer startContainer poststart poststop" ]
    assert_no_leftovers c1 "$B"
}

@test "hooks: createRuntime runs on the host, createContainer in the container's namespaces" {
    cat >"$H/ns.sh" <<'EOF'
#!/bin/sh
echo "$1 $(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/user)" >>"$2"
EOF
    chmod 0755 "$H/ns.sh"
    add_hook createRuntime "$H/ns.sh" "['ns', 'createRuntime', '$H/ns.log']"
    add_hook createContainer "$H/ns.sh" "['ns', 'createContainer', '$H/ns.log']"
    nook_detached create -b "$B" c1
    pid=$(nook state c1 | "$NOOK_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["pid"])')
    read -r _ runtime_mnt runtime_user < <(grep '^createRuntime ' "$H/ns.log")
    read -r _ container_mnt container_user < <(grep '^createContainer ' "$H/ns.log")
    [ "$runtime_mnt" = "$(readlink /proc/self/ns/mnt)" ]
    [ "$runtime_user" = "$(readlink /proc/self/ns/user)" ]
    [ "$container_mnt" = "$(readlink "/proc/$pid/ns/mnt")" ]
    [ "$container_user" = "$(readlink "/proc/$pid/ns/user")" ]
    [ "$container_mnt" != "$runtime_mnt" ]
}

@test "hooks: env and args are the hook's own, the working directory the bundle" {
    cat >"$H/env.sh" <<'EOF'
#!/bin/sh
echo "args=$* var=$HOOKVAR home=${HOME:-unset} cwd=$(pwd)" >>"$H_LOG"
EOF
    chmod 0755 "$H/env.sh"
    add_hook createRuntime "$H/env.sh" "['env', 'one', 'two']" ", env=['HOOKVAR=yes', 'H_LOG=$H/env.log']"
    run nook run -b "$B" c1
    assert_status 0
    [ "$(cat "$H/env.log")" = "args=one two var=yes home=unset cwd=$B" ]
}

@test "hooks: a failing createRuntime hook fails create, leaves nothing behind, and poststop runs" {
    add_logging_hooks
    edit_config "$B" "c['hooks']['createRuntime'].insert(0, dict(path='$H/fail.sh', args=['fail', 'createRuntime']))"
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains "createRuntime hook \"$H/fail.sh\" (.hooks.createRuntime[0]) exited with status 3: hook createRuntime refuses"
    [ "${#lines[@]}" -eq 1 ]
    # The container is destroyed and its poststop hooks run, as at delete.
    [ "$(points)" = "prestart poststop" ]
    check_state poststop stopped 0
    assert_no_leftovers c1 "$B"
    [ -z "$(nook list -q)" ]
}

@test "hooks: a failing prestart or createContainer hook fails create too" {
    for point in prestart createContainer; do
        edit_config "$B" "c['hooks'] = {'$point': [dict(path='$H/fail.sh', args=['fail', '$point'])]}"
        nook_capture create -b "$B" c1
        assert_status 1
        assert_output_contains "$point hook \"$H/fail.sh\" (.hooks.$point[0]) exited with status 3: hook $point refuses"
        assert_no_leftovers c1 "$B"
    done
}

@test "hooks: a hook past its timeout is killed and fails create" {
    add_hook createContainer /bin/sh "['sh', '-c', 'sleep 30']" ", timeout=1"
    start=$SECONDS
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains "createContainer hook \"/bin/sh\" (.hooks.createContainer[0]) timed out after 1 seconds and was killed"
    [ $((SECONDS - start)) -lt 10 ]
    assert_no_leftovers c1 "$B"
}

@test "hooks: a hook that cannot be executed fails create with the reason" {
    add_hook createRuntime "$H/missing.sh" "['missing']"
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains "createRuntime hook \"$H/missing.sh\" (.hooks.createRuntime[0]) exited with status 127: exec: No such file or directory"
    assert_no_leftovers c1 "$B"
}

@test "hooks: a failing startContainer hook fails start and the process does not run" {
    add_hook startContainer /home/fail.sh "['fail', 'startContainer']"
    nook_detached create -b "$B" c1
    nook_capture start c1
    assert_status 1
    assert_output_contains "startContainer hook \"/home/fail.sh\" (.hooks.startContainer[0]) exited with status 3: hook startContainer refuses"
    wait_for_status c1 stopped
    [ ! -e "$H/ran" ]
    nook delete c1
    assert_no_leftovers c1 "$B"
}

@test "hooks: failing poststart and poststop hooks are warnings" {
    add_hook poststart "$H/fail.sh" "['fail', 'poststart']"
    add_hook poststop "$H/fail.sh" "['fail', 'poststop']"
    add_hook poststop "$H/log-state.sh" "['log-state', 'poststop', '$H/log']"
    run nook run -b "$B" c1
    assert_status 0
    assert_output_contains "nook: warning: poststart hook \"$H/fail.sh\" (.hooks.poststart[0]) exited with status 3: hook poststart refuses"
    assert_output_contains "nook: warning: poststop hook \"$H/fail.sh\" (.hooks.poststop[0]) exited with status 3: hook poststop refuses"
    [ "$(cat "$H/ran")" = container-ran ]
    # The remaining hooks still run.
    [ "$(points)" = poststop ]
    assert_no_leftovers c1 "$B"
}

@test "hooks: a failing poststop hook does not stop delete" {
    add_hook poststop "$H/fail.sh" "['fail', 'poststop']"
    nook_detached create -b "$B" c1
    run nook delete c1
    assert_status 0
    assert_output_contains "warning: poststop hook"
    assert_no_leftovers c1 "$B"
}

@test "hooks: poststart and poststop come from config.json as it was at create" {
    add_hook poststart "$H/log-state.sh" "['log-state', 'poststart', '$H/log']"
    add_hook poststop "$H/log-state.sh" "['log-state', 'poststop', '$H/log']"
    nook_detached create -b "$B" c1
    # An engine may rewrite or remove the bundle's config.json after create.
    edit_config "$B" "c['hooks'] = {}"
    nook start c1
    wait_for_status c1 stopped
    rm "$B/config.json"
    nook delete c1
    [ "$(points)" = "poststart poststop" ]
    assert_no_leftovers c1 "$B"
}
