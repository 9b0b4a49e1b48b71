/* cgroup-systemd-props.c: what the systemd cgroup manager asks systemd
 * for, worked out before anything is started: the unit's name from
 * .linux.cgroupsPath, the limits of .linux.resources as unit properties,
 * and the org.systemd.property.* annotations read as D-Bus values. Pure C:
 * no bus, no library, so the unit test can check every translation. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-systemd.h"
#include "spec.h"

/* systemd's UNIT_NAME_MAX is 256 with the terminating NUL. */
#define UNIT_NAME_MAX_LEN 255
/* The most cpus (or memory nodes) a cpuset list may name: systemd's own
 * limit for a CPU set is 8192; a little slack costs nothing. */
#define CPUSET_BITS_MAX (1u << 16)
/* systemd keeps CPUQuota= as a whole percent of a CPU: 10 ms per second. */
#define USEC_PER_SEC UINT64_C(1000000)
#define CPU_QUOTA_STEP_USEC UINT64_C(10000)
#define CPU_PERIOD_DEFAULT_USEC UINT64_C(100000)

/* ---- values and property lists ---- */

void nook_sd_value_clear(struct nook_sd_value *value)
{
    if (strcmp(value->type, "s") == 0)
        free(value->s);
    else if (strcmp(value->type, "as") == 0)
        strv_free(value->strv);
    else if (strcmp(value->type, "ay") == 0)
        free(value->bytes.data);
    memset(value, 0, sizeof(*value));
}

void nook_sd_props_clear(struct nook_sd_props *props)
{
    for (size_t i = 0; i < props->count; i++) {
        free(props->items[i].name);
        nook_sd_value_clear(&props->items[i].value);
    }
    free(props->items);
    props->items = NULL;
    props->count = 0;
}

const struct nook_sd_prop *nook_sd_props_find(const struct nook_sd_props *props,
                                              const char *name)
{
    for (size_t i = 0; i < props->count; i++)
        if (strcmp(props->items[i].name, name) == 0)
            return &props->items[i];
    return NULL;
}

int nook_sd_props_set(struct nook_sd_props *props, const char *name, struct nook_sd_value *value)
{
    for (size_t i = 0; i < props->count; i++) {
        if (strcmp(props->items[i].name, name) == 0) {
            nook_sd_value_clear(&props->items[i].value);
            props->items[i].value = *value;
            memset(value, 0, sizeof(*value));
            return 0;
        }
    }
    char *copy = strdup(name);
    if (!copy)
        return -ENOMEM;
    struct nook_sd_prop *items = realloc(props->items, (props->count + 1) * sizeof(*items));
    if (!items) {
        free(copy);
        return -ENOMEM;
    }
    props->items = items;
    props->items[props->count].name = copy;
    props->items[props->count].value = *value;
    props->count++;
    memset(value, 0, sizeof(*value));
    return 0;
}

static int set_u64(struct nook_sd_props *props, const char *name, uint64_t v)
{
    struct nook_sd_value value = { .type = "t", .u64 = v };
    return nook_sd_props_set(props, name, &value);
}

static int set_bool(struct nook_sd_props *props, const char *name, bool v)
{
    struct nook_sd_value value = { .type = "b", .b = v };
    return nook_sd_props_set(props, name, &value);
}

static int set_string(struct nook_sd_props *props, const char *name, const char *v)
{
    struct nook_sd_value value = { .type = "s", .s = strdup(v) };
    if (!value.s)
        return -ENOMEM;
    return nook_sd_props_set(props, name, &value);
}

/* Append printf output to buf at *used, never past size. */
_printf_(4, 5) static void buf_add(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
    if (*used >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, size - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used += (size_t)n < size - *used ? (size_t)n : size - *used - 1;
}

void nook_sd_value_format(const struct nook_sd_value *value, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return;
    buf[0] = '\0';
    const char *t = value->type;
    buf_add(buf, size, &used, "%s ", t);
    if (strcmp(t, "b") == 0)
        buf_add(buf, size, &used, "%s", value->b ? "true" : "false");
    else if (strcmp(t, "d") == 0)
        buf_add(buf, size, &used, "%g", value->d);
    else if (t[1] == '\0' && nook_sd_type_is_signed(t[0]))
        buf_add(buf, size, &used, "%" PRId64, value->i64);
    else if (t[1] == '\0' && nook_sd_type_is_integer(t[0]))
        buf_add(buf, size, &used, "%" PRIu64, value->u64);
    else if (strcmp(t, "s") == 0)
        buf_add(buf, size, &used, "'%s'", value->s);
    else if (strcmp(t, "as") == 0) {
        buf_add(buf, size, &used, "[");
        for (char **s = value->strv; s && *s; s++)
            buf_add(buf, size, &used, "%s'%s'", s == value->strv ? "" : ", ", *s);
        buf_add(buf, size, &used, "]");
    } else if (strcmp(t, "ay") == 0) {
        for (size_t i = 0; i < value->bytes.len; i++)
            buf_add(buf, size, &used, "%s0x%02x", i ? " " : "", value->bytes.data[i]);
    }
    /* No trailing blank for an empty byte array. */
    if (used > 0 && buf[used - 1] == ' ')
        buf[used - 1] = '\0';
}

void nook_sd_quote(const char *s, char *out, size_t size)
{
    size_t n = 0, shown = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 5 < size; p++, shown++) {
        if (shown == NOOK_SD_QUOTE_MAX) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
            out[n++] = (char)*p;
        else
            n += (size_t)snprintf(out + n, size - n, "\\x%02x", *p);
    }
    out[n] = '\0';
}

/* ---- the unit name ---- */

static bool is_unit_char(char c)
{
    return isascii((unsigned char)c) &&
           (isalnum((unsigned char)c) || c == ':' || c == '-' || c == '_' || c == '.' || c == '\\');
}

static bool all_unit_chars(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_unit_char(s[i]))
            return false;
    return true;
}

/* A slice name as systemd takes it: "-.slice" (the root), or dash-separated
 * parents, "a-b.slice" being b inside a.slice. */
static const char *slice_problem(const char *slice)
{
    size_t len = strlen(slice);
    const char *suffix = ".slice";
    size_t slen = strlen(suffix);
    if (len <= slen || strcmp(slice + len - slen, suffix) != 0)
        return "a slice's name ends in \".slice\"";
    if (len > UNIT_NAME_MAX_LEN)
        return "it is longer than the 255 characters of a systemd unit name";
    if (strchr(slice, '/'))
        return "a slice is named, not given as a path: \"a-b.slice\" is b inside a.slice";
    if (!all_unit_chars(slice, len))
        return "a unit name has only letters, digits and \":-_.\\\"";
    if (strcmp(slice, "-.slice") == 0)
        return NULL;
    size_t stem = len - slen;
    if (slice[0] == '-' || slice[stem - 1] == '-' || strstr(slice, "--"))
        return "the dashes of a slice name separate parent slices: no leading, trailing or double dash";
    return NULL;
}

int nook_sd_unit_name(const char *cgroups_path, const char *id, char **unit, char **slice,
                      struct nook_error *err)
{
    *unit = NULL;
    *slice = NULL;
    char shown[NOOK_SD_QUOTED_SIZE];
    if (!cgroups_path || !*cgroups_path) {
        _cleanup_free_ char *name = NULL;
        if (asprintf(&name, "nook-%s.scope", id) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
        if (strlen(name) > UNIT_NAME_MAX_LEN)
            return nook_error_set(err, EINVAL,
                                  "the container id is too long for a systemd unit name "
                                  "(nook-<id>.scope must fit in 255 characters): use a shorter "
                                  "id, or name the unit with .linux.cgroupsPath \"slice:prefix:name\"");
        if (!all_unit_chars(name, strlen(name)))
            return nook_error_set(err, EINVAL,
                                  "the container id has characters a systemd unit name cannot "
                                  "have: name the unit with .linux.cgroupsPath \"slice:prefix:name\"");
        *unit = steal_pointer(&name);
        return 0;
    }

    nook_sd_quote(cgroups_path, shown, sizeof(shown));
    const char *first = strchr(cgroups_path, ':');
    const char *second = first ? strchr(first + 1, ':') : NULL;
    if (!first || !second || strchr(second + 1, ':'))
        return nook_error_set(err, EINVAL,
                              "config.json: .linux.cgroupsPath: \"%s\" is not in the form "
                              "\"slice:prefix:name\" that the systemd cgroup manager takes "
                              "(e.g. \"user.slice:nook:%s\"; an empty slice is the manager's "
                              "default)",
                              shown, id);
    size_t slice_len = (size_t)(first - cgroups_path);
    size_t prefix_len = (size_t)(second - first - 1);
    const char *name = second + 1;
    size_t name_len = strlen(name);

    _cleanup_free_ char *slice_name = slice_len ? strndup(cgroups_path, slice_len) : NULL;
    if (slice_len && !slice_name)
        return nook_error_set(err, ENOMEM, "out of memory");
    if (slice_name) {
        const char *problem = slice_problem(slice_name);
        if (problem)
            return nook_error_set(err, EINVAL,
                                  "config.json: .linux.cgroupsPath: \"%s\": the slice is not a "
                                  "systemd slice name: %s",
                                  shown, problem);
    }
    if (name_len == 0)
        return nook_error_set(err, EINVAL,
                              "config.json: .linux.cgroupsPath: \"%s\": the name after the "
                              "second \":\" is empty",
                              shown);
    if (name_len > 6 && strcmp(name + name_len - 6, ".slice") == 0)
        return nook_error_set(err, EINVAL,
                              "config.json: .linux.cgroupsPath: \"%s\": the name is a slice; a "
                              "container runs in a scope, so give a name without \".slice\"",
                              shown);
    if (!all_unit_chars(first + 1, prefix_len) || !all_unit_chars(name, name_len))
        return nook_error_set(err, EINVAL,
                              "config.json: .linux.cgroupsPath: \"%s\": the prefix and the name "
                              "make a systemd unit name, which has only letters, digits and "
                              "\":-_.\\\"",
                              shown);
    _cleanup_free_ char *unit_name = NULL;
    int n = prefix_len ? asprintf(&unit_name, "%.*s-%s.scope", (int)prefix_len, first + 1, name)
                       : asprintf(&unit_name, "%s.scope", name);
    if (n < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    if (strlen(unit_name) > UNIT_NAME_MAX_LEN)
        return nook_error_set(err, EINVAL,
                              "config.json: .linux.cgroupsPath: \"%s\": the unit name "
                              "prefix-name.scope is longer than the 255 characters systemd "
                              "allows",
                              shown);
    *unit = steal_pointer(&unit_name);
    *slice = steal_pointer(&slice_name);
    return 0;
}

/* ---- conversions ---- */

/* "0-3,7" → systemd's CPU set over D-Bus: a byte array, bit i of byte j
 * being cpu 8*j + i. -EINVAL for anything that is not such a list. */
static int cpuset_to_bytes(const char *list, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    _cleanup_free_ uint8_t *bytes = NULL;
    size_t len = 0;
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        if (!isdigit((unsigned char)*p))
            return -EINVAL;
        char *end = NULL;
        errno = 0;
        unsigned long lo = strtoul(p, &end, 10), hi = lo;
        if (errno || lo >= CPUSET_BITS_MAX)
            return -EINVAL;
        p = end;
        if (*p == '-') {
            p++;
            if (!isdigit((unsigned char)*p))
                return -EINVAL;
            errno = 0;
            hi = strtoul(p, &end, 10);
            if (errno || hi >= CPUSET_BITS_MAX || hi < lo)
                return -EINVAL;
            p = end;
        }
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (*p == ',') {
            p++;
            if (!*p)
                return -EINVAL;
        } else if (*p) {
            return -EINVAL;
        }
        size_t need = hi / 8 + 1;
        if (need > len) {
            uint8_t *grown = realloc(bytes, need);
            if (!grown)
                return -ENOMEM;
            memset(grown + len, 0, need - len);
            bytes = grown;
            len = need;
        }
        for (unsigned long cpu = lo; cpu <= hi; cpu++)
            bytes[cpu / 8] |= (uint8_t)(1u << (cpu % 8));
    }
    *out = steal_pointer(&bytes);
    *out_len = len;
    return 0;
}

static int set_cpuset(struct nook_sd_props *props, const char *name, const char *list,
                      const char *path, struct nook_error *err)
{
    char shown[NOOK_SD_QUOTED_SIZE];
    if (!*list)
        return 0; /* "": inherit the parent's set */
    struct nook_sd_value value = { .type = "ay" };
    int r = nook_cgroup_is_cpu_list(list) ? cpuset_to_bytes(list, &value.bytes.data, &value.bytes.len)
                                          : -EINVAL;
    if (r == -ENOMEM)
        return nook_error_set(err, ENOMEM, "out of memory");
    if (r < 0) {
        nook_sd_quote(list, shown, sizeof(shown));
        return nook_error_set(err, EINVAL, "%s: \"%s\" is not a list like \"0-3,6\"",
                              path, shown);
    }
    r = nook_sd_props_set(props, name, &value);
    nook_sd_value_clear(&value);
    return r < 0 ? nook_error_set(err, -r, "out of memory") : 0;
}

/* A memory or pids value: "max" → infinity, else a decimal. */
static int parse_max_or_number(const char *text, uint64_t *out)
{
    while (*text == ' ' || *text == '\t' || *text == '\n')
        text++;
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n'))
        len--;
    if (len == 3 && strncmp(text, "max", 3) == 0) {
        *out = UINT64_MAX;
        return 0;
    }
    if (len == 0 || !isdigit((unsigned char)text[0]))
        return -EINVAL;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || (size_t)(end - text) != len)
        return -EINVAL;
    *out = v;
    return 0;
}

/* CPUQuotaPerSecUSec from a quota per period, rounded up to systemd's 1 %
 * steps: systemd derives the scope's cpu.max from it, and rounding down
 * would leave the container's own cpu.max (written exactly, below the
 * scope) above what its parent allows. */
static int cpu_quota_per_sec(int64_t quota, uint64_t period, uint64_t *out)
{
    if (quota <= 0) {
        *out = UINT64_MAX;
        return 0;
    }
    if (period == 0)
        period = CPU_PERIOD_DEFAULT_USEC;
    unsigned __int128 per_sec = (unsigned __int128)quota * USEC_PER_SEC / period;
    if (per_sec % CPU_QUOTA_STEP_USEC)
        per_sec = (per_sec / CPU_QUOTA_STEP_USEC + 1) * CPU_QUOTA_STEP_USEC;
    if (per_sec >= UINT64_MAX)
        return -ERANGE;
    *out = (uint64_t)per_sec;
    return 0;
}

/* Memory limits: -1 is "no limit" (infinity), other negatives are wrong. */
static int memory_value(int64_t v, const char *path, uint64_t *out, struct nook_error *err)
{
    if (v < -1)
        return nook_error_set(err, EINVAL,
                              "%s: %" PRId64 " is not a size in bytes (-1: no limit)",
                              path, v);
    *out = v == -1 ? UINT64_MAX : (uint64_t)v;
    return 0;
}

static int memory_props(const struct nook_spec_memory *m, const char *where,
                        struct nook_sd_props *props, struct nook_error *err)
{
    char path[256];
    uint64_t v = 0;
    int r;
    if (m->limit.set && m->limit.value != 0) {
        snprintf(path, sizeof(path), "%s.memory.limit", where);
        if ((r = memory_value(m->limit.value, path, &v, err)) < 0)
            return r;
        if (set_u64(props, "MemoryMax", v) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
    }
    if (m->reservation.set && m->reservation.value != 0) {
        snprintf(path, sizeof(path), "%s.memory.reservation", where);
        if ((r = memory_value(m->reservation.value, path, &v, err)) < 0)
            return r;
        if (set_u64(props, "MemoryLow", v) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
    }
    if (!m->swap.set)
        return 0;
    /* memory+swap (cgroup v1) to swap alone, as the cgroup writer does. */
    int64_t swap;
    snprintf(path, sizeof(path), "%s.memory.swap", where);
    r = nook_cgroup_swap_max(m->swap.value, m->limit.set ? m->limit.value : 0, &swap);
    if (r == -EDESTADDRREQ)
        return nook_error_set(err, EINVAL,
                              "%s: a swap limit needs a memory limit (%s.memory.limit): swap is "
                              "memory+swap, as in cgroup v1",
                              path, where);
    if (r == -ERANGE)
        return nook_error_set(err, EINVAL,
                              "%s: %" PRId64 " is below the memory limit %" PRId64
                              " (swap is memory+swap, as in cgroup v1)",
                              path, m->swap.value, m->limit.value);
    if (r < 0 || swap < -1)
        return nook_error_set(err, EINVAL, "%s: %" PRId64 " is not a size in bytes (-1: no limit)",
                              path, m->swap.value);
    if (swap == 0)
        return 0; /* not set */
    v = swap == -1 ? UINT64_MAX : (uint64_t)swap;
    if (set_u64(props, "MemorySwapMax", v) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    return 0;
}

static int cpu_props(const struct nook_spec_cpu *c, const char *where,
                     struct nook_sd_props *props, struct nook_error *err)
{
    char path[256];
    if (c->shares.set && c->shares.value != 0 &&
        set_u64(props, "CPUWeight", nook_cgroup_cpu_weight(c->shares.value)) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    uint64_t period = c->period.set && c->period.value > 0 ? c->period.value : 0;
    if (period && set_u64(props, "CPUQuotaPeriodUSec", period) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    if (c->quota.set) {
        uint64_t per_sec;
        snprintf(path, sizeof(path), "%s.cpu.quota", where);
        if (cpu_quota_per_sec(c->quota.value, period, &per_sec) < 0)
            return nook_error_set(err, ERANGE, "%s: %" PRId64 " is too large", path,
                                  c->quota.value);
        if (set_u64(props, "CPUQuotaPerSecUSec", per_sec) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
    }
    int r;
    if (c->cpus) {
        snprintf(path, sizeof(path), "%s.cpu.cpus", where);
        if ((r = set_cpuset(props, "AllowedCPUs", c->cpus, path, err)) < 0)
            return r;
    }
    if (c->mems) {
        snprintf(path, sizeof(path), "%s.cpu.mems", where);
        if ((r = set_cpuset(props, "AllowedMemoryNodes", c->mems, path, err)) < 0)
            return r;
    }
    return 0;
}

/* The unified keys systemd has a property for; the rest only go to the
 * files of the container's cgroup. */
static int unified_prop(const char *key, const char *value, const char *where,
                        struct nook_sd_props *props, struct nook_error *err)
{
    static const struct {
        const char *key;
        const char *prop;
    } max_or_number[] = {
        { "memory.max", "MemoryMax" },   { "memory.high", "MemoryHigh" },
        { "memory.low", "MemoryLow" },   { "memory.min", "MemoryMin" },
        { "memory.swap.max", "MemorySwapMax" }, { "pids.max", "TasksMax" },
    };
    char path[512], shown_key[NOOK_SD_QUOTED_SIZE], shown[NOOK_SD_QUOTED_SIZE];
    nook_sd_quote(key, shown_key, sizeof(shown_key));
    nook_sd_quote(value, shown, sizeof(shown));
    snprintf(path, sizeof(path), "%s.unified[\"%s\"]", where, shown_key);
    uint64_t v;
    for (size_t i = 0; i < N_ELEMENTS(max_or_number); i++) {
        if (strcmp(key, max_or_number[i].key) != 0)
            continue;
        if (parse_max_or_number(value, &v) < 0)
            return nook_error_set(err, EINVAL,
                                  "%s: \"%s\" is neither \"max\" nor a number", path,
                                  shown);
        return set_u64(props, max_or_number[i].prop, v) < 0
                   ? nook_error_set(err, ENOMEM, "out of memory")
                   : 0;
    }
    if (strcmp(key, "cpu.weight") == 0) {
        if (parse_max_or_number(value, &v) < 0 || v == UINT64_MAX || v < 1 || v > 10000)
            return nook_error_set(err, EINVAL,
                                  "%s: \"%s\" is not a weight from 1 to 10000", path,
                                  shown);
        return set_u64(props, "CPUWeight", v) < 0 ? nook_error_set(err, ENOMEM, "out of memory")
                                                   : 0;
    }
    if (strcmp(key, "io.weight") == 0) {
        /* "N" or "default N"; per-device lines have no single property. */
        const char *number = strncmp(value, "default ", 8) == 0 ? value + 8 : value;
        if (parse_max_or_number(number, &v) == 0 && v >= 1 && v <= 10000)
            return set_u64(props, "IOWeight", v) < 0
                       ? nook_error_set(err, ENOMEM, "out of memory")
                       : 0;
        return 0;
    }
    if (strcmp(key, "cpu.max") == 0) {
        char quota_text[32] = "", period_text[32] = "";
        int fields = sscanf(value, " %31s %31s", quota_text, period_text);
        uint64_t quota = 0, period = 0;
        if (fields < 1 || parse_max_or_number(quota_text, &quota) < 0 ||
            (fields == 2 &&
             (parse_max_or_number(period_text, &period) < 0 || period == UINT64_MAX || !period)))
            return nook_error_set(err, EINVAL,
                                  "%s: \"%s\" is not \"QUOTA [PERIOD]\" (QUOTA a "
                                  "number or \"max\")",
                                  path, shown);
        uint64_t per_sec;
        if (quota != UINT64_MAX && quota > INT64_MAX)
            return nook_error_set(err, ERANGE, "%s: \"%s\" is too large", path, shown);
        if (cpu_quota_per_sec(quota == UINT64_MAX ? -1 : (int64_t)quota, period, &per_sec) < 0)
            return nook_error_set(err, ERANGE, "%s: \"%s\" is too large", path, shown);
        if ((period && set_u64(props, "CPUQuotaPeriodUSec", period) < 0) ||
            set_u64(props, "CPUQuotaPerSecUSec", per_sec) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
        return 0;
    }
    if (strcmp(key, "cpuset.cpus") == 0)
        return set_cpuset(props, "AllowedCPUs", value, path, err);
    if (strcmp(key, "cpuset.mems") == 0)
        return set_cpuset(props, "AllowedMemoryNodes", value, path, err);
    return 0;
}

int nook_sd_props_from_resources(const struct nook_spec_resources *resources, const char *where,
                                 struct nook_sd_props *props, struct nook_error *err)
{
    if (!resources)
        return 0;
    int r;
    if (resources->memory && (r = memory_props(resources->memory, where, props, err)) < 0)
        return r;
    if (resources->pids && resources->pids->limit.set) {
        int64_t limit = resources->pids->limit.value;
        if (set_u64(props, "TasksMax", limit > 0 ? (uint64_t)limit : UINT64_MAX) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
    }
    if (resources->cpu && (r = cpu_props(resources->cpu, where, props, err)) < 0)
        return r;
    if (resources->block_io && resources->block_io->weight.set &&
        resources->block_io->weight.value != 0 &&
        set_u64(props, "IOWeight", nook_cgroup_io_weight(resources->block_io->weight.value)) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < resources->unified.count; i++) {
        const struct nook_spec_kv *kv = &resources->unified.items[i];
        if ((r = unified_prop(kv->key, kv->value, where, props, err)) < 0)
            return r;
    }
    return 0;
}

/* ---- the whole unit ---- */

int nook_sd_unit_props(const struct nook_cgroup_request *request, const char *slice,
                       struct nook_sd_props *props, struct nook_error *err)
{
    _cleanup_free_ char *description = NULL;
    if (asprintf(&description, "nook container %s", request->id) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    int r = set_string(props, "Description", description);
    if (r == 0 && slice)
        r = set_string(props, "Slice", slice);
    /* Delegate: the container's processes run in a sub-cgroup nook makes
     * inside the scope. Accounting on for every controller, as runc does,
     * so that the controllers are enabled down to the scope. No default
     * dependencies: a container's scope must not be ordered against
     * shutdown.target and friends. */
    static const char *const on[] = { "Delegate", "MemoryAccounting", "CPUAccounting",
                                      "IOAccounting", "TasksAccounting" };
    for (size_t i = 0; r == 0 && i < N_ELEMENTS(on); i++)
        r = set_bool(props, on[i], true);
    if (r == 0)
        r = set_bool(props, "DefaultDependencies", false);
    if (r < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    if ((r = nook_sd_props_from_resources(request->resources, "config.json: .linux.resources", props,
                                          err)) < 0)
        return r;
    return nook_sd_props_from_annotations(request->annotations, props, err);
}
