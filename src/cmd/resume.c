/* resume.c: `nook resume`: its flags (runc's set) and its entry point. */
#include "commands.h"

const struct nook_command nook_cmd_resume = {
    .name = "resume",
    .args_usage = "<container-id>",
    .summary = "thaw a paused container",
    .options = NULL,
    .min_args = 1,
    .max_args = 1,
    .run = nook_cmd_not_available,
};
