/* nook-slirp-loop.c: libslirp's callbacks and the poll() loop that drives
 * it (nook-slirp-loop.h). The fast path is the tap: every wakeup reads
 * frames until the tap is empty (or a budget is spent) into one buffer
 * that is reused, and nothing is allocated per frame. */
#include <arpa/inet.h>
#include <glib.h>
#include <linux/virtio_net.h>
#include <poll.h>
#include <signal.h>
#include <slirp/libslirp.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <time.h>

#include "nook-slirp-dns.h"
#include "nook-slirp-frame.h"
#include "nook-slirp-forward.h"
#include "nook-slirp-loop.h"
#include "nook-slirp-nat.h"
#include "nook-slirp-relay.h"
#include "nook-slirp-tap.h"
#include "nook-slirp-writer.h"

/* Frames read from the tap per wakeup before the other fds get a turn.
 * A wakeup whose reads found one frame and then none makes one read the
 * next time: a second would likely come back empty again (the ACKs of a
 * transfer towards the container arrive one at a time), and poll() tells
 * of more anyway. Otherwise it reads on, up to the budget. */
#define TAP_BUDGET 128
#define FIXED_FDS 3 /* signalfd, pidfd, tap; then the DNS upstreams and the relay */
/* Room for those before libslirp adds its own. */
#define OWN_FDS_MAX (FIXED_FDS + NOOK_SLIRP_MAX_UPSTREAMS + NOOK_SLIRP_RELAY_MAX_FDS)
#define DNS_OVER_TCP "DNS over TCP"

struct loop_timer {
    struct loop_timer *next;
    SlirpTimerCb cb;        /* timer_new() timers */
    SlirpTimerId id;        /* timer_new_opaque() timers, when cb is NULL */
    void *cb_opaque;
    int64_t expire_ms;      /* -1: not armed */
};

struct nook_slirp_loop {
    const struct nook_slirp_options *options;
    const struct nook_slirp_log *log;
    Slirp *slirp;
    int tap_fd;
    int pidfd;
    int signal_fd;
    struct pollfd *fds;
    size_t n_fds;
    size_t cap_fds;
    struct loop_timer *timers;
    uint64_t tap_write_drops;
    uint64_t loopback_drops;
    int tap_reads;          /* reads the next wakeup may make: 1 or TAP_BUDGET */
    struct nook_slirp_dns dns;
    struct nook_slirp_relay relay;
    struct nook_slirp_upstream dns_targets[NOOK_SLIRP_MAX_UPSTREAMS]; /* the relay's, for DNS over TCP */
    struct nook_slirp_relayed_port *relayed; /* one per --port; the relay's for TCP ones */
    struct nook_slirp_inside inside;        /* makes the relay's sockets in the container */
    struct nook_slirp_nat nat;
    struct nook_slirp_writer *writer;       /* NULL: the loop writes to the tap itself */
    /* A virtio header, then a frame: up to a 64 KiB TSO segment. */
    uint8_t frame[NOOK_SLIRP_VNET_HDR_LEN + NOOK_SLIRP_ETH_HLEN + 65536];
    /* A frame of libslirp's that the DNS redirect readdresses (its own
     * buffer: libslirp sends while it reads frame). */
    uint8_t nat_frame[NOOK_SLIRP_ETH_HLEN + 65536];
    uint8_t hdr[NOOK_SLIRP_NAT_HDR_MAX];
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_ms(void)
{
    return now_ns() / 1000000;
}

/* The virtio header of a TCP segment larger than the tap's MTU (sent by
 * libslirp running at NOOK_SLIRP_SEGMENT_MTU): one GSO frame, cut at the
 * tap's own MSS should the container forward it. false: a frame within
 * the MTU, or not TCP. */
static bool gso_header(const uint8_t *frame, size_t len, unsigned mtu, struct virtio_net_hdr *hdr)
{
    if (len <= mtu + NOOK_SLIRP_ETH_HLEN)
        return false;
    int family = 0;
    size_t headers = nook_slirp_tcp_headers_len(frame, len, &family);
    if (!headers || headers - NOOK_SLIRP_ETH_HLEN >= mtu)
        return false;
    *hdr = (struct virtio_net_hdr){
        .flags = VIRTIO_NET_HDR_F_DATA_VALID,
        .gso_type = family == AF_INET ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6,
        .hdr_len = (uint16_t)headers,
        .gso_size = (uint16_t)(mtu - (headers - NOOK_SLIRP_ETH_HLEN)),
    };
    return true;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    struct nook_slirp_loop *loop = opaque;
    if (nook_slirp_nat_inbound_match(&loop->nat, buf, len) && len <= sizeof(loop->nat_frame)) {
        memcpy(loop->nat_frame, buf, len);
        nook_slirp_nat_inbound(&loop->nat, loop->nat_frame, len);
        buf = loop->nat_frame;
    }
    struct virtio_net_hdr gso;
    const void *vnet_hdr = nook_slirp_vnet_hdr_out;
    if (gso_header(buf, len, loop->options->mtu, &gso))
        vnet_hdr = &gso;
    struct iovec iov[3] = {
        { .iov_base = (void *)vnet_hdr, .iov_len = NOOK_SLIRP_VNET_HDR_LEN },
        { .iov_base = (void *)buf, .iov_len = len },
    };
    int iovcnt = 2;
    /* The headers alone are copied to make the window even: the payload
     * goes from libslirp's buffer as it is. */
    size_t hdr = nook_slirp_nat_even_window(buf, len, loop->hdr);
    if (hdr) {
        iov[1] = (struct iovec){ .iov_base = loop->hdr, .iov_len = hdr };
        iov[2] = (struct iovec){ .iov_base = (uint8_t *)buf + hdr, .iov_len = len - hdr };
        iovcnt = 3;
    }
    if (loop->writer && nook_slirp_writer_queue(loop->writer, iov, iovcnt))
        return (ssize_t)len;
    ssize_t n;
    do
        n = writev(loop->tap_fd, iov, iovcnt);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        /* A full tap queue drops the frame, as a real link would; TCP
         * sends it again. */
        if (loop->tap_write_drops++ == 0 || loop->log->debug)
            nook_slirp_log(loop->log, "a frame to the container was dropped: %s", strerror(errno));
        return (ssize_t)len;
    }
    return n - NOOK_SLIRP_VNET_HDR_LEN;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    struct nook_slirp_loop *loop = opaque;
    nook_slirp_log(loop->log, "libslirp: the container sent something wrong: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    return now_ns();
}

static void *timer_add(struct nook_slirp_loop *loop, SlirpTimerCb cb, SlirpTimerId id, void *cb_opaque)
{
    struct loop_timer *t = g_new0(struct loop_timer, 1);
    t->cb = cb;
    t->id = id;
    t->cb_opaque = cb_opaque;
    t->expire_ms = -1;
    t->next = loop->timers;
    loop->timers = t;
    return t;
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    return timer_add(opaque, cb, SLIRP_TIMER_RA, cb_opaque);
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    return timer_add(opaque, NULL, id, cb_opaque);
}

static void cb_timer_free(void *timer, void *opaque)
{
    struct nook_slirp_loop *loop = opaque;
    for (struct loop_timer **p = &loop->timers; *p; p = &(*p)->next) {
        if (*p == timer) {
            *p = (*p)->next;
            g_free(timer);
            return;
        }
    }
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    ((struct loop_timer *)timer)->expire_ms = expire_ms;
}

/* The loop fills its poll set anew each round: nothing to remember. */
static void cb_register_poll_fd(int fd, void *opaque)
{
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
}

static void cb_notify(void *opaque)
{
}

static void cb_init_completed(Slirp *slirp, void *opaque)
{
}

static const SlirpCb callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .init_completed = cb_init_completed,
    .timer_new_opaque = cb_timer_new_opaque,
};

/* glib's messages (libslirp's warnings) go to the helper's log, not to
 * a stderr nobody reads; and glib's own writer would look up the time
 * zone and probe stderr, calls the seccomp filter does not allow. */
static GLogWriterOutput glib_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
    const struct nook_slirp_log *log = data;
    if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) && !log->debug)
        return G_LOG_WRITER_HANDLED;
    const char *message = "", *domain = "glib";
    for (gsize i = 0; i < n_fields; i++) {
        if (strcmp(fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
            message = fields[i].value;
        else if (strcmp(fields[i].key, "GLIB_DOMAIN") == 0 && fields[i].length < 0)
            domain = fields[i].value;
    }
    const char *what = (level & G_LOG_LEVEL_ERROR)      ? "error"
                       : (level & G_LOG_LEVEL_CRITICAL) ? "critical"
                       : (level & G_LOG_LEVEL_WARNING)  ? "warning"
                                                        : "message";
    nook_slirp_log(log, "%s %s: %s", domain, what, message);
    return G_LOG_WRITER_HANDLED;
}

static int add_poll(int fd, int events, void *opaque)
{
    struct nook_slirp_loop *loop = opaque;
    if (loop->n_fds == loop->cap_fds) {
        size_t cap = loop->cap_fds * 2;
        loop->fds = g_renew(struct pollfd, loop->fds, cap);
        loop->cap_fds = cap;
    }
    short ev = 0;
    if (events & SLIRP_POLL_IN)
        ev |= POLLIN;
    if (events & SLIRP_POLL_OUT)
        ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI)
        ev |= POLLPRI;
    loop->fds[loop->n_fds] = (struct pollfd){ .fd = fd, .events = ev };
    return (int)loop->n_fds++;
}

static int get_revents(int idx, void *opaque)
{
    struct nook_slirp_loop *loop = opaque;
    if (idx < 0 || (size_t)idx >= loop->n_fds)
        return 0;
    short re = loop->fds[idx].revents;
    int events = 0;
    if (re & POLLIN)
        events |= SLIRP_POLL_IN;
    if (re & POLLOUT)
        events |= SLIRP_POLL_OUT;
    if (re & POLLPRI)
        events |= SLIRP_POLL_PRI;
    if (re & (POLLERR | POLLNVAL))
        events |= SLIRP_POLL_ERR;
    if (re & POLLHUP)
        events |= SLIRP_POLL_HUP;
    return events;
}

/* The relay's listeners for DNS over TCP (nook-slirp-relay.h), and the
 * readdressing that leads the container's connections to them. One that
 * cannot listen leaves TCP queries of its address family failing, as
 * they would without it: a log line, no error. */
static void listen_dns_over_tcp(struct nook_slirp_loop *loop, bool ipv6)
{
    size_t n = 0;
    for (size_t i = 0; i < loop->dns.n_servers; i++)
        loop->dns_targets[n++] = loop->dns.servers[i].upstream;
    struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    struct sockaddr_in6 v6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    struct nook_error err = { 0 };
    if (nook_slirp_relay_listen(&loop->relay, (struct sockaddr *)&v4, sizeof(v4), DNS_OVER_TCP, loop->dns_targets,
                                n, false, NOOK_SLIRP_RELAY_DNS_IDLE_MS, &loop->nat.proxy4_port, &err) < 0)
        nook_slirp_log(loop->log, "warning: DNS over TCP to %s will fail: listen on 127.0.0.1: %s", NOOK_SLIRP_DNS,
                       err.message);
    if (ipv6 && nook_slirp_relay_listen(&loop->relay, (struct sockaddr *)&v6, sizeof(v6), DNS_OVER_TCP,
                                        loop->dns_targets, n, false, NOOK_SLIRP_RELAY_DNS_IDLE_MS,
                                        &loop->nat.proxy6_port, &err) < 0)
        nook_slirp_log(loop->log, "warning: DNS over TCP to %s will fail: listen on [::1]: %s", NOOK_SLIRP_DNS6,
                       err.message);
}

int nook_slirp_loop_new(const struct nook_slirp_options *o, const struct nook_slirp_log *log, int tap_fd, int pidfd,
                        int signal_fd, struct nook_slirp_loop **out, struct nook_error *err)
{
    g_log_set_writer_func(glib_writer, (gpointer)log, NULL);

    struct nook_slirp_loop *loop = g_new0(struct nook_slirp_loop, 1);
    loop->options = o;
    loop->log = log;
    loop->tap_fd = tap_fd;
    loop->pidfd = pidfd;
    loop->signal_fd = signal_fd;
    loop->inside = (struct nook_slirp_inside)NOOK_SLIRP_INSIDE_INIT;
    loop->cap_fds = OWN_FDS_MAX + 64;
    loop->fds = g_new0(struct pollfd, loop->cap_fds);
    nook_slirp_relay_init(&loop->relay, log);

    int r = nook_slirp_dns_init(&loop->dns, o, tap_fd, log, err);
    if (r < 0) {
        nook_slirp_loop_free(loop);
        return r;
    }
    loop->nat = (struct nook_slirp_nat){
        .host_loopback = o->host_loopback,
        .dns4 = loop->dns.server4,
        .dns6 = loop->dns.server6,
        .proxy4.s_addr = htonl(INADDR_LOOPBACK),
        .proxy6 = in6addr_loopback,
    };
    listen_dns_over_tcp(loop, o->ipv6);

    /* Below NOOK_SLIRP_OFFLOAD_MTU libslirp sends the container 64 KiB
     * segments, which gso_header() marks (slirp-contract.h). */
    unsigned slirp_mtu = o->mtu < NOOK_SLIRP_OFFLOAD_MTU ? NOOK_SLIRP_SEGMENT_MTU : o->mtu;
    SlirpConfig cfg = {
        .version = 4,
        .restricted = 0,
        .in_enabled = true,
        .in6_enabled = o->ipv6,
        .vprefix_len = NOOK_SLIRP_PREFIX6_LEN,
        .if_mtu = slirp_mtu,
        .if_mru = slirp_mtu,
        .disable_host_loopback = !o->host_loopback,
        .enable_emu = false,
        /* The container's address is static: nothing asks for a lease. */
        .disable_dhcp = true,
    };
    if (inet_pton(AF_INET, NOOK_SLIRP_NETWORK, &cfg.vnetwork) != 1 ||
        inet_pton(AF_INET, NOOK_SLIRP_NETMASK, &cfg.vnetmask) != 1 ||
        inet_pton(AF_INET, NOOK_SLIRP_GATEWAY, &cfg.vhost) != 1 ||
        inet_pton(AF_INET, NOOK_SLIRP_DHCP_START, &cfg.vdhcp_start) != 1 ||
        inet_pton(AF_INET, NOOK_SLIRP_DNS, &cfg.vnameserver) != 1 ||
        inet_pton(AF_INET6, NOOK_SLIRP_NETWORK6, &cfg.vprefix_addr6) != 1 ||
        inet_pton(AF_INET6, NOOK_SLIRP_GATEWAY6, &cfg.vhost6) != 1 ||
        inet_pton(AF_INET6, NOOK_SLIRP_DNS6, &cfg.vnameserver6) != 1) {
        nook_slirp_loop_free(loop);
        return nook_error_set(err, EINVAL, "internal error: the network's addresses");
    }
    loop->slirp = slirp_new(&cfg, &callbacks, loop);
    if (!loop->slirp) {
        nook_slirp_loop_free(loop);
        return nook_error_set(err, EINVAL, "libslirp %s refused the configuration (MTU %u)", slirp_version_string(),
                              o->mtu);
    }
    *out = loop;
    return 0;
}

void nook_slirp_loop_set_pidfd(struct nook_slirp_loop *loop, int pidfd)
{
    loop->pidfd = pidfd;
}

void nook_slirp_loop_set_tap(struct nook_slirp_loop *loop, int tap_fd)
{
    loop->tap_fd = tap_fd;
    loop->dns.tap_fd = tap_fd;
}

int nook_slirp_loop_add_forwards(struct nook_slirp_loop *loop, struct nook_error *err)
{
    const struct nook_slirp_options *o = loop->options;
    loop->relayed = g_new0(struct nook_slirp_relayed_port, o->n_ports ? o->n_ports : 1);
    return nook_slirp_add_forwards(loop->slirp, &loop->relay, o, loop->relayed, err);
}

int nook_slirp_loop_start_inside(struct nook_slirp_loop *loop, const struct nook_slirp_namespaces *ns,
                                 nook_slirp_filter filter, int log_fd, struct nook_error *err)
{
    int r = nook_slirp_inside_start(ns, filter, log_fd, &loop->inside, err);
    if (r < 0)
        return r;
    loop->relay.inside = &loop->inside;
    return 0;
}

int nook_slirp_loop_start_writer(struct nook_slirp_loop *loop, struct nook_error *err)
{
    if (loop->writer || !nook_slirp_writer_useful())
        return 0;
    return nook_slirp_writer_start(loop->tap_fd, loop->log, &loop->writer, err);
}

void nook_slirp_loop_free(struct nook_slirp_loop *loop)
{
    if (!loop)
        return;
    nook_slirp_writer_stop(loop->writer);
    if (loop->slirp)
        slirp_cleanup(loop->slirp);
    while (loop->timers) {
        struct loop_timer *t = loop->timers;
        loop->timers = t->next;
        g_free(t);
    }
    nook_slirp_relay_close(&loop->relay);
    nook_slirp_inside_stop(&loop->inside);
    g_free(loop->relayed);
    nook_slirp_dns_close(&loop->dns);
    g_free(loop->fds);
    g_free(loop);
}

/* Read what the tap holds. 1: go on; 0: the tap is gone (the container's
 * network namespace went away with its last process). */
static int drain_tap(struct nook_slirp_loop *loop)
{
    int64_t now = -1;
    int budget = loop->tap_reads > 0 ? loop->tap_reads : TAP_BUDGET;
    int frames = 0;
    for (int i = 0; i < budget; i++) {
        ssize_t n = read(loop->tap_fd, loop->frame, sizeof(loop->frame));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            nook_slirp_log(loop->log, "the tap cannot be read (%s): the container's network is gone; exiting",
                           strerror(errno));
            return 0;
        }
        if (n == 0)
            break;
        frames++;
        if ((size_t)n < NOOK_SLIRP_VNET_HDR_LEN + NOOK_SLIRP_ETH_HLEN)
            continue;
        struct virtio_net_hdr hdr;
        memcpy(&hdr, loop->frame, sizeof(hdr));
        uint8_t *frame = loop->frame + NOOK_SLIRP_VNET_HDR_LEN;
        size_t len = (size_t)n - NOOK_SLIRP_VNET_HDR_LEN;
        /* A TSO segment is a valid large packet (its IP length covers
         * it all) but for the checksum the kernel left to the device. */
        if ((hdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
            nook_slirp_complete_checksum(frame, len, hdr.csum_start, hdr.csum_offset) < 0)
            continue;
        if (now < 0)
            now = now_ms();
        if (nook_slirp_dns_handle_frame(&loop->dns, frame, len, now))
            continue;
        if (nook_slirp_nat_outbound(&loop->nat, frame, len) == NOOK_SLIRP_NAT_DROP) {
            if (loop->loopback_drops++ == 0 || loop->log->debug)
                nook_slirp_log(loop->log, "a frame from the container to the host's loopback was dropped "
                               "(host loopback is off)");
            continue;
        }
        slirp_input(loop->slirp, frame, (int)len);
    }
    /* A single read that found its frame cannot tell whether more wait:
     * the next wakeup reads on. */
    loop->tap_reads = frames > 1 || frames >= budget ? TAP_BUDGET : 1;
    return 1;
}

static void run_timers(struct nook_slirp_loop *loop, int64_t now)
{
    /* A callback may free or re-arm timers: start over after each. */
    bool fired;
    do {
        fired = false;
        for (struct loop_timer *t = loop->timers; t; t = t->next) {
            if (t->expire_ms >= 0 && t->expire_ms <= now) {
                t->expire_ms = -1;
                if (t->cb)
                    t->cb(t->cb_opaque);
                else
                    slirp_handle_timer(loop->slirp, t->id, t->cb_opaque);
                fired = true;
                break;
            }
        }
    } while (fired);
}

/* The poll timeout the loop's own deadlines allow (ms, UINT32_MAX: none). */
static uint32_t own_timeout(const struct nook_slirp_loop *loop, int64_t now)
{
    int64_t next = nook_slirp_dns_next_deadline(&loop->dns);
    int64_t tcp = nook_slirp_relay_next_deadline(&loop->relay);
    if (tcp >= 0 && (next < 0 || tcp < next))
        next = tcp;
    for (const struct loop_timer *t = loop->timers; t; t = t->next) {
        if (t->expire_ms >= 0 && (next < 0 || t->expire_ms < next))
            next = t->expire_ms;
    }
    if (next < 0)
        return UINT32_MAX;
    return next <= now ? 0 : (uint32_t)(next - now < UINT32_MAX - 1 ? next - now : UINT32_MAX - 1);
}

int nook_slirp_loop_run(struct nook_slirp_loop *loop, struct nook_error *err)
{
    for (;;) {
        loop->fds[0] = (struct pollfd){ .fd = loop->signal_fd, .events = POLLIN };
        loop->fds[1] = (struct pollfd){ .fd = loop->pidfd, .events = POLLIN };
        loop->fds[2] = (struct pollfd){ .fd = loop->tap_fd, .events = POLLIN };
        size_t n = FIXED_FDS + nook_slirp_dns_pollfds(&loop->dns, loop->fds + FIXED_FDS);
        size_t relay_first = n;
        n += nook_slirp_relay_pollfds(&loop->relay, loop->fds + relay_first);
        loop->n_fds = n;

        uint32_t timeout = own_timeout(loop, now_ms());
        slirp_pollfds_fill(loop->slirp, &timeout, add_poll, loop);
        /* The round's short frames, before the loop may sleep. */
        if (loop->writer)
            nook_slirp_writer_flush(loop->writer);
        int ready = poll(loop->fds, loop->n_fds, timeout == UINT32_MAX ? -1 : (int)timeout);
        if (ready < 0 && errno != EINTR)
            return nook_error_set_errno(err, errno, "poll");

        if (ready > 0) {
            if (loop->fds[0].revents & POLLIN) {
                struct signalfd_siginfo si;
                if (read(loop->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                    /* Not strsignal(): it may look up a translation. */
                    nook_slirp_log(loop->log, "%s: exiting", si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
                    return 0;
                }
            }
            if (loop->fds[1].revents) {
                nook_slirp_log(loop->log, "the container's init (pid %d) exited: exiting", (int)loop->options->pid);
                return 0;
            }
            if (loop->fds[2].revents && drain_tap(loop) == 0)
                return 0;
            for (size_t i = 0; i < loop->dns.n_servers; i++) {
                if (loop->fds[FIXED_FDS + i].revents)
                    nook_slirp_dns_readable(&loop->dns, i, now_ms());
            }
            nook_slirp_relay_dispatch(&loop->relay, loop->fds + relay_first, now_ms());
        }
        slirp_pollfds_poll(loop->slirp, ready < 0, get_revents, loop);
        int64_t now = now_ms();
        run_timers(loop, now);
        nook_slirp_dns_expire(&loop->dns, now);
        nook_slirp_relay_expire(&loop->relay, now);
    }
}
