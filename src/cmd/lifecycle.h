/* lifecycle.h: what create, run, start and kill share on the command side:
 * the state root, rootless mode, the create flags, and relaying the init
 * core's log lines to the report. */
#pragma once

#include "args.h"
#include "lib/container.h"

/* The state root for this invocation (--root or the default). */
int nook_cmd_state_root(const struct nook_globals *globals, char **root, struct nook_error *err);

/* Fill opts from create/run's flags; opts borrows strings from parsed. */
int nook_cmd_create_opts(const struct nook_globals *globals, const struct nook_parsed *parsed,
                         const char *root, struct nook_create_opts *opts, struct nook_error *err);
