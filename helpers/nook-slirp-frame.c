/* nook-slirp-frame.c: recognise DNS queries in ethernet frames from the
 * tap and build the frames of their answers (see nook-slirp-frame.h).
 * Fields are read and written byte by byte in network order: a frame in
 * a buffer has no alignment to lean on. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "nook-slirp-frame.h"

#define PROTO_UDP 17
#define IP_TTL_DEFAULT 64
#define IPV4_MF 0x2000

/* The sum is taken over native-order words, eight bytes a step, and
 * turned into network order at the end (RFC 1071: the one's complement
 * sum is the same up to a byte swap): a checksum over a 64 KiB TSO
 * segment runs on every such frame from the container. */
uint32_t nook_slirp_checksum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, data + i, 8);
        acc += (w & 0xffffffffu) + (w >> 32);
    }
    for (; i + 2 <= len; i += 2) {
        uint16_t w;
        memcpy(&w, data + i, 2);
        acc += w;
    }
    if (i < len) {
        /* The odd last byte is the high byte of a network-order word. */
        uint8_t last[2] = { data[i], 0 };
        uint16_t w;
        memcpy(&w, last, 2);
        acc += w;
    }
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    sum += ntohs((uint16_t)acc);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

uint16_t nook_slirp_checksum_finish(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

int nook_slirp_complete_checksum(uint8_t *frame, size_t len, size_t start, size_t offset)
{
    if (start >= len || offset + 2 > len - start)
        return -EINVAL;
    uint16_t check = nook_slirp_checksum_finish(nook_slirp_checksum_add(0, frame + start, len - start));
    /* 0 means "no checksum" to UDP; the same value in one's complement. */
    if (check == 0 && offset == 6)
        check = 0xffff;
    nook_slirp_put16(frame + start + offset, check);
    return 0;
}

uint16_t nook_slirp_dns_id(const uint8_t *dns)
{
    return nook_slirp_get16(dns);
}

void nook_slirp_dns_set_id(uint8_t *dns, uint16_t id)
{
    nook_slirp_put16(dns, id);
}

/* The UDP header at udp (length udp_len, whose datagram is udp_len bytes
 * from udp on) is for port 53 and holds at least a DNS header. */
static bool udp_is_dns_query(const uint8_t *udp, size_t room, size_t *udp_len)
{
    if (room < NOOK_SLIRP_UDP_HLEN)
        return false;
    size_t len = nook_slirp_get16(udp + 4);
    if (len < NOOK_SLIRP_UDP_HLEN + NOOK_SLIRP_DNS_HLEN || len > room)
        return false;
    if (nook_slirp_get16(udp + 2) != NOOK_SLIRP_DNS_PORT)
        return false;
    *udp_len = len;
    return true;
}

int nook_slirp_dns_match_query(const uint8_t *frame, size_t len, const struct in_addr *server4,
                               const struct in6_addr *server6, struct nook_slirp_dns_origin *origin,
                               const uint8_t **dns, size_t *dns_len)
{
    if (len < NOOK_SLIRP_ETH_HLEN)
        return 0;
    const uint8_t *ip = frame + NOOK_SLIRP_ETH_HLEN;
    size_t ip_room = len - NOOK_SLIRP_ETH_HLEN;
    const uint8_t *udp;
    size_t udp_len;
    struct nook_slirp_dns_origin o = { 0 };

    switch (nook_slirp_get16(frame + 12)) {
    case NOOK_SLIRP_ETHERTYPE_IPV4: {
        if (!server4 || ip_room < NOOK_SLIRP_IPV4_HLEN || ip[0] >> 4 != 4)
            return 0;
        size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
        size_t total = nook_slirp_get16(ip + 2);
        if (ihl < NOOK_SLIRP_IPV4_HLEN || total < ihl || total > ip_room)
            return 0;
        if ((nook_slirp_get16(ip + 6) & NOOK_SLIRP_IPV4_FRAGMENT_MASK) != 0 || ip[9] != PROTO_UDP)
            return 0;
        if (memcmp(ip + 16, &server4->s_addr, 4) != 0)
            return 0;
        udp = ip + ihl;
        if (!udp_is_dns_query(udp, total - ihl, &udp_len))
            return 0;
        o.family = AF_INET;
        memcpy(o.guest_addr, ip + 12, 4);
        memcpy(o.server_addr, ip + 16, 4);
        break;
    }
    case NOOK_SLIRP_ETHERTYPE_IPV6: {
        if (!server6 || ip_room < NOOK_SLIRP_IPV6_HLEN || ip[0] >> 4 != 6)
            return 0;
        size_t payload = nook_slirp_get16(ip + 4);
        if (payload > ip_room - NOOK_SLIRP_IPV6_HLEN || ip[6] != PROTO_UDP)
            return 0;
        if (memcmp(ip + 24, server6->s6_addr, 16) != 0)
            return 0;
        udp = ip + NOOK_SLIRP_IPV6_HLEN;
        if (!udp_is_dns_query(udp, payload, &udp_len))
            return 0;
        o.family = AF_INET6;
        memcpy(o.guest_addr, ip + 8, 16);
        memcpy(o.server_addr, ip + 24, 16);
        break;
    }
    default:
        return 0;
    }
    memcpy(o.server_mac, frame, 6);
    memcpy(o.guest_mac, frame + 6, 6);
    o.guest_port = nook_slirp_get16(udp);
    o.server_port = NOOK_SLIRP_DNS_PORT;
    *origin = o;
    *dns = udp + NOOK_SLIRP_UDP_HLEN;
    *dns_len = udp_len - NOOK_SLIRP_UDP_HLEN;
    return 1;
}

static size_t put_ethernet(uint8_t *h, const struct nook_slirp_dns_origin *o, uint16_t ethertype)
{
    memcpy(h, o->guest_mac, 6);
    memcpy(h + 6, o->server_mac, 6);
    nook_slirp_put16(h + 12, ethertype);
    return NOOK_SLIRP_ETH_HLEN;
}

static size_t put_ipv4(uint8_t *ip, const struct nook_slirp_dns_origin *o, size_t payload_len, uint16_t id,
                       uint16_t fragment)
{
    memset(ip, 0, NOOK_SLIRP_IPV4_HLEN);
    ip[0] = 0x45;
    nook_slirp_put16(ip + 2, (uint16_t)(NOOK_SLIRP_IPV4_HLEN + payload_len));
    nook_slirp_put16(ip + 4, id);
    nook_slirp_put16(ip + 6, fragment);
    ip[8] = IP_TTL_DEFAULT;
    ip[9] = PROTO_UDP;
    memcpy(ip + 12, o->server_addr, 4);
    memcpy(ip + 16, o->guest_addr, 4);
    nook_slirp_put16(ip + 10, nook_slirp_checksum_finish(nook_slirp_checksum_add(0, ip, NOOK_SLIRP_IPV4_HLEN)));
    return NOOK_SLIRP_IPV4_HLEN;
}

static size_t put_ipv6(uint8_t *ip, const struct nook_slirp_dns_origin *o, size_t payload_len)
{
    memset(ip, 0, NOOK_SLIRP_IPV6_HLEN);
    ip[0] = 0x60;
    nook_slirp_put16(ip + 4, (uint16_t)payload_len);
    ip[6] = PROTO_UDP;
    ip[7] = IP_TTL_DEFAULT;
    memcpy(ip + 8, o->server_addr, 16);
    memcpy(ip + 24, o->guest_addr, 16);
    return NOOK_SLIRP_IPV6_HLEN;
}

/* The UDP header of the answer, its checksum over the pseudo-header of
 * the origin's family, the header and the whole DNS message. */
static size_t put_udp(uint8_t *udp, const struct nook_slirp_dns_origin *o, const uint8_t *dns, size_t dns_len)
{
    size_t udp_len = NOOK_SLIRP_UDP_HLEN + dns_len;
    nook_slirp_put16(udp, o->server_port);
    nook_slirp_put16(udp + 2, o->guest_port);
    nook_slirp_put16(udp + 4, (uint16_t)udp_len);
    nook_slirp_put16(udp + 6, 0);

    size_t addr_len = o->family == AF_INET ? 4 : 16;
    uint8_t tail[8] = { 0 };
    uint32_t sum = nook_slirp_checksum_add(0, o->server_addr, addr_len);
    sum = nook_slirp_checksum_add(sum, o->guest_addr, addr_len);
    if (o->family == AF_INET) {
        tail[1] = PROTO_UDP;
        nook_slirp_put16(tail + 2, (uint16_t)udp_len);
        sum = nook_slirp_checksum_add(sum, tail, 4);
    } else {
        nook_slirp_put16(tail + 2, (uint16_t)udp_len); /* a 32-bit length */
        tail[7] = PROTO_UDP;
        sum = nook_slirp_checksum_add(sum, tail, 8);
    }
    sum = nook_slirp_checksum_add(sum, udp, NOOK_SLIRP_UDP_HLEN);
    sum = nook_slirp_checksum_add(sum, dns, dns_len);
    uint16_t check = nook_slirp_checksum_finish(sum);
    nook_slirp_put16(udp + 6, check == 0 ? 0xffff : check);
    return NOOK_SLIRP_UDP_HLEN;
}

int nook_slirp_dns_answer_pieces(const struct nook_slirp_dns_origin *o, const uint8_t *dns, size_t dns_len,
                                 size_t mtu, uint16_t ip_id, struct nook_slirp_frame_piece *pieces,
                                 size_t max_pieces)
{
    if (max_pieces == 0 || dns_len < NOOK_SLIRP_DNS_HLEN)
        return -EINVAL;
    size_t udp_len = NOOK_SLIRP_UDP_HLEN + dns_len;

    if (o->family == AF_INET6) {
        if (NOOK_SLIRP_IPV6_HLEN + udp_len > mtu || udp_len > 0xffff)
            return -EMSGSIZE;
        struct nook_slirp_frame_piece *p = &pieces[0];
        size_t h = put_ethernet(p->header, o, NOOK_SLIRP_ETHERTYPE_IPV6);
        h += put_ipv6(p->header + h, o, udp_len);
        h += put_udp(p->header + h, o, dns, dns_len);
        p->header_len = h;
        p->offset = 0;
        p->length = dns_len;
        return 1;
    }
    if (o->family != AF_INET)
        return -EINVAL;
    if (dns_len > NOOK_SLIRP_DNS_MAX || mtu < NOOK_SLIRP_IPV4_HLEN + 8)
        return -EMSGSIZE;

    uint8_t udp_header[NOOK_SLIRP_UDP_HLEN];
    put_udp(udp_header, o, dns, dns_len);
    if (NOOK_SLIRP_IPV4_HLEN + udp_len <= mtu) {
        struct nook_slirp_frame_piece *p = &pieces[0];
        size_t h = put_ethernet(p->header, o, NOOK_SLIRP_ETHERTYPE_IPV4);
        h += put_ipv4(p->header + h, o, udp_len, ip_id, 0);
        memcpy(p->header + h, udp_header, sizeof(udp_header));
        p->header_len = h + sizeof(udp_header);
        p->offset = 0;
        p->length = dns_len;
        return 1;
    }

    /* Fragments: each carries a multiple of 8 bytes of the UDP datagram
     * (header included) but the last. */
    size_t per_fragment = (mtu - NOOK_SLIRP_IPV4_HLEN) & ~(size_t)7;
    size_t count = (udp_len + per_fragment - 1) / per_fragment;
    if (count > max_pieces)
        return -EMSGSIZE;
    for (size_t k = 0; k < count; k++) {
        struct nook_slirp_frame_piece *p = &pieces[k];
        size_t start = k * per_fragment;
        size_t end = start + per_fragment < udp_len ? start + per_fragment : udp_len;
        uint16_t fragment = (uint16_t)(start / 8);
        if (end < udp_len)
            fragment |= IPV4_MF;
        size_t h = put_ethernet(p->header, o, NOOK_SLIRP_ETHERTYPE_IPV4);
        h += put_ipv4(p->header + h, o, end - start, ip_id, fragment);
        if (k == 0) {
            memcpy(p->header + h, udp_header, sizeof(udp_header));
            h += sizeof(udp_header);
            p->offset = 0;
            p->length = end - NOOK_SLIRP_UDP_HLEN;
        } else {
            p->offset = start - NOOK_SLIRP_UDP_HLEN;
            p->length = end - start;
        }
        p->header_len = h;
    }
    return (int)count;
}

/* The offset just past the question section, or -EINVAL. */
static ssize_t question_end(const uint8_t *dns, size_t len)
{
    if (len < NOOK_SLIRP_DNS_HLEN)
        return -EINVAL;
    size_t questions = nook_slirp_get16(dns + 4);
    size_t off = NOOK_SLIRP_DNS_HLEN;
    for (size_t q = 0; q < questions; q++) {
        for (;;) {
            if (off >= len)
                return -EINVAL;
            uint8_t label = dns[off];
            if (label == 0) {
                off++;
                break;
            }
            if ((label & 0xc0) == 0xc0) {
                off += 2;
                break;
            }
            if (label & 0xc0)
                return -EINVAL;
            off += 1 + (size_t)label;
        }
        off += 4; /* type and class */
        if (off > len)
            return -EINVAL;
    }
    return (ssize_t)off;
}

static void clear_records(uint8_t *dns)
{
    nook_slirp_put16(dns + 6, 0);
    nook_slirp_put16(dns + 8, 0);
    nook_slirp_put16(dns + 10, 0);
}

ssize_t nook_slirp_dns_truncate(uint8_t *dns, size_t len)
{
    ssize_t end = question_end(dns, len);
    if (end < 0)
        return end;
    dns[2] |= 0x02; /* TC */
    clear_records(dns);
    return end;
}

ssize_t nook_slirp_dns_servfail(uint8_t *dns, size_t len)
{
    ssize_t end = question_end(dns, len);
    if (end < 0)
        return end;
    dns[2] = (uint8_t)((dns[2] & 0x79) | 0x80); /* keep OPCODE and RD, set QR */
    dns[3] = 0x80 | 2;                          /* RA, RCODE SERVFAIL */
    clear_records(dns);
    return end;
}

size_t nook_slirp_tcp_headers_len(const uint8_t *frame, size_t len, int *family)
{
    if (len < NOOK_SLIRP_ETH_HLEN)
        return 0;
    const uint8_t *ip = frame + NOOK_SLIRP_ETH_HLEN;
    size_t ip_room = len - NOOK_SLIRP_ETH_HLEN, ip_hlen;
    uint16_t ethertype = nook_slirp_get16(frame + 12);
    if (ethertype == NOOK_SLIRP_ETHERTYPE_IPV4) {
        if (ip_room < NOOK_SLIRP_IPV4_HLEN || ip[0] >> 4 != 4 || ip[9] != IPPROTO_TCP ||
            (nook_slirp_get16(ip + 6) & NOOK_SLIRP_IPV4_FRAGMENT_MASK))
            return 0;
        ip_hlen = (size_t)(ip[0] & 0x0f) * 4;
        *family = AF_INET;
    } else if (ethertype == NOOK_SLIRP_ETHERTYPE_IPV6) {
        if (ip_room < NOOK_SLIRP_IPV6_HLEN || ip[0] >> 4 != 6 || ip[6] != IPPROTO_TCP)
            return 0;
        ip_hlen = NOOK_SLIRP_IPV6_HLEN;
        *family = AF_INET6;
    } else {
        return 0;
    }
    /* The TCP header's data offset, in 32-bit words. */
    if (ip_hlen < NOOK_SLIRP_IPV4_HLEN || ip_room < ip_hlen + NOOK_SLIRP_TCP_HLEN)
        return 0;
    size_t tcp_hlen = (size_t)(ip[ip_hlen + 12] >> 4) * 4;
    if (tcp_hlen < NOOK_SLIRP_TCP_HLEN || ip_room < ip_hlen + tcp_hlen)
        return 0;
    return NOOK_SLIRP_ETH_HLEN + ip_hlen + tcp_hlen;
}
