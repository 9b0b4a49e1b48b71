/* nook-slirp-nat.c: readdress DNS-over-TCP segments and guard the host's
 * loopback, in frames between the tap and libslirp (nook-slirp-nat.h).
 * Fields are read byte by byte in network order: a frame in a buffer has
 * no alignment to lean on. */
#include <string.h>

#include "nook-slirp-frame.h"
#include "nook-slirp-nat.h"

#define PROTO_TCP 6
#define TCP_HLEN 20
#define TCP_CHECK 16
#define IPV4_CHECK 10
#define IPV4_SRC 12
#define IPV4_DST 16
#define IPV6_SRC 8
#define IPV6_DST 24

void nook_slirp_checksum_adjust(uint8_t *check, const uint8_t *old, const uint8_t *new_bytes, size_t len)
{
    /* RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m'), word by word. */
    uint32_t sum = (uint16_t)~nook_slirp_get16(check);
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += (uint16_t)~nook_slirp_get16(old + i);
        sum += nook_slirp_get16(new_bytes + i);
    }
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    nook_slirp_put16(check, (uint16_t)~sum);
}

/* An IPv4 header at ip with room bytes behind it: its header length, or
 * 0 when it is not a well-formed one. */
static size_t ipv4_header(const uint8_t *ip, size_t room)
{
    if (room < NOOK_SLIRP_IPV4_HLEN || ip[0] >> 4 != 4)
        return 0;
    size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
    size_t total = nook_slirp_get16(ip + 2);
    if (ihl < NOOK_SLIRP_IPV4_HLEN || total < ihl || total > room)
        return 0;
    return ihl;
}

/* The TCP header of a whole (unfragmented) IPv4 TCP packet, or NULL. */
static uint8_t *ipv4_tcp(uint8_t *ip, size_t room)
{
    size_t ihl = ipv4_header(ip, room);
    if (ihl == 0 || ip[9] != PROTO_TCP || (nook_slirp_get16(ip + 6) & NOOK_SLIRP_IPV4_FRAGMENT_MASK) != 0 ||
        nook_slirp_get16(ip + 2) - ihl < TCP_HLEN)
        return NULL;
    return ip + ihl;
}

/* The TCP header of an IPv6 packet whose first next header is TCP, or NULL. */
static uint8_t *ipv6_tcp(uint8_t *ip, size_t room)
{
    if (room < NOOK_SLIRP_IPV6_HLEN || ip[0] >> 4 != 6 || ip[6] != PROTO_TCP)
        return NULL;
    size_t payload = nook_slirp_get16(ip + 4);
    if (payload > room - NOOK_SLIRP_IPV6_HLEN || payload < TCP_HLEN)
        return NULL;
    return ip + NOOK_SLIRP_IPV6_HLEN;
}

static bool is_host_local4(const uint8_t *a)
{
    return a[0] == 127 || a[0] == 0;
}

static bool is_host_local6(const uint8_t *a)
{
    static const uint8_t zero[15] = { 0 };
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
        return true; /* :: and ::1 */
    return memcmp(a, mapped, 12) == 0 && is_host_local4(a + 12);
}

/* Readdress one end of a TCP segment: the address (addr_len bytes at
 * addr, inside the IP header whose checksum is at ip_check, NULL for
 * IPv6) and the port at port, to new_addr and new_port. */
static void readdress(uint8_t *tcp, uint8_t *ip_check, uint8_t *addr, const uint8_t *new_addr, size_t addr_len,
                      uint8_t *port, uint16_t new_port)
{
    uint8_t port_bytes[2];
    nook_slirp_put16(port_bytes, new_port);
    /* The TCP checksum covers the addresses through its pseudo-header. */
    nook_slirp_checksum_adjust(tcp + TCP_CHECK, addr, new_addr, addr_len);
    nook_slirp_checksum_adjust(tcp + TCP_CHECK, port, port_bytes, 2);
    if (ip_check)
        nook_slirp_checksum_adjust(ip_check, addr, new_addr, addr_len);
    memcpy(addr, new_addr, addr_len);
    memcpy(port, port_bytes, 2);
}

enum nook_slirp_nat_verdict nook_slirp_nat_outbound(const struct nook_slirp_nat *nat, uint8_t *frame, size_t len)
{
    if (len < NOOK_SLIRP_ETH_HLEN)
        return NOOK_SLIRP_NAT_PASS;
    uint8_t *ip = frame + NOOK_SLIRP_ETH_HLEN;
    size_t room = len - NOOK_SLIRP_ETH_HLEN;
    switch (nook_slirp_get16(frame + 12)) {
    case NOOK_SLIRP_ETHERTYPE_IPV4: {
        if (ipv4_header(ip, room) == 0)
            return NOOK_SLIRP_NAT_PASS;
        if (!nat->host_loopback && is_host_local4(ip + IPV4_DST))
            return NOOK_SLIRP_NAT_DROP;
        uint8_t *tcp;
        if (nat->proxy4_port == 0 || memcmp(ip + IPV4_DST, &nat->dns4, 4) != 0 || !(tcp = ipv4_tcp(ip, room)) ||
            nook_slirp_get16(tcp + 2) != NOOK_SLIRP_DNS_PORT)
            return NOOK_SLIRP_NAT_PASS;
        readdress(tcp, ip + IPV4_CHECK, ip + IPV4_DST, (const uint8_t *)&nat->proxy4, 4, tcp + 2,
                  nat->proxy4_port);
        return NOOK_SLIRP_NAT_REWRITTEN;
    }
    case NOOK_SLIRP_ETHERTYPE_IPV6: {
        if (room < NOOK_SLIRP_IPV6_HLEN || ip[0] >> 4 != 6)
            return NOOK_SLIRP_NAT_PASS;
        if (!nat->host_loopback && is_host_local6(ip + IPV6_DST))
            return NOOK_SLIRP_NAT_DROP;
        uint8_t *tcp;
        if (nat->proxy6_port == 0 || memcmp(ip + IPV6_DST, nat->dns6.s6_addr, 16) != 0 ||
            !(tcp = ipv6_tcp(ip, room)) || nook_slirp_get16(tcp + 2) != NOOK_SLIRP_DNS_PORT)
            return NOOK_SLIRP_NAT_PASS;
        readdress(tcp, NULL, ip + IPV6_DST, nat->proxy6.s6_addr, 16, tcp + 2, nat->proxy6_port);
        return NOOK_SLIRP_NAT_REWRITTEN;
    }
    default:
        return NOOK_SLIRP_NAT_PASS;
    }
}

bool nook_slirp_nat_inbound_match(const struct nook_slirp_nat *nat, const uint8_t *frame, size_t len)
{
    if (len < NOOK_SLIRP_ETH_HLEN + NOOK_SLIRP_IPV4_HLEN + TCP_HLEN)
        return false;
    const uint8_t *ip = frame + NOOK_SLIRP_ETH_HLEN;
    switch (nook_slirp_get16(frame + 12)) {
    case NOOK_SLIRP_ETHERTYPE_IPV4: {
        size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
        return nat->proxy4_port != 0 && ip[9] == PROTO_TCP && memcmp(ip + IPV4_SRC, &nat->proxy4, 4) == 0 &&
               ihl >= NOOK_SLIRP_IPV4_HLEN && len >= NOOK_SLIRP_ETH_HLEN + ihl + TCP_HLEN &&
               nook_slirp_get16(ip + ihl) == nat->proxy4_port;
    }
    case NOOK_SLIRP_ETHERTYPE_IPV6:
        return nat->proxy6_port != 0 && ip[6] == PROTO_TCP &&
               len >= NOOK_SLIRP_ETH_HLEN + NOOK_SLIRP_IPV6_HLEN + TCP_HLEN &&
               memcmp(ip + IPV6_SRC, nat->proxy6.s6_addr, 16) == 0 &&
               nook_slirp_get16(ip + NOOK_SLIRP_IPV6_HLEN) == nat->proxy6_port;
    default:
        return false;
    }
}

void nook_slirp_nat_inbound(const struct nook_slirp_nat *nat, uint8_t *frame, size_t len)
{
    if (!nook_slirp_nat_inbound_match(nat, frame, len))
        return;
    uint8_t *ip = frame + NOOK_SLIRP_ETH_HLEN;
    size_t room = len - NOOK_SLIRP_ETH_HLEN;
    if (nook_slirp_get16(frame + 12) == NOOK_SLIRP_ETHERTYPE_IPV4) {
        uint8_t *tcp = ipv4_tcp(ip, room);
        if (tcp)
            readdress(tcp, ip + IPV4_CHECK, ip + IPV4_SRC, (const uint8_t *)&nat->dns4, 4, tcp, NOOK_SLIRP_DNS_PORT);
    } else {
        uint8_t *tcp = ipv6_tcp(ip, room);
        if (tcp)
            readdress(tcp, NULL, ip + IPV6_SRC, nat->dns6.s6_addr, 16, tcp, NOOK_SLIRP_DNS_PORT);
    }
}

size_t nook_slirp_nat_even_window(const uint8_t *frame, size_t len, uint8_t *hdr)
{
    if (len < NOOK_SLIRP_ETH_HLEN + NOOK_SLIRP_IPV4_HLEN + TCP_HLEN)
        return 0;
    const uint8_t *ip = frame + NOOK_SLIRP_ETH_HLEN;
    size_t ip_len;
    switch (nook_slirp_get16(frame + 12)) {
    case NOOK_SLIRP_ETHERTYPE_IPV4:
        if (ip[0] >> 4 != 4 || ip[9] != PROTO_TCP)
            return 0;
        ip_len = (size_t)(ip[0] & 0x0f) * 4;
        break;
    case NOOK_SLIRP_ETHERTYPE_IPV6:
        if (ip[0] >> 4 != 6 || ip[6] != PROTO_TCP)
            return 0;
        ip_len = NOOK_SLIRP_IPV6_HLEN;
        break;
    default:
        return 0;
    }
    size_t tcp_at = NOOK_SLIRP_ETH_HLEN + ip_len;
    if (ip_len < NOOK_SLIRP_IPV4_HLEN || tcp_at + TCP_HLEN > len || nook_slirp_get16(frame + tcp_at + 14) != 0xffff)
        return 0;
    size_t tcp_len = (size_t)(frame[tcp_at + 12] >> 4) * 4;
    if (tcp_len < TCP_HLEN || tcp_at + tcp_len > len || tcp_at + tcp_len > NOOK_SLIRP_NAT_HDR_MAX)
        return 0;
    size_t copied = tcp_at + tcp_len;
    memcpy(hdr, frame, copied);
    static const uint8_t even[2] = { 0xff, 0xfe };
    nook_slirp_checksum_adjust(hdr + tcp_at + TCP_CHECK, hdr + tcp_at + 14, even, 2);
    memcpy(hdr + tcp_at + 14, even, 2);
    return copied;
}
