/* spec-mounts.c: .mounts[] and the id mappings that mounts and the user
 * namespace (.linux.uidMappings, .linux.gidMappings) share. */
#include <stdio.h>
#include <stdlib.h>

#include "spec-internal.h"

int spec_parse_id_mapping(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_id_mapping *m = item;
    int r = spec_need_u32(ctx, obj, "containerID", &m->container_id);
    if (r >= 0)
        r = spec_need_u32(ctx, obj, "hostID", &m->host_id);
    if (r >= 0)
        r = spec_need_u32(ctx, obj, "size", &m->size);
    if (r < 0)
        return r;
    if (m->size == 0)
        return spec_fail_at(ctx, "size", "must be greater than 0");
    /* The kernel refuses ranges that wrap around; say which end does. */
    if ((uint64_t)m->container_id + m->size - 1 > UINT32_MAX)
        return spec_fail_at(ctx, "size", "containerID %u plus size %u goes past 4294967295",
                            m->container_id, m->size);
    if ((uint64_t)m->host_id + m->size - 1 > UINT32_MAX)
        return spec_fail_at(ctx, "size", "hostID %u plus size %u goes past 4294967295",
                            m->host_id, m->size);
    return 0;
}

static int parse_mount(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_mount *m = item;
    int r = spec_need_string(ctx, obj, "destination", &m->destination);
    if (r >= 0 && !*m->destination)
        r = spec_fail_at(ctx, "destination", "must be an absolute path, not \"\"");
    /* Deprecated, but old tools write them: the runtime-spec says a
     * relative destination MUST be taken as relative to "/". */
    if (r >= 0 && !spec_is_absolute(m->destination)) {
        char *absolute = NULL;
        if (asprintf(&absolute, "/%s", m->destination) < 0)
            return spec_oom(ctx);
        free(m->destination);
        m->destination = absolute;
    }
    if (r >= 0)
        r = spec_get_string(ctx, obj, "type", &m->type);
    if (r >= 0)
        r = spec_get_string(ctx, obj, "source", &m->source);
    if (r >= 0)
        r = spec_get_strv(ctx, obj, "options", &m->options);
    if (r >= 0)
        r = spec_get_object_array(ctx, obj, "uidMappings", sizeof(*m->uid_mappings),
                                  (void **)&m->uid_mappings, &m->n_uid_mappings,
                                  spec_parse_id_mapping);
    if (r >= 0)
        r = spec_get_object_array(ctx, obj, "gidMappings", sizeof(*m->gid_mappings),
                                  (void **)&m->gid_mappings, &m->n_gid_mappings,
                                  spec_parse_id_mapping);
    return r;
}

int spec_parse_mounts(struct spec_ctx *ctx, JsonObject *top, struct nook_spec *spec)
{
    return spec_get_object_array(ctx, top, "mounts", sizeof(*spec->mounts),
                                 (void **)&spec->mounts, &spec->n_mounts, parse_mount);
}

