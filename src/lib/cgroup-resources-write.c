/* cgroup-resources-write.c: putting .linux.resources into a cgroup v2:
 * enabling the controllers the limits need along the path from where they
 * are available down to the container's cgroup, and writing each limit to
 * its interface file. What the settings mean and how they convert is in
 * cgroup-resources.c. */
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>

#include "cgroup-internal.h"
#include "spec.h"

#define CONFIG_WHERE "config.json: .linux.resources"

/* ---- enabling controllers ---- */

/* Why a controller could not be made available, and what fixes it. */
struct missing {
    char reason[512];
    char fix[512];
};

static int read_list_at_path(const char *dir, const char *file, char **out)
{
    _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct nook_error ignored = { 0 };
    return nook_cgroup_v2_read(fd, file, out, &ignored);
}

/* Make controller available to the children of parent_path: find the
 * nearest cgroup at or above it that has the controller, and enable it in
 * cgroup.subtree_control from there down to parent_path. */
static int enable_down_to(const char *parent_path, const char *controller, struct missing *why)
{
    const char *root;
    if (nook_cgroup_v2_root(&root) < 0) {
        snprintf(why->reason, sizeof(why->reason), "there is no cgroup v2 hierarchy");
        snprintf(why->fix, sizeof(why->fix), "mount cgroup2 on /sys/fs/cgroup");
        return -ENOENT;
    }
    /* The cgroups from the hierarchy's root down to parent_path, as
     * filesystem paths: "<root>", "<root>/a", "<root>/a/b". */
    _cleanup_free_ char *full = NULL;
    if (asprintf(&full, "%s%s", root, strcmp(parent_path, "/") == 0 ? "" : parent_path) < 0)
        return -ENOMEM;
    size_t root_len = strlen(root);
    size_t ends[128];
    size_t depth = 0;
    ends[depth++] = root_len;
    for (size_t i = root_len + 1; full[i] && depth < N_ELEMENTS(ends); i++)
        if (full[i] == '/' && full[i - 1] != '/')
            ends[depth++] = i;
    if (strlen(full) > root_len && depth < N_ELEMENTS(ends))
        ends[depth++] = strlen(full);

    size_t start = depth;
    for (size_t i = depth; i-- > 0 && start == depth;) {
        char saved = full[ends[i]];
        full[ends[i]] = '\0';
        _cleanup_free_ char *controllers = NULL;
        if (read_list_at_path(full, "cgroup.controllers", &controllers) == 0 &&
            nook_cgroup_v2_list_has(controllers, controller))
            start = i;
        full[ends[i]] = saved;
    }
    if (start == depth) {
        snprintf(why->reason, sizeof(why->reason),
                 "the cgroup v2 hierarchy at %s offers no \"%s\" controller", root, controller);
        snprintf(why->fix, sizeof(why->fix),
                 "make the controller available on cgroup v2 (on a hybrid host it is bound to a cgroup v1 hierarchy: boot with cgroup_no_v1=%s) and delegate it (systemd: Delegate=%s)",
                 controller, controller);
        return -ENOENT;
    }
    char plus[64];
    snprintf(plus, sizeof(plus), "+%s", controller);
    for (size_t i = start; i < depth; i++) {
        char saved = full[ends[i]];
        full[ends[i]] = '\0';
        _cleanup_close_ int fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *enabled = NULL;
        struct nook_error werr = { 0 };
        int r = fd < 0 ? -errno : nook_cgroup_v2_read(fd, "cgroup.subtree_control", &enabled, &werr);
        if (r == 0 && !nook_cgroup_v2_list_has(enabled, controller))
            r = nook_cgroup_v2_write(fd, "cgroup.subtree_control", plus, &werr);
        if (r < 0) {
            snprintf(why->reason, sizeof(why->reason),
                     "it is not delegated: enabling it in %s/cgroup.subtree_control failed: %s", full,
                     strerror(-r));
            if (r == -EBUSY)
                snprintf(why->fix, sizeof(why->fix),
                         "move the processes of %s into a leaf cgroup (cgroup v2 enables controllers only below cgroups without processes of their own)",
                         full);
            else
                snprintf(why->fix, sizeof(why->fix),
                         "delegate it (systemd: Delegate=%s in the unit; as root: echo +%s > %s/cgroup.subtree_control)",
                         controller, controller, full);
            full[ends[i]] = saved;
            return r;
        }
        full[ends[i]] = saved;
    }
    return 0;
}

/* Append "; part" to *text (or start it). */
static int append_part(char **text, const char *part)
{
    char *more = NULL;
    if (asprintf(&more, "%s%s%s", *text ? *text : "", *text ? "; " : "", part) < 0)
        return -ENOMEM;
    free(*text);
    *text = more;
    return 0;
}

int nook_cgroup_enable_controllers_at(int parent_dirfd, const char *parent_path,
                                      const struct nook_spec_resources *resources, bool optional,
                                      const char *where, char **warning, struct nook_error *err)
{
    const char *needed[16];
    size_t n = nook_cgroup_controllers_needed(resources, needed, N_ELEMENTS(needed));
    if (n == 0)
        return 0;
    _cleanup_free_ char *enabled = NULL;
    int r = nook_cgroup_v2_read(parent_dirfd, "cgroup.subtree_control", &enabled, err);
    if (r < 0)
        return nook_error_prefix(err, "cgroup %s", parent_path);
    _cleanup_free_ char *skipped = NULL;
    for (size_t i = 0; i < n; i++) {
        if (nook_cgroup_v2_list_has(enabled, needed[i]))
            continue;
        struct missing why = { 0 };
        r = enable_down_to(parent_path, needed[i], &why);
        if (r == -ENOMEM)
            return nook_error_set(err, ENOMEM, "out of memory");
        if (r == 0)
            continue;
        _cleanup_free_ char *paths = NULL;
        if (nook_cgroup_resources_paths(resources, where, NOOK_CGROUP_KIND(NOOK_CGROUP_LIMIT), needed[i],
                                        &paths) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
        if (!optional) {
            char *comma = paths ? strstr(paths, ", ") : NULL;
            if (comma)
                *comma = '\0';
            nook_error_set(err, ENOTSUP,
                           "%s: cannot be applied: the cgroup v2 controller \"%s\" is missing for the cgroups below %s: %s; %s, or add the annotation \"nook.cgroup.optional\": \"true\" to run without the limit",
                           str_or(paths, where), needed[i], parent_path, why.reason, why.fix);
            nook_cgroup_error_see(err, "cgroup.controllers");
            return -ENOTSUP;
        }
        _cleanup_free_ char *part = NULL;
        if (asprintf(&part, "%s: not applied: the cgroup v2 controller \"%s\" is missing: %s",
                     str_or(paths, where), needed[i], why.reason) < 0 ||
            append_part(&skipped, part) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
    }
    if (skipped) {
        if (asprintf(warning, "%s (nook.cgroup.optional is true)", skipped) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
    }
    return 0;
}

int nook_cgroup_enable_controllers(int parent_dirfd, const char *parent_path,
                                   const struct nook_spec_resources *resources, bool optional,
                                   char **warning, struct nook_error *err)
{
    return nook_cgroup_enable_controllers_at(parent_dirfd, parent_path, resources, optional,
                                             CONFIG_WHERE, warning, err);
}

/* ---- writing ---- */

struct writer {
    int dirfd;
    const char *where;
    char *available;           /* the cgroup's cgroup.controllers */
    struct nook_error *err;
};

static bool has(const struct writer *w, const char *controller)
{
    return nook_cgroup_v2_list_has(w->available, controller);
}

/* Write one setting; an error names its JSON path. A value that only
 * lifts a limit may meet a missing file (no swap accounting, say): then
 * there is nothing to lift. */
static int put(struct writer *w, const char *path, const char *file, const char *value,
               bool unlimited)
{
    int r = nook_cgroup_v2_write(w->dirfd, file, value, w->err);
    if (r == -ENOENT && unlimited) {
        nook_error_clear(w->err);
        return 0;
    }
    if (r < 0)
        return nook_error_prefix(w->err, "%s%s", w->where, path);
    return 0;
}

static void format_max(char *buf, size_t size, int64_t value)
{
    if (value < 0)
        snprintf(buf, size, "max");
    else
        snprintf(buf, size, "%" PRId64, value);
}

static int write_memory(struct writer *w, const struct nook_spec_memory *m)
{
    char value[32];
    int r = 0;
    if (m->limit.set && m->limit.value != 0) {
        format_max(value, sizeof(value), m->limit.value);
        r = put(w, ".memory.limit", "memory.max", value, m->limit.value < 0);
    }
    if (r == 0 && m->swap.set && (m->swap.value != 0 || (m->limit.set && m->limit.value == -1))) {
        int64_t swap = 0;
        if (nook_cgroup_swap_max(m->swap.value, m->limit.set ? m->limit.value : 0, &swap) < 0)
            return nook_error_set(w->err, EINVAL, "%s.memory.swap: cannot be converted for cgroup v2",
                                  w->where);
        format_max(value, sizeof(value), swap);
        r = put(w, ".memory.swap", "memory.swap.max", value, swap < 0);
    }
    if (r == 0 && m->reservation.set && m->reservation.value != 0) {
        format_max(value, sizeof(value), m->reservation.value);
        r = put(w, ".memory.reservation", "memory.low", value, m->reservation.value < 0);
    }
    return r;
}

/* cpu.max is "QUOTA PERIOD" in one file: a half given keeps the other
 * half the cgroup has now. */
static int write_cpu_max(struct writer *w, const struct nook_spec_cpu *c)
{
    bool quota = c->quota.set && c->quota.value != 0;
    bool period = c->period.set && c->period.value != 0;
    if (!quota && !period)
        return 0;
    char value[64];
    if (quota && !period) {
        /* The kernel keeps the period when only the quota is written. */
        format_max(value, sizeof(value), c->quota.value);
    } else {
        char current_quota[32] = "max";
        if (!quota) {
            _cleanup_free_ char *current = NULL;
            struct nook_error ignored = { 0 };
            if (nook_cgroup_v2_read(w->dirfd, "cpu.max", &current, &ignored) == 0)
                sscanf(current, "%31s", current_quota);
        } else {
            format_max(current_quota, sizeof(current_quota), c->quota.value);
        }
        snprintf(value, sizeof(value), "%s %" PRIu64, current_quota, c->period.value);
    }
    return put(w, quota ? ".cpu.quota" : ".cpu.period", "cpu.max", value, false);
}

static int write_cpu(struct writer *w, const struct nook_spec_cpu *c)
{
    char value[64];
    int r = 0;
    if (has(w, "cpu")) {
        if (c->shares.set && c->shares.value != 0) {
            snprintf(value, sizeof(value), "%" PRIu64, nook_cgroup_cpu_weight(c->shares.value));
            r = put(w, ".cpu.shares", "cpu.weight", value, false);
        }
        if (r == 0)
            r = write_cpu_max(w, c);
        if (r == 0 && c->burst.set) {
            snprintf(value, sizeof(value), "%" PRIu64, c->burst.value);
            r = put(w, ".cpu.burst", "cpu.max.burst", value, c->burst.value == 0);
        }
        if (r == 0 && c->idle.set) {
            snprintf(value, sizeof(value), "%" PRId64, c->idle.value);
            r = put(w, ".cpu.idle", "cpu.idle", value, c->idle.value == 0);
        }
    }
    if (r == 0 && has(w, "cpuset")) {
        if (c->cpus && *c->cpus)
            r = put(w, ".cpu.cpus", "cpuset.cpus", c->cpus, false);
        if (r == 0 && c->mems && *c->mems)
            r = put(w, ".cpu.mems", "cpuset.mems", c->mems, false);
    }
    return r;
}

/* Lines to one file, one write(2) each: io.max and the weight files take
 * one device per write. */
static int put_lines_open(struct writer *w, const char *file, int *fd)
{
    if (*fd >= 0)
        return 0;
    *fd = openat(w->dirfd, file, O_WRONLY | O_CLOEXEC);
    if (*fd < 0)
        return nook_error_set_errno(w->err, errno, "%s.blockIO: open %s", w->where, file);
    return 0;
}

static int put_line(struct writer *w, int fd, const char *path, const char *file, const char *line)
{
    size_t len = strlen(line);
    ssize_t n;
    do
        n = write(fd, line, len);
    while (n < 0 && errno == EINTR);
    if (n < 0 || (size_t)n != len)
        return nook_error_set_errno(w->err, n < 0 ? errno : EIO, "%s%s: write \"%s\" to %s", w->where,
                                    path, line, file);
    return 0;
}

static int write_throttles(struct writer *w, int *fd, const char *name, const char *key,
                           const struct nook_spec_throttle_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        char line[128], path[96];
        int r = nook_cgroup_io_max_line(list->items[i].major, list->items[i].minor, key,
                                        list->items[i].rate, line, sizeof(line));
        if (r == 0)
            r = put_lines_open(w, "io.max", fd);
        if (r < 0)
            return r;
        snprintf(path, sizeof(path), ".blockIO.%s[%zu]", name, i);
        r = put_line(w, *fd, path, "io.max", line);
        if (r < 0)
            return r;
    }
    return 0;
}

static int write_block_io(struct writer *w, const struct nook_spec_block_io *b)
{
    /* With the BFQ scheduler io.bfq.weight takes the runtime-spec's
     * weights as they are; io.weight wants them converted. */
    bool bfq = faccessat(w->dirfd, "io.bfq.weight", F_OK, 0) == 0;
    const char *weight_file = bfq ? "io.bfq.weight" : "io.weight";
    char value[64];
    int r = 0;
    if (b->weight.set && b->weight.value != 0) {
        snprintf(value, sizeof(value), "%" PRIu64,
                 bfq ? (uint64_t)b->weight.value : nook_cgroup_io_weight(b->weight.value));
        r = put(w, ".blockIO.weight", weight_file, value, false);
    }
    _cleanup_close_ int weight_fd = -1;
    for (size_t i = 0; r == 0 && i < b->n_weight_devices; i++) {
        const struct nook_spec_weight_device *d = &b->weight_devices[i];
        if (!d->weight.set)
            continue;
        char path[96];
        snprintf(path, sizeof(path), ".blockIO.weightDevice[%zu].weight", i);
        snprintf(value, sizeof(value), "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                 bfq ? (uint64_t)d->weight.value : nook_cgroup_io_weight(d->weight.value));
        r = put_lines_open(w, weight_file, &weight_fd);
        if (r == 0)
            r = put_line(w, weight_fd, path, weight_file, value);
    }
    _cleanup_close_ int max_fd = -1;
    if (r == 0)
        r = write_throttles(w, &max_fd, "throttleReadBpsDevice", "rbps", &b->throttle_read_bps);
    if (r == 0)
        r = write_throttles(w, &max_fd, "throttleWriteBpsDevice", "wbps", &b->throttle_write_bps);
    if (r == 0)
        r = write_throttles(w, &max_fd, "throttleReadIOPSDevice", "riops", &b->throttle_read_iops);
    if (r == 0)
        r = write_throttles(w, &max_fd, "throttleWriteIOPSDevice", "wiops", &b->throttle_write_iops);
    return r;
}

static int write_hugetlb(struct writer *w, const struct nook_spec_resources *res)
{
    for (size_t i = 0; i < res->n_hugepage_limits; i++) {
        char file[64], value[32], path[64];
        snprintf(file, sizeof(file), "hugetlb.%s.max", res->hugepage_limits[i].page_size);
        snprintf(value, sizeof(value), "%" PRIu64, res->hugepage_limits[i].limit);
        snprintf(path, sizeof(path), ".hugepageLimits[%zu]", i);
        int r = put(w, path, file, value, false);
        if (r < 0)
            return r;
    }
    return 0;
}

static int write_rdma(struct writer *w, const struct nook_spec_resources *res)
{
    for (size_t i = 0; i < res->n_rdma; i++) {
        const struct nook_spec_rdma *d = &res->rdma[i];
        char line[256], handles[48] = "", objects[48] = "", path[160];
        if (d->hca_handles.set)
            snprintf(handles, sizeof(handles), " hca_handle=%" PRIu32, d->hca_handles.value);
        if (d->hca_objects.set)
            snprintf(objects, sizeof(objects), " hca_object=%" PRIu32, d->hca_objects.value);
        snprintf(line, sizeof(line), "%s%s%s", d->device, handles, objects);
        snprintf(path, sizeof(path), ".rdma[\"%s\"]", d->device);
        int r = put(w, path, "rdma.max", line, false);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Written last: the runtime-spec gives unified precedence over the
 * fields above it. */
static int write_unified(struct writer *w, const struct nook_spec_map *unified)
{
    for (size_t i = 0; i < unified->count; i++) {
        const char *key = unified->items[i].key;
        const char *dot = strchr(key, '.');
        if (!dot)
            continue;
        char controller[32];
        snprintf(controller, sizeof(controller), "%.*s", (int)(dot - key), key);
        if (strcmp(controller, "cgroup") != 0 && !has(w, controller))
            continue;
        char path[160];
        snprintf(path, sizeof(path), ".unified[\"%s\"]", key);
        int r = put(w, path, key, unified->items[i].value, false);
        if (r < 0)
            return r;
    }
    return 0;
}

int nook_cgroup_write_resources_at(int dirfd, const struct nook_spec_resources *res,
                                   const char *where, struct nook_error *err)
{
    if (!res)
        return 0;
    struct writer w = { .dirfd = dirfd, .where = where, .err = err };
    int r = nook_cgroup_v2_read(dirfd, "cgroup.controllers", &w.available, err);
    if (r < 0)
        return r;
    if (res->memory && has(&w, "memory"))
        r = write_memory(&w, res->memory);
    if (r == 0 && res->pids && res->pids->limit.set && res->pids->limit.value != 0 && has(&w, "pids")) {
        char value[32];
        format_max(value, sizeof(value), res->pids->limit.value);
        r = put(&w, ".pids.limit", "pids.max", value, res->pids->limit.value < 0);
    }
    if (r == 0 && res->cpu)
        r = write_cpu(&w, res->cpu);
    if (r == 0 && res->block_io && has(&w, "io"))
        r = write_block_io(&w, res->block_io);
    if (r == 0 && has(&w, "hugetlb"))
        r = write_hugetlb(&w, res);
    if (r == 0 && has(&w, "rdma"))
        r = write_rdma(&w, res);
    if (r == 0)
        r = write_unified(&w, &res->unified);
    free(w.available);
    return r;
}

int nook_cgroup_write_resources(int dirfd, const struct nook_spec_resources *resources,
                                struct nook_error *err)
{
    return nook_cgroup_write_resources_at(dirfd, resources, CONFIG_WHERE, err);
}
