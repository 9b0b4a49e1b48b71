/* report.c: format messages for stderr and for the --log file (runc's
 * logrus shapes: text `time="..." level=error msg="..."`, or one JSON
 * object per line with "level", "msg" and "time"). */
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "lib/json-text.h"
#include "report.h"

static const char *level_name(enum nook_level level)
{
    switch (level) {
    case NOOK_LEVEL_DEBUG:
        return "debug";
    case NOOK_LEVEL_INFO:
        return "info";
    case NOOK_LEVEL_WARNING:
        return "warning";
    case NOOK_LEVEL_ERROR:
        return "error";
    }
    return "error";
}

static void format_time(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%09ldZ", ts.tv_nsec);
}

/* Write s as the body of a quoted value of logrus's text format (quotes
 * and control characters escaped). */
static void write_json_escaped(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
}

static void write_log_line(const struct nook_globals *globals, enum nook_level level,
                           const char *message)
{
    char when[64];
    format_time(when, sizeof(when));
    FILE *out = globals->log_file;
    if (globals->log_format == NOOK_LOG_JSON) {
        /* logrus's JSON formatter: Go's encoding, keys sorted. */
        struct nook_json_writer w;
        nook_json_writer_init(&w, out, 0, NOOK_JSON_ESCAPE_HTML);
        nook_json_writer_begin_object(&w);
        nook_json_writer_name(&w, "level");
        nook_json_writer_string(&w, level_name(level));
        nook_json_writer_name(&w, "msg");
        nook_json_writer_string(&w, message);
        nook_json_writer_name(&w, "time");
        nook_json_writer_string(&w, when);
        nook_json_writer_end_object(&w);
        fputc('\n', out);
    } else {
        fprintf(out, "time=\"%s\" level=%s msg=\"", when, level_name(level));
        write_json_escaped(out, message);
        fputs("\"\n", out);
    }
    fflush(out);
}

void nook_report(const struct nook_globals *globals, enum nook_level level, const char *fmt, ...)
{
    if (level == NOOK_LEVEL_DEBUG && !globals->debug)
        return;
    char message[NOOK_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);

    if (globals->log_file)
        write_log_line(globals, level, message);
    /* With --log, engines read errors from the log; stderr still gets
     * errors, as runc prints fatal errors to both, but not warnings: an
     * engine hands create the container's own stdio (containerd's shim,
     * conmon), so a warning there would land in the container's output. */
    if (level >= NOOK_LEVEL_ERROR || !globals->log_file) {
        const char *tag = level == NOOK_LEVEL_WARNING ? "warning: " : level == NOOK_LEVEL_DEBUG ? "debug: " : "";
        fprintf(stderr, "nook: %s%s\n", tag, message);
    }
}

int nook_report_error(const struct nook_globals *globals, const struct nook_error *err)
{
    nook_report(globals, NOOK_LEVEL_ERROR, "%s",
                err->message[0] ? err->message : strerror(err->errnum ? err->errnum : EIO));
    return 1;
}
