/* cgroup-stats.c: read a cgroup v2 directory's statistics and write them
 * as runc's `events` JSON (see cgroup-stats.h for the shape). The JSON is
 * written by hand: the figures are unsigned 64-bit (a limit of "max" is
 * 18446744073709551615), which json-glib's signed integers cannot carry,
 * and the executable does not link json-glib (json-module.h). */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-stats.h"

#define HUGEPAGES_DIR "/sys/kernel/mm/hugepages"
/* Bigger than any cgroup interface file; memory.stat is about 2 KiB. */
#define STAT_FILE_MAX (1024 * 1024)

void nook_cgroup_stats_clear(struct nook_cgroup_stats *stats)
{
    for (size_t i = 0; i < stats->memory.n_raw; i++)
        free(stats->memory.raw[i].key);
    free(stats->memory.raw);
    free(stats->blkio.service_bytes.items);
    free(stats->blkio.serviced.items);
    for (size_t i = 0; i < stats->n_hugetlb; i++)
        free(stats->hugetlb[i].page_size);
    free(stats->hugetlb);
    memset(stats, 0, sizeof(*stats));
}

/* ---- parsing ---- */

static int parse_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20)
        return -EINVAL;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
        unsigned digit = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return -ERANGE;
        v = v * 10 + digit;
    }
    *out = v;
    return 0;
}

int nook_cgroup_parse_limit(const char *text, uint64_t *out)
{
    size_t len = strcspn(text, "\n");
    if (len == 3 && strncmp(text, "max", 3) == 0) {
        *out = UINT64_MAX;
        return 0;
    }
    return parse_u64(text, len, out);
}

/* The next line of text: [*line, *line + *len); false at the end. */
static bool next_line(const char **cursor, const char **line, size_t *len)
{
    if (!**cursor)
        return false;
    *line = *cursor;
    *len = strcspn(*cursor, "\n");
    *cursor += *len;
    if (**cursor == '\n')
        (*cursor)++;
    return true;
}

/* "key value" → the key's length and the value. */
static int split_keyed(const char *line, size_t len, size_t *key_len, uint64_t *value)
{
    const char *space = memchr(line, ' ', len);
    if (!space || space == line)
        return -EINVAL;
    *key_len = (size_t)(space - line);
    return parse_u64(space + 1, len - *key_len - 1, value);
}

static int malformed(struct nook_error *err, const char *file, const char *line, size_t len)
{
    return nook_error_set(err, EINVAL, "%s: malformed line \"%.*s\"", file,
                          (int)(len > 80 ? 80 : len), line);
}

int nook_cgroup_keyed_value(const char *text, const char *key, uint64_t *out)
{
    size_t want = strlen(key);
    const char *cursor = text, *line;
    size_t len, key_len;
    uint64_t value;
    while (next_line(&cursor, &line, &len))
        if (split_keyed(line, len, &key_len, &value) == 0 && key_len == want &&
            strncmp(line, key, want) == 0) {
            *out = value;
            return 0;
        }
    return -ENOENT;
}

static bool key_is(const char *line, size_t key_len, const char *key)
{
    return strlen(key) == key_len && strncmp(line, key, key_len) == 0;
}

int nook_cgroup_stats_parse_cpu(const char *text, struct nook_cgroup_stats *stats,
                                struct nook_error *err)
{
    const char *cursor = text, *line;
    size_t len, key_len;
    uint64_t v;
    while (next_line(&cursor, &line, &len)) {
        if (split_keyed(line, len, &key_len, &v) < 0)
            return malformed(err, "cpu.stat", line, len);
        /* cgroup v2 counts microseconds; runc reports nanoseconds. */
        if (key_is(line, key_len, "usage_usec"))
            stats->cpu.total = v * 1000;
        else if (key_is(line, key_len, "user_usec"))
            stats->cpu.user = v * 1000;
        else if (key_is(line, key_len, "system_usec"))
            stats->cpu.kernel = v * 1000;
        else if (key_is(line, key_len, "nr_periods"))
            stats->cpu.periods = v;
        else if (key_is(line, key_len, "nr_throttled"))
            stats->cpu.throttled_periods = v;
        else if (key_is(line, key_len, "throttled_usec"))
            stats->cpu.throttled_time = v * 1000;
    }
    return 0;
}

static int compare_kv(const void *a, const void *b)
{
    return strcmp(((const struct nook_stat_kv *)a)->key, ((const struct nook_stat_kv *)b)->key);
}

int nook_cgroup_stats_parse_memory_stat(const char *text, struct nook_cgroup_stats *stats,
                                        struct nook_error *err)
{
    const char *cursor = text, *line;
    size_t len, key_len, allocated = stats->memory.n_raw;
    uint64_t v;
    while (next_line(&cursor, &line, &len)) {
        if (split_keyed(line, len, &key_len, &v) < 0)
            return malformed(err, "memory.stat", line, len);
        if (stats->memory.n_raw == allocated) {
            allocated = allocated ? allocated * 2 : 64;
            struct nook_stat_kv *grown = reallocarray(stats->memory.raw, allocated,
                                                      sizeof(*grown));
            if (!grown)
                return nook_error_set(err, ENOMEM, "out of memory");
            stats->memory.raw = grown;
        }
        char *key = strndup(line, key_len);
        if (!key)
            return nook_error_set(err, ENOMEM, "out of memory");
        stats->memory.raw[stats->memory.n_raw++] = (struct nook_stat_kv){ key, v };
        if (key_is(line, key_len, "file"))
            stats->memory.cache = v;
    }
    /* Go's encoder writes a map's keys sorted. */
    if (stats->memory.n_raw)
        qsort(stats->memory.raw, stats->memory.n_raw, sizeof(*stats->memory.raw), compare_kv);
    return 0;
}

static int blkio_add(struct nook_blkio_table *table, struct nook_blkio_entry entry)
{
    struct nook_blkio_entry *grown = reallocarray(table->items, table->count + 1, sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    table->items = grown;
    table->items[table->count++] = entry;
    return 0;
}

/* One io.stat line: "MAJ:MIN key=value ...". */
static int parse_io_line(const char *line, size_t len, struct nook_cgroup_stats *stats,
                         struct nook_error *err)
{
    _cleanup_free_ char *copy = strndup(line, len);
    if (!copy)
        return nook_error_set(err, ENOMEM, "out of memory");
    char *save = NULL;
    char *device = strtok_r(copy, " ", &save);
    char *colon = device ? strchr(device, ':') : NULL;
    uint64_t major, minor;
    if (!colon || parse_u64(device, (size_t)(colon - device), &major) < 0 ||
        parse_u64(colon + 1, strlen(colon + 1), &minor) < 0)
        return malformed(err, "io.stat", line, len);
    for (char *item = strtok_r(NULL, " ", &save); item; item = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(item, '=');
        uint64_t value;
        if (!eq || parse_u64(eq + 1, strlen(eq + 1), &value) < 0)
            return malformed(err, "io.stat", line, len);
        *eq = '\0';
        /* cgroup v1's tables, as runc maps them; the rest has no place
         * in runc's stats and is left out as runc leaves it. */
        struct nook_blkio_table *table = NULL;
        const char *op = NULL;
        if (strcmp(item, "rbytes") == 0)
            table = &stats->blkio.service_bytes, op = "Read";
        else if (strcmp(item, "wbytes") == 0)
            table = &stats->blkio.service_bytes, op = "Write";
        else if (strcmp(item, "rios") == 0)
            table = &stats->blkio.serviced, op = "Read";
        else if (strcmp(item, "wios") == 0)
            table = &stats->blkio.serviced, op = "Write";
        if (table && blkio_add(table, (struct nook_blkio_entry){ major, minor, op, value }) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
    }
    return 0;
}

int nook_cgroup_stats_parse_io(const char *text, struct nook_cgroup_stats *stats,
                               struct nook_error *err)
{
    const char *cursor = text, *line;
    size_t len;
    while (next_line(&cursor, &line, &len)) {
        if (len == 0)
            continue;
        int r = parse_io_line(line, len, stats, err);
        if (r < 0)
            return r;
    }
    return 0;
}

/* The kernel's "12.30" as Go prints the float64 12.3. */
static int normalise_decimal(const char *s, size_t len, char *out, size_t size)
{
    size_t int_len = strspn(s, "0123456789");
    if (int_len == 0 || int_len > len || len >= size)
        return -EINVAL;
    size_t keep = len;
    if (int_len < len) {
        if (s[int_len] != '.' || strspn(s + int_len + 1, "0123456789") != len - int_len - 1)
            return -EINVAL;
        while (keep > int_len + 1 && s[keep - 1] == '0')
            keep--;
        if (keep == int_len + 1)
            keep = int_len;
    }
    memcpy(out, s, keep);
    out[keep] = '\0';
    return 0;
}

static int parse_psi_line(const char *line, size_t len, struct nook_psi_line *out)
{
    _cleanup_free_ char *copy = strndup(line, len);
    if (!copy)
        return -ENOMEM;
    char *save = NULL;
    strtok_r(copy, " ", &save);
    int seen = 0;
    for (char *item = strtok_r(NULL, " ", &save); item; item = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(item, '=');
        if (!eq)
            return -EINVAL;
        *eq = '\0';
        const char *value = eq + 1;
        char *target = strcmp(item, "avg10") == 0    ? out->avg10
                       : strcmp(item, "avg60") == 0  ? out->avg60
                       : strcmp(item, "avg300") == 0 ? out->avg300
                                                     : NULL;
        int r = 0;
        if (target)
            r = normalise_decimal(value, strlen(value), target, sizeof(out->avg10));
        else if (strcmp(item, "total") == 0)
            r = parse_u64(value, strlen(value), &out->total);
        else
            continue;
        if (r < 0)
            return r;
        seen++;
    }
    return seen == 4 ? 0 : -EINVAL;
}

int nook_cgroup_stats_parse_psi(const char *text, const char *name, struct nook_psi *out,
                                struct nook_error *err)
{
    memset(out, 0, sizeof(*out));
    strcpy(out->some.avg10, "0");
    strcpy(out->some.avg60, "0");
    strcpy(out->some.avg300, "0");
    out->full = out->some;
    const char *cursor = text, *line;
    size_t len;
    while (next_line(&cursor, &line, &len)) {
        struct nook_psi_line *target = len > 5 && strncmp(line, "some ", 5) == 0   ? &out->some
                                       : len > 5 && strncmp(line, "full ", 5) == 0 ? &out->full
                                                                                   : NULL;
        if (!target || parse_psi_line(line, len, target) < 0)
            return malformed(err, name, line, len);
    }
    out->present = true;
    return 0;
}

/* ---- reading ---- */

/* The whole text of name in the directory dirfd; -errno, so that a
 * missing controller (-ENOENT) can be told from a real failure. */
static int read_at(int dirfd, const char *name, char **out)
{
    _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t size = 4096, used = 0;
    _cleanup_free_ char *text = malloc(size);
    if (!text)
        return -ENOMEM;
    for (;;) {
        if (used + 1 == size) {
            if (size >= STAT_FILE_MAX)
                return -EFBIG;
            char *grown = realloc(text, size * 2);
            if (!grown)
                return -ENOMEM;
            text = grown;
            size *= 2;
        }
        ssize_t n = read(fd, text + used, size - used - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            break;
        used += (size_t)n;
    }
    text[used] = '\0';
    *out = steal_pointer(&text);
    return 0;
}

/* Errors that mean "this cgroup has no such file": the controller is not
 * enabled, or (PSI) the kernel was booted without it. */
static bool absent(int r)
{
    return r == -ENOENT || r == -EOPNOTSUPP || r == -ENOTSUP || r == -ENODEV;
}

static int read_error(struct nook_error *err, int r, const char *name)
{
    return nook_error_set_errno(err, -r, "read the cgroup's %s", name);
}

/* A single-value file; *found is false (and 0 returned) when it is absent. */
static int read_limit(int dirfd, const char *name, uint64_t *out, bool *found,
                      struct nook_error *err)
{
    _cleanup_free_ char *text = NULL;
    int r = read_at(dirfd, name, &text);
    *found = r == 0;
    if (absent(r))
        return 0;
    if (r < 0)
        return read_error(err, r, name);
    if (nook_cgroup_parse_limit(text, out) < 0)
        return nook_error_set(err, EINVAL, "%s: \"%.*s\" is not a number or \"max\"", name,
                              (int)strcspn(text, "\n"), text);
    return 0;
}

static int read_psi(int dirfd, const char *name, struct nook_psi *out, struct nook_error *err)
{
    _cleanup_free_ char *text = NULL;
    int r = read_at(dirfd, name, &text);
    if (absent(r))
        return 0;
    if (r < 0)
        return read_error(err, r, name);
    return nook_cgroup_stats_parse_psi(text, name, out, err);
}

/* Run parse over the text of name; nothing when the file is absent.
 * *found (may be NULL) says whether it was there. */
static int read_parsed(int dirfd, const char *name, bool *found,
                       int (*parse)(const char *, struct nook_cgroup_stats *, struct nook_error *),
                       struct nook_cgroup_stats *stats, struct nook_error *err)
{
    _cleanup_free_ char *text = NULL;
    int r = read_at(dirfd, name, &text);
    if (found)
        *found = r == 0;
    if (absent(r))
        return 0;
    if (r < 0)
        return read_error(err, r, name);
    return parse(text, stats, err);
}

/* memory.{current,max,peak} or memory.swap.{...} (prefix "memory" or
 * "memory.swap"), and the count of "max" events for failcnt. */
static int read_memory_entry(int dirfd, const char *prefix, struct nook_memory_entry *out,
                             struct nook_error *err)
{
    char name[64];
    bool found;
    snprintf(name, sizeof(name), "%s.current", prefix);
    int r = read_limit(dirfd, name, &out->usage, &found, err);
    if (r < 0 || !found)
        return r;
    snprintf(name, sizeof(name), "%s.max", prefix);
    r = read_limit(dirfd, name, &out->limit, &found, err);
    if (r == 0) {
        snprintf(name, sizeof(name), "%s.peak", prefix);
        r = read_limit(dirfd, name, &out->max, &found, err);
    }
    if (r < 0)
        return r;
    snprintf(name, sizeof(name), "%s.events", prefix);
    _cleanup_free_ char *events = NULL;
    if (read_at(dirfd, name, &events) == 0)
        (void)nook_cgroup_keyed_value(events, "max", &out->failcnt);
    return 0;
}

static uint64_t saturating_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static int read_memory(int dirfd, struct nook_cgroup_stats *stats, struct nook_error *err)
{
    int r = read_parsed(dirfd, "memory.stat", &stats->memory.present,
                        nook_cgroup_stats_parse_memory_stat, stats, err);
    if (r < 0 || !stats->memory.present)
        return r;
    r = read_memory_entry(dirfd, "memory", &stats->memory.usage, err);
    if (r == 0)
        r = read_memory_entry(dirfd, "memory.swap", &stats->memory.swap, err);
    if (r < 0)
        return r;
    /* cgroup v1 counted memory and swap together, and runc's stats keep
     * that meaning: add memory to the swap figures; no peak for the sum. */
    struct nook_memory_entry *swap = &stats->memory.swap;
    swap->usage = saturating_add(swap->usage, stats->memory.usage.usage);
    if (swap->limit != UINT64_MAX)
        swap->limit = saturating_add(swap->limit, stats->memory.usage.limit);
    swap->max = 0;
    return 0;
}

/* Processes in the cgroup and below: what pids.current would count if
 * the pids controller were enabled. */
static int count_procs(int dirfd, uint64_t *count, struct nook_error *err)
{
    _cleanup_free_ char *text = NULL;
    int r = read_at(dirfd, "cgroup.procs", &text);
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return read_error(err, r, "cgroup.procs");
    for (const char *p = text; *p; p++)
        *count += *p == '\n';
    int dup_fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
    if (dup_fd < 0)
        return nook_error_set_errno(err, errno, "read the cgroup's sub-cgroups");
    _cleanup_closedir_ DIR *dir = fdopendir(dup_fd);
    if (!dir) {
        close(dup_fd);
        return nook_error_set_errno(err, errno, "read the cgroup's sub-cgroups");
    }
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (entry->d_type != DT_DIR || strcmp(entry->d_name, ".") == 0 ||
            strcmp(entry->d_name, "..") == 0)
            continue;
        _cleanup_close_ int sub = openat(dirfd, entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sub < 0)
            continue;  /* removed meanwhile */
        r = count_procs(sub, count, err);
        if (r < 0)
            return r;
    }
    return 0;
}

static int read_pids(int dirfd, struct nook_cgroup_stats *stats, struct nook_error *err)
{
    bool found;
    int r = read_limit(dirfd, "pids.current", &stats->pids.current, &found, err);
    if (r < 0)
        return r;
    if (!found)
        return count_procs(dirfd, &stats->pids.current, err);
    r = read_limit(dirfd, "pids.max", &stats->pids.limit, &found, err);
    /* runc reports "no limit" as 0. */
    if (stats->pids.limit == UINT64_MAX)
        stats->pids.limit = 0;
    return r;
}

static int compare_hugetlb(const void *a, const void *b)
{
    return strcmp(((const struct nook_hugetlb_stat *)a)->page_size,
                  ((const struct nook_hugetlb_stat *)b)->page_size);
}

/* "hugepages-2048kB" → "2MB", the name cgroup v2's hugetlb files use. */
static bool hugepage_name(const char *dir_name, char *out, size_t size)
{
    unsigned long long kb;
    int end = 0;
    if (sscanf(dir_name, "hugepages-%llukB%n", &kb, &end) != 1 || end == 0 || dir_name[end])
        return false;
    static const char *const units[] = { "KB", "MB", "GB", "TB", "PB" };
    double value = (double)kb;
    size_t u = 0;
    while (value >= 1024 && u + 1 < N_ELEMENTS(units)) {
        value /= 1024;
        u++;
    }
    snprintf(out, size, "%g%s", value, units[u]);
    return true;
}

static int read_hugetlb(int dirfd, struct nook_cgroup_stats *stats, struct nook_error *err)
{
    _cleanup_closedir_ DIR *dir = opendir(HUGEPAGES_DIR);
    if (!dir)
        return 0;  /* no huge pages on this kernel */
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        char size_name[32], file[64];
        if (!hugepage_name(entry->d_name, size_name, sizeof(size_name)))
            continue;
        uint64_t usage;
        bool found;
        snprintf(file, sizeof(file), "hugetlb.%s.current", size_name);
        int r = read_limit(dirfd, file, &usage, &found, err);
        if (r < 0)
            return r;
        if (!found)
            continue;
        struct nook_hugetlb_stat *grown = reallocarray(stats->hugetlb, stats->n_hugetlb + 1,
                                                       sizeof(*grown));
        if (!grown)
            return nook_error_set(err, ENOMEM, "out of memory");
        stats->hugetlb = grown;
        struct nook_hugetlb_stat *h = &stats->hugetlb[stats->n_hugetlb];
        *h = (struct nook_hugetlb_stat){ .page_size = strdup(size_name), .usage = usage };
        if (!h->page_size)
            return nook_error_set(err, ENOMEM, "out of memory");
        stats->n_hugetlb++;
        snprintf(file, sizeof(file), "hugetlb.%s.events", size_name);
        _cleanup_free_ char *events = NULL;
        if (read_at(dirfd, file, &events) == 0)
            (void)nook_cgroup_keyed_value(events, "max", &h->failcnt);
    }
    if (stats->n_hugetlb)
        qsort(stats->hugetlb, stats->n_hugetlb, sizeof(*stats->hugetlb), compare_hugetlb);
    return 0;
}

int nook_cgroup_stats_read(int dirfd, struct nook_cgroup_stats *stats, struct nook_error *err)
{
    memset(stats, 0, sizeof(*stats));
    int r = read_parsed(dirfd, "cpu.stat", NULL, nook_cgroup_stats_parse_cpu, stats, err);
    if (r == 0)
        r = read_psi(dirfd, "cpu.pressure", &stats->cpu.psi, err);
    if (r == 0)
        r = read_memory(dirfd, stats, err);
    if (r == 0)
        r = read_psi(dirfd, "memory.pressure", &stats->memory.psi, err);
    if (r == 0)
        r = read_pids(dirfd, stats, err);
    if (r == 0)
        r = read_parsed(dirfd, "io.stat", NULL, nook_cgroup_stats_parse_io, stats, err);
    if (r == 0)
        r = read_psi(dirfd, "io.pressure", &stats->blkio.psi, err);
    if (r == 0)
        r = read_hugetlb(dirfd, stats, err);
    if (r < 0)
        nook_cgroup_stats_clear(stats);
    return r;
}

/* ---- JSON ---- */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* Start the member `name` of the object being written: the comma before
 * every member but the first, and the name. */
static void json_member(FILE *f, bool *first, const char *name)
{
    fprintf(f, "%s\"%s\":", *first ? "" : ",", name);
    *first = false;
}

static void json_u64(FILE *f, bool *first, const char *name, uint64_t value)
{
    json_member(f, first, name);
    fprintf(f, "%" PRIu64, value);
}

/* A member that Go's omitempty leaves out when it is zero. */
static void json_u64_omitempty(FILE *f, bool *first, const char *name, uint64_t value)
{
    if (value)
        json_u64(f, first, name, value);
}

static void json_psi_line(FILE *f, bool *first, const char *name, const struct nook_psi_line *l)
{
    json_member(f, first, name);
    fprintf(f, "{\"avg10\":%s,\"avg60\":%s,\"avg300\":%s,\"total\":%" PRIu64 "}", l->avg10,
            l->avg60, l->avg300, l->total);
}

static void json_psi(FILE *f, bool *first, const struct nook_psi *psi)
{
    if (!psi->present)
        return;
    json_member(f, first, "psi");
    bool inner = true;
    fputc('{', f);
    json_psi_line(f, &inner, "some", &psi->some);
    json_psi_line(f, &inner, "full", &psi->full);
    fputc('}', f);
}

static void json_memory_entry(FILE *f, bool *first, const char *name,
                              const struct nook_memory_entry *e)
{
    json_member(f, first, name);
    bool inner = true;
    fputc('{', f);
    json_u64(f, &inner, "limit", e->limit);
    json_u64_omitempty(f, &inner, "usage", e->usage);
    json_u64_omitempty(f, &inner, "max", e->max);
    json_u64(f, &inner, "failcnt", e->failcnt);
    fputc('}', f);
}

static void json_cpu(FILE *f, bool *first, const struct nook_cgroup_stats *s)
{
    json_member(f, first, "cpu");
    bool cpu = true, inner = true;
    fputc('{', f);
    json_member(f, &cpu, "usage");
    fputc('{', f);
    json_u64_omitempty(f, &inner, "total", s->cpu.total);
    json_u64(f, &inner, "kernel", s->cpu.kernel);
    json_u64(f, &inner, "user", s->cpu.user);
    fputc('}', f);
    json_member(f, &cpu, "throttling");
    inner = true;
    fputc('{', f);
    json_u64_omitempty(f, &inner, "periods", s->cpu.periods);
    json_u64_omitempty(f, &inner, "throttledPeriods", s->cpu.throttled_periods);
    json_u64_omitempty(f, &inner, "throttledTime", s->cpu.throttled_time);
    fputc('}', f);
    json_psi(f, &cpu, &s->cpu.psi);
    fputc('}', f);
}

static void json_memory(FILE *f, bool *first, const struct nook_cgroup_stats *s)
{
    static const struct nook_memory_entry none = { 0 };
    json_member(f, first, "memory");
    bool memory = true;
    fputc('{', f);
    json_u64_omitempty(f, &memory, "cache", s->memory.cache);
    json_memory_entry(f, &memory, "usage", &s->memory.usage);
    json_memory_entry(f, &memory, "swap", &s->memory.swap);
    /* Kernel memory has no cgroup v2 counterpart. */
    json_memory_entry(f, &memory, "kernel", &none);
    json_memory_entry(f, &memory, "kernelTCP", &none);
    if (s->memory.n_raw) {
        json_member(f, &memory, "raw");
        bool raw = true;
        fputc('{', f);
        for (size_t i = 0; i < s->memory.n_raw; i++) {
            fputs(raw ? "" : ",", f);
            raw = false;
            json_string(f, s->memory.raw[i].key);
            fprintf(f, ":%" PRIu64, s->memory.raw[i].value);
        }
        fputc('}', f);
    }
    json_psi(f, &memory, &s->memory.psi);
    fputc('}', f);
}

static void json_pids(FILE *f, bool *first, const struct nook_cgroup_stats *s)
{
    json_member(f, first, "pids");
    bool pids = true;
    fputc('{', f);
    json_u64_omitempty(f, &pids, "current", s->pids.current);
    json_u64_omitempty(f, &pids, "limit", s->pids.limit);
    fputc('}', f);
}

static void json_blkio_table(FILE *f, bool *first, const char *name,
                             const struct nook_blkio_table *t)
{
    if (!t->count)
        return;
    json_member(f, first, name);
    fputc('[', f);
    for (size_t i = 0; i < t->count; i++) {
        const struct nook_blkio_entry *e = &t->items[i];
        bool entry = true;
        fputs(i ? ",{" : "{", f);
        json_u64_omitempty(f, &entry, "major", e->major);
        json_u64_omitempty(f, &entry, "minor", e->minor);
        json_member(f, &entry, "op");
        json_string(f, e->op);
        json_u64_omitempty(f, &entry, "value", e->value);
        fputc('}', f);
    }
    fputc(']', f);
}

static void json_blkio(FILE *f, bool *first, const struct nook_cgroup_stats *s)
{
    json_member(f, first, "blkio");
    bool blkio = true;
    fputc('{', f);
    json_blkio_table(f, &blkio, "ioServiceBytesRecursive", &s->blkio.service_bytes);
    json_blkio_table(f, &blkio, "ioServicedRecursive", &s->blkio.serviced);
    json_psi(f, &blkio, &s->blkio.psi);
    fputc('}', f);
}

static void json_hugetlb(FILE *f, bool *first, const struct nook_cgroup_stats *s)
{
    json_member(f, first, "hugetlb");
    bool sizes = true;
    fputc('{', f);
    for (size_t i = 0; i < s->n_hugetlb; i++) {
        json_member(f, &sizes, s->hugetlb[i].page_size);
        bool entry = true;
        fputc('{', f);
        json_u64_omitempty(f, &entry, "usage", s->hugetlb[i].usage);
        json_u64(f, &entry, "failcnt", s->hugetlb[i].failcnt);
        fputc('}', f);
    }
    fputc('}', f);
}

static int finish(FILE *f, char **text, char **out)
{
    if (ferror(f)) {
        fclose(f);
        free(*text);
        return -ENOMEM;
    }
    if (fclose(f) != 0) {
        free(*text);
        return -ENOMEM;
    }
    *out = *text;
    return 0;
}

int nook_cgroup_stats_event_json(const char *id, const struct nook_cgroup_stats *stats,
                                 char **out)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return -ENOMEM;
    fputs("{\"type\":\"stats\",\"id\":", f);
    json_string(f, id);
    fputs(",\"data\":{", f);
    bool first = true;
    json_cpu(f, &first, stats);
    /* cpuset figures are cgroup v1's; runc writes them as zeros on v2. */
    fputs(",\"cpuset\":{\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,"
          "\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,"
          "\"memory_pressure\":0,\"sched_load_balance\":0,\"sched_relax_domain_level\":0}",
          f);
    json_memory(f, &first, stats);
    json_pids(f, &first, stats);
    json_blkio(f, &first, stats);
    json_hugetlb(f, &first, stats);
    fputs(",\"intel_rdt\":{},\"network_interfaces\":null", f);
    fputs("}}\n", f);
    return finish(f, &text, out);
}

int nook_cgroup_event_json(const char *type, const char *id, char **out)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return -ENOMEM;
    fputs("{\"type\":", f);
    json_string(f, type);
    fputs(",\"id\":", f);
    json_string(f, id);
    fputs("}\n", f);
    return finish(f, &text, out);
}
