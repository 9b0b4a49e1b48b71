/* kill.c: `nook kill`: its flags (runc's set) and its entry point. */
#include "commands.h"

static const struct nook_option kill_options[] = {
    { "all", 'a', NOOK_OPT_BOOL, NULL, "send the signal to every process of the container" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

const struct nook_command nook_cmd_kill = {
    .name = "kill",
    .args_usage = "<container-id> [signal]",
    .summary = "send a signal (default SIGTERM) to the container",
    .options = kill_options,
    .min_args = 1,
    .max_args = 2,
    .run = nook_cmd_not_available,
};
