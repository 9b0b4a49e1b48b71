/* start.c: `nook start`: its flags (runc's set) and its entry point. */
#include "commands.h"
#include "lifecycle.h"
#include "report.h"

static int start_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    struct nook_error err = { 0 };
    _cleanup_free_ char *root = NULL;
    int r = nook_cmd_state_root(globals, &root, &err);
    if (r == 0)
        r = nook_cmd_start_container(globals, root, parsed->argv[0], &err);
    return r < 0 ? nook_report_error(globals, &err) : 0;
}

const struct nook_command nook_cmd_start = {
    .name = "start",
    .args_usage = "<container-id>",
    .summary = "start the user process of a created container",
    .options = NULL,
    .min_args = 1,
    .max_args = 1,
    .run = start_run,
};
