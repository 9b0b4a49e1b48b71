/* create.c: `nook create`: its flags (runc's set) and its entry point. */
#include "commands.h"
#include "lifecycle.h"
#include "report.h"

static const struct nook_option create_options[] = {
    { "bundle", 'b', NOOK_OPT_VALUE, "DIR", "path to the bundle directory (default: the current directory)" },
    { "console-socket", 0, NOOK_OPT_VALUE, "PATH", "unix socket that receives the pty master of a terminal container" },
    { "pid-file", 0, NOOK_OPT_VALUE, "PATH", "write the container process id to PATH" },
    { "no-pivot", 0, NOOK_OPT_BOOL, NULL, "do not use pivot_root to enter the rootfs (for a ramfs root)" },
    { "no-new-keyring", 0, NOOK_OPT_BOOL, NULL, "keep the caller's session keyring instead of making a new one" },
    { "preserve-fds", 0, NOOK_OPT_VALUE, "N", "pass N extra file descriptors (from fd 3) to the container" },
    { "overlay", 0, NOOK_OPT_BOOL, NULL, "root.path as the read-only lower layer of a private writable overlay (nook.rootfs.overlay)" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

static int create_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    struct nook_error err = { 0 };
    _cleanup_free_ char *root = NULL;
    struct nook_create_opts opts;
    int r = nook_cmd_state_root(globals, &root, &err);
    if (r == 0)
        r = nook_cmd_create_opts(globals, parsed, root, &opts, &err);
    if (r == 0) {
        opts.console_socket = nook_parsed_value(parsed, "console-socket");
        opts.overlay = nook_parsed_bool(parsed, "overlay");
    }
    if (r == 0)
        r = nook_container_create(&opts, NULL, &err);
    if (r < 0) {
        nook_error_prefix(&err, "create");
        return nook_report_error(globals, &err);
    }
    return 0;
}

const struct nook_command nook_cmd_create = {
    .name = "create",
    .args_usage = "<container-id>",
    .summary = "create a container from a bundle; it waits for `nook start`",
    .options = create_options,
    .min_args = 1,
    .max_args = 1,
    .run = create_run,
};
