/* resume.c: `nook resume`: thaw a paused container through its cgroup
 * (its status becomes "running" again). */
#include "commands.h"
#include "lib/container-cgroup.h"
#include "lifecycle.h"
#include "report.h"

static int resume_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    struct nook_error err = { 0 };
    _cleanup_free_ char *root = NULL;
    int r = nook_cmd_state_root(globals, &root, &err);
    if (r == 0)
        r = nook_container_resume(root, parsed->argv[0], &err);
    if (r < 0) {
        nook_error_prefix(&err, "resume");
        return nook_report_error(globals, &err);
    }
    return 0;
}

const struct nook_command nook_cmd_resume = {
    .name = "resume",
    .args_usage = "<container-id>",
    .summary = "thaw a paused container",
    .options = NULL,
    .min_args = 1,
    .max_args = 1,
    .run = resume_run,
};
