/* spec.c: `nook spec`: write a default config.json into a bundle directory.
 *
 * The rootless shape is the default when the caller is not root (runc
 * needs --rootless for it; nook picks what will run for the caller), and
 * --rootless=true|false overrides the choice either way. --network slirp
 * gives either shape a network namespace wired by nook (nook-network(7)). */
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "report.h"
#include "lib/spec-default.h"

static const struct nook_option spec_options[] = {
    { "bundle", 'b', NOOK_OPT_VALUE, "DIR", "write config.json into DIR (default: the current directory)" },
    { "rootless", 0, NOOK_OPT_BOOL, NULL, "write a config for an unprivileged user (the default when not root)" },
    { "network", 0, NOOK_OPT_VALUE, "NAME", "give the container its own network: slirp (see nook-network(7))" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

static int spec_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    bool rootless = geteuid() != 0;
    if (nook_parsed_value(parsed, "rootless"))
        rootless = nook_parsed_bool(parsed, "rootless");

    /* Messages name the directory; without -b, name it by its path rather
     * than as ".". */
    _cleanup_free_ char *cwd = NULL;
    const char *dir = nook_parsed_value(parsed, "bundle");
    if (!dir) {
        cwd = getcwd(NULL, 0);
        dir = cwd ? cwd : ".";
    }

    struct nook_error err = { 0 };
    const char *network = nook_parsed_value(parsed, "network");
    if (network && strcmp(network, "slirp") != 0) {
        nook_error_set(&err, EINVAL, "spec: --network: unknown network \"%s\"; nook knows \"slirp\"",
                       network);
        return nook_report_error(globals, &err);
    }
    struct nook_spec_default_opts opts = { .rootless = rootless, .network = network };
    if (nook_spec_default_write_opts(dir, &opts, &err) < 0) {
        nook_error_prefix(&err, "spec");
        return nook_report_error(globals, &err);
    }
    return 0;
}

const struct nook_command nook_cmd_spec = {
    .name = "spec",
    .args_usage = "",
    .summary = "write a default config.json for a bundle",
    .options = spec_options,
    .min_args = 0,
    .max_args = 0,
    .run = spec_run,
};
