/* spec-json.c: typed getters over json-glib that keep track of the JSON path,
 * so that every error the spec parser reports says where it is:
 * "config.json: .mounts[0].destination: must be an absolute path". */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "spec-internal.h"

/* --- the path ----------------------------------------------------------- */

static size_t path_append(struct spec_ctx *ctx, const char *fmt, ...) _printf_(2, 3);

static size_t path_append(struct spec_ctx *ctx, const char *fmt, ...)
{
    size_t old = ctx->len;
    if (ctx->len >= sizeof(ctx->path) - 1)
        return old;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(ctx->path + ctx->len, sizeof(ctx->path) - ctx->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        ctx->path[ctx->len] = '\0';
    else if ((size_t)n >= sizeof(ctx->path) - ctx->len)
        ctx->len = sizeof(ctx->path) - 1;   /* truncated, still terminated */
    else
        ctx->len += (size_t)n;
    return old;
}

size_t spec_path_push_key(struct spec_ctx *ctx, const char *key)
{
    return path_append(ctx, ".%s", key);
}

size_t spec_path_push_index(struct spec_ctx *ctx, size_t index)
{
    return path_append(ctx, "[%zu]", index);
}

size_t spec_path_push_map_key(struct spec_ctx *ctx, const char *key)
{
    return path_append(ctx, "[\"%s\"]", key);
}

void spec_path_pop(struct spec_ctx *ctx, size_t len)
{
    ctx->len = len;
    ctx->path[len] = '\0';
}

/* --- errors --------------------------------------------------------------- */

_printf_(2, 0) static int spec_vfail(struct spec_ctx *ctx, const char *fmt, va_list ap)
{
    char message[NOOK_ERROR_MAX];
    vsnprintf(message, sizeof(message), fmt, ap);
    if (ctx->len == 0)
        return nook_error_set(ctx->err, EINVAL, "%s: %s", ctx->source, message);
    return nook_error_set(ctx->err, EINVAL, "%s: %s: %s", ctx->source, ctx->path, message);
}

int spec_fail(struct spec_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = spec_vfail(ctx, fmt, ap);
    va_end(ap);
    return r;
}

int spec_fail_at(struct spec_ctx *ctx, const char *key, const char *fmt, ...)
{
    size_t saved = spec_path_push_key(ctx, key);
    va_list ap;
    va_start(ap, fmt);
    int r = spec_vfail(ctx, fmt, ap);
    va_end(ap);
    spec_path_pop(ctx, saved);
    return r;
}

int spec_oom(struct spec_ctx *ctx)
{
    return nook_error_set(ctx->err, ENOMEM, "%s: out of memory", ctx->source);
}

const char *spec_node_kind(JsonNode *node)
{
    switch (json_node_get_node_type(node)) {
    case JSON_NODE_OBJECT:
        return "an object";
    case JSON_NODE_ARRAY:
        return "an array";
    case JSON_NODE_NULL:
        return "null";
    case JSON_NODE_VALUE:
        break;
    }
    GType type = json_node_get_value_type(node);
    if (type == G_TYPE_STRING)
        return "a string";
    if (type == G_TYPE_BOOLEAN)
        return "a boolean";
    if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE)
        return "a number";
    return "a value of another kind";
}

/* --- the document ----------------------------------------------------------- */

/* json-glib says "<data>:12:5: Parse error: unexpected `x', expected value";
 * the user reads "config.json: line 12, column 5: unexpected "x", expected value". */
static int syntax_error(struct spec_ctx *ctx, const char *gmessage)
{
    unsigned line = 0, column = 0;
    int consumed = 0;
    const char *rest = gmessage;
    bool located = sscanf(gmessage, "<data>:%u:%u: %n", &line, &column, &consumed) == 2 &&
                   consumed > 0;
    if (located) {
        rest = gmessage + consumed;
        if (strncmp(rest, "Parse error: ", 13) == 0)
            rest += 13;
    }
    if (strncmp(rest, "scanner: ", 9) == 0)
        rest += 9;
    if (strcmp(rest, "unknown error") == 0)
        rest = "malformed value";   /* GScanner's word for "1.2.0" and the like */

    /* Turn json-glib's `quoted' tokens into "quoted" ones. */
    char cleaned[NOOK_ERROR_MAX / 2];
    size_t n = 0;
    bool open = false;
    for (const char *p = rest; *p && n < sizeof(cleaned) - 1; p++) {
        char c = *p;
        if (c == '`' && !open) {
            c = '"';
            open = true;
        } else if (c == '\'' && open) {
            c = '"';
            open = false;
        }
        cleaned[n++] = c;
    }
    cleaned[n] = '\0';

    if (located)
        return nook_error_set(ctx->err, EINVAL, "%s: line %u, column %u: %s", ctx->source, line,
                              column, cleaned);
    return nook_error_set(ctx->err, EINVAL, "%s: %s", ctx->source, cleaned);
}

int spec_parse_document(struct spec_ctx *ctx, const char *text, size_t len, JsonParser **parser,
                        JsonObject **root)
{
    if (len > (size_t)G_MAXSSIZE)
        return nook_error_set(ctx->err, EFBIG, "%s: too large", ctx->source);

    g_autoptr(JsonParser) p = json_parser_new();
    g_autoptr(GError) gerr = NULL;
    if (!json_parser_load_from_data(p, len ? text : "", (gssize)len, &gerr))
        return syntax_error(ctx, gerr ? gerr->message : "not valid JSON");

    JsonNode *node = json_parser_get_root(p);
    if (!node)
        return nook_error_set(ctx->err, EINVAL, "%s: empty document, expected a JSON object",
                              ctx->source);
    if (!JSON_NODE_HOLDS_OBJECT(node))
        return nook_error_set(ctx->err, EINVAL, "%s: must be a JSON object, not %s", ctx->source,
                              spec_node_kind(node));
    *root = json_node_get_object(node);
    *parser = g_steal_pointer(&p);
    return 0;
}

/* --- members -------------------------------------------------------------- */

JsonNode *spec_member(JsonObject *obj, const char *key)
{
    JsonNode *node = json_object_get_member(obj, key);
    if (!node || JSON_NODE_HOLDS_NULL(node))
        return NULL;
    return node;
}

int spec_require(struct spec_ctx *ctx, JsonObject *obj, const char *key)
{
    if (!spec_member(obj, key))
        return spec_fail_at(ctx, key, "is required");
    return 0;
}

static bool node_is_value_of(JsonNode *node, GType type)
{
    return JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == type;
}

static int dup_string(struct spec_ctx *ctx, const char *s, char **out)
{
    char *copy = strdup(s);
    if (!copy)
        return spec_oom(ctx);
    free(*out);
    *out = copy;
    return 0;
}

int spec_get_string(struct spec_ctx *ctx, JsonObject *obj, const char *key, char **out)
{
    JsonNode *node = spec_member(obj, key);
    if (!node)
        return 0;
    if (!node_is_value_of(node, G_TYPE_STRING))
        return spec_fail_at(ctx, key, "must be a string, not %s", spec_node_kind(node));
    return dup_string(ctx, json_node_get_string(node), out);
}

int spec_need_string(struct spec_ctx *ctx, JsonObject *obj, const char *key, char **out)
{
    int r = spec_require(ctx, obj, key);
    if (r < 0)
        return r;
    return spec_get_string(ctx, obj, key, out);
}

int spec_get_bool(struct spec_ctx *ctx, JsonObject *obj, const char *key, bool *out)
{
    JsonNode *node = spec_member(obj, key);
    if (!node)
        return 0;
    if (!node_is_value_of(node, G_TYPE_BOOLEAN))
        return spec_fail_at(ctx, key, "must be true or false, not %s", spec_node_kind(node));
    *out = json_node_get_boolean(node);
    return 0;
}

int spec_get_opt_bool(struct spec_ctx *ctx, JsonObject *obj, const char *key,
                      struct nook_opt_bool *out)
{
    if (!spec_member(obj, key))
        return 0;
    int r = spec_get_bool(ctx, obj, key, &out->value);
    if (r < 0)
        return r;
    out->set = true;
    return 0;
}

/* An integer node's raw 64 bits; doubles are refused, as Go's encoding/json
 * (and so runc) refuses them for integer fields. Errors name the path as
 * it stands. */
static int node_integer(struct spec_ctx *ctx, JsonNode *node, int64_t *out)
{
    if (node_is_value_of(node, G_TYPE_DOUBLE))
        return spec_fail(ctx, "must be an integer, not %g", json_node_get_double(node));
    if (!node_is_value_of(node, G_TYPE_INT64))
        return spec_fail(ctx, "must be an integer, not %s", spec_node_kind(node));
    *out = json_node_get_int(node);
    return 0;
}

static int check_range(struct spec_ctx *ctx, int64_t v, int64_t min, int64_t max)
{
    if (v < min || v > max)
        return spec_fail(ctx, "must be an integer from %" PRId64 " to %" PRId64 ", not %" PRId64,
                         min, max, v);
    return 0;
}

static int get_integer(struct spec_ctx *ctx, JsonObject *obj, const char *key, bool *present,
                       int64_t *out)
{
    JsonNode *node = spec_member(obj, key);
    *present = node != NULL;
    if (!node)
        return 0;
    size_t saved = spec_path_push_key(ctx, key);
    int r = node_integer(ctx, node, out);
    spec_path_pop(ctx, saved);
    return r;
}

static int get_ranged(struct spec_ctx *ctx, JsonObject *obj, const char *key, int64_t min,
                      int64_t max, bool *present, int64_t *out)
{
    int r = get_integer(ctx, obj, key, present, out);
    if (r < 0 || !*present)
        return r;
    size_t saved = spec_path_push_key(ctx, key);
    r = check_range(ctx, *out, min, max);
    spec_path_pop(ctx, saved);
    return r;
}

int spec_get_i64(struct spec_ctx *ctx, JsonObject *obj, const char *key, struct nook_opt_i64 *out)
{
    bool present;
    int64_t v = 0;
    int r = get_integer(ctx, obj, key, &present, &v);
    if (r < 0 || !present)
        return r;
    out->set = true;
    out->value = v;
    return 0;
}

int spec_get_u64(struct spec_ctx *ctx, JsonObject *obj, const char *key, struct nook_opt_u64 *out)
{
    bool present;
    int64_t v = 0;
    int r = get_integer(ctx, obj, key, &present, &v);
    if (r < 0 || !present)
        return r;
    out->set = true;
    out->value = (uint64_t)v;
    return 0;
}

int spec_get_u32(struct spec_ctx *ctx, JsonObject *obj, const char *key, struct nook_opt_u32 *out)
{
    bool present;
    int64_t v = 0;
    int r = get_ranged(ctx, obj, key, 0, UINT32_MAX, &present, &v);
    if (r < 0 || !present)
        return r;
    out->set = true;
    out->value = (uint32_t)v;
    return 0;
}

int spec_get_u16(struct spec_ctx *ctx, JsonObject *obj, const char *key, struct nook_opt_u16 *out)
{
    bool present;
    int64_t v = 0;
    int r = get_ranged(ctx, obj, key, 0, UINT16_MAX, &present, &v);
    if (r < 0 || !present)
        return r;
    out->set = true;
    out->value = (uint16_t)v;
    return 0;
}

int spec_get_int32(struct spec_ctx *ctx, JsonObject *obj, const char *key, struct nook_opt_int *out)
{
    bool present;
    int64_t v = 0;
    int r = get_ranged(ctx, obj, key, INT32_MIN, INT32_MAX, &present, &v);
    if (r < 0 || !present)
        return r;
    out->set = true;
    out->value = (int)v;
    return 0;
}

int spec_need_i64(struct spec_ctx *ctx, JsonObject *obj, const char *key, int64_t *out)
{
    struct nook_opt_i64 v = { 0 };
    int r = spec_require(ctx, obj, key);
    if (r >= 0)
        r = spec_get_i64(ctx, obj, key, &v);
    if (r < 0)
        return r;
    *out = v.value;
    return 0;
}

int spec_need_u64(struct spec_ctx *ctx, JsonObject *obj, const char *key, uint64_t *out)
{
    struct nook_opt_u64 v = { 0 };
    int r = spec_require(ctx, obj, key);
    if (r >= 0)
        r = spec_get_u64(ctx, obj, key, &v);
    if (r < 0)
        return r;
    *out = v.value;
    return 0;
}

int spec_need_u32(struct spec_ctx *ctx, JsonObject *obj, const char *key, uint32_t *out)
{
    struct nook_opt_u32 v = { 0 };
    int r = spec_require(ctx, obj, key);
    if (r >= 0)
        r = spec_get_u32(ctx, obj, key, &v);
    if (r < 0)
        return r;
    *out = v.value;
    return 0;
}

int spec_get_strv(struct spec_ctx *ctx, JsonObject *obj, const char *key, char ***out)
{
    JsonNode *node = spec_member(obj, key);
    if (!node)
        return 0;
    if (!JSON_NODE_HOLDS_ARRAY(node))
        return spec_fail_at(ctx, key, "must be an array of strings, not %s", spec_node_kind(node));

    JsonArray *array = json_node_get_array(node);
    guint n = json_array_get_length(array);
    char **v = calloc((size_t)n + 1, sizeof(char *));
    if (!v)
        return spec_oom(ctx);
    strv_free(*out);
    *out = v;   /* owned by the spec from here: filled slots are freed with it */

    size_t saved = spec_path_push_key(ctx, key);
    for (guint i = 0; i < n; i++) {
        JsonNode *element = json_array_get_element(array, i);
        if (!node_is_value_of(element, G_TYPE_STRING)) {
            spec_path_push_index(ctx, i);
            int r = spec_fail(ctx, "must be a string, not %s", spec_node_kind(element));
            spec_path_pop(ctx, saved);
            return r;
        }
        v[i] = strdup(json_node_get_string(element));
        if (!v[i]) {
            spec_path_pop(ctx, saved);
            return spec_oom(ctx);
        }
    }
    spec_path_pop(ctx, saved);
    return 0;
}

int spec_get_u32_array(struct spec_ctx *ctx, JsonObject *obj, const char *key, uint32_t **out,
                       size_t *count)
{
    JsonNode *node = spec_member(obj, key);
    if (!node)
        return 0;
    if (!JSON_NODE_HOLDS_ARRAY(node))
        return spec_fail_at(ctx, key, "must be an array of integers, not %s", spec_node_kind(node));

    JsonArray *array = json_node_get_array(node);
    size_t n = json_array_get_length(array);
    if (n == 0)
        return 0;
    uint32_t *v = calloc(n, sizeof(*v));
    if (!v)
        return spec_oom(ctx);
    free(*out);
    *out = v;
    *count = n;

    size_t saved = spec_path_push_key(ctx, key);
    int r = 0;
    for (size_t i = 0; i < n && r >= 0; i++) {
        int64_t raw = 0;
        size_t at = spec_path_push_index(ctx, i);
        r = node_integer(ctx, json_array_get_element(array, (guint)i), &raw);
        if (r >= 0)
            r = check_range(ctx, raw, 0, UINT32_MAX);
        v[i] = (uint32_t)raw;
        spec_path_pop(ctx, at);
    }
    spec_path_pop(ctx, saved);
    return r;
}

int spec_get_object(struct spec_ctx *ctx, JsonObject *obj, const char *key, JsonObject **out)
{
    JsonNode *node = spec_member(obj, key);
    *out = NULL;
    if (!node)
        return 0;
    if (!JSON_NODE_HOLDS_OBJECT(node))
        return spec_fail_at(ctx, key, "must be an object, not %s", spec_node_kind(node));
    *out = json_node_get_object(node);
    return 0;
}

int spec_get_array(struct spec_ctx *ctx, JsonObject *obj, const char *key, JsonArray **out)
{
    JsonNode *node = spec_member(obj, key);
    *out = NULL;
    if (!node)
        return 0;
    if (!JSON_NODE_HOLDS_ARRAY(node))
        return spec_fail_at(ctx, key, "must be an array, not %s", spec_node_kind(node));
    *out = json_node_get_array(node);
    return 0;
}

int spec_get_string_map(struct spec_ctx *ctx, JsonObject *obj, const char *key,
                        struct nook_spec_map *out)
{
    JsonObject *map;
    int r = spec_get_object(ctx, obj, key, &map);
    if (r < 0 || !map)
        return r;

    g_autoptr(GList) members = json_object_get_members(map);
    size_t n = g_list_length(members);
    spec_map_clear(out);
    if (n == 0)
        return 0;
    out->items = calloc(n, sizeof(*out->items));
    if (!out->items)
        return spec_oom(ctx);

    size_t saved = spec_path_push_key(ctx, key);
    for (GList *m = members; m; m = m->next) {
        const char *name = m->data;
        JsonNode *value = json_object_get_member(map, name);
        if (!node_is_value_of(value, G_TYPE_STRING)) {
            spec_path_push_map_key(ctx, name);
            r = spec_fail(ctx, "must be a string, not %s", spec_node_kind(value));
            spec_path_pop(ctx, saved);
            return r;
        }
        struct nook_spec_kv *kv = &out->items[out->count];
        kv->key = strdup(name);
        kv->value = strdup(json_node_get_string(value));
        out->count++;   /* counted before the check so both are freed with the map */
        if (!kv->key || !kv->value) {
            spec_path_pop(ctx, saved);
            return spec_oom(ctx);
        }
    }
    spec_path_pop(ctx, saved);
    return 0;
}

int spec_get_object_array(struct spec_ctx *ctx, JsonObject *obj, const char *key,
                          size_t item_size, void **items, size_t *count, spec_item_fn parse_one)
{
    JsonNode *node = spec_member(obj, key);
    if (!node)
        return 0;
    if (!JSON_NODE_HOLDS_ARRAY(node))
        return spec_fail_at(ctx, key, "must be an array of objects, not %s", spec_node_kind(node));

    JsonArray *array = json_node_get_array(node);
    size_t n = json_array_get_length(array);
    if (n == 0)
        return 0;
    char *base = calloc(n, item_size);
    if (!base)
        return spec_oom(ctx);
    *items = base;
    *count = n;

    size_t saved = spec_path_push_key(ctx, key);
    for (size_t i = 0; i < n; i++) {
        JsonNode *element = json_array_get_element(array, (guint)i);
        size_t at_key = spec_path_push_index(ctx, i);
        int r;
        if (!JSON_NODE_HOLDS_OBJECT(element))
            r = spec_fail(ctx, "must be an object, not %s", spec_node_kind(element));
        else
            r = parse_one(ctx, json_node_get_object(element), base + i * item_size);
        spec_path_pop(ctx, at_key);
        if (r < 0) {
            spec_path_pop(ctx, saved);
            return r;
        }
    }
    spec_path_pop(ctx, saved);
    return 0;
}

int spec_get_object_map(struct spec_ctx *ctx, JsonObject *obj, const char *key, size_t item_size,
                        void **items, size_t *count, spec_name_fn take_name,
                        spec_item_fn parse_one)
{
    JsonObject *map;
    int r = spec_get_object(ctx, obj, key, &map);
    if (r < 0 || !map)
        return r;

    g_autoptr(GList) members = json_object_get_members(map);
    size_t n = g_list_length(members);
    if (n == 0)
        return 0;
    char *base = calloc(n, item_size);
    if (!base)
        return spec_oom(ctx);
    *items = base;
    *count = n;

    size_t saved = spec_path_push_key(ctx, key);
    size_t i = 0;
    for (GList *m = members; m && r >= 0; m = m->next, i++) {
        const char *name = m->data;
        JsonNode *value = json_object_get_member(map, name);
        void *item = base + i * item_size;
        size_t at_name = spec_path_push_map_key(ctx, name);
        r = take_name(ctx, name, item);
        if (r >= 0 && !JSON_NODE_HOLDS_OBJECT(value))
            r = spec_fail(ctx, "must be an object, not %s", spec_node_kind(value));
        if (r >= 0)
            r = parse_one(ctx, json_node_get_object(value), item);
        spec_path_pop(ctx, at_name);
    }
    spec_path_pop(ctx, saved);
    return r;
}

void *spec_new(struct spec_ctx *ctx, size_t size, void *out)
{
    void *p = calloc(1, size);
    if (!p) {
        spec_oom(ctx);
        return NULL;
    }
    *(void **)out = p;
    return p;
}

/* --- shared checks -------------------------------------------------------- */

bool spec_is_absolute(const char *path)
{
    return path && path[0] == '/';
}

int spec_check_absolute(struct spec_ctx *ctx, const char *key, const char *path)
{
    if (path && !spec_is_absolute(path))
        return spec_fail_at(ctx, key, "must be an absolute path, not \"%s\"", path);
    return 0;
}

static bool parse_cpu_number(const char **p, unsigned long *out)
{
    if (**p < '0' || **p > '9')
        return false;
    unsigned long v = 0;
    while (**p >= '0' && **p <= '9') {
        v = v * 10 + (unsigned long)(**p - '0');
        if (v > 1u << 22)       /* far beyond any CPU or node count */
            return false;
        (*p)++;
    }
    *out = v;
    return true;
}

bool spec_is_cpu_list(const char *list)
{
    const char *p = list;
    if (*p == '\0')
        return true;
    for (;;) {
        unsigned long first, last;
        if (!parse_cpu_number(&p, &first))
            return false;
        if (*p == '-') {
            p++;
            if (!parse_cpu_number(&p, &last) || last < first)
                return false;
        }
        if (*p == '\0')
            return true;
        if (*p != ',')
            return false;
        p++;
    }
}

int spec_lookup(const char *const *names, const char *name)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}
