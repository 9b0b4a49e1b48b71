/* kill.c: `nook kill`: its flags (runc's set) and its entry point. */
#include "commands.h"
#include <signal.h>

#include "lifecycle.h"
#include "report.h"

static const struct nook_option kill_options[] = {
    { "all", 'a', NOOK_OPT_BOOL, NULL, "send the signal to every process of the container" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

static int kill_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    struct nook_error err = { 0 };
    int sig = SIGTERM;
    if (parsed->argc > 1 && nook_signal_parse(parsed->argv[1], &sig) < 0) {
        nook_error_set(&err, EINVAL, "kill: unknown signal \"%s\"", parsed->argv[1]);
        nook_report_error(globals, &err);
        return 2;
    }
    _cleanup_free_ char *root = NULL;
    int r = nook_cmd_state_root(globals, &root, &err);
    if (r == 0)
        r = nook_container_kill(root, parsed->argv[0], sig, nook_parsed_bool(parsed, "all"), &err);
    return r < 0 ? nook_report_error(globals, &err) : 0;
}

const struct nook_command nook_cmd_kill = {
    .name = "kill",
    .args_usage = "<container-id> [signal]",
    .summary = "send a signal (default SIGTERM) to the container",
    .options = kill_options,
    .min_args = 1,
    .max_args = 2,
    .run = kill_run,
};
