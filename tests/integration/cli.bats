#!/usr/bin/env bats
# cli.bats: the command line surface: global flags, help, unknown flags,
# argument counts, and commands whose work is not built yet.

load helpers

setup() {
    common_setup
}

@test "nook --version lists the version and compiled-in features" {
    run "$NOOK" --version
    assert_status 0
    assert_output_contains "nook version "
    assert_output_contains "spec: 1.2.0"
    [[ "$output" =~ [+-]SECCOMP ]]
    [[ "$output" =~ [+-]SYSTEMD ]]
    [[ "$output" =~ [+-]SLIRP ]]
}

@test "nook --help lists every command" {
    run "$NOOK" --help
    assert_status 0
    for c in create run start state kill delete list exec spec ps pause resume update events features check; do
        assert_output_contains "  $c "
    done
}

@test "every command has --help" {
    for c in create run start state kill delete list exec spec ps pause resume update events features check; do
        run "$NOOK" "$c" --help
        assert_status 0
        assert_output_contains "Usage: nook $c"
    done
}

@test "an unknown global flag is a one-line error and exit 2" {
    run "$NOOK" --bogus list
    assert_status 2
    assert_output_contains 'unknown global flag "--bogus"'
    [ "${#lines[@]}" -eq 1 ]
}

@test "an unknown command is a one-line error and exit 2" {
    run "$NOOK" frobnicate
    assert_status 2
    assert_output_contains 'unknown command "frobnicate"'
    [ "${#lines[@]}" -eq 1 ]
}

@test "an unknown subcommand flag is a one-line error and exit 2" {
    run nook create --bogus x
    assert_status 2
    assert_output_contains 'create: unknown flag "--bogus"'
    [ "${#lines[@]}" -eq 1 ]
}

@test "a missing flag value is an error and exit 2" {
    run nook create --bundle
    assert_status 2
    assert_output_contains 'needs a value'
}

@test "wrong argument counts are errors and exit 2" {
    run nook start
    assert_status 2
    assert_output_contains "too few arguments"
    run nook kill a b c
    assert_status 2
    assert_output_contains "too many arguments"
}

@test "bad values of global flags are rejected" {
    run "$NOOK" --log-format yaml list
    assert_status 2
    assert_output_contains "--log-format takes text or json"
    run "$NOOK" --cgroup-manager foo list
    assert_status 2
    run "$NOOK" --rootless maybe list
    assert_status 2
    run "$NOOK" --systemd-cgroup --cgroup-manager cgroupfs list
    assert_status 2
}
