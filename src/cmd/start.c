/* start.c: `nook start`: its flags (runc's set) and its entry point. */
#include "commands.h"

const struct nook_command nook_cmd_start = {
    .name = "start",
    .args_usage = "<container-id>",
    .summary = "start the user process of a created container",
    .options = NULL,
    .min_args = 1,
    .max_args = 1,
    .run = nook_cmd_not_available,
};
