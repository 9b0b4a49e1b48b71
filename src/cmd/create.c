/* create.c: `nook create`: its flags (runc's set) and its entry point. */
#include "commands.h"

static const struct nook_option create_options[] = {
    { "bundle", 'b', NOOK_OPT_VALUE, "DIR", "path to the bundle directory (default: the current directory)" },
    { "console-socket", 0, NOOK_OPT_VALUE, "PATH", "unix socket that receives the pty master of a terminal container" },
    { "pid-file", 0, NOOK_OPT_VALUE, "PATH", "write the container process id to PATH" },
    { "no-pivot", 0, NOOK_OPT_BOOL, NULL, "do not use pivot_root to enter the rootfs (for a ramfs root)" },
    { "no-new-keyring", 0, NOOK_OPT_BOOL, NULL, "keep the caller's session keyring instead of making a new one" },
    { "preserve-fds", 0, NOOK_OPT_VALUE, "N", "pass N extra file descriptors (from fd 3) to the container" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

const struct nook_command nook_cmd_create = {
    .name = "create",
    .args_usage = "<container-id>",
    .summary = "create a container from a bundle; it waits for `nook start`",
    .options = create_options,
    .min_args = 1,
    .max_args = 1,
    .run = nook_cmd_not_available,
};
