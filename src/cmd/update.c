/* update.c: `nook update`: runc's flags (or a resources JSON object from
 * -r FILE|-) turned into a struct nook_spec_resources holding only what was
 * given, then applied to the container's cgroup. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "commands.h"
#include "lib/container-cgroup.h"
#include "lib/spec.h"
#include "lifecycle.h"
#include "report.h"

static const struct nook_option update_options[] = {
    { "resources", 'r', NOOK_OPT_VALUE, "FILE", "read the new resources as JSON from FILE (\"-\" for stdin)" },
    { "blkio-weight", 0, NOOK_OPT_VALUE, "N", "block IO weight (10-1000)" },
    { "cpu-period", 0, NOOK_OPT_VALUE, "USEC", "CPU CFS period" },
    { "cpu-quota", 0, NOOK_OPT_VALUE, "USEC", "CPU CFS quota" },
    { "cpu-burst", 0, NOOK_OPT_VALUE, "USEC", "CPU CFS burst" },
    { "cpu-share", 0, NOOK_OPT_VALUE, "N", "CPU shares (relative weight)" },
    { "cpu-idle", 0, NOOK_OPT_VALUE, "0|1", "1: the container's tasks get SCHED_IDLE" },
    { "cpu-rt-period", 0, NOOK_OPT_VALUE, "USEC", "CPU realtime period" },
    { "cpu-rt-runtime", 0, NOOK_OPT_VALUE, "USEC", "CPU realtime runtime" },
    { "cpuset-cpus", 0, NOOK_OPT_VALUE, "LIST", "CPUs the container may use (0-3, 0,1)" },
    { "cpuset-mems", 0, NOOK_OPT_VALUE, "LIST", "memory nodes the container may use" },
    { "kernel-memory", 0, NOOK_OPT_VALUE, "BYTES", "kernel memory limit (ignored on cgroup v2)" },
    { "kernel-memory-tcp", 0, NOOK_OPT_VALUE, "BYTES", "kernel TCP buffer limit (ignored on cgroup v2)" },
    { "memory", 0, NOOK_OPT_VALUE, "BYTES", "memory limit" },
    { "memory-reservation", 0, NOOK_OPT_VALUE, "BYTES", "memory soft limit" },
    { "memory-swap", 0, NOOK_OPT_VALUE, "BYTES", "memory plus swap limit" },
    { "pids-limit", 0, NOOK_OPT_VALUE, "N", "maximum number of processes" },
    { "l3-cache-schema", 0, NOOK_OPT_VALUE, "SCHEMA", "Intel RDT L3 cache schema" },
    { "mem-bw-schema", 0, NOOK_OPT_VALUE, "SCHEMA", "Intel RDT memory bandwidth schema" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

/* The flags that set a limit: ignored (with a warning) under -r, as runc
 * ignores them. */
static const char *const limit_flags[] = {
    "blkio-weight", "cpu-period", "cpu-quota", "cpu-burst", "cpu-share", "cpu-idle",
    "cpu-rt-period", "cpu-rt-runtime", "cpuset-cpus", "cpuset-mems", "memory",
    "memory-reservation", "memory-swap", "pids-limit", NULL,
};

static int bad_value(const char *flag, const char *value, const char *want, struct nook_error *err)
{
    return nook_error_set(err, EINVAL, "--%s \"%s\": %s", flag, value, want);
}

/* A size as runc reads one (docker's RAMInBytes): a number, a fraction
 * allowed, an optional space and unit k, m, g, t or p (powers of 1024,
 * either case, "b", "ib" or nothing after it: "64m", "1.5g", "512MiB"),
 * or -1 for no limit. */
static int parse_size(const char *flag, const char *text, int64_t *out, struct nook_error *err)
{
    static const char want[] = "must be a size such as 64m, 1g or 1048576, or -1";
    if (strcmp(text, "-1") == 0) {
        *out = -1;
        return 0;
    }
    const char *p = text;
    size_t digits = strspn(p, "0123456789");
    if (digits == 0)
        return bad_value(flag, text, want, err);
    p += digits;
    if (*p == '.') {
        size_t fraction = strspn(p + 1, "0123456789");
        if (fraction == 0)
            return bad_value(flag, text, want, err);
        p += 1 + fraction;
    }
    size_t number_len = (size_t)(p - text);
    if (*p == ' ')
        p++;
    double multiplier = 1;
    const char *units = "kmgtp";
    char lower = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
    const char *unit = lower ? strchr(units, lower) : NULL;
    if (unit) {
        for (const char *u = units; u <= unit; u++)
            multiplier *= 1024;
        p++;
    }
    if (*p == 'i' || *p == 'I')
        p++;
    if (*p == 'b' || *p == 'B')
        p++;
    if (*p)
        return bad_value(flag, text, want, err);
    _cleanup_free_ char *number = strndup(text, number_len);
    if (!number)
        return nook_error_set(err, ENOMEM, "out of memory");
    double value = strtod(number, NULL) * multiplier;
    if (!(value < 9223372036854775807.0))
        return bad_value(flag, text, "is too large", err);
    *out = (int64_t)value;
    return 0;
}

static int parse_u64(const char *flag, const char *text, uint64_t *out, struct nook_error *err)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (!*text || *text == '-' || *text == '+' || !end || *end || errno)
        return bad_value(flag, text, "must be a non-negative whole number", err);
    *out = v;
    return 0;
}

static int parse_i64(const char *flag, const char *text, int64_t *out, struct nook_error *err)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *text == '+' || !end || *end || errno)
        return bad_value(flag, text, "must be a whole number", err);
    *out = v;
    return 0;
}

static void *alloc_part(void **part, size_t size)
{
    if (!*part)
        *part = calloc(1, size);
    return *part;
}

#define PART(res, member) ((__typeof__((res)->member))alloc_part((void **)&(res)->member, \
                                                                 sizeof(*(res)->member)))

/* Every limit flag given, into res. */
static int resources_from_flags(const struct nook_parsed *parsed, struct nook_spec_resources *res,
                                struct nook_error *err)
{
    static const char *const size_flags[] = { "memory", "memory-reservation", "memory-swap" };
    const char *v;
    int r = 0;
    for (size_t i = 0; i < N_ELEMENTS(size_flags); i++) {
        if (!(v = nook_parsed_value(parsed, size_flags[i])))
            continue;
        struct nook_spec_memory *m = PART(res, memory);
        if (!m)
            return nook_error_set(err, ENOMEM, "out of memory");
        struct nook_opt_i64 *target = i == 0 ? &m->limit : i == 1 ? &m->reservation : &m->swap;
        if ((r = parse_size(size_flags[i], v, &target->value, err)) < 0)
            return r;
        target->set = true;
    }
    if ((v = nook_parsed_value(parsed, "pids-limit"))) {
        struct nook_spec_pids *p = PART(res, pids);
        if (!p)
            return nook_error_set(err, ENOMEM, "out of memory");
        if ((r = parse_i64("pids-limit", v, &p->limit.value, err)) < 0)
            return r;
        p->limit.set = true;
    }
    if ((v = nook_parsed_value(parsed, "blkio-weight"))) {
        uint64_t weight;
        if ((r = parse_u64("blkio-weight", v, &weight, err)) < 0)
            return r;
        if (weight < 10 || weight > 1000)
            return bad_value("blkio-weight", v, "must be from 10 to 1000", err);
        struct nook_spec_block_io *b = PART(res, block_io);
        if (!b)
            return nook_error_set(err, ENOMEM, "out of memory");
        b->weight = (struct nook_opt_u16){ true, (uint16_t)weight };
    }
    static const char *const cpu_flags[] = { "cpu-period", "cpu-quota", "cpu-burst", "cpu-share",
                                             "cpu-idle", "cpu-rt-period", "cpu-rt-runtime",
                                             "cpuset-cpus", "cpuset-mems" };
    for (size_t i = 0; i < N_ELEMENTS(cpu_flags); i++) {
        if (!(v = nook_parsed_value(parsed, cpu_flags[i])))
            continue;
        struct nook_spec_cpu *c = PART(res, cpu);
        if (!c)
            return nook_error_set(err, ENOMEM, "out of memory");
        const char *f = cpu_flags[i];
        struct nook_opt_u64 *u = strcmp(f, "cpu-period") == 0      ? &c->period
                                 : strcmp(f, "cpu-burst") == 0     ? &c->burst
                                 : strcmp(f, "cpu-share") == 0     ? &c->shares
                                 : strcmp(f, "cpu-rt-period") == 0 ? &c->realtime_period
                                                                   : NULL;
        struct nook_opt_i64 *s = strcmp(f, "cpu-quota") == 0        ? &c->quota
                                 : strcmp(f, "cpu-idle") == 0       ? &c->idle
                                 : strcmp(f, "cpu-rt-runtime") == 0 ? &c->realtime_runtime
                                                                    : NULL;
        char **text = strcmp(f, "cpuset-cpus") == 0 ? &c->cpus : &c->mems;
        if (u && (r = parse_u64(f, v, &u->value, err)) < 0)
            return r;
        if (s && (r = parse_i64(f, v, &s->value, err)) < 0)
            return r;
        if (u)
            u->set = true;
        else if (s)
            s->set = true;
        else if (!(*text = strdup(v)))
            return nook_error_set(err, ENOMEM, "out of memory");
    }
    return 0;
}

/* Everything fd holds (a resources object is small; 1 MiB is plenty). */
static int read_all(int fd, const char *what, char **out, size_t *len, struct nook_error *err)
{
    size_t size = 4096, used = 0;
    _cleanup_free_ char *text = malloc(size);
    if (!text)
        return nook_error_set(err, ENOMEM, "out of memory");
    for (;;) {
        if (used + 1 == size) {
            if (size >= 1024 * 1024)
                return nook_error_set(err, EFBIG, "--resources: %s is larger than 1 MiB", what);
            char *grown = realloc(text, size * 2);
            if (!grown)
                return nook_error_set(err, ENOMEM, "out of memory");
            text = grown;
            size *= 2;
        }
        ssize_t n = read(fd, text + used, size - used - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nook_error_set_errno(err, errno, "--resources: read %s", what);
        if (n == 0)
            break;
        used += (size_t)n;
    }
    text[used] = '\0';
    *out = steal_pointer(&text);
    *len = used;
    return 0;
}

/* -r FILE or -r - (standard input), parsed as a resources object. */
static int resources_from_file(const char *path, struct nook_spec_resources **out,
                               struct nook_error *err)
{
    bool from_stdin = strcmp(path, "-") == 0;
    _cleanup_close_ int fd = from_stdin ? -1 : open(path, O_RDONLY | O_CLOEXEC);
    if (!from_stdin && fd < 0)
        return nook_error_set_errno(err, errno, "--resources: open %s", path);
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    const char *source = from_stdin ? "standard input" : path;
    int r = read_all(from_stdin ? STDIN_FILENO : fd, source, &text, &len, err);
    if (r < 0)
        return r;
    return nook_spec_parse_resources(text, len, source, out, err);
}

/* runc's compatibility rule with cgroup v1: an unlimited memory limit
 * without a swap limit makes swap unlimited too. */
static void unlimited_memory_unlimits_swap(struct nook_spec_resources *res)
{
    if (res->memory && res->memory->limit.set && res->memory->limit.value == -1 &&
        !res->memory->swap.set)
        res->memory->swap = (struct nook_opt_i64){ true, -1 };
}

/* *usage: the error is in how the flags were given (exit status 2). */
static int update_resources(const struct nook_globals *globals, const struct nook_parsed *parsed,
                            struct nook_spec_resources **out, bool *usage, struct nook_error *err)
{
    *usage = false;
    static const char *const rdt_flags[] = { "l3-cache-schema", "mem-bw-schema" };
    for (size_t i = 0; i < N_ELEMENTS(rdt_flags); i++)
        if (nook_parsed_value(parsed, rdt_flags[i]))
            return nook_error_set(err, ENOTSUP, "--%s: nook does not support Intel RDT",
                                  rdt_flags[i]);
    static const char *const ignored[] = { "kernel-memory", "kernel-memory-tcp" };
    for (size_t i = 0; i < N_ELEMENTS(ignored); i++)
        if (nook_parsed_value(parsed, ignored[i]))
            nook_report(globals, NOOK_LEVEL_WARNING,
                        "update: --%s is ignored: cgroup v2 has no kernel memory limit", ignored[i]);

    const char *file = nook_parsed_value(parsed, "resources");
    if (file) {
        for (const char *const *f = limit_flags; *f; f++)
            if (nook_parsed_value(parsed, *f))
                nook_report(globals, NOOK_LEVEL_WARNING,
                            "update: --%s is ignored because --resources is given", *f);
        int r = resources_from_file(file, out, err);
        if (r < 0)
            return r;
    } else {
        bool any = false;
        for (const char *const *f = limit_flags; *f && !any; f++)
            any = nook_parsed_value(parsed, *f) != NULL;
        *usage = true;
        if (!any)
            return nook_error_set(err, EINVAL, "no limit to change: give --resources FILE or a "
                                  "limit flag such as --memory (see 'nook update --help')");
        _cleanup_(nook_spec_resources_freep) struct nook_spec_resources *res = calloc(1, sizeof(*res));
        if (!res)
            return nook_error_set(err, ENOMEM, "out of memory");
        int r = resources_from_flags(parsed, res, err);
        if (r < 0)
            return r;
        *usage = false;
        *out = steal_pointer(&res);
    }
    unlimited_memory_unlimits_swap(*out);
    return 0;
}

static int update_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    struct nook_error err = { 0 };
    _cleanup_(nook_spec_resources_freep) struct nook_spec_resources *res = NULL;
    bool usage = false;
    int r = update_resources(globals, parsed, &res, &usage, &err);
    if (r < 0) {
        nook_error_prefix(&err, "update");
        int code = nook_report_error(globals, &err);
        return usage ? 2 : code;
    }
    _cleanup_free_ char *root = NULL;
    r = nook_cmd_state_root(globals, &root, &err);
    if (r == 0)
        r = nook_container_update(root, parsed->argv[0], res, &err);
    if (r < 0) {
        nook_error_prefix(&err, "update");
        return nook_report_error(globals, &err);
    }
    return 0;
}

const struct nook_command nook_cmd_update = {
    .name = "update",
    .args_usage = "<container-id>",
    .summary = "change the resource limits of a running container",
    .options = update_options,
    .min_args = 1,
    .max_args = 1,
    .run = update_run,
};
