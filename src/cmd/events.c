/* events.c: `nook events`: its flags (runc's set) and its entry point. */
#include "commands.h"

static const struct nook_option events_options[] = {
    { "interval", 0, NOOK_OPT_VALUE, "DURATION", "how often to print statistics (default: 5s)" },
    { "stats", 0, NOOK_OPT_BOOL, NULL, "print statistics once and exit" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

const struct nook_command nook_cmd_events = {
    .name = "events",
    .args_usage = "<container-id>",
    .summary = "print container events and resource statistics",
    .options = events_options,
    .min_args = 1,
    .max_args = 1,
    .run = nook_cmd_not_available,
};
