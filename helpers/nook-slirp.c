/* nook-slirp: the network helper nook starts for a container whose
 * config.json asks for "nook.network": "slirp" (issue 7). It gives the
 * container's new network namespace a tap interface and runs libslirp's
 * user-mode network stack behind it, in the caller's own network
 * namespace, until the container's init exits.
 *
 *   nook-slirp --pid PID [--pidfd FD [--tap-fd FD]] --ready-fd FD
 *              [--mtu N] [--ipv6] [--host-loopback] [--dns ADDR[:PORT]]...
 *              [--port [HOSTADDR:]HOSTPORT:CPORT/PROTO]... [--port-handler relay|slirp]
 *              [--log FILE] [--debug]
 *
 * nook starts it with --tap-fd: the container's init has made the tap in
 * its namespaces during create (lib/slirp-tap.h), and nook starts the
 * helper once the container is set up, with the init's pidfd; the init
 * reads the ready line at the exec barrier. Started by hand (--pid
 * alone), the helper makes the tap itself, from a child that joins the
 * init's namespaces (nook-slirp-tap.h).
 *
 * The ready fd gets exactly one line: "ok" once the tap is configured,
 * the forwards are bound and the loop is about to run, confined; or
 * "error: <why>" and the helper exits 1. Setup order, and why:
 *   setsid        first, so that a terminal's signals to `nook run`'s
 *                 process group never reach the helper;
 *   tap child     without --tap-fd, forked next, to wait for the
 *                 namespaces;
 *   libslirp      the DNS forwarder, the forwards (bound while privileges
 *                 last) and the seccomp filter;
 *   init          pinned by a pidfd (--pidfd, or one of its own);
 *   namespaces    without --tap-fd, opened through /proc/PID with the
 *                 init's pidfd polled afterwards, so a reused pid is never
 *                 taken for it, and sent to the tap child, which makes the
 *                 tap in them;
 *   drop root     started as root, it becomes nobody (65534) here, before
 *                 anything reads what the container sends;
 *   confine       no_new_privs and the seccomp allow-list;
 *   ready line, then the loop. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>

#include "nook-slirp-args.h"
#include "nook-slirp-confine.h"
#include "nook-slirp-forward.h"
#include "nook-slirp-log.h"
#include "nook-slirp-loop.h"
#include "nook-slirp-tap.h"

#ifndef NOOK_SLIRP_SANITIZED
#define NOOK_SLIRP_SANITIZED 0
#endif

static bool fd_is_open(int fd)
{
    return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The one error line: on the ready fd when there is one, else stderr. */
static int fail(int ready_fd, const struct nook_error *err)
{
    char line[NOOK_ERROR_MAX + 16];
    if (fd_is_open(ready_fd)) {
        int n = snprintf(line, sizeof(line), "error: %s\n", err->message);
        /* One line, whatever the message holds. */
        for (int i = 0; i < n - 1; i++) {
            if (line[i] == '\n')
                line[i] = ' ';
        }
        if (write_all(ready_fd, line, strlen(line)) == 0)
            return 1;
    }
    fprintf(stderr, "nook-slirp: error: %s\n", err->message);
    return 1;
}

static int open_signalfd(int *fd, struct nook_error *err)
{
    /* A write to a socket whose peer left must not end the helper; the
     * tap setup child is reaped by the kernel (wait4 is not in the
     * seccomp allow-list, and waiting for its exit would only delay). */
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR || signal(SIGCHLD, SIG_IGN) == SIG_ERR)
        return nook_error_set_errno(err, errno, "ignore SIGPIPE and SIGCHLD");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return nook_error_set_errno(err, errno, "block SIGTERM and SIGINT");
    *fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (*fd < 0)
        return nook_error_set_errno(err, errno, "signalfd");
    return 0;
}

/* Every relayed connection takes two fds (NOOK_SLIRP_RELAY_MAX_CONNS),
 * and libslirp one per connection it carries: the soft limit goes up to
 * the hard one, as far as the helper may go. A failure only leaves the
 * limit as it was. */
static void raise_fd_limit(void)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &limit);
    }
}

static int open_log(const char *path, int *fd, struct nook_error *err)
{
    if (!path) {
        *fd = STDERR_FILENO;
        return 0;
    }
    *fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    if (*fd < 0)
        return nook_error_set_errno(err, errno, "--log \"%s\"", path);
    return 0;
}

/* Where setup spends its time, logged with --debug: wall and CPU
 * milliseconds of each step (tests/bench/net measures the whole). */
#define MAX_STAMPS 14
struct stamps {
    size_t n;
    const char *what[MAX_STAMPS];
    int64_t wall_ns[MAX_STAMPS];
    int64_t cpu_ns[MAX_STAMPS];
};

static int64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void stamp(struct stamps *s, const char *what)
{
    if (s->n == MAX_STAMPS)
        return;
    s->what[s->n] = what;
    s->wall_ns[s->n] = clock_ns(CLOCK_MONOTONIC);
    s->cpu_ns[s->n] = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    s->n++;
}

static void log_stamps(const struct nook_slirp_log *log, const struct stamps *s)
{
    char line[512];
    size_t used = 0;
    for (size_t i = 1; i < s->n && used < sizeof(line); i++) {
        int n = snprintf(line + used, sizeof(line) - used, "%s%s %.2f/%.2f", i > 1 ? ", " : "", s->what[i],
                         (double)(s->wall_ns[i] - s->wall_ns[i - 1]) / 1e6,
                         (double)(s->cpu_ns[i] - s->cpu_ns[i - 1]) / 1e6);
        used += n > 0 ? (size_t)n : 0;
    }
    nook_slirp_log_debug(log, "setup, wall/cpu ms: %s; %.2f/%.2f in all, %.2f cpu before main", line,
                         (double)(s->wall_ns[s->n - 1] - s->wall_ns[0]) / 1e6,
                         (double)(s->cpu_ns[s->n - 1] - s->cpu_ns[0]) / 1e6, (double)s->cpu_ns[0] / 1e6);
}

struct helper {
    struct stamps stamps;
    struct nook_slirp_options options;
    struct nook_slirp_log log;
    struct nook_slirp_namespaces ns;
    int ready_fd;
    int signal_fd;
    int pidfd;
    int log_fd;
    int tap_fd;
    struct nook_slirp_tap_setup tap_setup;
    nook_slirp_filter filter;
    bool setsid_failed;
    struct nook_slirp_loop *loop;
};

static void helper_free(struct helper *h)
{
    nook_slirp_tap_setup_end(&h->tap_setup);
    nook_slirp_filter_free(&h->filter);
    nook_slirp_loop_free(h->loop);
    nook_slirp_namespaces_close(&h->ns);
    nook_slirp_options_free(&h->options);
    closep(&h->signal_fd);
    closep(&h->tap_fd);
    if (h->log_fd > STDERR_FILENO)
        closep(&h->log_fd);
    if (h->pidfd != h->options.pidfd)
        closep(&h->pidfd);
}

/* Everything up to the ready line. */
static int setup(struct helper *h, int argc, char **argv, struct nook_error *err)
{
    int r = nook_slirp_parse_args(argc, argv, &h->options, err);
    if (r < 0)
        return r;
    struct nook_slirp_options *o = &h->options;
    if (!fd_is_open(o->ready_fd))
        return nook_error_set(err, EBADF, "--ready-fd %d is not open", o->ready_fd);
    if (fcntl(o->ready_fd, F_SETFD, FD_CLOEXEC) < 0)
        return nook_error_set_errno(err, errno, "--ready-fd %d", o->ready_fd);
    if (o->tap_fd >= 0) {
        if (!fd_is_open(o->tap_fd) || fcntl(o->tap_fd, F_SETFD, FD_CLOEXEC) < 0)
            return nook_error_set(err, EBADF, "--tap-fd %d is not open", o->tap_fd);
        h->tap_fd = o->tap_fd;
        o->tap_fd = -1;
    }

    raise_fd_limit();
    if ((r = open_signalfd(&h->signal_fd, err)) < 0 || (r = open_log(o->log_path, &h->log_fd, err)) < 0)
        return r;
    h->log = (struct nook_slirp_log){ .fd = h->log_fd, .debug = o->debug };
    stamp(&h->stamps, "arguments");

    if (h->tap_fd < 0 && (r = nook_slirp_tap_start(o->mtu, o->ipv6, &h->tap_setup, err)) < 0)
        return r;
    stamp(&h->stamps, "tap child");
    /* libslirp, the DNS forwarder, the forwards and the seccomp filter
     * need no container: done while the tap child waits for it. */
    if ((r = nook_slirp_loop_new(o, &h->log, -1, -1, h->signal_fd, &h->loop, err)) < 0)
        return r;
    stamp(&h->stamps, "libslirp");
    if ((r = nook_slirp_loop_add_forwards(h->loop, err)) < 0)
        return r;
    stamp(&h->stamps, "forwards");
    if ((r = nook_slirp_filter_build(&h->filter, err)) < 0)
        return r;
    stamp(&h->stamps, "filter");

    if ((r = nook_slirp_open_pidfd(o->pid, o->pidfd, &h->pidfd, err)) < 0)
        return r;
    nook_slirp_loop_set_pidfd(h->loop, h->pidfd);
    stamp(&h->stamps, "init");
    bool relays_inside = nook_slirp_relays_inside(o);
    if (h->tap_fd < 0 || relays_inside) {
        if ((r = nook_slirp_open_namespaces(o->pid, h->pidfd, &h->ns, err)) < 0)
            return r;
        stamp(&h->stamps, "namespaces");
    }
    if (h->tap_fd < 0) {
        if ((r = nook_slirp_tap_finish(&h->tap_setup, &h->ns, &h->tap_fd, err)) < 0)
            return r;
        stamp(&h->stamps, "tap");
    }
    nook_slirp_loop_set_tap(h->loop, h->tap_fd);
    if (relays_inside) {
        if ((r = nook_slirp_loop_start_inside(h->loop, &h->ns, h->filter, h->log_fd, err)) < 0)
            return r;
        stamp(&h->stamps, "inside");
    }
    nook_slirp_namespaces_close(&h->ns);

    bool dropped;
    if ((r = nook_slirp_drop_root(&dropped, err)) < 0)
        return r;
    if ((r = nook_slirp_loop_start_writer(h->loop, err)) < 0)
        return r;
    stamp(&h->stamps, "writer");
    if ((r = nook_slirp_confine(h->filter, h->log_fd, err)) < 0)
        return r;
    nook_slirp_filter_free(&h->filter);
    stamp(&h->stamps, "confine");

    nook_slirp_log(&h->log,
                   "ready: pid %d, %s %s/%d mtu %u%s, gateway %s%s, dns %s, %zu port forward(s)%s%s",
                   (int)o->pid, NOOK_SLIRP_TAP_NAME, NOOK_SLIRP_GUEST, NOOK_SLIRP_PREFIX_LEN, o->mtu,
                   o->ipv6 ? " ipv6 " NOOK_SLIRP_GUEST6 : "", NOOK_SLIRP_GATEWAY,
                   o->host_loopback ? " (host loopback on)" : "", NOOK_SLIRP_DNS, o->n_ports,
                   dropped ? ", running as uid 65534" : "",
                   h->setsid_failed ? ", not in a session of its own (it leads a process group)" : "");
    return 0;
}

int main(int argc, char **argv)
{
    struct helper h = {
        .ns = NOOK_SLIRP_NAMESPACES_INIT,
        .ready_fd = -1,
        .signal_fd = -1,
        .pidfd = -1,
        .log_fd = -1,
        .tap_fd = -1,
        .tap_setup = NOOK_SLIRP_TAP_SETUP_INIT,
    };
    h.options.pidfd = -1;
    h.options.tap_fd = -1;
    stamp(&h.stamps, "main");
    /* A process-group leader cannot start a session (started by hand from
     * an interactive shell); nook's child always can. */
    if (setsid() < 0)
        h.setsid_failed = getsid(0) != getpid();

    h.ready_fd = nook_slirp_find_ready_fd(argc, argv);
    struct nook_error err = { 0 };
    if (setup(&h, argc, argv, &err) < 0) {
        int status = fail(h.ready_fd, &err);
        helper_free(&h);
        return status;
    }
    int r = write_all(h.ready_fd, "ok\n", 3);
    closep(&h.ready_fd);
    log_stamps(&h.log, &h.stamps);
    if (r < 0) {
        nook_slirp_log(&h.log, "the ready line cannot be written (%s): nobody waits for this helper; exiting",
                       strerror(-r));
        helper_free(&h);
        return 1;
    }
    int status = 0;
    if (nook_slirp_loop_run(h.loop, &err) < 0) {
        nook_slirp_log(&h.log, "error: %s", err.message);
        status = 1;
    }
    helper_free(&h);
#if NOOK_SLIRP_SANITIZED
    /* LeakSanitizer's check at exit needs a thread and ptrace, which the
     * confined helper has not: a sanitizer build skips it. */
    _exit(status);
#endif
    return status;
}
