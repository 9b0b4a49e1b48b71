#!/usr/bin/env bats
# podman.bats: podman (Debian 12's 4.3, with conmon) drives nook,
# unchanged, rootless. setup_file gives podman a world of the file's own
# in a temporary directory: containers.conf naming nook as the runtime
# (with --log-format json and --cgroups=disabled support, as podman gives
# crun), storage.conf (overlay), XDG_RUNTIME_DIR (podman's rootless user
# namespace, conmon's sockets and nook's state under it) and HOME; it
# imports an image from the busybox rootfs with `podman import` (no
# registry is reachable). teardown_file removes every container, the
# storage (from inside podman's user namespace, which owns it) and
# podman's pause process.
#
# Inside podman's rootless user namespace nook runs as root of that
# namespace: no user namespace of its own unless podman asks
# (--userns=keep-id), the state under $XDG_RUNTIME_DIR/nook, and no cgroup
# unless one is delegated (see nook_idmap_in_user_namespace).
#
# The runtime podman is given is a wrapper that records each call's
# arguments in $PODMAN_DIR/nook-calls.log and then is nook;
# PODMAN_RUNTIME=/usr/sbin/runc runs the same scenario with runc in nook's
# place, to compare the two (crun refuses this hybrid-cgroup host).

load ../integration/helpers
load podman-world

bats_require_minimum_version 1.5.0

IMAGE=localhost/nook-busybox:test

setup_file() {
    # bats 1.8 (Debian 12) cannot skip from setup_file: each test skips
    # itself in setup() with this reason.
    PODMAN_SKIP=
    command -v podman >/dev/null || PODMAN_SKIP="podman is not installed (Debian: apt-get install podman)"
    [ "$NOOK_TEST_MODE" = rootless ] || PODMAN_SKIP="podman drives nook rootless only"
    export PODMAN_SKIP
    [ -z "$PODMAN_SKIP" ] || return 0

    podman_world_setup /tmp/nook-podman.XXXXXX "" 'cgroup_manager = "cgroupfs"' || return 1
    mkdir -p "$PODMAN_DIR/xdg" && chmod 0700 "$PODMAN_DIR/xdg" || return 1
    export XDG_RUNTIME_DIR=$PODMAN_DIR/xdg
    # Where nook keeps its state when podman calls it (the default for
    # root of a user namespace with $XDG_RUNTIME_DIR set).
    export PODMAN_NOOK_ROOT=$XDG_RUNTIME_DIR/nook
    podman_world_import 120
}

teardown_file() {
    podman_world_remove 60 "${XDG_RUNTIME_DIR:-}"/libpod/tmp/pause.pid
}

setup() {
    [ -z "$PODMAN_SKIP" ] || skip "$PODMAN_SKIP"
    : >"$PODMAN_DIR/nook-calls.log"
}

teardown() {
    [ -z "$PODMAN_SKIP" ] || return 0
    # A failing test's containers go with it, so names can be reused.
    timeout 60 podman pod rm -af -t 0 >/dev/null 2>&1
    timeout 60 podman rm -af -t 0 >/dev/null 2>&1
    true
}

# pm ARGS...: podman, bounded in time so that a hang fails the test
# instead of the suite.
pm() {
    timeout --kill-after=5 90 podman "$@"
}

# in_terminal COMMAND: run the shell command line under a pseudo-terminal
# of 40 rows and 100 columns (util-linux `script`), as a user at a
# terminal would; its status is the command's. \r is taken out.
in_terminal() {
    local out=$PODMAN_DIR/terminal.out
    status=0
    timeout 90 script -qec "stty rows 40 cols 100; $1" /dev/null </dev/null >"$out" 2>&1 || status=$?
    output=$(tr -d '\r' <"$out")
}

# calls: how podman and conmon called nook in this test, one call a line.
calls() {
    cat "$PODMAN_DIR/nook-calls.log"
}

# nook_containers: the containers in nook's state (podman's), one id a line.
nook_containers() {
    "$NOOK" --root "$PODMAN_NOOK_ROOT" list -q 2>/dev/null
}

# wait_for_log NAME TEXT: poll `podman logs` for up to 10 seconds.
wait_for_log() {
    local i
    for i in $(seq 50); do
        pm logs "$1" 2>/dev/null | grep -q -- "$2" && return 0
        sleep 0.2
    done
    echo "\"$2\" never appeared in the logs of $1: $(pm logs "$1" 2>&1)" >&2
    return 1
}

@test "podman info and inspect name nook as the OCI runtime" {
    run --separate-stderr pm info --format '{{.Host.OCIRuntime.Name}}|{{.Host.OCIRuntime.Path}}'
    assert_status 0
    [ "$output" = "nook|$PODMAN_WRAPPER" ] || { echo "info: $output" >&2; return 1; }
    run --separate-stderr pm info --format '{{.Host.OCIRuntime.Version}}'
    assert_status 0
    if [ "$PODMAN_RUNTIME" = "$NOOK" ]; then
        local want
        want=$("$NOOK" --version | head -1)
        assert_output_contains "$want"
    fi

    run --separate-stderr pm run -d --name c1 "$IMAGE" sleep 100
    assert_status 0
    run --separate-stderr pm inspect --format '{{.OCIRuntime}}|{{.State.Status}}' c1
    assert_status 0
    [ "$output" = "nook|running" ] || { echo "inspect: $output" >&2; return 1; }
    # podman's container id is nook's.
    local id
    id=$(pm inspect --format '{{.Id}}' c1)
    [ "$PODMAN_RUNTIME" != "$NOOK" ] || nook_containers | grep -qx -- "$id" || {
        echo "nook does not know $id: $(nook_containers)" >&2
        return 1
    }
}

@test "podman --runtime PATH runs nook without any configuration" {
    run --separate-stderr pm --runtime "$NOOK" run --rm "$IMAGE" echo hello from nook
    assert_status 0
    [ "$output" = "hello from nook" ] || { echo "output: $output; stderr: $stderr" >&2; return 1; }
}

@test "run --rm: the output, the exit code, and nothing left behind" {
    run --separate-stderr pm run --rm "$IMAGE" sh -c 'echo out; echo err >&2; id -u; cat /proc/1/cmdline | tr "\0" " "'
    assert_status 0
    [ "${lines[0]}" = out ] && [ "${lines[1]}" = 0 ] && [ "${lines[2]}" = "sh -c echo out; echo err >&2; id -u; cat /proc/1/cmdline | tr \"\\0\" \" \" " ] || {
        echo "output: $output" >&2
        return 1
    }
    [[ "$stderr" == *err* ]] || { echo "stderr: $stderr" >&2; return 1; }

    run --separate-stderr pm run --rm "$IMAGE" sh -c 'exit 42'
    assert_status 42
    run --separate-stderr pm ps -aq
    [ -z "$output" ] || { echo "containers left: $output" >&2; return 1; }
    [ -z "$(nook_containers)" ] || { echo "left in nook's state: $(nook_containers)" >&2; return 1; }
    calls | grep -q -- ' create --bundle ' && calls | grep -q '^start ' && calls | grep -q '^delete --force ' || {
        echo "calls: $(calls)" >&2
        return 1
    }
}

@test "run -i: stdin reaches the container" {
    run --separate-stderr bash -c "printf 'line one\nline two\n' | timeout 90 podman run -i --rm '$IMAGE' sh -c 'cat; echo done'"
    assert_status 0
    [ "$output" = $'line one\nline two\ndone' ] || { echo "output: $output" >&2; return 1; }
}

@test "run --rm -t at a terminal: a tty of the terminal's size, input and the exit code" {
    in_terminal "podman run --rm -t $IMAGE sh -c 'tty; stty size; test -t 0 && test -t 1 && echo both-ttys'"
    assert_status 0
    assert_output_contains /dev/pts/0
    assert_output_contains "40 100"
    assert_output_contains both-ttys
    calls | grep -q -- ' create .*--console-socket ' || { echo "calls: $(calls)" >&2; return 1; }

    in_terminal "podman run --rm -t $IMAGE sh -c 'exit 3'"
    assert_status 3

    local out=$PODMAN_DIR/terminal.out
    printf 'typed\n' | timeout 90 script -qec "podman run --rm -it $IMAGE sh -c 'read x; echo got-\$x'" /dev/null >"$out" 2>&1
    grep -q got-typed "$out" || { echo "output: $(cat "$out")" >&2; return 1; }
}

@test "run -t without a terminal: the container still gets a tty; without -t none" {
    run --separate-stderr pm run --rm -t "$IMAGE" tty </dev/null
    assert_status 0
    [[ "$output" == /dev/pts/* ]] || { echo "output: $output" >&2; return 1; }
    run --separate-stderr pm run --rm "$IMAGE" tty </dev/null
    assert_status 1
    assert_output_contains "not a tty"
}

@test "run -d, logs, stop (the signal is handled), rm" {
    run --separate-stderr pm run -d --name c1 "$IMAGE" \
        sh -c 'echo started; trap "echo got-term; exit 3" TERM; while :; do sleep 0.1; done'
    assert_status 0
    local id=$output
    wait_for_log c1 started
    run --separate-stderr pm ps --format '{{.Names}} {{.Status}}'
    assert_output_contains "c1 Up"

    run --separate-stderr pm stop -t 20 c1
    assert_status 0
    run --separate-stderr pm logs c1
    [ "$output" = $'started\ngot-term' ] || { echo "logs: $output" >&2; return 1; }
    run --separate-stderr pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' c1
    [ "$output" = "exited 3" ] || { echo "inspect: $output" >&2; return 1; }
    calls | grep -qx -- "kill $id 15" || { echo "calls: $(calls)" >&2; return 1; }

    run --separate-stderr pm rm c1
    assert_status 0
    run --separate-stderr pm ps -aq
    [ -z "$output" ] || { echo "containers left: $output" >&2; return 1; }
    [ -z "$(nook_containers)" ] || { echo "left in nook's state: $(nook_containers)" >&2; return 1; }
}

@test "exec: output, exit code, user, working directory and environment" {
    pm run -d --name c1 "$IMAGE" sleep 100 >/dev/null
    run --separate-stderr pm exec c1 sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
    assert_status 0
    [ "$output" = $'in-exec\nsleep 100 ' ] || { echo "output: $output" >&2; return 1; }
    run --separate-stderr pm exec c1 sh -c 'exit 5'
    assert_status 5
    run --separate-stderr pm exec --user 1000:1000 -w /tmp -e FOO=bar c1 sh -c 'id -u; id -g; pwd; echo $FOO'
    assert_status 0
    [ "$output" = $'1000\n1000\n/tmp\nbar' ] || { echo "output: $output" >&2; return 1; }
    # conmon's call: a process file, detached, its pid in a file.
    calls | grep -q -- ' exec --pid-file [^ ]* --process [^ ]* --detach ' || { echo "calls: $(calls)" >&2; return 1; }
}

@test "exec -t: a tty, at a terminal and without one" {
    pm run -d --name c1 "$IMAGE" sleep 100 >/dev/null
    # podman resizes an exec's terminal only once the process runs
    # (conmon, on podman's word; the process.json has no consoleSize): the
    # size is looked at a moment later.
    in_terminal "podman exec -t c1 sh -c 'tty; sleep 1; stty size'"
    assert_status 0
    assert_output_contains /dev/pts/
    assert_output_contains "40 100"
    run --separate-stderr pm exec -t c1 tty </dev/null
    assert_status 0
    [[ "$output" == /dev/pts/* ]] || { echo "output: $output" >&2; return 1; }
    calls | grep -q -- ' exec .*--detach --tty --console-socket ' || { echo "calls: $(calls)" >&2; return 1; }
    in_terminal "podman exec -t c1 sh -c 'exit 4'"
    assert_status 4
}

@test "run and exec errors: podman's exit codes 127 and 126 and nook's words" {
    run -127 --separate-stderr pm run --rm "$IMAGE" /no/such/program
    assert_status 127
    [[ "${stderr,,}" == *'"/no/such/program"'*'no such file or directory'* ]] || { echo "stderr: $stderr" >&2; return 1; }
    run --separate-stderr pm run --rm "$IMAGE" /etc/passwd
    assert_status 126
    [[ "${stderr,,}" == *'"/etc/passwd"'*'permission denied'* ]] || { echo "stderr: $stderr" >&2; return 1; }

    pm run -d --name c1 "$IMAGE" sleep 100 >/dev/null
    run -127 --separate-stderr pm exec c1 no-such-program
    assert_status 127
    [[ "$stderr" == *'"no-such-program": executable file not found in $PATH'* ]] || { echo "stderr: $stderr" >&2; return 1; }
    run --separate-stderr pm exec c1 /etc/passwd
    assert_status 126
    [[ "${stderr,,}" == *'permission denied'* ]] || { echo "stderr: $stderr" >&2; return 1; }
    # nook's message came through its --log-format json log.
    calls | grep -q -- '^--log-format=json --log [^ ]*/oci-log exec ' || { echo "calls: $(calls)" >&2; return 1; }
    [ -z "$(nook_containers | grep -vx -- "$(pm inspect --format '{{.Id}}' c1)")" ] ||
        { echo "left in nook's state: $(nook_containers)" >&2; return 1; }
}

@test "ps: running and exited containers" {
    pm run -d --name up1 "$IMAGE" sleep 100 >/dev/null
    pm run --name done1 "$IMAGE" true >/dev/null
    run --separate-stderr pm ps --format '{{.Names}} {{.Status}}'
    assert_status 0
    [[ "$output" == "up1 Up "* ]] || { echo "ps: $output" >&2; return 1; }
    run --separate-stderr pm ps -a --filter name=done1 --format '{{.Names}} {{.Status}}'
    [[ "$output" == "done1 Exited (0) "* ]] || { echo "ps -a: $output" >&2; return 1; }
}

@test "kill: the signal reaches the container; SIGKILL ends it with 137" {
    local id
    id=$(pm run -d --name c1 "$IMAGE" sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.1; done')
    wait_for_log c1 ready
    run --separate-stderr pm kill -s USR1 c1
    assert_status 0
    wait_for_log c1 got-usr1
    run --separate-stderr pm inspect --format '{{.State.Status}}' c1
    [ "$output" = running ] || { echo "after USR1: $output" >&2; return 1; }
    calls | grep -qx -- "kill $id 10" || { echo "calls: $(calls)" >&2; return 1; }

    run --separate-stderr pm kill c1
    assert_status 0
    run --separate-stderr pm wait c1
    [ "$output" = 137 ] || { echo "wait: $output" >&2; return 1; }
}

@test "wait returns the container's exit code" {
    pm run -d --name c1 "$IMAGE" sh -c 'sleep 1; exit 42' >/dev/null
    run --separate-stderr pm wait c1
    assert_status 0
    [ "$output" = 42 ] || { echo "wait: $output; $stderr" >&2; return 1; }
    run --separate-stderr pm inspect --format '{{.State.ExitCode}}' c1
    [ "$output" = 42 ] || { echo "inspect: $output" >&2; return 1; }
}

@test "top lists the container's processes" {
    # sh runs its last command in its own place: pid 1 becomes sleep 200.
    pm run -d --name c1 "$IMAGE" sh -c 'sleep 300 & sleep 200' >/dev/null
    run --separate-stderr pm top c1 pid user args
    assert_status 0
    [[ "$output" =~ $'\n'1\ +root\ +sleep\ 200 ]] && [[ "$output" =~ $'\n'[0-9]+\ +root\ +sleep\ 300 ]] || {
        echo "top: $output" >&2
        return 1
    }
}

@test "--userns=keep-id: the user's own uid and gid inside" {
    local uid gid
    uid=$(id -u) gid=$(id -g)
    run --separate-stderr pm run --rm --userns=keep-id "$IMAGE" sh -c 'id -u; id -g; cat /proc/self/uid_map'
    assert_status 0
    [ "${lines[0]}" = "$uid" ] && [ "${lines[1]}" = "$gid" ] || { echo "output: $output" >&2; return 1; }
    # nook made the user namespace podman asked for, with podman's maps.
    [[ "${lines[2]}" =~ ^\ *0\ +1\ +$uid$ ]] || [[ "$output" =~ \ $uid\ +0\ +1 ]] || {
        echo "uid_map: $output" >&2
        return 1
    }
}

@test "-p 8080:80: podman's rootless network reaches busybox httpd inside" {
    local port=8080 body= i
    # Another listener on 8080 would answer in the container's place.
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        port=$((port + 1))
    done
    run --separate-stderr pm run -d --name web -p "$port:80" "$IMAGE" \
        sh -c 'mkdir -p /www && echo "hello from nook" > /www/index.html && exec httpd -f -p 80 -h /www'
    assert_status 0
    for i in $(seq 50); do
        body=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port &&
            printf 'GET /index.html HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 && cat <&3" 2>/dev/null | tr -d '\r')
        [[ "$body" == *"hello from nook"* ]] && break
        sleep 0.2
    done
    [[ "$body" == "HTTP/1."?" 200 OK"*"hello from nook"* ]] || {
        echo "from 127.0.0.1:$port: $body; $(pm logs web 2>&1)" >&2
        return 1
    }
    run --separate-stderr pm port web
    assert_output_contains "80/tcp -> 0.0.0.0:$port"
}

@test "pause and unpause freeze and thaw the container" {
    pm run -d --name c1 "$IMAGE" sh -c 'while :; do echo tick; sleep 0.1; done' >/dev/null
    run --separate-stderr pm pause c1
    if [ "$status" -ne 0 ] && [[ "$stderr" == *cgroup* ]]; then
        skip "podman refuses pause on this host: ${stderr#Error: } (tests/vm/podman.bats runs it in the VM harness, where a cgroup v2 subtree is delegated)"
    fi
    assert_status 0
    run --separate-stderr pm inspect --format '{{.State.Status}}' c1
    [ "$output" = paused ] || { echo "inspect: $output" >&2; return 1; }
    local before after
    before=$(pm logs c1 2>/dev/null | wc -l)
    sleep 1
    after=$(pm logs c1 2>/dev/null | wc -l)
    [ "$before" = "$after" ] || { echo "the paused container went on: $before, then $after lines" >&2; return 1; }
    run --separate-stderr pm unpause c1
    assert_status 0
    sleep 1
    after=$(pm logs c1 2>/dev/null | wc -l)
    [ "$after" -gt "$before" ] || { echo "the unpaused container stayed still: $before, then $after lines" >&2; return 1; }
    calls | grep -q '^pause ' && calls | grep -q '^resume ' || { echo "calls: $(calls)" >&2; return 1; }
}

@test "--memory: the limit is in the container's cgroup and enforced" {
    run --separate-stderr pm run --rm --memory 32m "$IMAGE" cat /sys/fs/cgroup/memory.max
    if [[ "$stderr" == *"not supported"* ]]; then
        skip "podman cannot apply limits here: $(grep -m1 'not supported' <<<"$stderr") (tests/vm/podman.bats runs it in the VM harness: cgroup v2 with a subtree delegated to the user)"
    fi
    assert_status 0
    [ "$output" = 33554432 ] || { echo "memory.max: $output; $stderr" >&2; return 1; }
    run --separate-stderr pm run --rm --memory 32m --memory-swap 32m "$IMAGE" sh -c 'tail /dev/zero'
    assert_status 137
}

@test "--pids-limit: the limit is in the container's cgroup and enforced" {
    run --separate-stderr pm run --rm --pids-limit 10 "$IMAGE" cat /sys/fs/cgroup/pids.max
    if [[ "$stderr" == *"not supported"* ]]; then
        skip "podman cannot apply limits here: $(grep -m1 'not supported' <<<"$stderr") (tests/vm/podman.bats runs it in the VM harness: cgroup v2 with a subtree delegated to the user)"
    fi
    assert_status 0
    [ "$output" = 10 ] || { echo "pids.max: $output; $stderr" >&2; return 1; }
    run --separate-stderr pm run --rm --pids-limit 10 "$IMAGE" \
        sh -c 'for i in $(seq 20); do sleep 5 & done; wait'
    [[ "$output$stderr" == *"fork"* ]] || { echo "20 processes under a limit of 10: $output $stderr" >&2; return 1; }
}

@test "--read-only: the image's files under /tmp are copied into its tmpfs (tmpcopyup)" {
    pm run --name base "$IMAGE" sh -c 'echo seeded > /tmp/seed && mkdir -p /run/sub && echo deep > /run/sub/file' >/dev/null
    pm commit -q base localhost/nook-busybox:seeded >/dev/null
    run --separate-stderr pm run --rm --read-only localhost/nook-busybox:seeded \
        sh -c 'cat /tmp/seed /run/sub/file; touch /tmp/new && echo tmp-writable; touch /etc/x 2>&1; grep " /tmp " /proc/mounts'
    pm rmi -f localhost/nook-busybox:seeded >/dev/null 2>&1
    assert_status 0
    [ "${lines[0]}" = seeded ] && [ "${lines[1]}" = deep ] && [ "${lines[2]}" = tmp-writable ] || {
        echo "output: $output; $stderr" >&2
        return 1
    }
    assert_output_contains "Read-only file system"
    [[ "${lines[4]}" == "tmpfs /tmp tmpfs rw,"* ]] || { echo "mount: ${lines[4]}" >&2; return 1; }
}

@test "--cgroups=disabled: podman passes --cgroup-manager disabled and nook runs without a cgroup" {
    run --separate-stderr pm run --rm --cgroups=disabled "$IMAGE" echo no-cgroup
    assert_status 0
    [ "$output" = no-cgroup ] || { echo "output: $output; $stderr" >&2; return 1; }
    calls | grep -q -- ' --cgroup-manager disabled create ' || { echo "calls: $(calls)" >&2; return 1; }
}

@test "--init: podman's catatonit, bound into the container, is pid 1" {
    run --separate-stderr pm run --rm --init "$IMAGE" sh -c 'tr "\0" " " </proc/1/cmdline; echo; echo $$'
    assert_status 0
    # The shell is catatonit's child, pid 2.
    [[ "${lines[0]}" == "/run/podman-init -- sh -c "* ]] && [ "${lines[1]}" = 2 ] ||
        { echo "output: $output; $stderr" >&2; return 1; }
}

@test "restart: the container runs again under the same id" {
    local id
    id=$(pm run -d --name c1 "$IMAGE" sh -c 'echo run; sleep 100')
    wait_for_log c1 run
    run --separate-stderr pm restart -t 0 c1
    assert_status 0
    run --separate-stderr pm inspect --format '{{.Id}} {{.State.Status}}' c1
    [ "$output" = "$id running" ] || { echo "inspect: $output" >&2; return 1; }
    run --separate-stderr pm logs c1
    [ "$output" = $'run\nrun' ] || { echo "logs: $output" >&2; return 1; }
    [ "$(calls | grep -c "^start $id$")" = 2 ] || { echo "calls: $(calls)" >&2; return 1; }
}

@test "a pod: its containers join the infra container's namespaces" {
    run --separate-stderr pm pod create --name pod1
    if [ "$status" -ne 0 ]; then
        echo "pod create: $output $stderr" >&2
        return 1
    fi
    pm run -d --pod pod1 --name web "$IMAGE" \
        sh -c 'mkdir -p /www && echo pod-shared > /www/index.html && exec httpd -f -p 8000 -h /www' >/dev/null
    local i
    for i in $(seq 25); do
        run --separate-stderr pm run --rm --pod pod1 "$IMAGE" sh -c 'wget -q -O - http://127.0.0.1:8000/; hostname'
        [ "$status" = 0 ] && break
        sleep 0.2
    done
    assert_status 0
    [ "$output" = $'pod-shared\npod1' ] || { echo "output: $output; $stderr" >&2; return 1; }
}
