/* run.c: `nook run`: its flags (runc's set) and its entry point. */
#include "commands.h"

static const struct nook_option run_options[] = {
    { "bundle", 'b', NOOK_OPT_VALUE, "DIR", "path to the bundle directory (default: the current directory)" },
    { "console-socket", 0, NOOK_OPT_VALUE, "PATH", "unix socket that receives the pty master of a terminal container" },
    { "detach", 'd', NOOK_OPT_BOOL, NULL, "start the container and return without waiting for it" },
    { "keep", 0, NOOK_OPT_BOOL, NULL, "do not delete the container after it exits" },
    { "pid-file", 0, NOOK_OPT_VALUE, "PATH", "write the container process id to PATH" },
    { "no-subreaper", 0, NOOK_OPT_BOOL, NULL, "do not make nook a subreaper for the container" },
    { "no-pivot", 0, NOOK_OPT_BOOL, NULL, "do not use pivot_root to enter the rootfs (for a ramfs root)" },
    { "no-new-keyring", 0, NOOK_OPT_BOOL, NULL, "keep the caller's session keyring instead of making a new one" },
    { "preserve-fds", 0, NOOK_OPT_VALUE, "N", "pass N extra file descriptors (from fd 3) to the container" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

const struct nook_command nook_cmd_run = {
    .name = "run",
    .args_usage = "<container-id>",
    .summary = "create and start a container, wait for it and delete it",
    .options = run_options,
    .min_args = 1,
    .max_args = 1,
    .run = nook_cmd_not_available,
};
