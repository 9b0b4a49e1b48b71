/* spec-internal.h: what the spec-*.c rooms share and nobody else uses: the
 * parse context that tracks the JSON path for error messages, typed member
 * getters on top of json-glib, and each section's parse function (freeing
 * is spec-model.h's, which needs no JSON).
 *
 * Every parse function writes straight into a zeroed struct that the caller
 * already owns, so on an error the partly filled spec is freed as a whole
 * by the top-level caller; nothing here cleans up after a failure. */
#pragma once

#include <json-glib/json-glib.h>

#include "spec-model.h"

#define SPEC_PATH_MAX 512

struct spec_ctx {
    const char *source;         /* "config.json" */
    struct nook_error *err;
    char path[SPEC_PATH_MAX];   /* ".process.args[0]"; "" at the top */
    size_t len;
};

/* --- the path ----------------------------------------------------------- */

/* Each push returns the previous length to hand back to spec_path_pop(). */
size_t spec_path_push_key(struct spec_ctx *ctx, const char *key);
size_t spec_path_push_index(struct spec_ctx *ctx, size_t index);
size_t spec_path_push_map_key(struct spec_ctx *ctx, const char *key); /* ["key"] */
void spec_path_pop(struct spec_ctx *ctx, size_t len);

/* Fail with "SOURCE: PATH: MESSAGE" (EINVAL). */
int spec_fail(struct spec_ctx *ctx, const char *fmt, ...) _printf_(2, 3);
/* The same, one member further down the path. */
int spec_fail_at(struct spec_ctx *ctx, const char *key, const char *fmt, ...) _printf_(3, 4);
int spec_oom(struct spec_ctx *ctx);

/* "an array", "a string", ... for "must be X, not Y" messages. */
const char *spec_node_kind(JsonNode *node);

/* --- members -------------------------------------------------------------- */

/* The member, or NULL when it is absent or null. */
JsonNode *spec_member(JsonObject *obj, const char *key);
/* Fail with "is required" unless the member is there. */
int spec_require(struct spec_ctx *ctx, JsonObject *obj, const char *key);

/* Getters: an absent or null member leaves *out untouched and returns 0;
 * a present one of the wrong type or out of range fails, naming the path. */
int spec_get_string(struct spec_ctx *ctx, JsonObject *obj, const char *key, char **out);
int spec_get_bool(struct spec_ctx *ctx, JsonObject *obj, const char *key, bool *out);
int spec_get_opt_bool(struct spec_ctx *ctx, JsonObject *obj, const char *key,
                      struct nook_opt_bool *out);
int spec_get_i64(struct spec_ctx *ctx, JsonObject *obj, const char *key, struct nook_opt_i64 *out);
/* uint64 fields: json-glib stores integers above INT64_MAX as their two's
 * complement, so the raw bits are read back unsigned. */
int spec_get_u64(struct spec_ctx *ctx, JsonObject *obj, const char *key, struct nook_opt_u64 *out);
int spec_get_u32(struct spec_ctx *ctx, JsonObject *obj, const char *key, struct nook_opt_u32 *out);
int spec_get_u16(struct spec_ctx *ctx, JsonObject *obj, const char *key, struct nook_opt_u16 *out);
int spec_get_int32(struct spec_ctx *ctx, JsonObject *obj, const char *key, struct nook_opt_int *out);
int spec_get_strv(struct spec_ctx *ctx, JsonObject *obj, const char *key, char ***out);
int spec_get_u32_array(struct spec_ctx *ctx, JsonObject *obj, const char *key, uint32_t **out,
                       size_t *count);
int spec_get_object(struct spec_ctx *ctx, JsonObject *obj, const char *key, JsonObject **out);
int spec_get_array(struct spec_ctx *ctx, JsonObject *obj, const char *key, JsonArray **out);
/* An object whose members are all strings, kept in document order. */
int spec_get_string_map(struct spec_ctx *ctx, JsonObject *obj, const char *key,
                        struct nook_spec_map *out);

/* Required variants: absent is an error ("is required"). */
int spec_need_string(struct spec_ctx *ctx, JsonObject *obj, const char *key, char **out);
int spec_need_i64(struct spec_ctx *ctx, JsonObject *obj, const char *key, int64_t *out);
int spec_need_u64(struct spec_ctx *ctx, JsonObject *obj, const char *key, uint64_t *out);
int spec_need_u32(struct spec_ctx *ctx, JsonObject *obj, const char *key, uint32_t *out);

/* An array member whose elements are all objects: allocates *items (count
 * zeroed elements of item_size), stores it and *count at once (so that the
 * owner frees it on a later error) and calls parse_one on each element with
 * the path at "KEY[i]". An absent member leaves both untouched. */
typedef int (*spec_item_fn)(struct spec_ctx *ctx, JsonObject *obj, void *item);
int spec_get_object_array(struct spec_ctx *ctx, JsonObject *obj, const char *key,
                          size_t item_size, void **items, size_t *count, spec_item_fn parse_one);

/* An object member whose members are objects keyed by name, as in
 * "timeOffsets": {"monotonic": {...}}: allocates *items and stores it and
 * *count as spec_get_object_array() does, then, in document order and with
 * the path at KEY["name"], calls take_name (which stores the name in the
 * item and checks it), checks that the value is an object, and calls
 * parse_one on it. Stops at the first error. An absent member leaves both
 * untouched. */
typedef int (*spec_name_fn)(struct spec_ctx *ctx, const char *name, void *item);
int spec_get_object_map(struct spec_ctx *ctx, JsonObject *obj, const char *key, size_t item_size,
                        void **items, size_t *count, spec_name_fn take_name,
                        spec_item_fn parse_one);

/* Allocate a zeroed struct and store it in *out before it is filled. */
void *spec_new(struct spec_ctx *ctx, size_t size, void *out);

/* --- shared checks -------------------------------------------------------- */

bool spec_is_absolute(const char *path);
/* Fail unless the string member at the current path is an absolute path. */
int spec_check_absolute(struct spec_ctx *ctx, const char *key, const char *path);
/* "0-3,7": comma-separated numbers and ranges. */
bool spec_is_cpu_list(const char *list);
/* Match a string against a NULL-terminated table of names; returns the
 * index or -1. */
int spec_lookup(const char *const *names, const char *name);

/* --- sections ------------------------------------------------------------- */

int spec_parse_id_mapping(struct spec_ctx *ctx, JsonObject *obj, void *item);
int spec_parse_mounts(struct spec_ctx *ctx, JsonObject *top, struct nook_spec *spec);

int spec_parse_hooks(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_hooks *hooks);

int spec_parse_process(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_process *process);

int spec_parse_linux(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_linux *linux_config);

int spec_parse_resources_object(struct spec_ctx *ctx, JsonObject *obj,
                                struct nook_spec_resources *resources);

int spec_parse_seccomp(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_seccomp *seccomp);

/* Parse text into a root node that must be an object; syntax errors give
 * "SOURCE: line L, column C: ...". *parser owns the tree. */
int spec_parse_document(struct spec_ctx *ctx, const char *text, size_t len, JsonParser **parser,
                        JsonObject **root);
