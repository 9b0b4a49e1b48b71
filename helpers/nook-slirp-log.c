/* nook-slirp-log.c: timestamped log lines for the helper's --log file. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nook-slirp-log.h"

/* Civil date from days since 1970-01-01 (proleptic Gregorian calendar),
 * after Howard Hinnant's well-known days_from_civil inverse. */
static void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (int64_t)yoe + era * 400 + (*month <= 2);
}

void nook_slirp_format_time(int64_t unix_ms, char *buf, size_t size)
{
    int64_t secs = unix_ms / 1000;
    int64_t ms = unix_ms % 1000;
    if (ms < 0) {
        ms += 1000;
        secs--;
    }
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t year;
    unsigned month, day;
    civil_from_days(days, &year, &month, &day);
    snprintf(buf, size, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)year, month, day,
             (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60), (unsigned)ms);
}

static void log_line(const struct nook_slirp_log *log, const char *fmt, va_list ap) _printf_(2, 0);
static void log_line(const struct nook_slirp_log *log, const char *fmt, va_list ap)
{
    char line[1024];
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) < 0)
        now = (struct timespec){ 0 };
    char stamp[40];
    nook_slirp_format_time((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, stamp, sizeof(stamp));
    int n = snprintf(line, sizeof(line), "%s nook-slirp[%d]: ", stamp, (int)getpid());
    if (n < 0)
        return;
    size_t len = (size_t)n;
    int m = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
    if (m < 0)
        return;
    len += (size_t)m;
    if (len > sizeof(line) - 1)
        len = sizeof(line) - 1;
    /* One line per event: a message with newlines of its own (glib's)
     * must not look like several. */
    for (size_t i = 0; i < len; i++) {
        if (line[i] == '\n')
            line[i] = ' ';
    }
    line[len++] = '\n';
    ssize_t w;
    do
        w = write(log->fd, line, len);
    while (w < 0 && errno == EINTR);
}

void nook_slirp_log(const struct nook_slirp_log *log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line(log, fmt, ap);
    va_end(ap);
}

void nook_slirp_log_debug(const struct nook_slirp_log *log, const char *fmt, ...)
{
    if (!log->debug)
        return;
    va_list ap;
    va_start(ap, fmt);
    log_line(log, fmt, ap);
    va_end(ap);
}
