/* run.c: `nook run`: its flags (runc's set) and its entry point. */
#include <signal.h>
#include <sys/prctl.h>

#include "commands.h"
#include "lib/forward.h"
#include "lib/state.h"
#include "lifecycle.h"
#include "report.h"

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
    { "overlay", 0, NOOK_OPT_BOOL, NULL, "root.path as the read-only lower layer of a private writable overlay (nook.rootfs.overlay)" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

/* Tear down a container run could not start: kill and delete it. */
static void abandon(const char *root, const char *id)
{
    struct nook_error ignored = { 0 };
    (void)nook_container_delete(root, id, true, &ignored);
}

static int run_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    struct nook_error err = { 0 };
    _cleanup_free_ char *root = NULL;
    struct nook_create_opts opts;
    bool detach = nook_parsed_bool(parsed, "detach");
    int r = nook_cmd_state_root(globals, &root, &err);
    if (r == 0)
        r = nook_cmd_create_opts(globals, parsed, root, &opts, &err);
    if (r == 0) {
        opts.console_socket = nook_parsed_value(parsed, "console-socket");
        opts.relay_terminal = !detach;
        opts.overlay = nook_parsed_bool(parsed, "overlay");
    }
    /* As a subreaper nook also reaps what the container's init leaves
     * behind when it has no pid namespace of its own. */
    if (r == 0 && !nook_parsed_bool(parsed, "no-subreaper") && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        r = nook_error_set_errno(&err, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
    sigset_t old_mask;
    if (r == 0 && !detach)
        r = nook_forward_block(&old_mask, &err);
    if (r < 0) {
        nook_error_prefix(&err, "run");
        return nook_report_error(globals, &err);
    }

    struct nook_created created = { .pid = 0, .pidfd = -1, .console_fd = -1 };
    r = nook_container_create(&opts, &created, &err);
    _cleanup_close_ int pidfd = created.pidfd;
    _cleanup_close_ int console_fd = created.console_fd;
    if (r == 0) {
        r = nook_cmd_start_container(globals, root, opts.id, &err);
        if (r < 0)
            abandon(root, opts.id);
    }
    int exit_code = 0;
    if (r == 0 && !detach)
        r = nook_forward_wait(&created, &exit_code, &err);
    if (r < 0) {
        if (!detach)
            sigprocmask(SIG_SETMASK, &old_mask, NULL);
        nook_error_prefix(&err, "run");
        return nook_report_error(globals, &err);
    }
    if (!detach && !nook_parsed_bool(parsed, "keep"))
        nook_cmd_delete_after_run(globals, root, opts.id);
    return exit_code;
}

const struct nook_command nook_cmd_run = {
    .name = "run",
    .args_usage = "<container-id>",
    .summary = "create and start a container, wait for it and delete it",
    .options = run_options,
    .min_args = 1,
    .max_args = 1,
    .run = run_run,
};
