/* pause.c: `nook pause`: freeze every process of a running container
 * through its cgroup (the container's status becomes "paused"). */
#include "commands.h"
#include "lib/container-cgroup.h"
#include "lifecycle.h"
#include "report.h"

static int pause_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    struct nook_error err = { 0 };
    _cleanup_free_ char *root = NULL;
    int r = nook_cmd_state_root(globals, &root, &err);
    if (r == 0)
        r = nook_container_pause(root, parsed->argv[0], &err);
    if (r < 0) {
        nook_error_prefix(&err, "pause");
        return nook_report_error(globals, &err);
    }
    return 0;
}

const struct nook_command nook_cmd_pause = {
    .name = "pause",
    .args_usage = "<container-id>",
    .summary = "freeze every process of the container",
    .options = NULL,
    .min_args = 1,
    .max_args = 1,
    .run = pause_run,
};
