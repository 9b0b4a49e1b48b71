/* exec.c: `nook exec`: its flags (runc's set) and its entry point. */
#include "commands.h"

static const struct nook_option exec_options[] = {
    { "console-socket", 0, NOOK_OPT_VALUE, "PATH", "unix socket that receives the pty master when --tty is used" },
    { "cwd", 0, NOOK_OPT_VALUE, "DIR", "working directory inside the container" },
    { "env", 'e', NOOK_OPT_LIST, "KEY=VALUE", "set an environment variable" },
    { "tty", 't', NOOK_OPT_BOOL, NULL, "allocate a pseudo-terminal" },
    { "user", 'u', NOOK_OPT_VALUE, "UID[:GID]", "run as this user inside the container" },
    { "additional-gids", 'g', NOOK_OPT_LIST, "GID", "add a supplementary group" },
    { "process", 'p', NOOK_OPT_VALUE, "FILE", "read the process from a process.json file" },
    { "detach", 'd', NOOK_OPT_BOOL, NULL, "do not wait for the process to exit" },
    { "pid-file", 0, NOOK_OPT_VALUE, "PATH", "write the process id to PATH" },
    { "process-label", 0, NOOK_OPT_VALUE, "LABEL", "SELinux label of the process" },
    { "apparmor", 0, NOOK_OPT_VALUE, "PROFILE", "AppArmor profile of the process" },
    { "no-new-privs", 0, NOOK_OPT_BOOL, NULL, "set no_new_privs for the process" },
    { "cap", 'c', NOOK_OPT_LIST, "CAP", "add a capability to the process" },
    { "preserve-fds", 0, NOOK_OPT_VALUE, "N", "pass N extra file descriptors (from fd 3) to the process" },
    { "cgroup", 0, NOOK_OPT_LIST, "PATH", "run in this sub-cgroup of the container (controller:path or path)" },
    { "ignore-paused", 0, NOOK_OPT_BOOL, NULL, "allow exec into a paused container" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

const struct nook_command nook_cmd_exec = {
    .name = "exec",
    .args_usage = "<container-id> <command> [args...]",
    .summary = "run another process inside a running container",
    .options = exec_options,
    .min_args = 1,
    .max_args = -1,
    .run = nook_cmd_not_available,
};
