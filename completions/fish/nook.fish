# fish completion for nook(1), the rootless OCI container runtime.
# Completes commands, global flags, each command's flags and their values,
# container ids (from `nook list -q`, with the --root given on the line) and
# kill's signals. tests/integration/docs.bats checks it against
# `nook --help`: every line of a command's flags names that one command.

# Print the command word of the line being completed and how many
# arguments follow it, e.g. "kill 1"; nothing before the command.
function __nook_scan
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l global_value_flags --root --log --log-format --cgroup-manager --rootless
    set -l command
    set -l args 0
    set -l skip 0
    set -l flags_done 0
    for token in $tokens
        if test $skip = 1
            set skip 0
        else if test -z "$command"
            if not string match -q -- '-*' $token
                set command $token
            else if contains -- $token $global_value_flags
                set skip 1
            end
        else if test $flags_done = 0; and string match -q -- '-?*' $token
            if test $token = --
                set flags_done 1
            else if contains -- $token (__nook_value_flags $command)
                set skip 1
            end
        else
            set flags_done 1
            set args (math $args + 1)
        end
    end
    test -n "$command"; and echo $command $args
end

# The flags of a command that take their value in the next word.
function __nook_value_flags
    switch $argv[1]
        case create run
            echo --bundle -b --console-socket --pid-file --preserve-fds
        case events
            echo --interval
        case exec
            echo --console-socket --cwd --env -e --user -u --additional-gids -g --process -p \
                --pid-file --process-label --apparmor --cap -c --preserve-fds --cgroup
        case list ps
            echo --format -f
        case spec
            echo --bundle -b
        case update
            echo --resources -r --blkio-weight --cpu-period --cpu-quota --cpu-burst --cpu-share \
                --cpu-idle --cpu-rt-period --cpu-rt-runtime --cpuset-cpus --cpuset-mems --kernel-memory \
                --kernel-memory-tcp --memory --memory-reservation --memory-swap --pids-limit \
                --l3-cache-schema --mem-bw-schema
    end | string split ' '
end

function __nook_needs_command
    set -l scan (__nook_scan)
    test -z "$scan"
end

# True when the line's command is $argv[1] and no argument has been given
# yet: nook reads a command's flags only up to its first argument.
function __nook_using_command
    set -l scan (__nook_scan)
    test "$scan" = "$argv[1] 0"
end

# True when the line's command is $argv[1] and $argv[2] arguments precede
# the cursor.
function __nook_wants_argument
    set -l scan (__nook_scan)
    test "$scan" = "$argv[1] $argv[2]"
end

# Container ids, asked of the same nook and the same state root as the line.
function __nook_containers
    set -l tokens (commandline -opc)
    set -l root_args
    for i in (seq 2 (count $tokens))
        if test $tokens[$i] = --root; and set -q tokens[(math $i + 1)]
            set root_args --root $tokens[(math $i + 1)]
        else if string match -q -- '--root=*' $tokens[$i]
            set root_args --root (string replace -- '--root=' '' $tokens[$i])
        end
    end
    command $tokens[1] $root_args list -q 2>/dev/null
end

# Signal names, with and without the SIG prefix (nook takes both).
function __nook_signals
    for name in (string upper (kill -l | string split ' '))
        test -n "$name"; or continue
        echo $name
        echo SIG$name
    end
end

complete -c nook -f

# Global flags.
complete -c nook -n '__nook_needs_command' -l root -x -a '(__fish_complete_directories (commandline -ct))' -d 'state directory'
complete -c nook -n '__nook_needs_command' -l log -r -F -d 'also write log messages to FILE'
complete -c nook -n '__nook_needs_command' -l log-format -x -a 'text json' -d 'format of the --log messages'
complete -c nook -n '__nook_needs_command' -l debug -d 'print debug messages'
complete -c nook -n '__nook_needs_command' -l systemd-cgroup -d 'same as --cgroup-manager systemd'
complete -c nook -n '__nook_needs_command' -l cgroup-manager -x -a 'systemd cgroupfs disabled' -d 'how to create the container cgroup'
complete -c nook -n '__nook_needs_command' -l rootless -x -a 'true false auto' -d 'run as an unprivileged user'
complete -c nook -n '__nook_needs_command' -s v -l version -d 'print the version and the compiled-in features'
complete -c nook -n '__nook_needs_command' -s h -l help -d 'show help'

# Commands.
complete -c nook -n '__nook_needs_command' -a check -d 'check whether this host can run rootless containers'
complete -c nook -n '__nook_needs_command' -a create -d 'create a container from a bundle'
complete -c nook -n '__nook_needs_command' -a delete -d 'delete a container and everything it holds'
complete -c nook -n '__nook_needs_command' -a events -d 'print container events and resource statistics'
complete -c nook -n '__nook_needs_command' -a exec -d 'run another process inside a running container'
complete -c nook -n '__nook_needs_command' -a features -d 'print the features this runtime supports as JSON'
complete -c nook -n '__nook_needs_command' -a kill -d 'send a signal to the container'
complete -c nook -n '__nook_needs_command' -a list -d 'list the containers in the state directory'
complete -c nook -n '__nook_needs_command' -a pause -d 'freeze every process of the container'
complete -c nook -n '__nook_needs_command' -a ps -d 'list the processes running inside a container'
complete -c nook -n '__nook_needs_command' -a resume -d 'thaw a paused container'
complete -c nook -n '__nook_needs_command' -a run -d 'create and start a container, wait for it and delete it'
complete -c nook -n '__nook_needs_command' -a spec -d 'write a default config.json for a bundle'
complete -c nook -n '__nook_needs_command' -a start -d 'start the user process of a created container'
complete -c nook -n '__nook_needs_command' -a state -d 'print the state of a container as JSON'
complete -c nook -n '__nook_needs_command' -a update -d 'change the resource limits of a running container'

# The first argument of the commands that act on an existing container.
for command in delete events exec kill pause ps resume start state update
    complete -c nook -n "__nook_wants_argument $command 0" -a '(__nook_containers)' -d 'container'
end
complete -c nook -n '__nook_wants_argument kill 1' -a '(__nook_signals)' -d 'signal'

# check
complete -c nook -n '__nook_using_command check' -l json -d 'print the results as JSON'
complete -c nook -n '__nook_using_command check' -s q -l quiet -d 'print only the checks that are not ok'
complete -c nook -n '__nook_using_command check' -s h -l help -d 'show help'
complete -c nook -n '__nook_scan | string match -q -r "^check "' -a 'userns.sysctl userns.apparmor userns.trial subid.uid subid.gid newuidmap.setuid runtime-dir cgroup.v2 cgroup.delegation cgroup.controllers systemd.user-bus fuse.device overlay.kernel fuse-overlayfs.binary net.tun net.slirp net.ping net.low-ports nested.proc' -d 'check id'

# create
complete -c nook -n '__nook_using_command create' -s b -l bundle -x -a '(__fish_complete_directories (commandline -ct))' -d 'path to the bundle directory'
complete -c nook -n '__nook_using_command create' -l console-socket -r -F -d 'unix socket that receives the pty master'
complete -c nook -n '__nook_using_command create' -l pid-file -r -F -d 'write the container process id to PATH'
complete -c nook -n '__nook_using_command create' -l no-pivot -d 'do not use pivot_root to enter the rootfs'
complete -c nook -n '__nook_using_command create' -l no-new-keyring -d "keep the caller's session keyring"
complete -c nook -n '__nook_using_command create' -l preserve-fds -x -d 'pass N extra file descriptors to the container'
complete -c nook -n '__nook_using_command create' -l overlay -d 'a copy-on-write root over root.path (nook.rootfs.overlay)'
complete -c nook -n '__nook_using_command create' -s h -l help -d 'show help'

# delete
complete -c nook -n '__nook_using_command delete' -s f -l force -d 'kill the container first if it is still running'
complete -c nook -n '__nook_using_command delete' -s h -l help -d 'show help'

# events
complete -c nook -n '__nook_using_command events' -l interval -x -d 'how often to print statistics (default: 5s)'
complete -c nook -n '__nook_using_command events' -l stats -d 'print statistics once and exit'
complete -c nook -n '__nook_using_command events' -s h -l help -d 'show help'

# exec
complete -c nook -n '__nook_using_command exec' -l console-socket -r -F -d 'unix socket that receives the pty master'
complete -c nook -n '__nook_using_command exec' -l cwd -x -d 'working directory inside the container'
complete -c nook -n '__nook_using_command exec' -s e -l env -x -d 'set an environment variable (KEY=VALUE)'
complete -c nook -n '__nook_using_command exec' -s t -l tty -d 'allocate a pseudo-terminal'
complete -c nook -n '__nook_using_command exec' -s u -l user -x -d 'run as UID[:GID] inside the container'
complete -c nook -n '__nook_using_command exec' -s g -l additional-gids -x -d 'add a supplementary group'
complete -c nook -n '__nook_using_command exec' -s p -l process -r -F -d 'read the process from a process.json file'
complete -c nook -n '__nook_using_command exec' -s d -l detach -d 'do not wait for the process to exit'
complete -c nook -n '__nook_using_command exec' -l pid-file -r -F -d 'write the process id to PATH'
complete -c nook -n '__nook_using_command exec' -l process-label -x -d 'SELinux label of the process'
complete -c nook -n '__nook_using_command exec' -l apparmor -x -d 'AppArmor profile of the process'
complete -c nook -n '__nook_using_command exec' -l no-new-privs -d 'set no_new_privs for the process'
complete -c nook -n '__nook_using_command exec' -s c -l cap -x -d 'add a capability to the process'
complete -c nook -n '__nook_using_command exec' -l preserve-fds -x -d 'pass N extra file descriptors to the process'
complete -c nook -n '__nook_using_command exec' -l cgroup -x -d 'run in this sub-cgroup of the container'
complete -c nook -n '__nook_using_command exec' -l ignore-paused -d 'allow exec into a paused container'
complete -c nook -n '__nook_using_command exec' -s h -l help -d 'show help'

# features
complete -c nook -n '__nook_using_command features' -s h -l help -d 'show help'

# kill
complete -c nook -n '__nook_using_command kill' -s a -l all -d 'send the signal to every process of the container'
complete -c nook -n '__nook_using_command kill' -s h -l help -d 'show help'

# list
complete -c nook -n '__nook_using_command list' -s f -l format -x -a 'table json' -d 'output format'
complete -c nook -n '__nook_using_command list' -s q -l quiet -d 'print only the container ids'
complete -c nook -n '__nook_using_command list' -s h -l help -d 'show help'

# pause
complete -c nook -n '__nook_using_command pause' -s h -l help -d 'show help'

# ps
complete -c nook -n '__nook_using_command ps' -s f -l format -x -a 'table json' -d 'output format'
complete -c nook -n '__nook_using_command ps' -s h -l help -d 'show help'

# resume
complete -c nook -n '__nook_using_command resume' -s h -l help -d 'show help'

# run
complete -c nook -n '__nook_using_command run' -s b -l bundle -x -a '(__fish_complete_directories (commandline -ct))' -d 'path to the bundle directory'
complete -c nook -n '__nook_using_command run' -l console-socket -r -F -d 'unix socket that receives the pty master'
complete -c nook -n '__nook_using_command run' -s d -l detach -d 'start the container and return without waiting'
complete -c nook -n '__nook_using_command run' -l keep -d 'do not delete the container after it exits'
complete -c nook -n '__nook_using_command run' -l pid-file -r -F -d 'write the container process id to PATH'
complete -c nook -n '__nook_using_command run' -l no-subreaper -d 'do not make nook a subreaper for the container'
complete -c nook -n '__nook_using_command run' -l no-pivot -d 'do not use pivot_root to enter the rootfs'
complete -c nook -n '__nook_using_command run' -l no-new-keyring -d "keep the caller's session keyring"
complete -c nook -n '__nook_using_command run' -l preserve-fds -x -d 'pass N extra file descriptors to the container'
complete -c nook -n '__nook_using_command run' -l overlay -d 'a copy-on-write root over root.path (nook.rootfs.overlay)'
complete -c nook -n '__nook_using_command run' -s h -l help -d 'show help'

# spec
complete -c nook -n '__nook_using_command spec' -s b -l bundle -x -a '(__fish_complete_directories (commandline -ct))' -d 'write config.json into DIR'
complete -c nook -n '__nook_using_command spec' -l rootless -d 'write a config for an unprivileged user'
complete -c nook -n '__nook_using_command spec' -l network -x -a 'slirp' -d 'give the container its own network'
complete -c nook -n '__nook_using_command spec' -s h -l help -d 'show help'

# start
complete -c nook -n '__nook_using_command start' -s h -l help -d 'show help'

# state
complete -c nook -n '__nook_using_command state' -s h -l help -d 'show help'

# update
complete -c nook -n '__nook_using_command update' -s r -l resources -r -F -d 'read the new resources as JSON from FILE (- for stdin)'
complete -c nook -n '__nook_using_command update' -l blkio-weight -x -d 'block IO weight (10-1000)'
complete -c nook -n '__nook_using_command update' -l cpu-period -x -d 'CPU CFS period (microseconds)'
complete -c nook -n '__nook_using_command update' -l cpu-quota -x -d 'CPU CFS quota (microseconds)'
complete -c nook -n '__nook_using_command update' -l cpu-burst -x -d 'CPU CFS burst (microseconds)'
complete -c nook -n '__nook_using_command update' -l cpu-share -x -d 'CPU shares (relative weight)'
complete -c nook -n '__nook_using_command update' -l cpu-idle -x -a '0 1' -d '1: the tasks get SCHED_IDLE'
complete -c nook -n '__nook_using_command update' -l cpu-rt-period -x -d 'CPU realtime period (microseconds)'
complete -c nook -n '__nook_using_command update' -l cpu-rt-runtime -x -d 'CPU realtime runtime (microseconds)'
complete -c nook -n '__nook_using_command update' -l cpuset-cpus -x -d 'CPUs the container may use (0-3, 0,1)'
complete -c nook -n '__nook_using_command update' -l cpuset-mems -x -d 'memory nodes the container may use'
complete -c nook -n '__nook_using_command update' -l kernel-memory -x -d 'kernel memory limit (ignored)'
complete -c nook -n '__nook_using_command update' -l kernel-memory-tcp -x -d 'kernel TCP buffer limit (ignored)'
complete -c nook -n '__nook_using_command update' -l memory -x -d 'memory limit'
complete -c nook -n '__nook_using_command update' -l memory-reservation -x -d 'memory soft limit'
complete -c nook -n '__nook_using_command update' -l memory-swap -x -d 'memory plus swap limit'
complete -c nook -n '__nook_using_command update' -l pids-limit -x -d 'maximum number of processes'
complete -c nook -n '__nook_using_command update' -l l3-cache-schema -x -d 'Intel RDT L3 cache schema'
complete -c nook -n '__nook_using_command update' -l mem-bw-schema -x -d 'Intel RDT memory bandwidth schema'
complete -c nook -n '__nook_using_command update' -s h -l help -d 'show help'
