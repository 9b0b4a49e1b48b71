/* nook-slirp-relay.c: accept on the relay's listeners and move bytes
 * between each accepted connection and its target (nook-slirp-relay.h).
 * A connection is two sockets and a buffer each way; a buffer is filled
 * from one side only when it is empty and drained to the other before
 * more is read, which is flow control enough: the kernel's socket
 * buffers do the rest. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "nook-slirp-args.h"
#include "nook-slirp-relay.h"

#define RELAY_BUF 65536

/* One direction: from -> buf -> to. */
struct relay_dir {
    size_t len;
    size_t off;
    bool eof;          /* from is done; to is shut down once buf is empty */
    bool shut;
    uint8_t buf[RELAY_BUF];
};

struct nook_slirp_relay_conn {
    const struct nook_slirp_relay_listener *listener;
    int client_fd;     /* accepted */
    int target_fd;     /* -1 while none */
    size_t target;     /* the index of the target connected to or tried */
    bool connecting;
    int64_t deadline_ms;
    int client_index;  /* in this round's pollfds, -1: not polled */
    int target_index;
    struct relay_dir to_target;
    struct relay_dir to_client;
};

void nook_slirp_relay_init(struct nook_slirp_relay *r, const struct nook_slirp_log *log)
{
    memset(r, 0, sizeof(*r));
    r->log = log;
}

static void conn_free(struct nook_slirp_relay *r, size_t i)
{
    struct nook_slirp_relay_conn *c = r->conns[i];
    if (!c)
        return;
    closep(&c->client_fd);
    closep(&c->target_fd);
    free(c);
    r->conns[i] = NULL;
    r->n_conns--;
    r->accept_paused = false;
}

void nook_slirp_relay_close(struct nook_slirp_relay *r)
{
    for (size_t i = 0; i < NOOK_SLIRP_RELAY_MAX_CONNS; i++)
        conn_free(r, i);
    for (size_t i = 0; i < r->n_listeners; i++)
        closep(&r->listeners[i].fd);
    r->n_listeners = 0;
}

int nook_slirp_relay_listen(struct nook_slirp_relay *r, const struct sockaddr *addr, socklen_t addr_len,
                            const char *what, const struct nook_slirp_upstream *targets, size_t n_targets,
                            bool inside, int64_t idle_ms, uint16_t *port, struct nook_error *err)
{
    if (r->n_listeners == NOOK_SLIRP_RELAY_MAX_LISTENERS)
        return nook_error_set(err, E2BIG, "%s: at most %d relayed listeners", what, NOOK_SLIRP_RELAY_MAX_LISTENERS);
    _cleanup_close_ int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "%s: socket", what);
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        (addr->sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0))
        return nook_error_set_errno(err, errno, "%s: setsockopt", what);
    if (bind(fd, addr, addr_len) < 0 || listen(fd, SOMAXCONN) < 0)
        return nook_error_set_errno(err, errno, "%s", what);
    struct sockaddr_storage bound;
    socklen_t len = sizeof(bound);
    if (getsockname(fd, (struct sockaddr *)&bound, &len) < 0)
        return nook_error_set_errno(err, errno, "%s: getsockname", what);
    *port = ntohs(bound.ss_family == AF_INET ? ((struct sockaddr_in *)&bound)->sin_port
                                             : ((struct sockaddr_in6 *)&bound)->sin6_port);
    r->listeners[r->n_listeners++] = (struct nook_slirp_relay_listener){
        .fd = steal_fd(&fd),
        .what = what,
        .targets = targets,
        .n_targets = n_targets,
        .idle_ms = idle_ms,
        .inside = inside,
        .poll_index = -1,
    };
    return 0;
}

/* The deadline of a connection that has just moved bytes. */
static int64_t idle_deadline(const struct nook_slirp_relay_listener *l, int64_t now_ms)
{
    return l->idle_ms == NOOK_SLIRP_RELAY_NO_IDLE_LIMIT ? INT64_MAX : now_ms + l->idle_ms;
}

static void target_name(const struct nook_slirp_relay_conn *c, char *buf, size_t size)
{
    if (c->target < c->listener->n_targets)
        nook_slirp_format_upstream(&c->listener->targets[c->target], buf, size);
    else
        snprintf(buf, size, "?");
}

/* Start connecting c to target c->target or the first after it that
 * takes a connect(); false when none is left. */
static bool connect_target(struct nook_slirp_relay *r, struct nook_slirp_relay_conn *c, int64_t now_ms)
{
    const struct nook_slirp_relay_listener *l = c->listener;
    for (; c->target < l->n_targets; c->target++) {
        const struct nook_slirp_upstream *u = &l->targets[c->target];
        closep(&c->target_fd);
        if (l->inside) {
            int fd = r->inside ? nook_slirp_inside_socket(r->inside, u->addr.ss_family) : -ENOTCONN;
            c->target_fd = fd < 0 ? -1 : fd;
            if (fd < 0)
                errno = -fd;
        } else {
            c->target_fd = socket(u->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        }
        if (c->target_fd >= 0 &&
            (connect(c->target_fd, (const struct sockaddr *)&u->addr, u->addr_len) == 0 || errno == EINPROGRESS)) {
            c->connecting = true;
            c->deadline_ms = now_ms + NOOK_SLIRP_RELAY_CONNECT_MS;
            return true;
        }
        char name[80];
        target_name(c, name, sizeof(name));
        nook_slirp_log_debug(r->log, "%s: connect to %s: %s", l->what, name, strerror(errno));
    }
    closep(&c->target_fd);
    c->target_fd = -1;
    return false;
}

static void accept_from(struct nook_slirp_relay *r, const struct nook_slirp_relay_listener *l, int64_t now_ms)
{
    for (int budget = 16; budget > 0; budget--) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            /* The connection stays queued, and the listener readable: not
             * polled until a connection closes, or the loop would spin. */
            if ((errno == EMFILE || errno == ENFILE) && r->n_conns > 0) {
                nook_slirp_log_debug(r->log, "%s: out of file descriptors; accepting again once a connection "
                                     "closes", l->what);
                r->accept_paused = true;
            }
            return;
        }
        size_t slot = 0;
        while (slot < NOOK_SLIRP_RELAY_MAX_CONNS && r->conns[slot])
            slot++;
        struct nook_slirp_relay_conn *c = slot < NOOK_SLIRP_RELAY_MAX_CONNS ? malloc(sizeof(*c)) : NULL;
        if (!c) {
            nook_slirp_log_debug(r->log, "%s: %d connections relayed, one more refused", l->what,
                                 NOOK_SLIRP_RELAY_MAX_CONNS);
            close(fd);
            continue;
        }
        /* Field by field: the buffers need no zeroing. */
        c->listener = l;
        c->client_fd = fd;
        c->target_fd = -1;
        c->target = 0;
        c->connecting = false;
        c->client_index = c->target_index = -1;
        c->to_target.len = c->to_target.off = c->to_client.len = c->to_client.off = 0;
        c->to_target.eof = c->to_target.shut = c->to_client.eof = c->to_client.shut = false;
        r->conns[slot] = c;
        r->n_conns++;
        if (!connect_target(r, c, now_ms)) {
            nook_slirp_log_debug(r->log, "%s: no target takes the connection", l->what);
            conn_free(r, slot);
        }
    }
}

static void add_fd(struct pollfd *fds, size_t *n, int *index, int fd, short events)
{
    if (events == 0) {
        *index = -1;
        return;
    }
    fds[*n] = (struct pollfd){ .fd = fd, .events = events };
    *index = (int)(*n)++;
}

size_t nook_slirp_relay_pollfds(struct nook_slirp_relay *r, struct pollfd *fds)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_listeners; i++)
        add_fd(fds, &n, &r->listeners[i].poll_index, r->listeners[i].fd, r->accept_paused ? 0 : POLLIN);
    for (size_t i = 0; r->n_conns > 0 && i < NOOK_SLIRP_RELAY_MAX_CONNS; i++) {
        struct nook_slirp_relay_conn *c = r->conns[i];
        if (!c)
            continue;
        short client = 0, target = 0;
        if (c->connecting) {
            target = POLLOUT;
        } else {
            if (c->to_target.len > 0)
                target |= POLLOUT;
            else if (!c->to_target.eof)
                client |= POLLIN;
            if (c->to_client.len > 0)
                client |= POLLOUT;
            else if (!c->to_client.eof)
                target |= POLLIN;
        }
        add_fd(fds, &n, &c->client_index, c->client_fd, client);
        add_fd(fds, &n, &c->target_index, c->target_fd, target);
    }
    return n;
}

/* Move what can be moved one way. false: the connection is broken. */
static bool pump(struct relay_dir *d, int from, short from_revents, int to)
{
    if (d->len == 0 && !d->eof && (from_revents & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t n = recv(from, d->buf, sizeof(d->buf), 0);
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return false;
        if (n == 0)
            d->eof = true;
        if (n > 0) {
            d->len = (size_t)n;
            d->off = 0;
        }
    }
    /* Whatever was just read is tried at once: the other side is
     * usually ready, and EAGAIN only waits for the next round. */
    if (d->len > 0) {
        ssize_t n = send(to, d->buf + d->off, d->len, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return false;
        if (n > 0) {
            d->off += (size_t)n;
            d->len -= (size_t)n;
        }
    }
    if (d->eof && d->len == 0 && !d->shut) {
        (void)shutdown(to, SHUT_WR);
        d->shut = true;
    }
    return true;
}

static short revents_of(const struct pollfd *fds, int index)
{
    return index >= 0 ? fds[index].revents : 0;
}

/* false: c is done (both ways finished, or broken). */
static bool conn_step(struct nook_slirp_relay *r, struct nook_slirp_relay_conn *c, const struct pollfd *fds,
                      int64_t now_ms)
{
    short client = revents_of(fds, c->client_index);
    short target = revents_of(fds, c->target_index);
    if (c->connecting) {
        if (!target)
            return true;
        int error = 0;
        socklen_t len = sizeof(error);
        if (getsockopt(c->target_fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
            error = errno;
        if (error) {
            char name[80];
            target_name(c, name, sizeof(name));
            nook_slirp_log_debug(r->log, "%s: connect to %s: %s", c->listener->what, name, strerror(error));
            c->target++;
            return connect_target(r, c, now_ms);
        }
        c->connecting = false;
        c->deadline_ms = idle_deadline(c->listener, now_ms);
        return true;
    }
    if (!client && !target)
        return true;
    c->deadline_ms = idle_deadline(c->listener, now_ms);
    if (!pump(&c->to_target, c->client_fd, client, c->target_fd) ||
        !pump(&c->to_client, c->target_fd, target, c->client_fd))
        return false;
    return !(c->to_target.shut && c->to_client.shut);
}

void nook_slirp_relay_dispatch(struct nook_slirp_relay *r, const struct pollfd *fds, int64_t now_ms)
{
    for (size_t i = 0; r->n_conns > 0 && i < NOOK_SLIRP_RELAY_MAX_CONNS; i++) {
        struct nook_slirp_relay_conn *c = r->conns[i];
        if (c && !conn_step(r, c, fds, now_ms))
            conn_free(r, i);
    }
    /* New connections last: they are not in this round's fds. */
    for (size_t i = 0; i < r->n_listeners; i++) {
        if (revents_of(fds, r->listeners[i].poll_index))
            accept_from(r, &r->listeners[i], now_ms);
    }
}

int64_t nook_slirp_relay_next_deadline(const struct nook_slirp_relay *r)
{
    int64_t next = -1;
    for (size_t i = 0; r->n_conns > 0 && i < NOOK_SLIRP_RELAY_MAX_CONNS; i++) {
        const struct nook_slirp_relay_conn *c = r->conns[i];
        if (c && c->deadline_ms != INT64_MAX && (next < 0 || c->deadline_ms < next))
            next = c->deadline_ms;
    }
    return next;
}

void nook_slirp_relay_expire(struct nook_slirp_relay *r, int64_t now_ms)
{
    for (size_t i = 0; r->n_conns > 0 && i < NOOK_SLIRP_RELAY_MAX_CONNS; i++) {
        struct nook_slirp_relay_conn *c = r->conns[i];
        if (!c || c->deadline_ms > now_ms)
            continue;
        if (c->connecting) {
            char name[80];
            target_name(c, name, sizeof(name));
            nook_slirp_log_debug(r->log, "%s: %s does not take the connection", c->listener->what, name);
            c->target++;
            if (connect_target(r, c, now_ms))
                continue;
        }
        conn_free(r, i);
    }
}
