/* nook-slirp-log.h: the helper's log after setup (--log FILE, appended,
 * one line per event with a UTC timestamp). Before the ready line errors
 * go through the ready fd instead; nothing here is for them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

struct nook_slirp_log {
    int fd;      /* the --log file, or 2 */
    bool debug;  /* --debug: also the per-query lines */
};

/* "2024-05-01T12:34:56.789Z" for a time in milliseconds since the epoch.
 * Computed here rather than with gmtime(): the C library may read the
 * time zone files on first use, and the confined helper opens no file. */
void nook_slirp_format_time(int64_t unix_ms, char *buf, size_t size);

/* One line: "<time> nook-slirp[<pid>]: <message>\n", written with a
 * single write() so that lines from several helpers never interleave. */
void nook_slirp_log(const struct nook_slirp_log *log, const char *fmt, ...) _printf_(2, 3);

/* The same, only with --debug. */
void nook_slirp_log_debug(const struct nook_slirp_log *log, const char *fmt, ...) _printf_(2, 3);
