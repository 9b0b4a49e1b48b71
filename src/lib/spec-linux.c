/* spec-linux.c: .linux apart from resources and seccomp (which have rooms of
 * their own): namespaces, id mappings, time offsets, devices, paths,
 * sysctl, personality, Intel RDT, memory policy and network devices. */
#include <stdlib.h>
#include <string.h>

#include "spec-internal.h"

static const char *const propagations[] = {
    "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable", NULL,
};

/* Indexed by the kernel's MPOL_* mode. */
static const char *const mpol_modes[] = {
    "MPOL_DEFAULT", "MPOL_PREFERRED", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_LOCAL",
    "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE", NULL,
};
#define MPOL_DEFAULT_VALUE 0
#define MPOL_LOCAL_VALUE 4

static const struct {
    const char *name;
    unsigned int bit;
} mpol_flags[] = {
    { "MPOL_F_STATIC_NODES", 1u << 15 },
    { "MPOL_F_RELATIVE_NODES", 1u << 14 },
    { "MPOL_F_NUMA_BALANCING", 1u << 13 },
};

static int parse_namespace(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_namespace *ns = item;
    _cleanup_free_ char *type = NULL;
    int r = spec_need_string(ctx, obj, "type", &type);
    if (r < 0)
        return r;
    int index = spec_lookup(spec_ns_names, type);
    if (index < 0)
        return spec_fail_at(ctx, "type", "unknown namespace type \"%s\" (expected pid, network, "
                            "mount, ipc, uts, user, cgroup or time)", type);
    ns->type = (enum nook_ns_type)index;
    r = spec_get_string(ctx, obj, "path", &ns->path);
    if (r >= 0)
        r = spec_check_absolute(ctx, "path", ns->path);
    return r;
}

static int parse_namespaces(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_linux *lx)
{
    int r = spec_get_object_array(ctx, obj, "namespaces", sizeof(*lx->namespaces),
                                  (void **)&lx->namespaces, &lx->n_namespaces, parse_namespace);
    if (r < 0)
        return r;
    for (size_t i = 1; i < lx->n_namespaces; i++)
        for (size_t j = 0; j < i; j++)
            if (lx->namespaces[i].type == lx->namespaces[j].type) {
                size_t saved = spec_path_push_key(ctx, "namespaces");
                spec_path_push_index(ctx, i);
                r = spec_fail_at(ctx, "type", "duplicate namespace type \"%s\" (also at [%zu])",
                                 spec_ns_names[lx->namespaces[i].type], j);
                spec_path_pop(ctx, saved);
                return r;
            }
    return 0;
}

static int take_clock(struct spec_ctx *ctx, const char *clock, void *item)
{
    struct nook_spec_time_offset *off = item;
    off->clock = strdup(clock);
    if (!off->clock)
        return spec_oom(ctx);
    if (strcmp(clock, "monotonic") != 0 && strcmp(clock, "boottime") != 0)
        return spec_fail(ctx, "unknown clock (a time namespace offsets \"monotonic\" and "
                         "\"boottime\")");
    return 0;
}

static int parse_time_offset(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_time_offset *off = item;
    int r = spec_get_i64(ctx, obj, "secs", &off->secs);
    if (r >= 0)
        r = spec_get_u32(ctx, obj, "nanosecs", &off->nanosecs);
    if (r >= 0 && off->nanosecs.value >= 1000000000u)
        r = spec_fail_at(ctx, "nanosecs", "must be below 1000000000, not %u", off->nanosecs.value);
    return r;
}

static int parse_time_offsets(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_linux *lx)
{
    return spec_get_object_map(ctx, obj, "timeOffsets", sizeof(*lx->time_offsets),
                               (void **)&lx->time_offsets, &lx->n_time_offsets, take_clock,
                               parse_time_offset);
}

static int parse_device(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_device *dev = item;
    _cleanup_free_ char *type = NULL;
    int r = spec_need_string(ctx, obj, "type", &type);
    if (r < 0)
        return r;
    if (strlen(type) != 1 || !strchr("cbup", type[0]))
        return spec_fail_at(ctx, "type", "unknown device type \"%s\" (expected \"c\", \"b\", "
                            "\"u\" or \"p\")", type);
    dev->type = type[0];
    r = spec_need_string(ctx, obj, "path", &dev->path);
    if (r >= 0 && !spec_is_absolute(dev->path))
        r = spec_fail_at(ctx, "path", "must be an absolute path, not \"%s\"", dev->path);
    if (r < 0)
        return r;
    if (dev->type == 'p') {
        /* A FIFO has no numbers; they may still be written. */
        struct nook_opt_i64 major = { 0 }, minor = { 0 };
        r = spec_get_i64(ctx, obj, "major", &major);
        if (r >= 0)
            r = spec_get_i64(ctx, obj, "minor", &minor);
        dev->major = major.value;
        dev->minor = minor.value;
    } else {
        r = spec_need_i64(ctx, obj, "major", &dev->major);
        if (r >= 0)
            r = spec_need_i64(ctx, obj, "minor", &dev->minor);
    }
    if (r >= 0 && (dev->major < 0 || dev->minor < 0))
        r = spec_fail_at(ctx, dev->major < 0 ? "major" : "minor", "must not be negative");
    if (r >= 0)
        r = spec_get_u32(ctx, obj, "fileMode", &dev->file_mode);
    if (r >= 0)
        r = spec_get_u32(ctx, obj, "uid", &dev->uid);
    if (r >= 0)
        r = spec_get_u32(ctx, obj, "gid", &dev->gid);
    return r;
}

static int parse_path_list(struct spec_ctx *ctx, JsonObject *obj, const char *key, char ***out)
{
    int r = spec_get_strv(ctx, obj, key, out);
    for (size_t i = 0; r >= 0 && *out && (*out)[i]; i++)
        if (!spec_is_absolute((*out)[i])) {
            size_t saved = spec_path_push_key(ctx, key);
            spec_path_push_index(ctx, i);
            r = spec_fail(ctx, "must be an absolute path, not \"%s\"", (*out)[i]);
            spec_path_pop(ctx, saved);
        }
    return r;
}

static int parse_personality(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_linux *lx)
{
    JsonObject *pers_obj;
    int r = spec_get_object(ctx, obj, "personality", &pers_obj);
    if (r < 0 || !pers_obj)
        return r;
    struct nook_spec_personality *pers = spec_new(ctx, sizeof(*pers), &lx->personality);
    if (!pers)
        return -ENOMEM;
    size_t saved = spec_path_push_key(ctx, "personality");
    _cleanup_free_ char *domain = NULL;
    r = spec_need_string(ctx, pers_obj, "domain", &domain);
    if (r >= 0) {
        if (strcmp(domain, "LINUX") == 0)
            pers->domain = NOOK_PERSONALITY_LINUX;
        else if (strcmp(domain, "LINUX32") == 0)
            pers->domain = NOOK_PERSONALITY_LINUX32;
        else
            r = spec_fail_at(ctx, "domain", "unknown personality domain \"%s\" (expected LINUX "
                             "or LINUX32)", domain);
    }
    if (r >= 0)
        r = spec_get_strv(ctx, pers_obj, "flags", &pers->flags);
    if (r >= 0 && pers->flags && pers->flags[0])
        r = spec_fail_at(ctx, "flags", "unknown personality flag \"%s\" (the runtime-spec "
                         "defines none)", pers->flags[0]);
    spec_path_pop(ctx, saved);
    return r;
}

static int parse_intel_rdt(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_linux *lx)
{
    JsonObject *rdt_obj;
    int r = spec_get_object(ctx, obj, "intelRdt", &rdt_obj);
    if (r < 0 || !rdt_obj)
        return r;
    struct nook_spec_intel_rdt *rdt = spec_new(ctx, sizeof(*rdt), &lx->intel_rdt);
    if (!rdt)
        return -ENOMEM;
    size_t saved = spec_path_push_key(ctx, "intelRdt");
    r = spec_get_string(ctx, rdt_obj, "closID", &rdt->clos_id);
    if (r >= 0)
        r = spec_get_string(ctx, rdt_obj, "l3CacheSchema", &rdt->l3_cache_schema);
    if (r >= 0)
        r = spec_get_string(ctx, rdt_obj, "memBwSchema", &rdt->mem_bw_schema);
    if (r >= 0)
        r = spec_get_string(ctx, rdt_obj, "schemata", &rdt->schemata);
    if (r >= 0)
        r = spec_get_bool(ctx, rdt_obj, "enableCMT", &rdt->enable_cmt);
    if (r >= 0)
        r = spec_get_bool(ctx, rdt_obj, "enableMBM", &rdt->enable_mbm);
    spec_path_pop(ctx, saved);
    return r;
}

static int parse_memory_policy_fields(struct spec_ctx *ctx, JsonObject *obj,
                                      struct nook_spec_memory_policy *mp)
{
    _cleanup_free_ char *mode = NULL;
    _cleanup_strv_ char **flags = NULL;
    int r = spec_need_string(ctx, obj, "mode", &mode);
    if (r < 0)
        return r;
    mp->mode = spec_lookup(mpol_modes, mode);
    if (mp->mode < 0)
        return spec_fail_at(ctx, "mode", "unknown memory policy mode \"%s\" (expected MPOL_DEFAULT, "
                            "MPOL_BIND, MPOL_INTERLEAVE, MPOL_WEIGHTED_INTERLEAVE, MPOL_PREFERRED, "
                            "MPOL_PREFERRED_MANY or MPOL_LOCAL)", mode);

    r = spec_get_string(ctx, obj, "nodes", &mp->nodes);
    if (r < 0)
        return r;
    bool takes_nodes = mp->mode != MPOL_DEFAULT_VALUE && mp->mode != MPOL_LOCAL_VALUE;
    bool has_nodes = mp->nodes && mp->nodes[0];
    if (has_nodes && !takes_nodes)
        return spec_fail_at(ctx, "nodes", "must be empty for %s", mode);
    if (!has_nodes && takes_nodes)
        return spec_fail_at(ctx, "nodes", "is required for %s", mode);
    if (has_nodes && !spec_is_cpu_list(mp->nodes))
        return spec_fail_at(ctx, "nodes", "\"%s\" is not a node list like \"0-1,3\"", mp->nodes);

    r = spec_get_strv(ctx, obj, "flags", &flags);
    for (size_t i = 0; r >= 0 && flags && flags[i]; i++) {
        size_t k = 0;
        while (k < N_ELEMENTS(mpol_flags) && strcmp(mpol_flags[k].name, flags[i]) != 0)
            k++;
        if (k == N_ELEMENTS(mpol_flags)) {
            size_t saved = spec_path_push_key(ctx, "flags");
            spec_path_push_index(ctx, i);
            r = spec_fail(ctx, "unknown memory policy flag \"%s\"", flags[i]);
            spec_path_pop(ctx, saved);
        } else {
            mp->flags |= mpol_flags[k].bit;
        }
    }
    unsigned int both = mpol_flags[0].bit | mpol_flags[1].bit;
    if (r >= 0 && (mp->flags & both) == both)
        r = spec_fail_at(ctx, "flags", "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude "
                         "each other");
    return r;
}

static int parse_memory_policy(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_linux *lx)
{
    JsonObject *mp_obj;
    int r = spec_get_object(ctx, obj, "memoryPolicy", &mp_obj);
    if (r < 0 || !mp_obj)
        return r;
    struct nook_spec_memory_policy *mp = spec_new(ctx, sizeof(*mp), &lx->memory_policy);
    if (!mp)
        return -ENOMEM;
    size_t saved = spec_path_push_key(ctx, "memoryPolicy");
    r = parse_memory_policy_fields(ctx, mp_obj, mp);
    spec_path_pop(ctx, saved);
    return r;
}

/* What the kernel accepts as an interface name (dev_valid_name()). */
static bool is_interface_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len >= 16 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == ':' || *p == ' ' || *p == '\t' || *p == '\n')
            return false;
    return true;
}

static int take_host_name(struct spec_ctx *ctx, const char *host_name, void *item)
{
    struct nook_spec_net_device *dev = item;
    dev->host_name = strdup(host_name);
    if (!dev->host_name)
        return spec_oom(ctx);
    if (!is_interface_name(host_name))
        return spec_fail(ctx, "\"%s\" is not a valid network interface name", host_name);
    return 0;
}

static int parse_net_device(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_net_device *dev = item;
    int r = spec_get_string(ctx, obj, "name", &dev->name);
    if (r >= 0 && dev->name && !is_interface_name(dev->name))
        r = spec_fail_at(ctx, "name", "\"%s\" is not a valid network interface name", dev->name);
    return r;
}

static int parse_net_devices(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_linux *lx)
{
    return spec_get_object_map(ctx, obj, "netDevices", sizeof(*lx->net_devices),
                               (void **)&lx->net_devices, &lx->n_net_devices, take_host_name,
                               parse_net_device);
}

static int parse_resources(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_linux *lx)
{
    JsonObject *res_obj;
    int r = spec_get_object(ctx, obj, "resources", &res_obj);
    if (r < 0 || !res_obj)
        return r;
    struct nook_spec_resources *res = spec_new(ctx, sizeof(*res), &lx->resources);
    if (!res)
        return -ENOMEM;
    size_t saved = spec_path_push_key(ctx, "resources");
    r = spec_parse_resources_object(ctx, res_obj, res);
    spec_path_pop(ctx, saved);
    return r;
}

static int parse_seccomp(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_linux *lx)
{
    JsonObject *sec_obj;
    int r = spec_get_object(ctx, obj, "seccomp", &sec_obj);
    if (r < 0 || !sec_obj)
        return r;
    struct nook_spec_seccomp *sec = spec_new(ctx, sizeof(*sec), &lx->seccomp);
    if (!sec)
        return -ENOMEM;
    size_t saved = spec_path_push_key(ctx, "seccomp");
    r = spec_parse_seccomp(ctx, sec_obj, sec);
    spec_path_pop(ctx, saved);
    return r;
}

int spec_parse_linux(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_linux *lx)
{
    int r = parse_namespaces(ctx, obj, lx);
    if (r >= 0)
        r = spec_get_object_array(ctx, obj, "uidMappings", sizeof(*lx->uid_mappings),
                                  (void **)&lx->uid_mappings, &lx->n_uid_mappings,
                                  spec_parse_id_mapping);
    if (r >= 0)
        r = spec_get_object_array(ctx, obj, "gidMappings", sizeof(*lx->gid_mappings),
                                  (void **)&lx->gid_mappings, &lx->n_gid_mappings,
                                  spec_parse_id_mapping);
    if (r >= 0)
        r = parse_time_offsets(ctx, obj, lx);
    if (r >= 0)
        r = spec_get_object_array(ctx, obj, "devices", sizeof(*lx->devices),
                                  (void **)&lx->devices, &lx->n_devices, parse_device);
    if (r >= 0)
        r = spec_get_string(ctx, obj, "cgroupsPath", &lx->cgroups_path);
    if (r >= 0)
        r = parse_resources(ctx, obj, lx);
    if (r >= 0)
        r = spec_get_string(ctx, obj, "rootfsPropagation", &lx->rootfs_propagation);
    if (r >= 0 && lx->rootfs_propagation && lx->rootfs_propagation[0] &&
        spec_lookup(propagations, lx->rootfs_propagation) < 0)
        r = spec_fail_at(ctx, "rootfsPropagation", "unknown propagation \"%s\" (expected shared, "
                         "slave, private or unbindable, or their r- forms)",
                         lx->rootfs_propagation);
    if (r >= 0)
        r = parse_path_list(ctx, obj, "maskedPaths", &lx->masked_paths);
    if (r >= 0)
        r = parse_path_list(ctx, obj, "readonlyPaths", &lx->readonly_paths);
    if (r >= 0)
        r = spec_get_string(ctx, obj, "mountLabel", &lx->mount_label);
    if (r >= 0)
        r = spec_get_string_map(ctx, obj, "sysctl", &lx->sysctl);
    if (r >= 0)
        r = parse_seccomp(ctx, obj, lx);
    if (r >= 0)
        r = parse_personality(ctx, obj, lx);
    if (r >= 0)
        r = parse_intel_rdt(ctx, obj, lx);
    if (r >= 0)
        r = parse_memory_policy(ctx, obj, lx);
    if (r >= 0)
        r = parse_net_devices(ctx, obj, lx);
    return r;
}

