/* state.c: `nook state`: print a container's state as runc prints it. */
#include <string.h>

#include "commands.h"
#include "lib/container-id.h"
#include "lib/network.h"
#include "report.h"
#include "lib/state-output.h"
#include "lib/state.h"

static int state_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    const char *id = parsed->argv[0];
    struct nook_error err = { 0 };
    if (nook_container_id_validate(id, &err) < 0)
        return nook_report_error(globals, &err);
    _cleanup_free_ char *root = NULL;
    if (nook_state_root_default(globals->root, &root, &err) < 0)
        return nook_report_error(globals, &err);

    /* No lock: state.json is replaced atomically, so this never blocks
     * behind a command that is changing the container. */
    _cleanup_container_dir_ struct nook_container_dir *dir = NULL;
    if (nook_container_dir_open(root, id, NOOK_LOCK_NONE, 0, &dir, &err) < 0)
        return nook_report_error(globals, &err);
    _cleanup_(nook_state_clear) struct nook_state state = { 0 };
    int r = nook_state_load(dir, &state, &err);
    if (r == -ENOENT) {
        /* Being deleted right now, or the remains of a failed create. */
        nook_error_set(&err, ENOENT, "container \"%s\" does not exist", id);
        return nook_report_error(globals, &err);
    }
    if (r < 0)
        return nook_report_error(globals, &err);

    struct nook_container_view view = { .state = &state };
    if (nook_container_status(dir, &state, &view.status, &err) < 0)
        return nook_report_error(globals, &err);
    /* Whether the network helper still runs: known only now, never stored. */
    struct nook_error warning = { 0 };
    if (nook_network_annotate_state(dir, &state, view.status, &warning, &err) < 0)
        return nook_report_error(globals, &err);
    if (nook_error_is_set(&warning))
        nook_report(globals, NOOK_LEVEL_WARNING, "%s", warning.message);
    _cleanup_free_ char *json = NULL;
    if (nook_runc_state_json(&view, &json, &err) < 0)
        return nook_report_error(globals, &err);
    /* runc writes the indented object without a trailing newline. */
    if (fputs(json, stdout) == EOF || fflush(stdout) == EOF) {
        nook_error_set_errno(&err, errno, "state: write to standard output");
        return nook_report_error(globals, &err);
    }
    return 0;
}

const struct nook_command nook_cmd_state = {
    .name = "state",
    .args_usage = "<container-id>",
    .summary = "print the state of a container as JSON",
    .options = NULL,
    .min_args = 1,
    .max_args = 1,
    .run = state_run,
};
