/* delete.c: `nook delete`: remove a container, killing it first with
 * --force. */
#include "commands.h"
#include "lib/container-id.h"
#include "report.h"
#include "lib/state.h"

static const struct nook_option delete_options[] = {
    { "force", 'f', NOOK_OPT_BOOL, NULL, "kill the container first if it is still running" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

static int delete_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    const char *id = parsed->argv[0];
    struct nook_error err = { 0 };
    if (nook_container_id_validate(id, &err) < 0)
        return nook_report_error(globals, &err);
    _cleanup_free_ char *root = NULL;
    if (nook_state_root_default(globals->root, &root, &err) < 0)
        return nook_report_error(globals, &err);
    struct nook_error warning = { 0 };
    if (nook_container_delete_warn(root, id, nook_parsed_bool(parsed, "force"), &warning, &err) < 0)
        return nook_report_error(globals, &err);
    if (nook_error_is_set(&warning))
        nook_report(globals, NOOK_LEVEL_WARNING, "%s", warning.message);
    return 0;
}

const struct nook_command nook_cmd_delete = {
    .name = "delete",
    .args_usage = "<container-id>",
    .summary = "delete a container and everything it holds",
    .options = delete_options,
    .min_args = 1,
    .max_args = 1,
    .run = delete_run,
};
