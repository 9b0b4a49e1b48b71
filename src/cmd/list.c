/* list.c: `nook list`: its flags (runc's set) and its entry point. */
#include "commands.h"

static const struct nook_option list_options[] = {
    { "format", 'f', NOOK_OPT_VALUE, "table|json", "output format (default: table)" },
    { "quiet", 'q', NOOK_OPT_BOOL, NULL, "print only the container ids" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

const struct nook_command nook_cmd_list = {
    .name = "list",
    .args_usage = "",
    .summary = "list the containers in the state directory",
    .options = list_options,
    .min_args = 0,
    .max_args = 0,
    .run = nook_cmd_not_available,
};
