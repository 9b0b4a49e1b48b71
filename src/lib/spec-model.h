/* spec-model.h: the half of the spec rooms that needs no JSON: freeing the
 * model and the name tables that the parser and the runtime share. The
 * parser (spec.c, spec-*.c) lives in the json-glib module nook-json.so;
 * this half is built into the runtime too, so that freeing a parsed spec or
 * naming a namespace never loads the module. */
#pragma once

#include "spec.h"

/* Indexed by enum nook_ns_type; NULL-terminated. */
extern const char *const spec_ns_names[];
/* Indexed by enum nook_seccomp_action; NULL-terminated. */
extern const char *const spec_seccomp_action_names[];
/* Indexed by enum nook_seccomp_op; NULL-terminated. */
extern const char *const spec_seccomp_op_names[];

/* Each frees what the section owns (and, but for the two clear functions,
 * the section itself); all are safe on NULL or a zeroed section. */
void spec_mount_clear(struct nook_spec_mount *mount);
void spec_hooks_free(struct nook_spec_hooks *hooks);
void spec_linux_free(struct nook_spec_linux *linux_config);
void spec_seccomp_free(struct nook_spec_seccomp *seccomp);
void spec_map_clear(struct nook_spec_map *map);
