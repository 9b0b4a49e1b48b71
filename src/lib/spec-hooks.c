/* spec-hooks.c: .hooks: the six lifecycle hook lists and their entries. */
#include <stdlib.h>

#include "spec-internal.h"

static int parse_hook(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_hook *hook = item;
    int r = spec_need_string(ctx, obj, "path", &hook->path);
    if (r >= 0 && !spec_is_absolute(hook->path))
        r = spec_fail_at(ctx, "path", "must be an absolute path, not \"%s\"", hook->path);
    if (r >= 0)
        r = spec_get_strv(ctx, obj, "args", &hook->args);
    if (r >= 0)
        r = spec_get_strv(ctx, obj, "env", &hook->env);
    if (r >= 0)
        r = spec_get_int32(ctx, obj, "timeout", &hook->timeout);
    if (r >= 0 && hook->timeout.set && hook->timeout.value <= 0)
        r = spec_fail_at(ctx, "timeout", "must be greater than 0 (seconds), not %d",
                         hook->timeout.value);
    return r;
}

static int parse_list(struct spec_ctx *ctx, JsonObject *obj, const char *key,
                      struct nook_spec_hook_list *list)
{
    return spec_get_object_array(ctx, obj, key, sizeof(*list->items), (void **)&list->items,
                                 &list->count, parse_hook);
}

int spec_parse_hooks(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_hooks *hooks)
{
    int r = parse_list(ctx, obj, "prestart", &hooks->prestart);
    if (r >= 0)
        r = parse_list(ctx, obj, "createRuntime", &hooks->create_runtime);
    if (r >= 0)
        r = parse_list(ctx, obj, "createContainer", &hooks->create_container);
    if (r >= 0)
        r = parse_list(ctx, obj, "startContainer", &hooks->start_container);
    if (r >= 0)
        r = parse_list(ctx, obj, "poststart", &hooks->poststart);
    if (r >= 0)
        r = parse_list(ctx, obj, "poststop", &hooks->poststop);
    return r;
}

