/* spec-resources.c: .linux.resources (and a resources.json on its own, for
 * `update --resources`): the device allow-list, memory, cpu, pids, block
 * I/O, huge pages, network classes, rdma and the cgroup v2 unified map. */
#include <stdlib.h>
#include <string.h>

#include "spec-internal.h"

/* Run fn on the object member KEY, allocating *out first; path at KEY. */
static int parse_sub(struct spec_ctx *ctx, JsonObject *obj, const char *key, size_t size,
                     void *out, int (*fn)(struct spec_ctx *, JsonObject *, void *))
{
    JsonObject *sub;
    int r = spec_get_object(ctx, obj, key, &sub);
    if (r < 0 || !sub)
        return r;
    void *section = spec_new(ctx, size, out);
    if (!section)
        return -ENOMEM;
    size_t saved = spec_path_push_key(ctx, key);
    r = fn(ctx, sub, section);
    spec_path_pop(ctx, saved);
    return r;
}

static int parse_device_rule(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_device_rule *rule = item;
    _cleanup_free_ char *type = NULL;
    int r = spec_require(ctx, obj, "allow");
    if (r >= 0)
        r = spec_get_bool(ctx, obj, "allow", &rule->allow);
    if (r >= 0)
        r = spec_get_string(ctx, obj, "type", &type);
    if (r < 0)
        return r;
    rule->type = 'a';
    if (type && type[0]) {
        if (strlen(type) != 1 || !strchr("acb", type[0]))
            return spec_fail_at(ctx, "type", "unknown device type \"%s\" (expected \"a\", \"c\" "
                                "or \"b\")", type);
        rule->type = type[0];
    }
    r = spec_get_i64(ctx, obj, "major", &rule->major);
    if (r >= 0)
        r = spec_get_i64(ctx, obj, "minor", &rule->minor);
    if (r >= 0)
        r = spec_get_string(ctx, obj, "access", &rule->access);
    if (r >= 0 && rule->access && strspn(rule->access, "rwm") != strlen(rule->access))
        r = spec_fail_at(ctx, "access", "\"%s\" is not made of the letters r, w and m",
                         rule->access);
    return r;
}

/* -1 is "unlimited"; anything lower is a mistake. */
static int get_limit(struct spec_ctx *ctx, JsonObject *obj, const char *key,
                     struct nook_opt_i64 *out)
{
    int r = spec_get_i64(ctx, obj, key, out);
    if (r >= 0 && out->set && out->value < -1)
        r = spec_fail_at(ctx, key, "must be -1 (unlimited) or a number of bytes, not %lld",
                         (long long)out->value);
    return r;
}

static int parse_memory(struct spec_ctx *ctx, JsonObject *obj, void *out)
{
    struct nook_spec_memory *m = out;
    int r = get_limit(ctx, obj, "limit", &m->limit);
    if (r >= 0)
        r = get_limit(ctx, obj, "reservation", &m->reservation);
    if (r >= 0)
        r = get_limit(ctx, obj, "swap", &m->swap);
    if (r >= 0)
        r = get_limit(ctx, obj, "kernel", &m->kernel);
    if (r >= 0)
        r = get_limit(ctx, obj, "kernelTCP", &m->kernel_tcp);
    if (r >= 0)
        r = spec_get_u64(ctx, obj, "swappiness", &m->swappiness);
    if (r >= 0 && m->swappiness.set && m->swappiness.value > 100)
        r = spec_fail_at(ctx, "swappiness", "must be from 0 to 100, not %llu",
                         (unsigned long long)m->swappiness.value);
    if (r >= 0)
        r = spec_get_opt_bool(ctx, obj, "disableOOMKiller", &m->disable_oom_killer);
    if (r >= 0)
        r = spec_get_opt_bool(ctx, obj, "useHierarchy", &m->use_hierarchy);
    if (r >= 0)
        r = spec_get_opt_bool(ctx, obj, "checkBeforeUpdate", &m->check_before_update);
    return r;
}

static int parse_cpu(struct spec_ctx *ctx, JsonObject *obj, void *out)
{
    struct nook_spec_cpu *c = out;
    int r = spec_get_u64(ctx, obj, "shares", &c->shares);
    if (r >= 0)
        r = spec_get_i64(ctx, obj, "quota", &c->quota);
    if (r >= 0)
        r = spec_get_u64(ctx, obj, "burst", &c->burst);
    if (r >= 0 && c->burst.set && c->quota.set && c->quota.value > 0 &&
        c->burst.value > (uint64_t)c->quota.value)
        r = spec_fail_at(ctx, "burst", "%llu is larger than the quota %lld",
                         (unsigned long long)c->burst.value, (long long)c->quota.value);
    if (r >= 0)
        r = spec_get_u64(ctx, obj, "period", &c->period);
    if (r >= 0)
        r = spec_get_i64(ctx, obj, "realtimeRuntime", &c->realtime_runtime);
    if (r >= 0)
        r = spec_get_u64(ctx, obj, "realtimePeriod", &c->realtime_period);
    if (r >= 0)
        r = spec_get_string(ctx, obj, "cpus", &c->cpus);
    if (r >= 0)
        r = spec_get_string(ctx, obj, "mems", &c->mems);
    if (r >= 0)
        r = spec_get_i64(ctx, obj, "idle", &c->idle);
    return r;
}

static int parse_pids(struct spec_ctx *ctx, JsonObject *obj, void *out)
{
    struct nook_spec_pids *p = out;
    return spec_get_i64(ctx, obj, "limit", &p->limit);
}

static int parse_device_numbers(struct spec_ctx *ctx, JsonObject *obj, int64_t *major,
                                int64_t *minor)
{
    int r = spec_need_i64(ctx, obj, "major", major);
    if (r >= 0)
        r = spec_need_i64(ctx, obj, "minor", minor);
    return r;
}

static int parse_weight_device(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_weight_device *d = item;
    int r = parse_device_numbers(ctx, obj, &d->major, &d->minor);
    if (r >= 0)
        r = spec_get_u16(ctx, obj, "weight", &d->weight);
    if (r >= 0)
        r = spec_get_u16(ctx, obj, "leafWeight", &d->leaf_weight);
    if (r >= 0 && !d->weight.set && !d->leaf_weight.set)
        r = spec_fail(ctx, "needs \"weight\", \"leafWeight\" or both");
    return r;
}

static int parse_throttle_device(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_throttle_device *d = item;
    int r = parse_device_numbers(ctx, obj, &d->major, &d->minor);
    if (r >= 0)
        r = spec_need_u64(ctx, obj, "rate", &d->rate);
    return r;
}

static int parse_throttle_list(struct spec_ctx *ctx, JsonObject *obj, const char *key,
                               struct nook_spec_throttle_list *list)
{
    return spec_get_object_array(ctx, obj, key, sizeof(*list->items), (void **)&list->items,
                                 &list->count, parse_throttle_device);
}

static int parse_block_io(struct spec_ctx *ctx, JsonObject *obj, void *out)
{
    struct nook_spec_block_io *b = out;
    int r = spec_get_u16(ctx, obj, "weight", &b->weight);
    if (r >= 0)
        r = spec_get_u16(ctx, obj, "leafWeight", &b->leaf_weight);
    if (r >= 0)
        r = spec_get_object_array(ctx, obj, "weightDevice", sizeof(*b->weight_devices),
                                  (void **)&b->weight_devices, &b->n_weight_devices,
                                  parse_weight_device);
    if (r >= 0)
        r = parse_throttle_list(ctx, obj, "throttleReadBpsDevice", &b->throttle_read_bps);
    if (r >= 0)
        r = parse_throttle_list(ctx, obj, "throttleWriteBpsDevice", &b->throttle_write_bps);
    if (r >= 0)
        r = parse_throttle_list(ctx, obj, "throttleReadIOPSDevice", &b->throttle_read_iops);
    if (r >= 0)
        r = parse_throttle_list(ctx, obj, "throttleWriteIOPSDevice", &b->throttle_write_iops);
    return r;
}

/* "<size><unit-prefix>B": "64KB", "2MB", "1GB". */
static bool is_page_size(const char *s)
{
    size_t digits = strspn(s, "0123456789");
    if (digits == 0)
        return false;
    s += digits;
    if (*s && strchr("KMGTPE", *s))
        s++;
    return strcmp(s, "B") == 0;
}

static int parse_hugepage_limit(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_hugepage_limit *h = item;
    int r = spec_need_string(ctx, obj, "pageSize", &h->page_size);
    if (r >= 0 && !is_page_size(h->page_size))
        r = spec_fail_at(ctx, "pageSize", "\"%s\" is not a page size like \"2MB\" or \"1GB\"",
                         h->page_size);
    if (r >= 0)
        r = spec_need_u64(ctx, obj, "limit", &h->limit);
    return r;
}

static int parse_net_priority(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_net_priority *p = item;
    int r = spec_need_string(ctx, obj, "name", &p->name);
    if (r >= 0)
        r = spec_need_u32(ctx, obj, "priority", &p->priority);
    return r;
}

static int parse_network(struct spec_ctx *ctx, JsonObject *obj, void *out)
{
    struct nook_spec_network *n = out;
    int r = spec_get_u32(ctx, obj, "classID", &n->class_id);
    if (r >= 0)
        r = spec_get_object_array(ctx, obj, "priorities", sizeof(*n->priorities),
                                  (void **)&n->priorities, &n->n_priorities, parse_net_priority);
    return r;
}

static int take_rdma_device(struct spec_ctx *ctx, const char *device, void *item)
{
    struct nook_spec_rdma *rd = item;
    rd->device = strdup(device);
    if (!rd->device)
        return spec_oom(ctx);
    return 0;
}

static int parse_rdma_limits(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_rdma *rd = item;
    int r = spec_get_u32(ctx, obj, "hcaHandles", &rd->hca_handles);
    if (r >= 0)
        r = spec_get_u32(ctx, obj, "hcaObjects", &rd->hca_objects);
    if (r >= 0 && !rd->hca_handles.set && !rd->hca_objects.set)
        r = spec_fail(ctx, "needs \"hcaHandles\", \"hcaObjects\" or both");
    return r;
}

static int parse_rdma(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_resources *res)
{
    return spec_get_object_map(ctx, obj, "rdma", sizeof(*res->rdma), (void **)&res->rdma,
                               &res->n_rdma, take_rdma_device, parse_rdma_limits);
}

int spec_parse_resources_object(struct spec_ctx *ctx, JsonObject *obj,
                                struct nook_spec_resources *res)
{
    int r = spec_get_object_array(ctx, obj, "devices", sizeof(*res->devices),
                                  (void **)&res->devices, &res->n_devices, parse_device_rule);
    if (r >= 0)
        r = parse_sub(ctx, obj, "memory", sizeof(*res->memory), &res->memory, parse_memory);
    if (r >= 0)
        r = parse_sub(ctx, obj, "cpu", sizeof(*res->cpu), &res->cpu, parse_cpu);
    if (r >= 0)
        r = parse_sub(ctx, obj, "pids", sizeof(*res->pids), &res->pids, parse_pids);
    if (r >= 0)
        r = parse_sub(ctx, obj, "blockIO", sizeof(*res->block_io), &res->block_io,
                      parse_block_io);
    if (r >= 0)
        r = spec_get_object_array(ctx, obj, "hugepageLimits", sizeof(*res->hugepage_limits),
                                  (void **)&res->hugepage_limits, &res->n_hugepage_limits,
                                  parse_hugepage_limit);
    if (r >= 0)
        r = parse_sub(ctx, obj, "network", sizeof(*res->network), &res->network, parse_network);
    if (r >= 0)
        r = parse_rdma(ctx, obj, res);
    if (r >= 0)
        r = spec_get_string_map(ctx, obj, "unified", &res->unified);
    return r;
}

int nook_spec_parse_resources(const char *text, size_t len, const char *source,
                              struct nook_spec_resources **out, struct nook_error *err)
{
    struct spec_ctx ctx = { .source = source ? source : "resources.json", .err = err };
    g_autoptr(JsonParser) parser = NULL;
    JsonObject *top = NULL;
    int r = spec_parse_document(&ctx, text, len, &parser, &top);
    if (r < 0)
        return r;
    _cleanup_(nook_spec_resources_freep) struct nook_spec_resources *res = calloc(1, sizeof(*res));
    if (!res)
        return spec_oom(&ctx);
    r = spec_parse_resources_object(&ctx, top, res);
    if (r < 0)
        return r;
    *out = steal_pointer(&res);
    return 0;
}

