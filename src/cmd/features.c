/* features.c: `nook features`: its flags (runc's set) and its entry point. */
#include "commands.h"


const struct nook_command nook_cmd_features = {
    .name = "features",
    .args_usage = "",
    .summary = "print the features this runtime supports as JSON",
    .options = NULL,
    .min_args = 0,
    .max_args = 0,
    .run = nook_cmd_not_available,
};
