#!/usr/bin/env bats
# cgroup-commands.bats: the commands that work on a container's cgroup:
# pause/resume (and "paused" in state and list), kill --all, ps, exec into
# the cgroup or a sub-cgroup of it, events (stats and their stream),
# update, and the one error all of them give a container without a cgroup.
# This host's cgroup v2 hierarchy has no controllers, so freezing, killing,
# moving processes and the statistics cgroup v2 keeps without controllers
# are tested for real; limits only through their errors (tests/vm has the
# enforced ones).

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

# The mount point of the cgroup v2 hierarchy.
cgroup_v2_root() {
    local dir
    for dir in /sys/fs/cgroup /sys/fs/cgroup/unified; do
        if [ "$(stat -f -c %T "$dir" 2>/dev/null)" = cgroup2fs ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

# container_cgroup ID: the directory of the container's cgroup, from the
# cgroup_path nook recorded in its state.json. Root always gets one; a
# rootless run gets one only from a delegated subtree (run-bats.sh puts the
# tests in one when tests/setup-test-user.sh made it), else the test skips.
container_cgroup() {
    local path v2
    path=$("$NOOK_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("cgroup_path", ""))' \
        "$NOOK_ROOT/$1/state.json") || return 1
    if [ -z "$path" ]; then
        if [ "$NOOK_TEST_MODE" = rootless ]; then
            skip "no cgroup v2 subtree delegated to $(id -un) (see tests/setup-test-user.sh)"
        fi
        echo "container $1 has no cgroup in root mode" >&2
        return 1
    fi
    v2=$(cgroup_v2_root) || return 1
    echo "$v2$path"
}

# A container printing a line every 0.1 s to container.out, running.
start_counter() {
    make_bundle "$B" sh -c 'while :; do echo tick; sleep 0.1; done'
    nook_detached run -d -b "$B" "$1"
    wait_for_status "$1" running
}

ticks() {
    wc -l <"$BATS_TEST_TMPDIR/container.out"
}

init_pid() {
    nook state "$1" | "$NOOK_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["pid"])'
}

frozen() {
    sed -n 's/^frozen //p' "$1/cgroup.events"
}

@test "pause freezes every process and says paused; resume thaws them" {
    start_counter c1
    cg=$(container_cgroup c1)
    run nook pause c1
    assert_status 0
    [ -z "$output" ]
    [ "$(frozen "$cg")" = 1 ]
    run nook state c1
    assert_output_contains '"status": "paused"'
    run nook list
    [[ "${lines[1]}" == c1*paused* ]]
    # Frozen: the counter stops advancing.
    before=$(ticks)
    sleep 0.6
    [ "$(ticks)" -eq "$before" ]

    run nook resume c1
    assert_status 0
    [ "$(frozen "$cg")" = 0 ]
    run nook state c1
    assert_output_contains '"status": "running"'
    sleep 0.6
    [ "$(ticks)" -gt "$before" ]
}

@test "pause and resume refuse a container in the wrong state, changing nothing" {
    make_bundle "$B" sleep 100
    nook_detached create -b "$B" c1
    container_cgroup c1 >/dev/null
    run nook pause c1
    assert_status 1
    assert_output_contains 'pause: container "c1" is not running: it is created'
    run nook state c1
    assert_output_contains '"status": "created"'
    run nook resume c1
    assert_status 1
    assert_output_contains 'resume: container "c1" is not paused: it is created'
    nook start c1
    run nook resume c1
    assert_status 1
    assert_output_contains 'is not paused: it is running'
    nook pause c1
    run nook pause c1
    assert_status 1
    assert_output_contains 'is not running: it is paused'
    nook kill c1 KILL
    wait_for_status c1 stopped
    run nook pause c1
    assert_status 1
    assert_output_contains 'is not running: it is stopped'
    run nook pause nosuch
    assert_status 1
    assert_output_contains 'container "nosuch" does not exist'
    run nook pause
    assert_status 2
}

@test "kill --all reaches a background process the init's signal does not" {
    # sh is process 1 of its pid namespace: a SIGTERM without a handler
    # does not reach it from outside, but it does reach its background
    # sleep, after which sh's wait returns and the container ends.
    make_bundle "$B" sh -c 'sleep 1000 & wait'
    nook_detached run -d -b "$B" c1
    wait_for_status c1 running
    cg=$(container_cgroup c1)
    for i in $(seq 50); do
        [ "$(wc -l <"$cg/cgroup.procs")" -eq 2 ] && break
        sleep 0.1
    done
    [ "$(wc -l <"$cg/cgroup.procs")" -eq 2 ]
    nook kill c1 TERM
    sleep 0.5
    run nook state c1
    assert_output_contains '"status": "running"'
    run nook kill --all c1 TERM
    assert_status 0
    wait_for_status c1 stopped
    [ "$(wc -l <"$cg/cgroup.procs")" -eq 0 ]
}

@test "kill --all KILL ends a paused container" {
    start_counter c1
    cg=$(container_cgroup c1)
    nook pause c1
    run nook kill --all c1 KILL
    assert_status 0
    wait_for_status c1 stopped
    [ "$(wc -l <"$cg/cgroup.procs")" -eq 0 ]
}

@test "kill --all reaches what a container sharing the host's pid namespace left behind" {
    require_root
    make_bundle "$B" sh -c 'sleep 1000 & exec sleep 999'
    edit_config "$B" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "pid"]'
    nook_detached run -d -b "$B" c1
    wait_for_status c1 running
    cg=$(container_cgroup c1)
    for i in $(seq 50); do
        [ "$(wc -l <"$cg/cgroup.procs")" -eq 2 ] && break
        sleep 0.1
    done
    leftover=$(grep -vx "$(init_pid c1)" "$cg/cgroup.procs")
    # The init's death does not end its background sleep here.
    nook kill c1 KILL
    wait_for_status c1 stopped
    kill -0 "$leftover"
    run nook ps -f json c1
    [ "$output" = "[$leftover]" ]
    run nook kill --all c1 KILL
    assert_status 0
    for i in $(seq 50); do
        kill -0 "$leftover" 2>/dev/null || break
        sleep 0.1
    done
    ! kill -0 "$leftover" 2>/dev/null || false
}

@test "ps lists the processes of the cgroup: the init, a background one, an exec'd one" {
    make_bundle "$B" sh -c 'sleep 1000 & wait'
    nook_detached run -d -b "$B" c1
    wait_for_status c1 running
    cg=$(container_cgroup c1)
    nook exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" c1 sleep 777 </dev/null >/dev/null 2>&1
    exec_pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
    for i in $(seq 50); do
        [ "$(wc -l <"$cg/cgroup.procs")" -eq 3 ] && break
        sleep 0.1
    done
    grep -qx "$exec_pid" "$cg/cgroup.procs"
    run nook ps -f json c1
    assert_status 0
    [ "$output" = "[$(sort -n "$cg/cgroup.procs" | paste -sd, -)]" ]
    run nook ps c1
    assert_status 0
    [ "${#lines[@]}" -eq 4 ]
    assert_output_contains "sleep 1000"
    assert_output_contains "sleep 777"
}

@test "exec runs in the container's cgroup, or in the --cgroup sub-cgroup" {
    make_bundle "$B" sleep 1000
    nook_detached run -d -b "$B" c1
    wait_for_status c1 running
    cg=$(container_cgroup c1)
    mkdir "$cg/sub"
    # The container has a cgroup namespace rooted at its cgroup.
    run nook exec c1 cat /proc/self/cgroup
    assert_status 0
    printf '%s\n' "${lines[@]}" | grep -qx '0::/'
    run nook exec --cgroup sub c1 cat /proc/self/cgroup
    assert_status 0
    printf '%s\n' "${lines[@]}" | grep -qx '0::/sub'
    run nook exec --cgroup memory,pids:/sub c1 cat /proc/self/cgroup
    assert_status 0
    printf '%s\n' "${lines[@]}" | grep -qx '0::/sub'
    nook exec -d --cgroup sub --pid-file "$BATS_TEST_TMPDIR/exec.pid" c1 sleep 555 </dev/null >/dev/null 2>&1
    grep -qx "$(cat "$BATS_TEST_TMPDIR/exec.pid")" "$cg/sub/cgroup.procs"
    # ps counts the sub-cgroups too.
    run nook ps -f json c1
    assert_output_contains "$(cat "$BATS_TEST_TMPDIR/exec.pid")"

    run nook exec --cgroup nosuch c1 true
    assert_status 1
    assert_output_contains 'exec: --cgroup nosuch:'
    assert_output_contains 'No such file or directory'
    run nook exec --cgroup ../.. c1 true
    assert_status 1
    assert_output_contains 'must name a sub-cgroup of the container'"'"'s cgroup'
    run nook exec --cgroup cpu:a --cgroup memory:b c1 true
    assert_status 1
    assert_output_contains 'every --cgroup must name the same sub-cgroup'
    run nook exec --cgroup a --cgroup b c1 true
    assert_status 1
    assert_output_contains 'needs its <controller>: prefix'
}

@test "exec --ignore-paused starts a process frozen with the container" {
    start_counter c1
    cg=$(container_cgroup c1)
    nook pause c1
    run nook exec c1 true
    assert_status 1
    assert_output_contains 'cannot exec in a paused container'
    # It is moved in once set up, a moment after it has started (see
    # nook-exec(1)): it must outlive that moment to be seen frozen.
    nook_detached exec -d --ignore-paused --pid-file "$BATS_TEST_TMPDIR/exec.pid" c1 \
        sh -c 'sleep 0.3; echo exec-ran'
    pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
    grep -qx "$pid" "$cg/cgroup.procs"
    sleep 1
    ! grep -q exec-ran "$BATS_TEST_TMPDIR/container.out" || false
    nook resume c1
    for i in $(seq 50); do
        grep -q exec-ran "$BATS_TEST_TMPDIR/container.out" && break
        sleep 0.1
    done
    grep -q exec-ran "$BATS_TEST_TMPDIR/container.out"
}

@test "events --stats prints one stats event in runc's shape" {
    make_bundle "$B" sh -c 'sleep 1000 & i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; wait'
    nook_detached run -d -b "$B" c1
    wait_for_status c1 running
    cg=$(container_cgroup c1)
    sleep 0.3
    nook events --stats c1 >"$BATS_TEST_TMPDIR/stats.json"
    [ "$(wc -l <"$BATS_TEST_TMPDIR/stats.json")" -eq 1 ]
    has_memory=false
    [ -e "$cg/memory.stat" ] && has_memory=true
    run "$NOOK_PYTHON" - "$BATS_TEST_TMPDIR/stats.json" "$has_memory" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
has_memory = sys.argv[2] == "true"
assert e["type"] == "stats" and e["id"] == "c1", e
d = e["data"]
assert set(d) == {"cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"}, sorted(d)
u = d["cpu"]["usage"]
assert u["total"] > 0 and "kernel" in u and "user" in u, u
assert isinstance(d["cpu"]["throttling"], dict)
assert d["pids"]["current"] >= 2, d["pids"]
m = d["memory"]
assert set(m["usage"]) >= {"limit", "failcnt"}, m
if has_memory:
    assert "raw" in m and m["usage"]["usage"] > 0, m
else:
    assert "raw" not in m and m["usage"]["limit"] == 0 and "usage" not in m["usage"], m
print("ok")
PY
    assert_status 0
    [ "$output" = ok ]
}

@test "events streams stats every --interval and ends when the container stops" {
    make_bundle "$B" sleep 2.6
    nook_detached run -d -b "$B" c1
    wait_for_status c1 running
    container_cgroup c1 >/dev/null
    start=$(date +%s%N)
    run timeout 20 "$NOOK" --root "$NOOK_ROOT" events --interval 1s c1
    elapsed=$((($(date +%s%N) - start) / 1000000))
    assert_status 0
    [ "${#lines[@]}" -ge 1 ] && [ "${#lines[@]}" -le 3 ]
    [ "$elapsed" -lt 10000 ]
    for line in "${lines[@]}"; do
        "$NOOK_PYTHON" -c 'import json, sys; e = json.loads(sys.argv[1]); assert e["type"] == "stats" and e["id"] == "c1"' "$line"
    done
    run nook events c1
    assert_status 1
    assert_output_contains 'events: container "c1" is not running'
}

@test "events refuses a bad --interval" {
    run nook events --interval 0 c1
    assert_status 2
    assert_output_contains 'events: --interval "0": must be greater than 0'
    run nook events --interval 5x c1
    assert_status 2
    assert_output_contains 'not a duration such as 5s'
    run nook events --interval -1s c1
    assert_status 2
}

@test "update: a limit this host cannot apply is explained; bad values are refused" {
    make_bundle "$B" sleep 1000
    nook_detached run -d -b "$B" c1
    wait_for_status c1 running
    cg=$(container_cgroup c1)
    run nook update --pids-limit 10 c1
    if [ -e "$cg/pids.max" ]; then
        assert_status 0
        [ "$(cat "$cg/pids.max")" = 10 ]
    else
        assert_status 1
        assert_output_contains 'update: container "c1": resources.pids.limit'
        assert_output_contains '"pids"'
    fi

    run nook update --memory 64x c1
    assert_status 2
    assert_output_contains 'update: --memory "64x": must be a size such as 64m'
    run nook update --blkio-weight 5 c1
    assert_status 2
    assert_output_contains 'update: --blkio-weight "5": must be from 10 to 1000'
    run nook update --cpu-quota abc c1
    assert_status 2
    assert_output_contains 'update: --cpu-quota "abc": must be a whole number'
    run nook update c1
    assert_status 2
    assert_output_contains 'update: no limit to change'
    run nook update --l3-cache-schema L3:0=f c1
    assert_status 1
    assert_output_contains 'nook does not support Intel RDT'

    printf '{"memory": {"limit": 5' >"$BATS_TEST_TMPDIR/bad.json"
    run nook update -r "$BATS_TEST_TMPDIR/bad.json" c1
    assert_status 1
    assert_output_contains "update: $BATS_TEST_TMPDIR/bad.json: "
    run nook update -r - c1 <<<'{"memory": {"limit": "lots"}}'
    assert_status 1
    assert_output_contains 'update: standard input: .memory.limit:'
    run nook update -r "$BATS_TEST_TMPDIR/nosuch.json" c1
    assert_status 1
    assert_output_contains 'update: --resources: open'
    run nook update -r - --memory 1g c1 <<<'{}'
    assert_status 0
    assert_output_contains 'warning: update: --memory is ignored because --resources is given'
    run nook update --memory 64m nosuch
    assert_status 1
    assert_output_contains 'container "nosuch" does not exist'
}

@test "update refuses a stopped container" {
    make_bundle "$B" true
    nook_detached run -d -b "$B" c1
    wait_for_status c1 stopped
    run nook update -r - c1 <<<'{}'
    assert_status 1
    assert_output_contains 'update: container "c1" is not running: it is stopped'
}

@test "a container without a cgroup: one error says why and how to get one" {
    make_bundle "$B" sleep 1000
    nook_detached --cgroup-manager disabled run -d -b "$B" c1
    wait_for_status c1 running
    [ -z "$("$NOOK_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("cgroup_path", ""))' "$NOOK_ROOT/c1/state.json")" ]
    for cmd in pause "update --memory 64m" "events --stats" "exec --cgroup sub"; do
        if [ "$cmd" = "exec --cgroup sub" ]; then
            run nook exec --cgroup sub c1 true
        else
            # shellcheck disable=SC2086
            run nook $cmd c1
        fi
        assert_status 1
        assert_output_contains 'container "c1" has no cgroup, so nook cannot'
        assert_output_contains 'loginctl enable-linger'
        assert_output_contains 'delegated to you'
        [ "${#lines[@]}" -eq 1 ]
    done
    run nook state c1
    assert_output_contains '"status": "running"'
    # Without a cgroup, --all still reaches its own pid namespace.
    run nook kill --all c1 KILL
    assert_status 0
    wait_for_status c1 stopped
}

@test "kill --all without a cgroup or a pid namespace of its own is refused" {
    require_root
    make_bundle "$B" sleep 1000
    edit_config "$B" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "pid"]'
    nook_detached --cgroup-manager disabled run -d -b "$B" c1
    wait_for_status c1 running
    run nook kill --all c1 KILL
    assert_status 1
    assert_output_contains 'container "c1" has neither a cgroup nor a pid namespace of its own'
    run nook state c1
    assert_output_contains '"status": "running"'
}
