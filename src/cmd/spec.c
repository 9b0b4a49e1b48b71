/* spec.c: `nook spec`: its flags (runc's set) and its entry point. */
#include "commands.h"

static const struct nook_option spec_options[] = {
    { "bundle", 'b', NOOK_OPT_VALUE, "DIR", "write config.json into DIR (default: the current directory)" },
    { "rootless", 0, NOOK_OPT_BOOL, NULL, "write a config for an unprivileged user (the default when not root)" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

const struct nook_command nook_cmd_spec = {
    .name = "spec",
    .args_usage = "",
    .summary = "write a default config.json for a bundle",
    .options = spec_options,
    .min_args = 0,
    .max_args = 0,
    .run = nook_cmd_not_available,
};
