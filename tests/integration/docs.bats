#!/usr/bin/env bats
# docs.bats: keeps the man pages and the shell completions in step with the
# code. The truth is what the binary says: the commands and global flags of
# `nook --help` and each command's flags in `nook CMD --help`. Every command
# needs a page, every flag must be in its page and in every completion, and
# the completions must parse and, for bash, really complete.

load helpers

MAN=$NOOK_SOURCE_ROOT/man
BASH_COMPLETION=$NOOK_SOURCE_ROOT/completions/bash/nook
ZSH_COMPLETION=$NOOK_SOURCE_ROOT/completions/zsh/_nook
FISH_COMPLETION=$NOOK_SOURCE_ROOT/completions/fish/nook.fish

setup() {
    common_setup
    # A fake `nook` for the completions to ask for container ids; it logs
    # its arguments so a test can see which --root it was given.
    FAKE_BIN=$BATS_TEST_TMPDIR/bin
    FAKE_LOG=$BATS_TEST_TMPDIR/fake-nook.log
    mkdir -p "$FAKE_BIN"
    cat >"$FAKE_BIN/nook" <<EOF
#!/bin/sh
echo "\$*" >>"$FAKE_LOG"
case "\$*" in *"list -q") printf 'alpha\nbeta\n' ;; esac
EOF
    chmod +x "$FAKE_BIN/nook"
    # Completions run here, so path-valued flags find no files to offer.
    EMPTY_DIR=$BATS_TEST_TMPDIR/empty
    mkdir -p "$EMPTY_DIR"
}

# ---- the truth, from --help ----

# The command names under "Commands:" in `nook --help`.
help_commands() {
    "$NOOK" --help | awk '/^Commands:$/ { on = 1; next } on && /^  [a-z]/ { print $1 }'
}

# The flags of `nook --help` ("global") or `nook CMD --help`, one per line
# as "LONG SHORT VALUE", with "-" for no short form or no value:
# "--bundle -b DIR", "--no-pivot - -". Help lines are "  " + the flags
# column padded to 30 + " " + the description.
help_flags() {
    local text header
    if [ "$1" = global ]; then
        text=$("$NOOK" --help) header="Global flags:"
    else
        text=$("$NOOK" "$1" --help) header="Flags:"
    fi
    awk -v header="$header" '
        $0 == header { on = 1; next }
        on && $0 == "" { exit }
        on {
            left = substr($0, 3, 30)
            if (substr($0, 33, 1) != " ") {   # an overlong flags column
                rest = substr($0, 33); sub(/ .*/, "", rest); left = left rest
            }
            n = split(left, w, " ")
            short = "-"; i = 1
            if (w[1] ~ /^-[^-],$/) { short = substr(w[1], 1, 2); i = 2 }
            print w[i], short, (i < n ? w[i + 1] : "-")
        }' <<<"$text"
}

# Every flag name of a help_flags listing, long and short, one per line.
flag_names() {
    help_flags "$1" | awk '{ print $1; if ($2 != "-") print $2 }'
}

# Fail listing every item after $1 (a heading), if there are any.
report_missing() {
    local what=$1
    shift
    [ $# -eq 0 ] && return 0
    echo "$what:" >&2
    printf '  %s\n' "$@" >&2
    return 1
}

# What the bash completion offers for a command line, one per line; the last
# word is the one being completed. Runs in a fresh bash with the fake nook
# first on PATH.
bash_complete() {
    PATH="$FAKE_BIN:$PATH" EMPTY_DIR="$EMPTY_DIR" bash -c '
        source "$1" || exit 1
        shift
        cd "$EMPTY_DIR" || exit 1
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        _nook || exit 1
        [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' bash "$BASH_COMPLETION" "$@"
}

# The body of a function in a completion file, from "NAME() {" to "}".
function_body() {
    awk -v start="$2() {" '$0 == start { on = 1 } on { print } on && /^}/ { exit }' "$1"
}

@test "the help parser reads the flags and commands it is meant to" {
    # Guards the checks below against passing on an empty parse.
    run help_commands
    assert_status 0
    [ "${#lines[@]}" -ge 10 ]
    assert_output_contains "create"
    run help_flags create
    assert_status 0
    assert_output_contains "--bundle -b DIR"
    assert_output_contains "--no-pivot - -"
    assert_output_contains "--help -h -"
    run help_flags exec
    assert_output_contains "--user -u UID[:GID]"
    run help_flags update
    assert_output_contains "--memory-reservation - BYTES"
    run help_flags global
    assert_output_contains "--root - DIR"
    assert_output_contains "--log-format - text|json"
    assert_output_contains "--version -v -"
}

@test "every command has a man page, linked from nook(1) and built by meson" {
    local missing=() c page
    for c in $(help_commands); do
        [ -f "$MAN/nook-$c.1.scd" ] || missing+=("man/nook-$c.1.scd does not exist")
        grep -qF "*nook-$c*(1)" "$MAN/nook.1.scd" || missing+=("man/nook.1.scd does not mention *nook-$c*(1)")
        grep -qF "'nook-$c.1'" "$MAN/meson.build" || missing+=("man/meson.build does not build nook-$c.1")
    done
    grep -qF "'nook.1'" "$MAN/meson.build" || missing+=("man/meson.build does not build nook.1")
    # And no page for a command that is gone.
    for page in "$MAN"/nook-*.1.scd; do
        c=${page##*/nook-}
        c=${c%.1.scd}
        help_commands | grep -qxF "$c" || missing+=("man/nook-$c.1.scd documents \"$c\", which nook --help does not list")
    done
    report_missing "man pages out of step with 'nook --help'" "${missing[@]}"
}

@test "every flag of every command is in that command's man page" {
    local missing=() c page long short value
    for c in $(help_commands); do
        page=$MAN/nook-$c.1.scd
        [ -f "$page" ] || { missing+=("man/nook-$c.1.scd does not exist"); continue; }
        while read -r long short value; do
            grep -qF -- "*$long*" "$page" || missing+=("man/nook-$c.1.scd: $long")
            [ "$short" = - ] || grep -qF -- "*$short*" "$page" || missing+=("man/nook-$c.1.scd: $short (of $long)")
            [ "$value" = - ] || grep -qF -- "*$long* _${value}_" "$page" ||
                missing+=("man/nook-$c.1.scd: value name: \"*$long* _${value}_\"")
        done < <(help_flags "$c")
    done
    report_missing "flags of 'nook CMD --help' missing from the man pages" "${missing[@]}"
}

@test "every global flag is in nook(1)" {
    local missing=() long short value page=$MAN/nook.1.scd
    while read -r long short value; do
        grep -qF -- "*$long*" "$page" || missing+=("man/nook.1.scd: $long")
        [ "$short" = - ] || grep -qF -- "*$short*" "$page" || missing+=("man/nook.1.scd: $short (of $long)")
        [ "$value" = - ] || grep -qF -- "*$long* _${value}_" "$page" ||
            missing+=("man/nook.1.scd: value name: \"*$long* _${value}_\"")
    done < <(help_flags global)
    report_missing "global flags of 'nook --help' missing from nook(1)" "${missing[@]}"
}

@test "every command is built, and no man page says it is not available yet" {
    # A command is not built while its .run is nook_cmd_not_available;
    # since `check` was built, none is.
    local wrong=() c page
    for c in $(help_commands); do
        page=$MAN/nook-$c.1.scd
        [ -f "$page" ] || continue
        ! grep -qE '\.run *= *nook_cmd_not_available' "$NOOK_SOURCE_ROOT/src/cmd/$c.c" ||
            wrong+=("src/cmd/$c.c: $c is not built (its .run is nook_cmd_not_available)")
        ! grep -qF "not available yet" "$page" ||
            wrong+=("man/nook-$c.1.scd: $c is built; drop the \"not available yet\" note")
    done
    report_missing "commands or man pages not built" "${wrong[@]}"
}

@test "scdoc accepts every man page" {
    command -v scdoc >/dev/null || skip "scdoc is not installed"
    local failed=() page
    for page in "$MAN"/*.scd; do
        if ! scdoc <"$page" >/dev/null 2>"$BATS_TEST_TMPDIR/scdoc.err"; then
            failed+=("${page##*/}: $(head -n 1 "$BATS_TEST_TMPDIR/scdoc.err")")
        fi
    done
    report_missing "scdoc rejects" "${failed[@]}"
}

@test "bash -n accepts the bash completion" {
    run bash -n "$BASH_COMPLETION"
    assert_status 0
}

@test "zsh -n accepts the zsh completion" {
    command -v zsh >/dev/null || skip "zsh is not installed"
    run zsh -n "$ZSH_COMPLETION"
    assert_status 0
}

@test "fish -n accepts the fish completion" {
    command -v fish >/dev/null || skip "fish is not installed"
    run fish --no-config -n "$FISH_COMPLETION"
    assert_status 0
}

@test "bash completes commands, global flags and each command's own flags" {
    local missing=() c flag
    run bash_complete nook ""
    assert_status 0
    for c in $(help_commands); do
        grep -qxF -- "$c" <<<"$output" || missing+=("command $c")
    done
    run bash_complete nook -
    assert_status 0
    for flag in $(flag_names global); do
        grep -qxF -- "$flag" <<<"$output" || missing+=("nook $flag")
    done
    for c in $(help_commands); do
        run bash_complete nook "$c" -
        assert_status 0
        for flag in $(flag_names "$c"); do
            grep -qxF -- "$flag" <<<"$output" || missing+=("nook $c $flag")
        done
    done
    report_missing "completions/bash/nook does not complete" "${missing[@]}"
}

@test "bash knows which flags take a value" {
    # After a flag without a value, completion goes on as if it were not
    # there; after a flag with one, it offers neither flags nor containers.
    local wrong=() c long short value flag plain got prefix
    for c in global $(help_commands); do
        prefix=("$c")
        [ "$c" = global ] && prefix=()
        plain=$(bash_complete nook "${prefix[@]}" "")
        while read -r long short value; do
            for flag in "$long" "$short"; do
                [ "$flag" = - ] && continue
                # --help and --version end the command line; nothing follows.
                case $flag in --help | -h | --version | -v) continue ;; esac
                got=$(bash_complete nook "${prefix[@]}" "$flag" "")
                if [ "$value" = - ]; then
                    [ "$got" = "$plain" ] ||
                        wrong+=("nook ${prefix[*]} $flag: takes no value, yet completion changes after it")
                elif grep -qxE -- '-.*|alpha|beta' <<<"$got"; then
                    wrong+=("nook ${prefix[*]} $flag $value: offers flags or containers for the value")
                fi
            done
        done < <(help_flags "$c")
    done
    report_missing "completions/bash/nook out of step with the flags' values" "${wrong[@]}"
}

@test "bash completion: real completions of command names, flags, values and ids" {
    run bash_complete nook cre
    assert_status 0
    [ "$output" = "create" ]

    run bash_complete nook create --b
    [ "$output" = "--bundle" ]

    run bash_complete nook --log-format ""
    [ "$output" = $'text\njson' ]

    run bash_complete nook --cgroup-manager ""
    [ "$output" = $'systemd\ncgroupfs\ndisabled' ]

    run bash_complete nook --rootless ""
    [ "$output" = $'true\nfalse\nauto' ]

    run bash_complete nook list --format ""
    [ "$output" = $'table\njson' ]

    # Container ids come from `nook list -q` (the fake one on PATH).
    run bash_complete nook state ""
    [ "$output" = $'alpha\nbeta' ]
    grep -qxF "list -q" "$FAKE_LOG"

    # ... asking the state root given on the line, in either spelling.
    run bash_complete nook --root /srv/nook-state kill ""
    [ "$output" = $'alpha\nbeta' ]
    grep -qxF -- "--root /srv/nook-state list -q" "$FAKE_LOG"
    run bash_complete nook --root = /srv/other delete a
    [ "$output" = "alpha" ]
    grep -qxF -- "--root /srv/other list -q" "$FAKE_LOG"

    # A command that makes a new container offers no existing ids.
    run bash_complete nook create ""
    [ -z "$output" ]

    # kill's second argument is a signal.
    run bash_complete nook kill alpha SIGTE
    [ "$output" = "SIGTERM" ]
    run bash_complete nook kill alpha KIL
    [ "$output" = "KILL" ]

    # After a command's first argument its flags are over: exec passes them on.
    run bash_complete nook exec alpha ls -
    [ -z "$output" ]

    # Paths for path-valued flags.
    mkdir -p "$EMPTY_DIR/bundle-dir"
    touch "$EMPTY_DIR/bundle-file"
    run bash_complete nook create --bundle bund
    [ "$output" = "bundle-dir" ]
    run bash_complete nook create --pid-file bundle-f
    [ "$output" = "bundle-file" ]
}

@test "zsh completion knows every command, global flag and each command's flags" {
    # zsh completions cannot be run without a terminal, so read the file: one
    # _nook_cmd_<command> function per command, its _arguments specs there
    # or in the shared _nook_arguments; a spec is "--flag[", "--flag=",
    # "{-f,--flag}", "-f+"...
    local missing=() c commands body flag spec='[]=+,}[]'
    commands=$(function_body "$ZSH_COMPLETION" _nook_commands)
    for c in $(help_commands); do
        grep -qF "'$c:" <<<"$commands" || missing+=("_nook_commands: $c")
        body=$(function_body "$ZSH_COMPLETION" "_nook_cmd_$c")
        if [ -z "$body" ]; then
            missing+=("function _nook_cmd_$c")
            continue
        fi
        body+=$'\n'$(function_body "$ZSH_COMPLETION" _nook_arguments)
        for flag in $(flag_names "$c"); do
            grep -qE -- "(^|[^[:alnum:]-])$flag$spec" <<<"$body" || missing+=("_nook_cmd_$c: $flag")
        done
    done
    body=$(function_body "$ZSH_COMPLETION" _nook)
    for flag in $(flag_names global); do
        grep -qE -- "(^|[^[:alnum:]-])$flag$spec" <<<"$body" || missing+=("_nook (global): $flag")
    done
    report_missing "completions/zsh/_nook is missing" "${missing[@]}"
}

@test "fish completion knows every command, global flag and each command's flags" {
    # Read the file: each of a command's flags is a line of its own with the
    # condition "__nook_using_command <command>".
    local missing=() c lines long short value
    lines=$(grep -F "'__nook_needs_command'" "$FISH_COMPLETION")
    for c in $(help_commands); do
        grep -qE -- " -a $c( |\$)" <<<"$lines" || missing+=("command $c")
    done
    while read -r long short value; do
        grep -qE -- " -l ${long#--}( |\$)" <<<"$lines" || missing+=("global $long")
        [ "$short" = - ] || grep -qE -- " -s ${short#-}( |\$)" <<<"$lines" || missing+=("global $short")
    done < <(help_flags global)
    for c in $(help_commands); do
        lines=$(grep -F "'__nook_using_command $c'" "$FISH_COMPLETION")
        while read -r long short value; do
            grep -qE -- " -l ${long#--}( |\$)" <<<"$lines" || missing+=("$c $long")
            [ "$short" = - ] || grep -qE -- " -s ${short#-}( |\$)" <<<"$lines" || missing+=("$c $short")
        done < <(help_flags "$c")
    done
    report_missing "completions/fish/nook.fish is missing" "${missing[@]}"
}

@test "fish completion: real completions of commands, flags and ids" {
    command -v fish >/dev/null || skip "fish is not installed"
    fish_complete() {
        PATH="$FAKE_BIN:$PATH" fish --no-config -c \
            "source '$FISH_COMPLETION'; complete -C '$1'" | cut -f1 | sort
    }
    run fish_complete "nook cre"
    [ "$output" = "create" ]
    run fish_complete "nook create --b"
    [ "$output" = "--bundle" ]
    run fish_complete "nook --log-format "
    [ "$output" = $'json\ntext' ]
    run fish_complete "nook --root /srv/nook-state state "
    [ "$output" = $'alpha\nbeta' ]
    grep -qxF -- "--root /srv/nook-state list -q" "$FAKE_LOG"
    run fish_complete "nook exec alpha ls -"
    [ -z "$output" ]
}

@test "the README's install command expands debian-packages.txt to package names only" {
    # The first command of "Try it" runs apt-get install on $(...) of the
    # package list: comment lines must not reach apt-get as arguments.
    local readme=$NOOK_SOURCE_ROOT/README.md
    local expansion
    expansion=$(grep -m1 -o 'apt-get install [^&]*\$([^)]*debian-packages.txt)' "$readme" | sed 's/.*\$(\(.*\))/\1/')
    echo "# expands: $expansion"
    [ -n "$expansion" ]
    local words
    words=$(cd "$NOOK_SOURCE_ROOT" && eval "$expansion")
    [ -n "$words" ]
    local word
    for word in $words; do
        [[ "$word" =~ ^[a-z0-9][a-z0-9.+-]+$ ]] || { echo "# not a package name: '$word'"; return 1; }
    done
}
