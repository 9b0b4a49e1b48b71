/* commands.h: the subcommands nook.c dispatches to; one file in src/cmd/
 * defines each. */
#pragma once

#include "args.h"

extern const struct nook_command nook_cmd_check;
extern const struct nook_command nook_cmd_create;
extern const struct nook_command nook_cmd_delete;
extern const struct nook_command nook_cmd_events;
extern const struct nook_command nook_cmd_exec;
extern const struct nook_command nook_cmd_features;
extern const struct nook_command nook_cmd_kill;
extern const struct nook_command nook_cmd_list;
extern const struct nook_command nook_cmd_pause;
extern const struct nook_command nook_cmd_ps;
extern const struct nook_command nook_cmd_resume;
extern const struct nook_command nook_cmd_run;
extern const struct nook_command nook_cmd_spec;
extern const struct nook_command nook_cmd_start;
extern const struct nook_command nook_cmd_state;
extern const struct nook_command nook_cmd_update;

/* The run function of a subcommand whose work a later stage builds: says
 * so plainly and exits 2, never pretending to succeed. */
int nook_cmd_not_available(const struct nook_globals *globals, const struct nook_parsed *parsed);
