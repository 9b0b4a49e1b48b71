/* delete.c: `nook delete`: its flags (runc's set) and its entry point. */
#include "commands.h"

static const struct nook_option delete_options[] = {
    { "force", 'f', NOOK_OPT_BOOL, NULL, "kill the container first if it is still running" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};
const struct nook_command nook_cmd_delete = {
    .name = "delete",
    .args_usage = "<container-id>",
    .summary = "delete a container and everything it holds",
    .options = delete_options,
    .min_args = 1,
    .max_args = 1,
    .run = nook_cmd_not_available,
};
