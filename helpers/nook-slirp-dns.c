/* nook-slirp-dns.c: forward the container's UDP DNS queries to the
 * upstreams and write the answers back to the tap (nook-slirp-dns.h). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "nook-slirp-args.h"
#include "nook-slirp-dns.h"
#include "nook-slirp-tap.h"

static int read_resolv_conf(struct nook_slirp_upstream *out, size_t max, size_t *n)
{
    _cleanup_close_ int fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char text[16384];
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, text + len, sizeof(text) - 1 - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0 || (len += (size_t)r) == sizeof(text) - 1)
            break;
    }
    text[len] = '\0';
    *n = nook_slirp_parse_resolv_conf(text, out, max);
    return 0;
}

static int open_server(const struct nook_slirp_upstream *u, int *fd_out)
{
    _cleanup_close_ int fd = socket(u->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    /* Connected: the kernel drops datagrams from anyone else, and a port
     * unreachable comes back as ECONNREFUSED to fail over on. */
    if (connect(fd, (const struct sockaddr *)&u->addr, u->addr_len) < 0)
        return -errno;
    *fd_out = steal_fd(&fd);
    return 0;
}

int nook_slirp_dns_init(struct nook_slirp_dns *d, const struct nook_slirp_options *o, int tap_fd,
                        const struct nook_slirp_log *log, struct nook_error *err)
{
    d->log = log;
    d->tap_fd = tap_fd;
    d->mtu = o->mtu;
    d->ipv6 = o->ipv6;
    d->n_servers = 0;
    if (inet_pton(AF_INET, NOOK_SLIRP_DNS, &d->server4) != 1 || inet_pton(AF_INET6, NOOK_SLIRP_DNS6, &d->server6) != 1)
        return nook_error_set(err, EINVAL, "internal error: the DNS forwarder's addresses");

    struct nook_slirp_upstream from_file[NOOK_SLIRP_MAX_UPSTREAMS];
    const struct nook_slirp_upstream *upstreams = o->dns;
    size_t n = o->n_dns;
    if (n == 0) {
        int r = read_resolv_conf(from_file, N_ELEMENTS(from_file), &n);
        if (r < 0)
            nook_slirp_log(log, "warning: cannot read /etc/resolv.conf (%s): the container's DNS queries will fail",
                           strerror(-r));
        else if (n == 0)
            nook_slirp_log(log, "warning: /etc/resolv.conf names no nameserver: the container's DNS queries will fail");
        upstreams = from_file;
    }
    for (size_t i = 0; i < n; i++) {
        struct nook_slirp_dns_server *s = &d->servers[d->n_servers];
        nook_slirp_format_upstream(&upstreams[i], s->name, sizeof(s->name));
        s->upstream = upstreams[i];
        int r = open_server(&upstreams[i], &s->fd);
        if (r < 0) {
            nook_slirp_log(log, "warning: DNS upstream %s cannot be used: %s", s->name, strerror(-r));
            continue;
        }
        d->n_servers++;
    }
    if (n > 0 && d->n_servers == 0)
        nook_slirp_log(log, "warning: no DNS upstream can be used: the container's DNS queries will fail");
    return 0;
}

void nook_slirp_dns_close(struct nook_slirp_dns *d)
{
    for (size_t i = 0; i < d->n_servers; i++)
        closep(&d->servers[i].fd);
    d->n_servers = 0;
}

static uint16_t random16(struct nook_slirp_dns *d)
{
    if (d->random_left < 2) {
        ssize_t n = getrandom(d->random, sizeof(d->random), GRND_NONBLOCK);
        if (n < 2) {
            /* No entropy to be had (never after boot): ids stay unique,
             * only less hard to guess. */
            d->random[0] ^= (uint8_t)(d->ip_id >> 8);
            d->random[1] += 0x9d;
            n = 2;
        }
        d->random_left = (size_t)n;
    }
    d->random_left -= 2;
    return (uint16_t)(d->random[d->random_left] << 8 | d->random[d->random_left + 1]);
}

static struct nook_slirp_dns_query *find_query(struct nook_slirp_dns *d, uint16_t upstream_id)
{
    for (size_t i = 0; i < NOOK_SLIRP_DNS_SLOTS; i++) {
        if (d->queries[i].used && d->queries[i].upstream_id == upstream_id)
            return &d->queries[i];
    }
    return NULL;
}

/* A free slot, or the one closest to giving up when all are taken. */
static struct nook_slirp_dns_query *new_query(struct nook_slirp_dns *d)
{
    struct nook_slirp_dns_query *oldest = &d->queries[0];
    for (size_t i = 0; i < NOOK_SLIRP_DNS_SLOTS; i++) {
        if (!d->queries[i].used)
            return &d->queries[i];
        if (d->queries[i].deadline_ms < oldest->deadline_ms)
            oldest = &d->queries[i];
    }
    nook_slirp_log_debug(d->log, "dns: %d queries outstanding, dropping the oldest", NOOK_SLIRP_DNS_SLOTS);
    return oldest;
}

static void write_frames(struct nook_slirp_dns *d, const struct nook_slirp_dns_origin *origin, uint8_t *dns,
                         size_t len)
{
    int count = nook_slirp_dns_answer_pieces(origin, dns, len, d->mtu, d->ip_id, d->pieces, N_ELEMENTS(d->pieces));
    if (count == -EMSGSIZE) {
        ssize_t cut = nook_slirp_dns_truncate(dns, len);
        if (cut < 0)
            return;
        count = nook_slirp_dns_answer_pieces(origin, dns, (size_t)cut, d->mtu, d->ip_id, d->pieces,
                                             N_ELEMENTS(d->pieces));
    }
    if (count < 0)
        return;
    d->ip_id++;
    for (int i = 0; i < count; i++) {
        const struct nook_slirp_frame_piece *p = &d->pieces[i];
        struct iovec iov[3] = {
            { .iov_base = (void *)nook_slirp_vnet_hdr_out, .iov_len = NOOK_SLIRP_VNET_HDR_LEN },
            { .iov_base = (void *)p->header, .iov_len = p->header_len },
            { .iov_base = dns + p->offset, .iov_len = p->length },
        };
        ssize_t w;
        do
            w = writev(d->tap_fd, iov, 3);
        while (w < 0 && errno == EINTR);
        if (w < 0) {
            nook_slirp_log_debug(d->log, "dns: write an answer to the tap: %s", strerror(errno));
            return;
        }
    }
}

/* Send q to its current upstream; false when that failed at once. */
static bool send_query(struct nook_slirp_dns *d, struct nook_slirp_dns_query *q, const uint8_t *dns, size_t len,
                       int64_t now_ms)
{
    q->tries++;
    q->deadline_ms = now_ms + NOOK_SLIRP_DNS_TRY_MS;
    const struct nook_slirp_dns_server *s = &d->servers[q->upstream];
    if (send(s->fd, dns, len, MSG_NOSIGNAL) < 0) {
        nook_slirp_log_debug(d->log, "dns: send to %s: %s", s->name, strerror(errno));
        return false;
    }
    nook_slirp_log_debug(d->log, "dns: query %u from port %u sent to %s as %u", q->client_id, q->origin.guest_port,
                         s->name, q->upstream_id);
    return true;
}

/* Try the next upstream while tries are left; else forget q. */
static void retry_query(struct nook_slirp_dns *d, struct nook_slirp_dns_query *q, int64_t now_ms)
{
    while (q->len > 0 && q->tries < NOOK_SLIRP_DNS_MAX_TRIES && q->tries < d->n_servers + 1) {
        q->upstream = (q->upstream + 1) % (unsigned)d->n_servers;
        if (send_query(d, q, q->data, q->len, now_ms))
            return;
    }
    nook_slirp_log_debug(d->log, "dns: query %u from port %u: no answer", q->client_id, q->origin.guest_port);
    q->used = false;
    d->n_queries--;
}

bool nook_slirp_dns_handle_frame(struct nook_slirp_dns *d, uint8_t *frame, size_t len, int64_t now_ms)
{
    struct nook_slirp_dns_origin origin;
    const uint8_t *found;
    size_t dns_len;
    if (!nook_slirp_dns_match_query(frame, len, &d->server4, d->ipv6 ? &d->server6 : NULL, &origin, &found,
                                    &dns_len))
        return false;
    uint8_t *dns = frame + (found - frame);

    if (d->n_servers == 0) {
        ssize_t answer = nook_slirp_dns_servfail(dns, dns_len);
        if (answer > 0)
            write_frames(d, &origin, dns, (size_t)answer);
        return true;
    }
    struct nook_slirp_dns_query *q = new_query(d);
    if (!q->used)
        d->n_queries++;
    uint16_t id;
    do
        id = random16(d);
    while (find_query(d, id));
    *q = (struct nook_slirp_dns_query){
        .used = true,
        .upstream_id = id,
        .client_id = nook_slirp_dns_id(dns),
        .origin = origin,
    };
    nook_slirp_dns_set_id(dns, id);
    if (dns_len <= sizeof(q->data)) {
        memcpy(q->data, dns, dns_len);
        q->len = (uint16_t)dns_len;
    }
    if (!send_query(d, q, dns, dns_len, now_ms))
        retry_query(d, q, now_ms);
    return true;
}

size_t nook_slirp_dns_pollfds(const struct nook_slirp_dns *d, struct pollfd *fds)
{
    for (size_t i = 0; i < d->n_servers; i++)
        fds[i] = (struct pollfd){ .fd = d->servers[i].fd, .events = POLLIN };
    return d->n_servers;
}

void nook_slirp_dns_readable(struct nook_slirp_dns *d, size_t i, int64_t now_ms)
{
    const struct nook_slirp_dns_server *s = &d->servers[i];
    for (int budget = 64; budget > 0; budget--) {
        ssize_t n = recv(s->fd, d->buf, sizeof(d->buf), 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            /* ECONNREFUSED and the like: nobody listens there. What
             * waits on this upstream goes on to the next at once. */
            nook_slirp_log_debug(d->log, "dns: %s: %s", s->name, strerror(errno));
            for (size_t k = 0; k < NOOK_SLIRP_DNS_SLOTS; k++) {
                struct nook_slirp_dns_query *q = &d->queries[k];
                if (q->used && q->upstream == i)
                    retry_query(d, q, now_ms);
            }
            continue;
        }
        if ((size_t)n < NOOK_SLIRP_DNS_HLEN || !(d->buf[2] & 0x80))
            continue;
        struct nook_slirp_dns_query *q = find_query(d, nook_slirp_dns_id(d->buf));
        if (!q)
            continue; /* late, or not ours */
        nook_slirp_dns_set_id(d->buf, q->client_id);
        nook_slirp_log_debug(d->log, "dns: answer %u (%zd bytes) from %s to port %u", q->client_id, n, s->name,
                             q->origin.guest_port);
        q->used = false;
        d->n_queries--;
        write_frames(d, &q->origin, d->buf, (size_t)n);
    }
}

int64_t nook_slirp_dns_next_deadline(const struct nook_slirp_dns *d)
{
    int64_t next = -1;
    if (d->n_queries == 0)
        return -1;
    for (size_t i = 0; i < NOOK_SLIRP_DNS_SLOTS; i++) {
        const struct nook_slirp_dns_query *q = &d->queries[i];
        if (q->used && (next < 0 || q->deadline_ms < next))
            next = q->deadline_ms;
    }
    return next;
}

void nook_slirp_dns_expire(struct nook_slirp_dns *d, int64_t now_ms)
{
    if (d->n_queries == 0)
        return;
    for (size_t i = 0; i < NOOK_SLIRP_DNS_SLOTS; i++) {
        struct nook_slirp_dns_query *q = &d->queries[i];
        if (q->used && q->deadline_ms <= now_ms)
            retry_query(d, q, now_ms);
    }
}
