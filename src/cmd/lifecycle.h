/* lifecycle.h: what create, run, start and kill share on the command side:
 * the state root, rootless mode, the create flags, and relaying the init
 * core's log lines to the report. */
#pragma once

#include "args.h"
#include "lib/container.h"

/* The state root for this invocation (--root or the default). */
int nook_cmd_state_root(const struct nook_globals *globals, char **root, struct nook_error *err);

/* Start container id (start and run): open its exec barrier, run the
 * poststart hooks (a failure is printed as a warning), and with a
 * NOTIFY_SOCKET relay the container's readiness (lib/notify.h). */
int nook_cmd_start_container(const struct nook_globals *globals, const char *root, const char *id,
                             struct nook_error *err);

/* Delete (forced) what `run` created, printing errors and poststop
 * warnings. */
void nook_cmd_delete_after_run(const struct nook_globals *globals, const char *root, const char *id);

/* Fill opts from create/run's flags; opts borrows strings from parsed. */
int nook_cmd_create_opts(const struct nook_globals *globals, const struct nook_parsed *parsed,
                         const char *root, struct nook_create_opts *opts, struct nook_error *err);
