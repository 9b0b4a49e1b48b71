#!/usr/bin/env bats
# runtime.bats: conformance to runtime.md of the OCI runtime-spec: the
# state of a container, the lifecycle (with the hooks at each step),
# errors and warnings, and the operations (state, create, start, kill,
# delete), each observed from the host or from inside the container.

load helpers

setup_file() {
    export_python
}

setup() {
    conformance_setup
    # Hook scripts and what they record; bound into the container at /home
    # (startContainer resolves its path there).
    H=$BATS_TEST_TMPDIR/hooks
    mkdir -p "$H"
    chmod 0777 "$H"
    # log.sh POINT: one line "POINT" in $H/log, the state JSON in $H/state.POINT
    # (Paths relative to the script: startContainer runs it as /home/log.sh.)
    cat >"$H/log.sh" <<'EOF'
#!/bin/sh
dir=${0%/*}
cat >"$dir/state.$1"
echo "$1" >>"$dir/log"
EOF
    cat >"$H/fail.sh" <<'EOF'
#!/bin/sh
echo "hook $1 refuses" >&2
exit 7
EOF
    chmod 0755 "$H/log.sh" "$H/fail.sh"
}

teardown() {
    common_teardown
}

# marker_bundle: a bundle whose program appends "ran" to $H/ran (bound at
# /home) and then sleeps, so that a test sees whether and how often the
# user-specified program ran.
marker_bundle() {
    make_bundle "$B" sh -c 'echo ran >>/home/ran; exec sleep 100'
    edit_config "$B" "c['mounts'].append({'destination': '/home', 'type': 'bind', 'source': '$H', 'options': ['rbind']})"
}

# add_hook POINT PATH ARGS-PYTHON-LIST
add_hook() {
    edit_config "$B" "c.setdefault('hooks', {}).setdefault('$1', []).append(dict(path='$2', args=$3))"
}

# logged: the hook points logged so far, in order, on one line.
logged() {
    [ -f "$H/log" ] && paste -sd' ' "$H/log"
    return 0
}

# assert_poststop_after_failed_create: the poststop hook that ran after a
# failed create got the container's state as the stopped container c1.
assert_poststop_after_failed_create() {
    "$NOOK_PYTHON" - "$H/state.poststop" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
assert state.get("id") == "c1", f"poststop got the state of {state.get('id')!r}: {state}"
assert state.get("status") == "stopped", f"poststop got status {state.get('status')!r}: {state}"
PY
}

# ran_count: how many times the user-specified program ran.
ran_count() {
    [ -f "$H/ran" ] && wc -l <"$H/ran" || echo 0
}

# ---- Scope of a container -----------------------------------------------

# "The entity using a runtime to create a container MUST be able to use the
# operations defined in this specification against that same container."
@test "runtime.md#scope-of-a-container: the creator of a container can use every operation on it" {
    make_bundle "$B" sleep 100
    nook_detached create -b "$B" c1
    run nook state c1
    assert_status 0
    run nook start c1
    assert_status 0
    run nook kill c1 KILL
    assert_status 0
    wait_for_status c1 stopped
    run nook delete c1
    assert_status 0
    assert_no_leftovers c1 "$B"
}

# ---- State --------------------------------------------------------------

# "The state of a container includes the following properties: ociVersion
# (string, REQUIRED) ... id (string, REQUIRED) ... status (string,
# REQUIRED) ... pid (int, REQUIRED when status is created or running on
# Linux) ... bundle (string, REQUIRED)"; "When serialized in JSON, the
# format MUST adhere to the JSON Schema schema/state-schema.json."
@test "runtime.md#state: the state is JSON with ociVersion, id, status, pid and bundle of the schema's types" {
    make_bundle "$B" sleep 100
    nook_detached create -b "$B" c1
    for phase in created running; do
        nook state c1 >"$BATS_TEST_TMPDIR/state.json"
        "$NOOK_PYTHON" - "$BATS_TEST_TMPDIR/state.json" "$phase" <<'PY'
import json, re, sys
state = json.load(open(sys.argv[1]))
assert isinstance(state, dict), state
for key, kind in (("ociVersion", str), ("id", str), ("status", str), ("bundle", str), ("pid", int)):
    assert key in state, f"{key} missing: {state}"
    assert isinstance(state[key], kind) and not isinstance(state[key], bool), f"{key}: {state[key]!r}"
assert re.fullmatch(r"\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?", state["ociVersion"]), state["ociVersion"]
assert state["id"] == "c1", state
assert state["status"] == sys.argv[2], state
assert state["pid"] > 0, state
if "annotations" in state:
    assert isinstance(state["annotations"], dict), state
    assert all(isinstance(v, str) for v in state["annotations"].values()), state
PY
        [ "$phase" = running ] || nook start c1
    done
}

# "This MUST be unique across all containers on this host."
@test "runtime.md#state: the id is unique: a second container cannot take it" {
    make_bundle "$B" sleep 100
    make_bundle "$BATS_TEST_TMPDIR/other" sleep 100
    nook_detached create -b "$B" c1
    nook_capture create -b "$BATS_TEST_TMPDIR/other" c1
    [ "$status" -ne 0 ]
    [ "$(nook list -q)" = c1 ]
    [ "$(state_get c1 bundle)" = "$B" ]
}

# "status (string, REQUIRED) is the runtime state of the container. The
# value MAY be one of: creating: the container is being created (step 2 in
# the lifecycle) created: the runtime has finished the create operation
# ... running: the container process has executed the user-specified
# program but has not exited ... stopped: the container process has exited"
@test "runtime.md#state: status is creating, then created, running and stopped along the lifecycle" {
    marker_bundle
    add_hook createRuntime "$H/log.sh" "['log', 'createRuntime']"
    nook_detached create -b "$B" c1
    [ "$(json_get status <"$H/state.createRuntime")" = creating ]
    [ "$(state_get c1 status)" = created ]
    nook start c1
    [ "$(state_get c1 status)" = running ]
    nook kill c1 KILL
    wait_for_status c1 stopped
}

# "Additional values MAY be defined by the runtime, however, they MUST be
# used to represent new runtime states not defined above."
@test "runtime.md#state: the one status of nook's own, paused, is a new state: the processes are frozen" {
    require_cgroup_delegation
    make_bundle "$B" sh -c 'while :; do date +%s%N >/home/tick; usleep 50000; done'
    edit_config "$B" "c['mounts'].append({'destination': '/home', 'type': 'bind', 'source': '$H', 'options': ['rbind']})"
    nook_detached run -d -b "$B" c1
    wait_for_file "$H/tick"
    nook pause c1
    [ "$(state_get c1 status)" = paused ]
    before=$(cat "$H/tick")
    sleep 0.5
    [ "$(cat "$H/tick")" = "$before" ]
    nook resume c1
    [ "$(state_get c1 status)" = running ]
    sleep 0.5
    [ "$(cat "$H/tick")" != "$before" ]
}

# "pid (int, REQUIRED when status is created or running on Linux, OPTIONAL
# on other platforms) is the ID of the container process. For hooks
# executed in the runtime namespace, it is the pid as seen by the runtime."
@test "runtime.md#state: pid is the container process as the host sees it, created and running" {
    make_bundle "$B" sleep 100
    nook_detached create -b "$B" c1
    pid=$(init_pid c1)
    kill -0 "$pid"
    # Pid 1 of the container's own pid namespace.
    [ "$(ns_of "$pid" pid)" != "$(ns_of $$ pid)" ]
    [ "$(awk '$1 == "NSpid:" { print $NF }' "/proc/$pid/status")" = 1 ]
    nook start c1
    [ "$(init_pid c1)" = "$pid" ]
    # Once running, that pid is the user-specified program.
    for _ in $(seq 50); do
        [ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 100 " ] && break
        sleep 0.1
    done
    [ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 100 " ]
}

# "bundle (string, REQUIRED) is the absolute path to the container's bundle
# directory. This is provided so that consumers can find the container's
# configuration and root filesystem on the host."
@test "runtime.md#state: bundle is the absolute path of the bundle, even when given relative" {
    make_bundle "$B" sleep 100
    (cd "$BATS_TEST_TMPDIR" && nook_detached create -b bundle c1)
    bundle=$(state_get c1 bundle)
    [ "$bundle" = "$(realpath "$B")" ]
    [ -f "$bundle/config.json" ]
}

# "annotations (map, OPTIONAL) contains the list of annotations associated
# with the container. If no annotations were provided then this property
# MAY either be absent or an empty map."
@test "runtime.md#state: annotations are the container's, absent or empty without any" {
    make_bundle "$B" sleep 100
    nook_detached create -b "$B" c1
    a=$(state_get c1 annotations)
    [ "$a" = None ] || [ "$a" = "{}" ]
    edit_config "$B" 'c["annotations"] = {"org.example.key": "value", "com.example/other": "x y"}'
    nook_detached create -b "$B" c2
    [ "$(state_get c2 annotations)" = '{"com.example/other": "x y", "org.example.key": "value"}' ]
}

# ---- Lifecycle ----------------------------------------------------------

# "The container's runtime environment MUST be created according to the
# configuration in config.json."
@test "runtime.md#lifecycle: create makes the runtime environment config.json describes" {
    make_bundle "$B" sleep 100
    edit_config "$B" 'c["hostname"] = "conformance"
c["mounts"].append({"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]})'
    nook_detached create -b "$B" c1
    pid=$(init_pid c1)
    for ns in pid mnt uts ipc; do
        [ "$(ns_of "$pid" $ns)" != "$(ns_of $$ $ns)" ] || { echo "no $ns namespace of its own" >&2; false; }
    done
    [ "$(in_container_ns "$pid" -u -- hostname)" = conformance ]
    grep -q ' /run .* - tmpfs ' "/proc/$pid/mountinfo"
}

# "If the runtime is unable to create the environment specified in the
# config.json, it MUST generate an error."
@test "runtime.md#lifecycle: an environment that cannot be made is an error" {
    make_bundle "$B" true
    edit_config "$B" 'c["mounts"].append({"destination": "/home", "type": "nook-no-such-fs", "source": "none"})'
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains /home
    [ -z "$(nook list -q)" ]
    assert_no_leftovers c1 "$B"
}

# "While the resources requested in the config.json MUST be created, the
# user-specified program (from process) MUST NOT be run at this time."
@test "runtime.md#lifecycle: the user-specified program does not run at create" {
    marker_bundle
    nook_detached create -b "$B" c1
    sleep 0.5
    [ "$(ran_count)" -eq 0 ]
    nook start c1
    wait_for_file "$H/ran"
    [ "$(ran_count)" -eq 1 ]
}

# "Any updates to config.json after this step MUST NOT affect the
# container."
@test "runtime.md#lifecycle: changing config.json after create does not affect the container" {
    make_bundle "$B" sh -c 'echo "$(hostname) $GREETING" >/home/out'
    edit_config "$B" "c['hostname'] = 'before'
c['process']['env'].append('GREETING=old')
c['mounts'].append({'destination': '/home', 'type': 'bind', 'source': '$H', 'options': ['rbind']})"
    nook_detached create -b "$B" c1
    edit_config "$B" "c['hostname'] = 'after'
c['process']['env'] = [e for e in c['process']['env'] if not e.startswith('GREETING=')] + ['GREETING=new']
c['process']['args'] = ['sh', '-c', 'echo changed >/home/out']"
    nook start c1
    wait_for_status c1 stopped
    [ "$(cat "$H/out")" = "before old" ]
}

# "The prestart hooks MUST be invoked by the runtime. If any prestart hook
# fails, the runtime MUST generate an error, stop the container, and
# continue the lifecycle at step 12." (step 12: destroy; step 13: the
# poststop hooks)
@test "runtime.md#lifecycle: prestart hooks run at create; one failing is an error, the container is destroyed and poststop runs" {
    marker_bundle
    add_hook prestart "$H/log.sh" "['log', 'prestart']"
    nook_detached create -b "$B" c1
    [ "$(logged)" = prestart ]
    nook delete --force c1
    rm -f "$H/log"
    add_hook prestart "$H/fail.sh" "['fail', 'prestart']"
    add_hook poststop "$H/log.sh" "['log', 'poststop']"
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains "hook prestart refuses"
    [ "$(ran_count)" -eq 0 ]
    assert_no_leftovers c1 "$B"
    [ "$(logged)" = "prestart poststop" ] ||
        { echo "after the failed create the hooks that ran were: $(logged) (no poststop)" >&2; false; }
    assert_poststop_after_failed_create
}

# "The createRuntime hooks MUST be invoked by the runtime. If any
# createRuntime hook fails, the runtime MUST generate an error, stop the
# container, and continue the lifecycle at step 12."
@test "runtime.md#lifecycle: createRuntime hooks run at create; one failing is an error, the container is destroyed and poststop runs" {
    marker_bundle
    add_hook createRuntime "$H/log.sh" "['log', 'createRuntime']"
    add_hook createRuntime "$H/fail.sh" "['fail', 'createRuntime']"
    add_hook poststop "$H/log.sh" "['log', 'poststop']"
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains "hook createRuntime refuses"
    [ "$(ran_count)" -eq 0 ]
    assert_no_leftovers c1 "$B"
    [ "$(logged)" = "createRuntime poststop" ] ||
        { echo "after the failed create the hooks that ran were: $(logged) (no poststop)" >&2; false; }
    assert_poststop_after_failed_create
}

# "The createContainer hooks MUST be invoked by the runtime. If any
# createContainer hook fails, the runtime MUST generate an error, stop the
# container, and continue the lifecycle at step 12."
@test "runtime.md#lifecycle: createContainer hooks run at create; one failing is an error, the container is destroyed and poststop runs" {
    marker_bundle
    add_hook createContainer "$H/log.sh" "['log', 'createContainer']"
    add_hook createContainer "$H/fail.sh" "['fail', 'createContainer']"
    add_hook poststop "$H/log.sh" "['log', 'poststop']"
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains "hook createContainer refuses"
    [ "$(ran_count)" -eq 0 ]
    assert_no_leftovers c1 "$B"
    [ "$(logged)" = "createContainer poststop" ] ||
        { echo "after the failed create the hooks that ran were: $(logged) (no poststop)" >&2; false; }
    assert_poststop_after_failed_create
}

# "The startContainer hooks MUST be invoked by the runtime. If any
# startContainer hook fails, the runtime MUST generate an error, stop the
# container, and continue the lifecycle at step 12."
@test "runtime.md#lifecycle: startContainer hooks run at start; one failing is an error and the program never runs" {
    marker_bundle
    add_hook startContainer /home/log.sh "['log', 'startContainer']"
    nook_detached create -b "$B" c1
    [ "$(logged)" = "" ]
    nook start c1
    [ "$(logged)" = startContainer ]
    nook delete --force c1
    rm -f "$H/log" "$H/ran"

    add_hook startContainer /home/fail.sh "['fail', 'startContainer']"
    add_hook poststop "$H/log.sh" "['log', 'poststop']"
    nook_detached create -b "$B" c1
    nook_capture start c1
    [ "$status" -ne 0 ]
    assert_output_contains "hook startContainer refuses"
    wait_for_status c1 stopped
    [ "$(ran_count)" -eq 0 ]
    nook delete c1
    [ "$(logged)" = "startContainer poststop" ]
    assert_no_leftovers c1 "$B"
}

# "The poststart hooks MUST be invoked by the runtime. If any poststart
# hook fails, the runtime MUST log a warning, but the remaining hooks and
# lifecycle continue as if the hook had succeeded."
@test "runtime.md#lifecycle: poststart hooks run after start; one failing is a warning and the rest go on" {
    marker_bundle
    add_hook poststart "$H/fail.sh" "['fail', 'poststart']"
    add_hook poststart "$H/log.sh" "['log', 'poststart']"
    nook_detached create -b "$B" c1
    nook_capture start c1
    assert_status 0
    assert_output_contains "warning"
    assert_output_contains "hook poststart refuses"
    [ "$(logged)" = poststart ]
    [ "$(state_get c1 status)" = running ]
    [ "$(ran_count)" -eq 1 ]
}

# "The container MUST be destroyed by undoing the steps performed during
# create phase (step 2)."
@test "runtime.md#lifecycle: delete undoes create: the process, its namespaces, mounts and state are gone" {
    make_bundle "$B" sleep 100
    nook_detached create -b "$B" c1
    pid=$(init_pid c1)
    mnt=$(ns_of "$pid" mnt)
    nook start c1
    nook kill c1 KILL
    wait_for_status c1 stopped
    nook delete c1
    assert_process_gone "$pid"
    # Nothing on the host is still in the container's mount namespace.
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/ns/mnt" 2>/dev/null)" != "$mnt" ] || { echo "$p is still in $mnt" >&2; false; }
    done
    assert_no_leftovers c1 "$B"
}

# "The poststop hooks MUST be invoked by the runtime. If any poststop hook
# fails, the runtime MUST log a warning, but the remaining hooks and
# lifecycle continue as if the hook had succeeded."
@test "runtime.md#lifecycle: poststop hooks run at delete; one failing is a warning and the rest go on" {
    make_bundle "$B" true
    add_hook poststop "$H/fail.sh" "['fail', 'poststop']"
    add_hook poststop "$H/log.sh" "['log', 'poststop']"
    nook_detached create -b "$B" c1
    nook start c1
    wait_for_status c1 stopped
    [ "$(logged)" = "" ]
    run nook delete c1
    assert_status 0
    assert_output_contains "warning"
    assert_output_contains "hook poststop refuses"
    [ "$(logged)" = poststop ]
    assert_no_leftovers c1 "$B"
}

# ---- Errors and warnings ------------------------------------------------

# "Unless otherwise stated, generating an error MUST leave the state of the
# environment as if the operation were never attempted - modulo any
# possible trivial ancillary changes such as logging."
@test "runtime.md#errors: a create that fails late leaves the host as if it had never been tried" {
    make_bundle "$B" sleep 100
    nook_detached create -b "$B" c0
    mkdir "$BATS_TEST_TMPDIR/data"
    echo kept >"$BATS_TEST_TMPDIR/data/file"
    edit_config "$B" "c['mounts'].append({'destination': '/home', 'type': 'bind', 'source': '$BATS_TEST_TMPDIR/data', 'options': ['rbind']})
c['mounts'].append({'destination': '/run', 'type': 'tmpfs', 'source': 'tmpfs'})"
    add_hook createContainer "$H/fail.sh" "['fail', 'createContainer']"
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_no_leftovers c1 "$B"
    [ "$(nook list -q)" = c0 ]
    [ "$(state_get c0 status)" = created ]
    [ "$(ls -A "$BATS_TEST_TMPDIR/data")" = file ]
    [ "$(cat "$BATS_TEST_TMPDIR/data/file")" = kept ]
}

# "Unless otherwise stated, generating an error MUST leave the state of the
# environment as if the operation were never attempted"
@test "runtime.md#errors: a failed start, kill or delete leaves the container as it was" {
    marker_bundle
    nook_detached create -b "$B" c1
    nook start c1
    pid=$(init_pid c1)
    run nook start c1
    [ "$status" -ne 0 ]
    run nook kill c1 NOSUCHSIGNAL
    [ "$status" -ne 0 ]
    run nook delete c1
    [ "$status" -ne 0 ]
    [ "$(state_get c1 status)" = running ]
    [ "$(init_pid c1)" = "$pid" ]
    kill -0 "$pid"
    [ "$(ran_count)" -eq 1 ]
}

# "Unless otherwise stated, logging a warning does not change the flow of
# the operation; it MUST continue as if the warning had not been logged."
@test "runtime.md#warnings: after a warning the operation goes on as if there had been none" {
    make_bundle "$B" sh -c 'grep CapEff /proc/self/status; exit 5'
    edit_config "$B" 'for s in ("bounding", "effective", "permitted"): c["process"]["capabilities"][s].append("CAP_NOOK_NO_SUCH_CAP")'
    run nook run -b "$B" c1
    assert_status 5
    assert_output_contains "warning"
    assert_output_contains "CAP_NOOK_NO_SUCH_CAP"
    assert_output_contains "CapEff:	$(cap_mask CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)"
    assert_no_leftovers c1 "$B"
}

# ---- Operations: query state ---------------------------------------------

# "This operation MUST generate an error if it is not provided the ID of a
# container."
@test "runtime.md#query-state: state without a container id is an error" {
    run nook state
    [ "$status" -ne 0 ]
    [ -n "$output" ]
}

# "Attempting to query a container that does not exist MUST generate an
# error."
@test "runtime.md#query-state: state of a container that does not exist is an error" {
    run nook state nosuch
    [ "$status" -ne 0 ]
    assert_output_contains nosuch
}

# "This operation MUST return the state of a container as specified in the
# State section."
@test "runtime.md#query-state: state returns the container's state" {
    make_bundle "$B" sleep 100
    edit_config "$B" 'c["annotations"] = {"k": "v"}'
    nook_detached run -d -b "$B" c1
    nook state c1 >"$BATS_TEST_TMPDIR/state.json"
    "$NOOK_PYTHON" - "$BATS_TEST_TMPDIR/state.json" "$B" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["id"] == "c1" and s["status"] == "running" and s["bundle"] == sys.argv[2], s
assert s["annotations"] == {"k": "v"}, s
assert open(f"/proc/{s['pid']}/cmdline").read() == "sleep\x00100\x00", s
PY
}

# ---- Operations: create ----------------------------------------------------

# "This operation MUST generate an error if it is not provided a path to
# the bundle and the container ID to associate with the container."
@test "runtime.md#create: create without a container id, or without a bundle, is an error" {
    make_bundle "$B" true
    run nook create -b "$B"
    [ "$status" -ne 0 ]
    run nook create -b "$BATS_TEST_TMPDIR/no-such-bundle" c1
    [ "$status" -ne 0 ]
    # Without -b the bundle is the working directory (runc's command
    # line): one without config.json is no bundle.
    mkdir "$BATS_TEST_TMPDIR/empty"
    run sh -c "cd '$BATS_TEST_TMPDIR/empty' && '$NOOK' --root '$NOOK_ROOT' create c1"
    [ "$status" -ne 0 ]
    [ -z "$(nook list -q)" ]
}

# "If the ID provided is not unique across all containers within the scope
# of the runtime, or is not valid in any other way, the implementation MUST
# generate an error and a new container MUST NOT be created."
@test "runtime.md#create: an id already in use is an error and no new container is made" {
    marker_bundle
    nook_detached create -b "$B" c1
    pid=$(init_pid c1)
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    [ "$(nook list -q)" = c1 ]
    [ "$(init_pid c1)" = "$pid" ]
    [ "$(pgrep -c -f -- "--root $NOOK_ROOT create")" -le 1 ]
}

# "... or is not valid in any other way, the implementation MUST generate an
# error and a new container MUST NOT be created."
@test "runtime.md#create: an invalid id is an error and no container is made" {
    make_bundle "$B" true
    for id in "" . .. ../escape a/b "with space" "$(printf 'x%.0s' $(seq 1100))"; do
        nook_capture create -b "$B" "$id"
        [ "$status" -ne 0 ] || { echo "id '$id' was accepted" >&2; false; }
    done
    [ -z "$(ls -A "$NOOK_ROOT")" ]
    [ ! -e "$BATS_TEST_TMPDIR/escape" ]
}

# "This operation MUST create a new container. All of the properties
# configured in config.json except for process MUST be applied."
@test "runtime.md#create: every property but process is applied at create" {
    make_bundle "$B" sleep 100
    edit_config "$B" 'c["hostname"] = "applied"
c["root"]["readonly"] = True
c["linux"]["sysctl"] = {"kernel.msgmax": "4242"}
c["linux"]["maskedPaths"] = ["/etc/passwd"]
c["mounts"].append({"destination": "/run", "type": "tmpfs", "source": "tmpfs"})'
    nook_detached create -b "$B" c1
    pid=$(init_pid c1)
    [ "$(in_container_ns "$pid" -u -- hostname)" = applied ]
    [ "$(in_container_ns "$pid" -i -- cat /proc/sys/kernel/msgmax)" = 4242 ]
    root_opts=$(awk '$5 == "/" { print $6 }' "/proc/$pid/mountinfo")
    has_opt "$root_opts" ro
    grep -q ' /run .* - tmpfs ' "/proc/$pid/mountinfo"
    grep -q ' /etc/passwd ' "/proc/$pid/mountinfo"
}

# "process.args MUST NOT be applied until triggered by the start
# operation."
@test "runtime.md#create: process.args is not applied until start" {
    marker_bundle
    nook_detached create -b "$B" c1
    pid=$(init_pid c1)
    sleep 0.3
    [ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" != "sh -c echo ran >>/home/ran; exec sleep 100 " ]
    [ "$(ran_count)" -eq 0 ]
}

# "If the runtime cannot apply a property as specified in the
# configuration, it MUST generate an error and a new container MUST NOT be
# created."
@test "runtime.md#create: a property that cannot be applied is an error and no container is made" {
    make_bundle "$B" true
    # A host-wide kernel parameter cannot be set for one container.
    edit_config "$B" 'c["linux"]["sysctl"] = {"vm.swappiness": "10"}'
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains vm.swappiness
    assert_no_leftovers c1 "$B"
    # A hostname needs a UTS namespace of the container's own.
    edit_config "$B" 'c["linux"].pop("sysctl")
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "uts"]
c["hostname"] = "nope"'
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains hostname
    assert_no_leftovers c1 "$B"
    [ -z "$(nook list -q)" ]
}

# "Upon successful completion of this operation the status property of
# this container MUST be created."
@test "runtime.md#create: status is created once create returns" {
    make_bundle "$B" true
    nook_detached create -b "$B" c1
    [ "$(state_get c1 status)" = created ]
}

# ---- Operations: start -----------------------------------------------------

# "This operation MUST generate an error if it is not provided the
# container ID."
@test "runtime.md#start: start without a container id is an error" {
    run nook start
    [ "$status" -ne 0 ]
    [ -n "$output" ]
}

# "Attempting to start a container that is not created MUST have no effect
# on the container and MUST generate an error." (one that does not exist)
@test "runtime.md#start: start of a container that does not exist is an error" {
    run nook start nosuch
    [ "$status" -ne 0 ]
    assert_output_contains nosuch
    [ -z "$(nook list -q)" ]
}

# "Attempting to start a container that is not created MUST have no effect
# on the container and MUST generate an error."
@test "runtime.md#start: start of a running or stopped container is an error and changes nothing" {
    marker_bundle
    nook_detached create -b "$B" c1
    nook start c1
    wait_for_file "$H/ran"
    pid=$(init_pid c1)
    run nook start c1
    [ "$status" -ne 0 ]
    [ "$(state_get c1 status)" = running ]
    [ "$(init_pid c1)" = "$pid" ]
    nook kill c1 KILL
    wait_for_status c1 stopped
    run nook start c1
    [ "$status" -ne 0 ]
    sleep 0.3
    [ "$(state_get c1 status)" = stopped ]
    [ "$(ran_count)" -eq 1 ]
}

# "This operation MUST run the user-specified program as specified by
# process."
@test "runtime.md#start: start runs the program as process specifies: args, env, cwd, user" {
    make_bundle "$B" sh -c 'echo "$0 $1|$WHO|$(pwd)|$(id -u):$(id -g)" >/home/out' first second
    edit_config "$B" "c['process']['env'].append('WHO=conformance')
c['process']['cwd'] = '/tmp'
c['process']['user'] = {'uid': 1, 'gid': 1}
c['mounts'].append({'destination': '/home', 'type': 'bind', 'source': '$H', 'options': ['rbind']})"
    nook_detached create -b "$B" c1
    nook start c1
    wait_for_status c1 stopped
    [ "$(cat "$H/out")" = "first second|conformance|/tmp|1:1" ]
}

# "This operation MUST generate an error if process was not set." (nook,
# like runc, refuses such a config already at create, which the spec
# allows: "The runtime MAY validate config.json ... before creating the
# container")
@test "runtime.md#start: a container without process never starts: an error, and nothing runs" {
    make_bundle "$B" true
    edit_config "$B" 'del c["process"]'
    nook_capture create -b "$B" c1
    if [ "$status" -eq 0 ]; then
        run nook start c1
    fi
    [ "$status" -ne 0 ]
    assert_output_contains process
}

# "Upon successful completion of this operation the status property of
# this container MUST be running."
@test "runtime.md#start: status is running once start returns" {
    make_bundle "$B" sleep 100
    nook_detached create -b "$B" c1
    nook start c1
    [ "$(state_get c1 status)" = running ]
}

# ---- Operations: kill ------------------------------------------------------

# "This operation MUST generate an error if it is not provided the
# container ID."
@test "runtime.md#kill: kill without a container id is an error" {
    run nook kill
    [ "$status" -ne 0 ]
    [ -n "$output" ]
}

# "Attempting to send a signal to a container that is neither created nor
# running MUST have no effect on the container and MUST generate an error."
@test "runtime.md#kill: kill of a stopped or missing container is an error and changes nothing" {
    make_bundle "$B" true
    nook_detached create -b "$B" c1
    nook start c1
    wait_for_status c1 stopped
    run nook kill c1 KILL
    [ "$status" -ne 0 ]
    [ "$(state_get c1 status)" = stopped ]
    [ -d "$NOOK_ROOT/c1" ]
    run nook kill nosuch KILL
    [ "$status" -ne 0 ]
}

# "This operation MUST send the specified signal to the container process."
@test "runtime.md#kill: kill sends the given signal to the container process" {
    make_bundle "$B" sh -c 'trap "echo USR1 >>/home/signals" USR1; trap "echo HUP >>/home/signals" HUP
trap "echo TERM >>/home/signals; exit 0" TERM
echo ready >/home/ready; while :; do usleep 20000; done'
    edit_config "$B" "c['mounts'].append({'destination': '/home', 'type': 'bind', 'source': '$H', 'options': ['rbind']})"
    nook_detached run -d -b "$B" c1
    wait_for_file "$H/ready"
    # One at a time: signals pending together are taken in number order.
    nook kill c1 USR1
    for _ in $(seq 50); do grep -q USR1 "$H/signals" 2>/dev/null && break; sleep 0.1; done
    nook kill c1 SIGHUP
    for _ in $(seq 50); do grep -q HUP "$H/signals" 2>/dev/null && break; sleep 0.1; done
    nook kill c1 15
    wait_for_status c1 stopped
    [ "$(paste -sd' ' "$H/signals")" = "USR1 HUP TERM" ]
}

# "stopped: the container process has exited (step 10 in the lifecycle)"
# (State); "The container process exits. This MAY happen due to erroring
# out, exiting, crashing or the runtime's kill operation being invoked."
@test "runtime.md#kill: once the process has stopped, by a signal or by exiting, status is stopped" {
    make_bundle "$B" sleep 100
    nook_detached create -b "$B" c1
    nook kill c1 KILL
    wait_for_status c1 stopped
    # Pid 1 ignores a signal it has no handler for: this one has.
    make_bundle "$BATS_TEST_TMPDIR/b2" sh -c 'trap "exit 3" TERM; while :; do usleep 20000; done'
    nook_detached run -d -b "$BATS_TEST_TMPDIR/b2" c2
    nook kill c2 TERM
    wait_for_status c2 stopped
    make_bundle "$BATS_TEST_TMPDIR/b3" true
    nook_detached run -d -b "$BATS_TEST_TMPDIR/b3" c3
    wait_for_status c3 stopped
}

# ---- Operations: delete ----------------------------------------------------

# "This operation MUST generate an error if it is not provided the
# container ID."
@test "runtime.md#delete: delete without a container id is an error" {
    run nook delete
    [ "$status" -ne 0 ]
    [ -n "$output" ]
}

# "Attempting to delete a container that is not stopped MUST have no effect
# on the container and MUST generate an error." (one that does not exist)
@test "runtime.md#delete: delete of a container that does not exist is an error" {
    run nook delete nosuch
    [ "$status" -ne 0 ]
    assert_output_contains nosuch
}

# "Attempting to delete a container that is not stopped MUST have no effect
# on the container and MUST generate an error."
@test "runtime.md#delete: delete of a running container is an error and changes nothing" {
    marker_bundle
    nook_detached run -d -b "$B" c1
    pid=$(init_pid c1)
    run nook delete c1
    [ "$status" -ne 0 ]
    [ "$(state_get c1 status)" = running ]
    [ "$(init_pid c1)" = "$pid" ]
    kill -0 "$pid"
}

# "Attempting to delete a container that is not stopped MUST have no effect
# on the container and MUST generate an error." (a created container is
# not stopped either)
# A DELIBERATE DEVIATION, shared with runc (and crun): `nook delete` of a
# *created* container, never started, kills its init and removes it
# without --force, because containerd's runc shim deletes created tasks
# without --force and podman and containerd expect runc's behaviour. What
# this checks is that behaviour, exactly: the created container is gone
# (process, state, what create made), while a *running* one is still
# refused and left as it was (that part of the MUST holds).
@test "runtime.md#delete: a created container is deleted without --force, as runc does (a deliberate deviation); a running one is an error" {
    marker_bundle
    nook_detached create -b "$B" c1
    pid=$(init_pid c1)
    kill -0 "$pid"
    run nook delete c1
    assert_status 0
    assert_process_gone "$pid"
    run nook state c1
    [ "$status" -ne 0 ]
    assert_output_contains c1
    assert_no_leftovers c1 "$B"
    [ "$(ran_count)" -eq 0 ]

    nook_detached create -b "$B" c1
    nook start c1
    pid=$(init_pid c1)
    run nook delete c1
    [ "$status" -ne 0 ]
    assert_output_contains running
    [ "$(state_get c1 status)" = running ]
    [ "$(init_pid c1)" = "$pid" ]
    kill -0 "$pid"
    [ "$(ran_count)" -eq 1 ]
}

# "Deleting a container MUST delete the resources that were created during
# the create step."
@test "runtime.md#delete: delete removes what create made: state, processes, cgroup, mounts" {
    make_bundle "$B" sleep 100
    nook_detached run -d -b "$B" c1
    pid=$(init_pid c1)
    cgroup=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
    nook kill c1 KILL
    wait_for_status c1 stopped
    run nook delete c1
    assert_status 0
    assert_process_gone "$pid"
    assert_no_leftovers c1 "$B"
    if [ "$cgroup" != "$(sed -n 's/^0:://p' /proc/self/cgroup)" ] && v2=$(cgroup_v2_root); then
        [ ! -e "$v2$cgroup" ] || { echo "cgroup $cgroup is left" >&2; false; }
    fi
    # The id is free again.
    nook_detached run -d -b "$B" c1
    [ "$(state_get c1 status)" = running ]
}

# "Note that resources associated with the container, but not created by
# this container, MUST NOT be deleted."
@test "runtime.md#delete: what the container uses but did not create survives delete" {
    make_bundle "$B" sleep 100
    nook_detached run -d -b "$B" holder
    holder=$(init_pid holder)
    mkdir "$BATS_TEST_TMPDIR/data"
    echo kept >"$BATS_TEST_TMPDIR/data/file"
    make_bundle "$BATS_TEST_TMPDIR/b2" sh -c 'echo touched >/home/new'
    edit_config "$BATS_TEST_TMPDIR/b2" "c['mounts'].append({'destination': '/home', 'type': 'bind', 'source': '$BATS_TEST_TMPDIR/data', 'options': ['rbind']})
for n in c['linux']['namespaces']:
    if n['type'] in ('ipc', 'uts', 'user'):
        n['path'] = '/proc/$holder/ns/' + n['type']
c['linux'].pop('uidMappings', None); c['linux'].pop('gidMappings', None)"
    nook_detached create -b "$BATS_TEST_TMPDIR/b2" c1
    nook start c1
    wait_for_status c1 stopped
    run nook delete c1
    assert_status 0
    # The joined namespaces still belong to the other container.
    [ "$(state_get holder status)" = running ]
    kill -0 "$holder"
    # The bind-mounted host directory and what is in it are still there.
    [ "$(cat "$BATS_TEST_TMPDIR/data/file")" = kept ]
    [ "$(cat "$BATS_TEST_TMPDIR/data/new")" = touched ]
    # So are the bundle and its root file system.
    [ -f "$BATS_TEST_TMPDIR/b2/config.json" ]
    [ -x "$NOOK_BUNDLE_ROOTFS/bin/busybox" ]
}

# "Note that resources associated with the container, but not created by
# this container, MUST NOT be deleted." (a cgroup that existed before; and
# the one create made for a cgroupsPath that did not exist is deleted:
# "Deleting a container MUST delete the resources that were created during
# the create step.")
@test "runtime.md#delete: a cgroup that existed before create survives delete" {
    require_cgroup_delegation
    v2=$(cgroup_v2_root)
    top=$(cgroup_delegated_top)
    existing=${top%/}/conformance-existing-$$
    mkdir "$v2$existing"
    make_bundle "$B" sleep 100
    edit_config "$B" "c['linux']['cgroupsPath'] = '$existing'"
    nook_detached run -d -b "$B" c1
    pid=$(init_pid c1)
    [ "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" = "$existing" ]
    run nook delete --force c1
    assert_status 0
    assert_process_gone "$pid"
    [ -d "$v2$existing" ] || { echo "delete removed $existing, which it did not create" >&2; false; }
    [ -z "$(cat "$v2$existing/cgroup.procs")" ] ||
        { echo "processes are left in $existing: $(cat "$v2$existing/cgroup.procs")" >&2; false; }
    rmdir "$v2$existing"

    made=${top%/}/conformance-made-$$
    [ ! -e "$v2$made" ]
    edit_config "$B" "c['linux']['cgroupsPath'] = '$made'"
    nook_detached run -d -b "$B" c1
    [ "$(sed -n 's/^0:://p' "/proc/$(init_pid c1)/cgroup")" = "$made" ]
    run nook delete --force c1
    assert_status 0
    [ ! -e "$v2$made" ] || { echo "delete left $made, which create made" >&2; false; }
}
