/* cgroup-stats.h: the resource statistics of a cgroup v2 directory, read
 * from its files (cpu.stat, memory.*, pids.*, io.stat, hugetlb.*, the
 * *.pressure files), and turned into the JSON lines `nook events` prints,
 * in runc's event shape (runc 1.2's types/events.go):
 *
 *   {"type":"stats","id":"c1","data":{"cpu":{...},"cpuset":{...},
 *    "memory":{...},"pids":{...},"blkio":{...},"hugetlb":{...},
 *    "intel_rdt":{},"network_interfaces":null}}
 *   {"type":"oom","id":"c1"}
 *
 * A controller that is not enabled in the cgroup has no files there: its
 * figures are left out or zero, as runc leaves them, and that is no error.
 * The parsers take the text of one file each, so the unit tests can feed
 * them samples. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* One line of a *.pressure file; the averages keep the kernel's decimal
 * text, normalised as Go prints a float64 ("1.50" -> "1.5", "0.00" -> "0"). */
struct nook_psi_line {
    char avg10[24];
    char avg60[24];
    char avg300[24];
    uint64_t total;
};

struct nook_psi {
    bool present;              /* the file exists and was read */
    struct nook_psi_line some;
    struct nook_psi_line full;
};

/* runc's MemoryEntry: usage, peak, limit (UINT64_MAX: "max"), failures. */
struct nook_memory_entry {
    uint64_t limit;
    uint64_t usage;
    uint64_t max;
    uint64_t failcnt;
};

struct nook_stat_kv {
    char *key;
    uint64_t value;
};

/* One io.stat figure in cgroup v1's layout: op is "Read" or "Write". */
struct nook_blkio_entry {
    uint64_t major;
    uint64_t minor;
    const char *op;
    uint64_t value;
};

struct nook_blkio_table {
    struct nook_blkio_entry *items;
    size_t count;
};

struct nook_hugetlb_stat {
    char *page_size;           /* "2MB", as runc names it */
    uint64_t usage;
    uint64_t failcnt;
};

struct nook_cgroup_stats {
    struct {
        uint64_t total;            /* nanoseconds */
        uint64_t kernel;
        uint64_t user;
        uint64_t periods;
        uint64_t throttled_periods;
        uint64_t throttled_time;   /* nanoseconds */
        struct nook_psi psi;
    } cpu;
    struct {
        bool present;              /* memory.stat was there */
        uint64_t cache;            /* memory.stat "file" */
        struct nook_memory_entry usage;
        struct nook_memory_entry swap;  /* memory + swap, as cgroup v1 counted it */
        struct nook_stat_kv *raw;  /* memory.stat, sorted by key */
        size_t n_raw;
        struct nook_psi psi;
    } memory;
    struct {
        uint64_t current;
        uint64_t limit;            /* 0: no limit ("max"), as runc reports it */
    } pids;
    struct {
        struct nook_blkio_table service_bytes;  /* rbytes, wbytes */
        struct nook_blkio_table serviced;       /* rios, wios */
        struct nook_psi psi;
    } blkio;
    struct nook_hugetlb_stat *hugetlb;  /* sorted by page size name */
    size_t n_hugetlb;
};

void nook_cgroup_stats_clear(struct nook_cgroup_stats *stats);

/* Read every statistic of the cgroup open at dirfd. Files of controllers
 * that are not enabled are skipped; a file that is there but unreadable
 * or malformed is an error naming it. */
int nook_cgroup_stats_read(int dirfd, struct nook_cgroup_stats *stats, struct nook_error *err);

/* ---- the parsers, one file's text each ---- */

/* "max" or a decimal number; "max" is UINT64_MAX. -EINVAL otherwise. */
int nook_cgroup_parse_limit(const char *text, uint64_t *out);

/* The value of key in a flat-keyed file ("key value" lines, such as
 * memory.events or cgroup.events). -ENOENT when the key is not there. */
int nook_cgroup_keyed_value(const char *text, const char *key, uint64_t *out);

/* cpu.stat into stats->cpu (usage and throttling). */
int nook_cgroup_stats_parse_cpu(const char *text, struct nook_cgroup_stats *stats,
                                struct nook_error *err);

/* memory.stat into stats->memory.raw (sorted) and .cache. */
int nook_cgroup_stats_parse_memory_stat(const char *text, struct nook_cgroup_stats *stats,
                                        struct nook_error *err);

/* io.stat ("MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. ...") into
 * stats->blkio's two tables. */
int nook_cgroup_stats_parse_io(const char *text, struct nook_cgroup_stats *stats,
                               struct nook_error *err);

/* A *.pressure file ("some avg10=.. avg60=.. avg300=.. total=..", and
 * "full ..."). `name` is used in errors. */
int nook_cgroup_stats_parse_psi(const char *text, const char *name, struct nook_psi *out,
                                struct nook_error *err);

/* ---- the JSON lines ---- */

/* The stats event of container id, one line with a trailing newline;
 * malloc'd into *out. */
int nook_cgroup_stats_event_json(const char *id, const struct nook_cgroup_stats *stats,
                                 char **out);

/* An event without data ({"type":"oom","id":"c1"}), with a newline. */
int nook_cgroup_event_json(const char *type, const char *id, char **out);
