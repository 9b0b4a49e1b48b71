/* cgroup-resources.c: what .linux.resources asks of a cgroup v2, before
 * anything is written: which settings are limits and which controller each
 * needs, the settings cgroup v2 has no file for, the checks the kernel
 * would otherwise make half way through, and the conversions from the
 * runtime-spec's cgroup v1 numbers to cgroup v2's. Writing them is in
 * cgroup-resources-write.c. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "cgroup-internal.h"
#include "spec.h"

#define CONFIG_WHERE "config.json: .linux.resources"

/* The cgroup v2 controllers a limit can name, as static strings. */
static const char *const known_controllers[] = {
    "cpu", "cpuset", "io", "memory", "pids", "hugetlb", "rdma", "misc",
};

static const char *controller_static(const char *name, size_t len)
{
    for (size_t i = 0; i < N_ELEMENTS(known_controllers); i++)
        if (strlen(known_controllers[i]) == len && strncmp(known_controllers[i], name, len) == 0)
            return known_controllers[i];
    return NULL;
}

/* ---- conversions ---- */

/* cpu.shares (cgroup v1, 2..262144, default 1024) to cpu.weight (cgroup
 * v2, 1..10000, default 100), as runc (opencontainers/cgroups since 2025)
 * and crun (1.23) convert it: a quadratic in log2(shares) fitted through
 * the three points that must match (2 -> 1, 1024 -> 100, 262144 -> 10000):
 *     l = log2(shares)
 *     weight = ceil(10 ^ ((l^2 + 125 l) / 612 - 7/34))
 * The older linear formula, 1 + (shares - 2) * 9999 / 262142, turned the
 * default 1024 into 39, well below cgroup v2's default of 100. 0 means
 * "not set" and stays 0. */
uint64_t nook_cgroup_cpu_weight(uint64_t shares)
{
    if (shares == 0)
        return 0;
    if (shares <= 2)
        return 1;
    if (shares >= 262144)
        return 10000;
    double l = log2((double)shares);
    double exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
    return (uint64_t)ceil(pow(10.0, exponent));
}

/* blockIO.weight (10..1000) to io.weight (1..10000), linearly, as runc and
 * crun do where the BFQ scheduler's io.bfq.weight (which takes the v1
 * number as it is) is missing. */
uint64_t nook_cgroup_io_weight(uint16_t weight)
{
    if (weight == 0)
        return 0;
    if (weight < 10)
        return 1;
    return 1 + ((uint64_t)weight - 10) * 9999 / 990;
}

/* memory.swap in the runtime-spec is memory plus swap (cgroup v1's
 * memsw); cgroup v2's memory.swap.max is swap alone, so the limit is
 * taken away, as runc does:
 *   limit -1 and swap 0     -> -1 (both unlimited)
 *   swap -1 or 0            -> as it is (unlimited, not set)
 *   limit -1                -> swap as it is
 *   limit 0 (not set)       -> error: swap needs a memory limit
 *   swap < limit            -> error
 *   otherwise               -> swap - limit
 * A limit that was not given is 0 here. */
int nook_cgroup_swap_max(int64_t swap, int64_t limit, int64_t *out)
{
    if (limit == -1 && swap == 0) {
        *out = -1;
        return 0;
    }
    if (swap == -1 || swap == 0 || limit == -1) {
        *out = swap;
        return 0;
    }
    if (limit == 0)
        return -EDESTADDRREQ;
    if (limit < 0)
        return -EINVAL;
    if (swap < limit)
        return -ERANGE;
    *out = swap - limit;
    return 0;
}

/* ---- syntax ---- */

/* A cpu or memory-node list as cpuset takes it: "0-3,7,9-10"; no spaces,
 * ranges ascending. */
bool nook_cgroup_is_cpu_list(const char *text)
{
    const char *p = text;
    if (!*p)
        return false;
    for (;;) {
        size_t digits = strspn(p, "0123456789");
        if (digits == 0 || digits > 9)
            return false;
        unsigned long first = strtoul(p, NULL, 10);
        p += digits;
        if (*p == '-') {
            p++;
            digits = strspn(p, "0123456789");
            if (digits == 0 || digits > 9)
                return false;
            unsigned long last = strtoul(p, NULL, 10);
            if (last < first)
                return false;
            p += digits;
        }
        if (*p == '\0')
            return true;
        if (*p != ',')
            return false;
        p++;
    }
}

int nook_cgroup_io_max_line(int64_t major, int64_t minor, const char *key, uint64_t rate, char *buf,
                            size_t size)
{
    /* cgroup v1 took 0 as "no limit"; cgroup v2 says "max" for that. */
    int n = rate == 0 ? snprintf(buf, size, "%" PRId64 ":%" PRId64 " %s=max", major, minor, key)
                      : snprintf(buf, size, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, major, minor, key, rate);
    return n < 0 || (size_t)n >= size ? -ENOBUFS : 0;
}

/* ---- every setting, with the controller it needs ---- */

/* Interface files of the core (cgroup.*) that are operations, not
 * settings: a unified key may not name them. */
static const char *const unified_refused[] = {
    "cgroup.procs", "cgroup.threads", "cgroup.kill", "cgroup.freeze", "cgroup.events",
    "cgroup.controllers", "cgroup.stat",
};

void nook_cgroup_each_setting(const struct nook_spec_resources *res, nook_cgroup_setting_fn fn,
                              void *data)
{
    if (!res)
        return;
    char path[256];
#define VISIT(p, ctl, kind)                                                                      \
    do {                                                                                         \
        struct nook_cgroup_setting s_ = { (p), (ctl), (kind) };                                  \
        if (!fn(data, &s_))                                                                      \
            return;                                                                              \
    } while (0)
    const struct nook_spec_memory *m = res->memory;
    if (m) {
        if (m->limit.set && m->limit.value != 0)
            VISIT(".memory.limit", "memory",
                  m->limit.value < 0 ? NOOK_CGROUP_UNLIMITED : NOOK_CGROUP_LIMIT);
        if (m->reservation.set && m->reservation.value != 0)
            VISIT(".memory.reservation", "memory",
                  m->reservation.value < 0 ? NOOK_CGROUP_UNLIMITED : NOOK_CGROUP_LIMIT);
        if (m->swap.set && (m->swap.value != 0 || (m->limit.set && m->limit.value == -1)))
            VISIT(".memory.swap", "memory",
                  m->swap.value <= 0 ? NOOK_CGROUP_UNLIMITED : NOOK_CGROUP_LIMIT);
        if (m->kernel.set)
            VISIT(".memory.kernel", NULL, NOOK_CGROUP_NOT_V2);
        if (m->kernel_tcp.set)
            VISIT(".memory.kernelTCP", NULL, NOOK_CGROUP_NOT_V2);
        if (m->swappiness.set)
            VISIT(".memory.swappiness", NULL, NOOK_CGROUP_NOT_V2);
        if (m->disable_oom_killer.set && m->disable_oom_killer.value)
            VISIT(".memory.disableOOMKiller", NULL, NOOK_CGROUP_NOT_V2);
        /* cgroup v2 is always hierarchical: only "false" asks for what it
         * cannot do. */
        if (m->use_hierarchy.set && !m->use_hierarchy.value)
            VISIT(".memory.useHierarchy", NULL, NOOK_CGROUP_NOT_V2);
    }
    const struct nook_spec_cpu *c = res->cpu;
    if (c) {
        /* 1024, cgroup v1's default share, is what engines pass when the
         * user asked for nothing (`ctr run`): it is cgroup v2's default
         * weight, which every process has where the cpu controller is
         * missing, so it needs no controller (as a lifted limit). */
        if (c->shares.set && c->shares.value != 0)
            VISIT(".cpu.shares", "cpu", c->shares.value == 1024 ? NOOK_CGROUP_UNLIMITED : NOOK_CGROUP_LIMIT);
        if (c->quota.set && c->quota.value != 0)
            VISIT(".cpu.quota", "cpu", c->quota.value < 0 ? NOOK_CGROUP_UNLIMITED : NOOK_CGROUP_LIMIT);
        if (c->period.set && c->period.value != 0)
            VISIT(".cpu.period", "cpu", NOOK_CGROUP_LIMIT);
        if (c->burst.set)
            VISIT(".cpu.burst", "cpu", c->burst.value == 0 ? NOOK_CGROUP_UNLIMITED : NOOK_CGROUP_LIMIT);
        if (c->idle.set)
            VISIT(".cpu.idle", "cpu", c->idle.value == 0 ? NOOK_CGROUP_UNLIMITED : NOOK_CGROUP_LIMIT);
        if (c->realtime_runtime.set && c->realtime_runtime.value != 0)
            VISIT(".cpu.realtimeRuntime", NULL, NOOK_CGROUP_NOT_V2);
        if (c->realtime_period.set && c->realtime_period.value != 0)
            VISIT(".cpu.realtimePeriod", NULL, NOOK_CGROUP_NOT_V2);
        if (c->cpus && *c->cpus)
            VISIT(".cpu.cpus", "cpuset", NOOK_CGROUP_LIMIT);
        if (c->mems && *c->mems)
            VISIT(".cpu.mems", "cpuset", NOOK_CGROUP_LIMIT);
    }
    if (res->pids && res->pids->limit.set && res->pids->limit.value != 0)
        VISIT(".pids.limit", "pids", res->pids->limit.value < 0 ? NOOK_CGROUP_UNLIMITED : NOOK_CGROUP_LIMIT);
    const struct nook_spec_block_io *b = res->block_io;
    if (b) {
        if (b->weight.set && b->weight.value != 0)
            VISIT(".blockIO.weight", "io", NOOK_CGROUP_LIMIT);
        if (b->leaf_weight.set && b->leaf_weight.value != 0)
            VISIT(".blockIO.leafWeight", NULL, NOOK_CGROUP_NOT_V2);
        for (size_t i = 0; i < b->n_weight_devices; i++) {
            if (b->weight_devices[i].weight.set) {
                snprintf(path, sizeof(path), ".blockIO.weightDevice[%zu].weight", i);
                VISIT(path, "io", NOOK_CGROUP_LIMIT);
            }
            if (b->weight_devices[i].leaf_weight.set) {
                snprintf(path, sizeof(path), ".blockIO.weightDevice[%zu].leafWeight", i);
                VISIT(path, NULL, NOOK_CGROUP_NOT_V2);
            }
        }
        if (b->throttle_read_bps.count)
            VISIT(".blockIO.throttleReadBpsDevice", "io", NOOK_CGROUP_LIMIT);
        if (b->throttle_write_bps.count)
            VISIT(".blockIO.throttleWriteBpsDevice", "io", NOOK_CGROUP_LIMIT);
        if (b->throttle_read_iops.count)
            VISIT(".blockIO.throttleReadIOPSDevice", "io", NOOK_CGROUP_LIMIT);
        if (b->throttle_write_iops.count)
            VISIT(".blockIO.throttleWriteIOPSDevice", "io", NOOK_CGROUP_LIMIT);
    }
    if (res->n_hugepage_limits)
        VISIT(".hugepageLimits", "hugetlb", NOOK_CGROUP_LIMIT);
    if (res->network && (res->network->class_id.set || res->network->n_priorities))
        VISIT(".network", NULL, NOOK_CGROUP_NOT_V2);
    if (res->n_rdma)
        VISIT(".rdma", "rdma", NOOK_CGROUP_LIMIT);
    for (size_t i = 0; i < res->unified.count; i++) {
        const char *key = res->unified.items[i].key;
        const char *dot = strchr(key, '.');
        snprintf(path, sizeof(path), ".unified[\"%s\"]", key);
        const char *ctl = dot ? controller_static(key, (size_t)(dot - key)) : NULL;
        VISIT(path, ctl, ctl ? NOOK_CGROUP_LIMIT : NOOK_CGROUP_CORE);
    }
#undef VISIT
}

struct needed_ctx {
    const char **out;
    size_t size;
    size_t count;
};

static bool add_needed(void *data, const struct nook_cgroup_setting *s)
{
    struct needed_ctx *ctx = data;
    if (s->kind != NOOK_CGROUP_LIMIT || !s->controller)
        return true;
    for (size_t i = 0; i < ctx->count; i++)
        if (strcmp(ctx->out[i], s->controller) == 0)
            return true;
    if (ctx->count + 1 < ctx->size)
        ctx->out[ctx->count++] = s->controller;
    return true;
}

size_t nook_cgroup_controllers_needed(const struct nook_spec_resources *resources,
                                      const char **out, size_t size)
{
    struct needed_ctx ctx = { out, size, 0 };
    if (size == 0)
        return 0;
    nook_cgroup_each_setting(resources, add_needed, &ctx);
    out[ctx.count] = NULL;
    return ctx.count;
}

/* ---- lists of JSON paths, for the messages ---- */

struct paths_ctx {
    const char *where;
    unsigned kinds;
    const char *controller;     /* NULL: any */
    char *text;
    size_t count;
    bool failed;
};

static bool add_path(void *data, const struct nook_cgroup_setting *s)
{
    struct paths_ctx *ctx = data;
    if (!(ctx->kinds & NOOK_CGROUP_KIND(s->kind)) || (ctx->controller && (!s->controller || strcmp(ctx->controller, s->controller) != 0)))
        return true;
    char *more = NULL;
    if (asprintf(&more, "%s%s%s%s", ctx->text ? ctx->text : "", ctx->text ? ", " : "",
                 ctx->count ? "" : ctx->where, s->path) < 0) {
        ctx->failed = true;
        return false;
    }
    free(ctx->text);
    ctx->text = more;
    ctx->count++;
    return true;
}

int nook_cgroup_resources_paths(const struct nook_spec_resources *res, const char *where,
                                unsigned kinds, const char *controller, char **out)
{
    struct paths_ctx ctx = { .where = where, .kinds = kinds, .controller = controller };
    nook_cgroup_each_setting(res, add_path, &ctx);
    if (ctx.failed) {
        free(ctx.text);
        return -ENOMEM;
    }
    *out = ctx.text;
    return (int)ctx.count;
}

int nook_cgroup_resources_not_v2(const struct nook_spec_resources *res, const char *where,
                                 bool optional, char **warning, struct nook_error *err)
{
    _cleanup_free_ char *paths = NULL;
    int n = nook_cgroup_resources_paths(res, where, NOOK_CGROUP_KIND(NOOK_CGROUP_NOT_V2), NULL,
                                        &paths);
    if (n < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    if (n == 0)
        return 0;
    if (!optional) {
        /* Name the first only: the rest follow once it is fixed. */
        char *comma = strstr(paths, ", ");
        if (comma)
            *comma = '\0';
        return nook_error_set(err, ENOTSUP,
                              "%s: cannot be applied: cgroup v2 has no such setting (it was cgroup v1's, and nook uses only cgroup v2); remove it, or add the annotation \"nook.cgroup.optional\": \"true\" to run without it",
                              paths);
    }
    if (asprintf(warning, "%s: not applied: cgroup v2 has no such setting", paths) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    return 0;
}

/* ---- validation ---- */

static int check_device(const char *where, const char *path, int64_t major, int64_t minor,
                        struct nook_error *err)
{
    if (major < 0 || minor < 0)
        return nook_error_set(err, EINVAL, "%s%s: device %" PRId64 ":%" PRId64 " is not a device number",
                              where, path, major, minor);
    return 0;
}

static int check_throttles(const char *where, const char *name,
                           const struct nook_spec_throttle_list *list, struct nook_error *err)
{
    for (size_t i = 0; i < list->count; i++) {
        char path[128];
        snprintf(path, sizeof(path), ".blockIO.%s[%zu]", name, i);
        int r = check_device(where, path, list->items[i].major, list->items[i].minor, err);
        if (r < 0)
            return r;
    }
    return 0;
}

static int check_io_weight(const char *where, const char *path, uint16_t weight,
                           struct nook_error *err)
{
    if (weight != 0 && (weight < 10 || weight > 1000))
        return nook_error_set(err, EINVAL, "%s%s: %u is out of range (a block I/O weight is from 10 to 1000)",
                              where, path, weight);
    return 0;
}

static int validate_block_io(const struct nook_spec_block_io *b, const char *where,
                             struct nook_error *err)
{
    int r = 0;
    if (b->weight.set)
        r = check_io_weight(where, ".blockIO.weight", b->weight.value, err);
    for (size_t i = 0; r == 0 && i < b->n_weight_devices; i++) {
        char path[96];
        snprintf(path, sizeof(path), ".blockIO.weightDevice[%zu]", i);
        r = check_device(where, path, b->weight_devices[i].major, b->weight_devices[i].minor, err);
        if (r == 0 && b->weight_devices[i].weight.set) {
            snprintf(path, sizeof(path), ".blockIO.weightDevice[%zu].weight", i);
            r = check_io_weight(where, path, b->weight_devices[i].weight.value, err);
        }
    }
    if (r == 0)
        r = check_throttles(where, "throttleReadBpsDevice", &b->throttle_read_bps, err);
    if (r == 0)
        r = check_throttles(where, "throttleWriteBpsDevice", &b->throttle_write_bps, err);
    if (r == 0)
        r = check_throttles(where, "throttleReadIOPSDevice", &b->throttle_read_iops, err);
    if (r == 0)
        r = check_throttles(where, "throttleWriteIOPSDevice", &b->throttle_write_iops, err);
    return r;
}

static int validate_cpu(const struct nook_spec_cpu *c, const char *where, struct nook_error *err)
{
    /* The kernel's bounds for cpu.max: a period from 1 ms to 1 s, a quota
     * of at least 1 ms. */
    if (c->period.set && c->period.value != 0 &&
        (c->period.value < 1000 || c->period.value > 1000000))
        return nook_error_set(err, EINVAL, "%s.cpu.period: %" PRIu64 " is out of range (from 1000 to 1000000 microseconds)",
                              where, c->period.value);
    if (c->quota.set && c->quota.value > 0 && c->quota.value < 1000)
        return nook_error_set(err, EINVAL, "%s.cpu.quota: %" PRId64 " is too small (at least 1000 microseconds, or -1 for no limit)",
                              where, c->quota.value);
    if (c->quota.set && c->quota.value < -1)
        return nook_error_set(err, EINVAL, "%s.cpu.quota: %" PRId64 " is not a quota (-1 is no limit)",
                              where, c->quota.value);
    if (c->idle.set && c->idle.value != 0 && c->idle.value != 1)
        return nook_error_set(err, EINVAL, "%s.cpu.idle: %" PRId64 " is not 0 or 1", where, c->idle.value);
    if (c->cpus && *c->cpus && !nook_cgroup_is_cpu_list(c->cpus))
        return nook_error_set(err, EINVAL, "%s.cpu.cpus: \"%s\" is not a cpu list (like \"0-3,7\")",
                              where, c->cpus);
    if (c->mems && *c->mems && !nook_cgroup_is_cpu_list(c->mems))
        return nook_error_set(err, EINVAL, "%s.cpu.mems: \"%s\" is not a memory node list (like \"0-1,3\")",
                              where, c->mems);
    return 0;
}

static int validate_memory(const struct nook_spec_memory *m, const char *where,
                           struct nook_error *err)
{
    if (!m->swap.set)
        return 0;
    int64_t out;
    int r = nook_cgroup_swap_max(m->swap.value, m->limit.set ? m->limit.value : 0, &out);
    if (r == -EDESTADDRREQ)
        return nook_error_set(err, EINVAL, "%s.memory.swap: a swap limit needs a memory limit (.memory.limit) beside it",
                              where);
    if (r == -ERANGE)
        return nook_error_set(err, EINVAL, "%s.memory.swap: %" PRId64 " is below .memory.limit %" PRId64 " (swap is memory plus swap)",
                              where, m->swap.value, m->limit.value);
    if (r < 0)
        return nook_error_set(err, EINVAL, "%s.memory.swap: cannot be converted for cgroup v2", where);
    return 0;
}

static int validate_unified(const struct nook_spec_map *unified, const char *where,
                            struct nook_error *err)
{
    for (size_t i = 0; i < unified->count; i++) {
        const char *key = unified->items[i].key;
        const char *dot = strchr(key, '.');
        if (!*key || strchr(key, '/') || strstr(key, "..") || !dot || dot == key || !dot[1])
            return nook_error_set(err, EINVAL, "%s.unified: \"%s\" is not a cgroup interface file name (like \"memory.high\": no \"/\", no \"..\")",
                                  where, key);
        size_t prefix = (size_t)(dot - key);
        bool core = prefix == 6 && strncmp(key, "cgroup", 6) == 0;
        if (!core && !controller_static(key, prefix))
            return nook_error_set(err, EINVAL, "%s.unified[\"%s\"]: \"%.*s\" is not a cgroup v2 controller (cpu, cpuset, io, memory, pids, hugetlb, rdma, misc or cgroup)",
                                  where, key, (int)prefix, key);
        for (size_t j = 0; core && j < N_ELEMENTS(unified_refused); j++)
            if (strcmp(key, unified_refused[j]) == 0)
                return nook_error_set(err, EINVAL, "%s.unified[\"%s\"]: is not a setting nook lets config.json write",
                                      where, key);
        if (strchr(unified->items[i].value, '\n') && strchr(unified->items[i].value, '\n')[1])
            return nook_error_set(err, EINVAL, "%s.unified[\"%s\"]: the value has more than one line",
                                  where, key);
    }
    return 0;
}

static int validate_rdma(const struct nook_spec_resources *res, const char *where,
                         struct nook_error *err)
{
    for (size_t i = 0; i < res->n_rdma; i++) {
        const char *dev = res->rdma[i].device;
        if (!*dev || strpbrk(dev, " \t\n/"))
            return nook_error_set(err, EINVAL, "%s.rdma: \"%s\" is not an rdma device name", where, dev);
    }
    return 0;
}

int nook_cgroup_resources_validate_at(const struct nook_spec_resources *res, const char *where,
                                      struct nook_error *err)
{
    if (!res)
        return 0;
    int r = 0;
    if (res->memory)
        r = validate_memory(res->memory, where, err);
    if (r == 0 && res->cpu)
        r = validate_cpu(res->cpu, where, err);
    if (r == 0 && res->block_io)
        r = validate_block_io(res->block_io, where, err);
    if (r == 0)
        r = validate_rdma(res, where, err);
    if (r == 0)
        r = validate_unified(&res->unified, where, err);
    return r;
}

int nook_cgroup_resources_validate(const struct nook_spec_resources *resources,
                                   struct nook_error *err)
{
    return nook_cgroup_resources_validate_at(resources, CONFIG_WHERE, err);
}
