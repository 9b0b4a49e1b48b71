/* events.c: `nook events`: follow a container and print runc's event JSON
 * lines: a "stats" event every --interval and an "oom" event whenever the
 * kernel OOM-kills one of its processes (memory.events' oom_kill grows),
 * until the container stops; or, with --stats, one "stats" event. */
#include <poll.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "lib/container-cgroup.h"
#include "lifecycle.h"
#include "report.h"

static const struct nook_option events_options[] = {
    { "interval", 0, NOOK_OPT_VALUE, "DURATION", "how often to print statistics (default: 5s)" },
    { "stats", 0, NOOK_OPT_BOOL, NULL, "print statistics once and exit" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

#define NSEC_PER_MSEC 1000000LL
#define DEFAULT_INTERVAL_NS (5 * 1000 * NSEC_PER_MSEC)

/* A Go duration, as runc's --interval takes it: "5s", "500ms", "1m30s",
 * "1.5h"; units ns, us (µs), ms, s, m, h; a bare "0" is zero. */
static int parse_duration(const char *text, long long *out_ns, struct nook_error *err)
{
    static const struct {
        const char *name;
        double ns;
    } units[] = {
        { "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "ms", 1e6 },
        { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
    };
    if (strcmp(text, "0") == 0) {
        *out_ns = 0;
        return 0;
    }
    double total = 0;
    const char *p = text;
    bool negative = *p == '-';
    if (negative || *p == '+')
        p++;
    if (!*p)
        goto bad;
    while (*p) {
        char *end = NULL;
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            goto bad;
        double value = strtod(p, &end);
        if (end == p)
            goto bad;
        p = end;
        size_t best = 0, best_len = 0;
        for (size_t i = 0; i < N_ELEMENTS(units); i++) {
            size_t len = strlen(units[i].name);
            if (strncmp(p, units[i].name, len) == 0 && len > best_len) {
                best = i;
                best_len = len;
            }
        }
        if (!best_len)
            goto bad;
        total += value * units[best].ns;
        p += best_len;
    }
    if (total > 1e18)
        goto bad;
    *out_ns = negative ? -(long long)total : (long long)total;
    return 0;
bad:
    return nook_error_set(err, EINVAL, "--interval \"%s\": not a duration such as 5s, 500ms or 1m",
                          text);
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Print one line; a consumer that went away ends the command. */
static int emit(char *line, struct nook_error *err)
{
    _cleanup_free_ char *owned = line;
    if (!owned)
        return nook_error_set(err, ENOMEM, "out of memory");
    if (fputs(owned, stdout) == EOF || fflush(stdout) == EOF)
        return nook_error_set_errno(err, errno, "write to standard output");
    return 0;
}

static int emit_stats(const struct nook_container_watch *watch, struct nook_error *err)
{
    _cleanup_(nook_cgroup_stats_clear) struct nook_cgroup_stats stats = { 0 };
    int r = nook_container_watch_stats(watch, &stats, err);
    if (r < 0)
        return r;
    char *line = NULL;
    if (nook_cgroup_stats_event_json(watch->id, &stats, &line) < 0)
        line = NULL;
    return emit(line, err);
}

static int emit_ooms(struct nook_container_watch *watch, struct nook_error *err)
{
    uint64_t kills = 0;
    int r = nook_container_watch_oom(watch, &kills, err);
    for (uint64_t i = 0; r == 0 && i < kills; i++) {
        char *line = NULL;
        if (nook_cgroup_event_json("oom", watch->id, &line) < 0)
            line = NULL;
        r = emit(line, err);
    }
    return r;
}

static bool exited(const struct nook_container_watch *watch)
{
    struct pollfd fd = { .fd = watch->pidfd, .events = POLLIN };
    return poll(&fd, 1, 0) == 1;
}

/* Until the init exits: stats on every tick, oom events as they come. */
static int follow(const struct nook_globals *globals, struct nook_container_watch *watch,
                  long long interval_ns, struct nook_error *err)
{
    long long next = now_ns() + interval_ns;
    for (;;) {
        struct pollfd fds[2] = {
            { .fd = watch->pidfd, .events = POLLIN },
            { .fd = watch->memory_events_fd, .events = POLLPRI },
        };
        long long wait_ns = next - now_ns();
        int timeout = wait_ns <= 0 ? 0 : (int)((wait_ns + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
        int n = poll(fds, watch->memory_events_fd >= 0 ? 2 : 1, timeout);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nook_error_set_errno(err, errno, "wait for container \"%s\"", watch->id);
        int r = 0;
        if (fds[1].revents & (POLLPRI | POLLERR))
            r = emit_ooms(watch, err);
        if (r == 0 && (fds[0].revents & POLLIN))
            /* An OOM kill of the init may be what ended it. */
            return emit_ooms(watch, err);
        if (r == 0 && now_ns() >= next) {
            next += interval_ns;
            struct nook_error stats_err = { 0 };
            if (emit_stats(watch, &stats_err) < 0) {
                /* Its cgroup goes with it: that is the end, not an error. */
                if (exited(watch))
                    return emit_ooms(watch, err);
                if (stats_err.errnum == EPIPE)
                    return nook_error_set(err, EPIPE, "%s", stats_err.message);
                nook_report(globals, NOOK_LEVEL_WARNING, "events: %s", stats_err.message);
            }
        }
        if (r < 0)
            return r;
    }
}

static int events_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    struct nook_error err = { 0 };
    long long interval_ns = DEFAULT_INTERVAL_NS;
    const char *interval = nook_parsed_value(parsed, "interval");
    if (interval) {
        int r = parse_duration(interval, &interval_ns, &err);
        if (r == 0 && interval_ns <= 0)
            r = nook_error_set(&err, EINVAL, "--interval \"%s\": must be greater than 0", interval);
        if (r < 0) {
            nook_error_prefix(&err, "events");
            nook_report_error(globals, &err);
            return 2;
        }
    }
    _cleanup_free_ char *root = NULL;
    _cleanup_(nook_container_watch_clear) struct nook_container_watch watch = {
        .cgroup_fd = -1, .pidfd = -1, .memory_events_fd = -1,
    };
    int r = nook_cmd_state_root(globals, &root, &err);
    if (r == 0)
        r = nook_container_watch_open(root, parsed->argv[0], &watch, &err);
    if (r == 0 && nook_parsed_bool(parsed, "stats"))
        r = emit_stats(&watch, &err);
    else if (r == 0)
        r = follow(globals, &watch, interval_ns, &err);
    if (r < 0) {
        nook_error_prefix(&err, "events");
        return nook_report_error(globals, &err);
    }
    return 0;
}

const struct nook_command nook_cmd_events = {
    .name = "events",
    .args_usage = "<container-id>",
    .summary = "print container events and resource statistics",
    .options = events_options,
    .min_args = 1,
    .max_args = 1,
    .run = events_run,
};
