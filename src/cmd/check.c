/* check.c: `nook check`: its flags (runc's set) and its entry point. */
#include "commands.h"

static const struct nook_option check_options[] = {
    { "json", 0, NOOK_OPT_BOOL, NULL, "print the results as JSON" },
    { "quiet", 'q', NOOK_OPT_BOOL, NULL, "print only the checks that are not ok" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

const struct nook_command nook_cmd_check = {
    .name = "check",
    .args_usage = "",
    .summary = "check whether this host can run rootless containers and say how to fix it",
    .options = check_options,
    .min_args = 0,
    .max_args = 0,
    .run = nook_cmd_not_available,
};
