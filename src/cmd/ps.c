/* ps.c: `nook ps`: its flags (runc's set) and its entry point. */
#include "commands.h"

static const struct nook_option ps_options[] = {
    { "format", 'f', NOOK_OPT_VALUE, "table|json", "output format (default: table)" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

const struct nook_command nook_cmd_ps = {
    .name = "ps",
    .args_usage = "<container-id> [ps-options...]",
    .summary = "list the processes running inside a container",
    .options = ps_options,
    .min_args = 1,
    .max_args = -1,
    .run = nook_cmd_not_available,
};
