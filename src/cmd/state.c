/* state.c: `nook state`: its flags (runc's set) and its entry point. */
#include "commands.h"


const struct nook_command nook_cmd_state = {
    .name = "state",
    .args_usage = "<container-id>",
    .summary = "print the state of a container as JSON",
    .options = NULL,
    .min_args = 1,
    .max_args = 1,
    .run = nook_cmd_not_available,
};
