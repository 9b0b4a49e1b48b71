#!/usr/bin/env bats
# runtime-linux.bats: conformance to runtime-linux.md of the OCI
# runtime-spec: the file descriptors a container process starts with and
# the /dev symbolic links made while the container is created.

load helpers

setup_file() {
    export_python
}

setup() {
    conformance_setup
}

teardown() {
    common_teardown
}

# "By default, only the stdin, stdout and stderr file descriptors are kept
# open for the application by the runtime."
@test "runtime-linux.md#file-descriptors: by default only stdin, stdout and stderr are open in the process" {
    make_bundle "$B" ls /proc/self/fd
    # Descriptors the caller has open beyond its stdio stay out.
    exec 7</dev/null 9>"$BATS_TEST_TMPDIR/held"
    run nook run -b "$B" c1
    exec 7<&- 9>&-
    assert_status 0
    # 3 is the directory ls itself has open while it lists.
    [ "$(echo "$output" | paste -sd' ')" = "0 1 2 3" ]
}

# "While creating the container (step 2 in the lifecycle), runtimes MUST
# create the following symlinks if the source file exists after processing
# mounts: /dev/fd -> /proc/self/fd, /dev/stdin -> /proc/self/fd/0,
# /dev/stdout -> /proc/self/fd/1, /dev/stderr -> /proc/self/fd/2"
@test "runtime-linux.md#dev-symbolic-links: /dev/fd, /dev/stdin, /dev/stdout and /dev/stderr exist once create is done" {
    make_bundle "$B" sleep 100
    nook_detached create -b "$B" c1
    root=/proc/$(init_pid c1)/root
    [ "$(readlink "$root/dev/fd")" = /proc/self/fd ]
    [ "$(readlink "$root/dev/stdin")" = /proc/self/fd/0 ]
    [ "$(readlink "$root/dev/stdout")" = /proc/self/fd/1 ]
    [ "$(readlink "$root/dev/stderr")" = /proc/self/fd/2 ]
}

# "... runtimes MUST create the following symlinks if the source file
# exists after processing mounts" (and they work for the process)
@test "runtime-linux.md#dev-symbolic-links: the links lead to the process's own descriptors" {
    make_bundle "$B" sh -c 'echo to-stdout >>/dev/stdout; echo to-stderr >>/dev/stderr; ls /dev/fd/ | head -n3 | paste -sd" "'
    # Appending, so that the files opened again through /proc/self/fd do
    # not start over.
    : >"$BATS_TEST_TMPDIR/out"
    : >"$BATS_TEST_TMPDIR/err"
    nook run -b "$B" c1 </dev/null >>"$BATS_TEST_TMPDIR/out" 2>>"$BATS_TEST_TMPDIR/err"
    [ "$(head -n1 "$BATS_TEST_TMPDIR/out")" = to-stdout ]
    [ "$(tail -n1 "$BATS_TEST_TMPDIR/out")" = "0 1 2" ]
    [ "$(cat "$BATS_TEST_TMPDIR/err")" = to-stderr ]
}
