/* pause.c: `nook pause`: its flags (runc's set) and its entry point. */
#include "commands.h"

const struct nook_command nook_cmd_pause = {
    .name = "pause",
    .args_usage = "<container-id>",
    .summary = "freeze every process of the container",
    .options = NULL,
    .min_args = 1,
    .max_args = 1,
    .run = nook_cmd_not_available,
};
