/* nook-slirp-frame.h: the ethernet frames of the DNS forwarder. A query
 * the container sends to the DNS address (10.0.2.3 port 53, fd00::3 port 53) is
 * recognised in the frame read from the tap; the answer is written back
 * as ethernet/IP/UDP frames with the addresses and MACs swapped and every
 * checksum computed here. Pure code, no system calls: the unit test
 * (tests/unit/test-slirp-dns.c) checks every header field. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>

#define NOOK_SLIRP_ETH_HLEN 14
#define NOOK_SLIRP_IPV4_HLEN 20
#define NOOK_SLIRP_IPV6_HLEN 40
#define NOOK_SLIRP_UDP_HLEN 8
#define NOOK_SLIRP_TCP_HLEN 20
#define NOOK_SLIRP_DNS_HLEN 12
#define NOOK_SLIRP_FRAME_HEADER_MAX (NOOK_SLIRP_ETH_HLEN + NOOK_SLIRP_IPV6_HLEN + NOOK_SLIRP_UDP_HLEN)
/* The largest DNS message one IPv4 UDP datagram carries. */
#define NOOK_SLIRP_DNS_MAX (65535 - NOOK_SLIRP_IPV4_HLEN - NOOK_SLIRP_UDP_HLEN)
/* Enough fragments for NOOK_SLIRP_DNS_MAX at the smallest MTU (576). */
#define NOOK_SLIRP_MAX_PIECES 128

/* What the frame code (this file's and nook-slirp-nat.c's) reads. */
#define NOOK_SLIRP_ETHERTYPE_IPV4 0x0800
#define NOOK_SLIRP_ETHERTYPE_IPV6 0x86dd
#define NOOK_SLIRP_DNS_PORT 53
#define NOOK_SLIRP_IPV4_FRAGMENT_MASK 0x3fff /* MF and the offset */

/* A 16-bit field in network order, byte by byte: a frame in a buffer has
 * no alignment to lean on. */
static inline uint16_t nook_slirp_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void nook_slirp_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Where a query came from, to address its answer. */
struct nook_slirp_dns_origin {
    int family;               /* AF_INET or AF_INET6 */
    uint8_t guest_mac[6];     /* the query's source MAC */
    uint8_t server_mac[6];    /* the query's destination MAC */
    uint8_t guest_addr[16];   /* 4 bytes for AF_INET */
    uint8_t server_addr[16];
    uint16_t guest_port;      /* host byte order */
    uint16_t server_port;
};

/* Is frame a UDP datagram to server4:53 (or server6:53 when server6 is
 * not NULL) that the forwarder answers? That is: IPv4 without options
 * beyond its header length and not fragmented, or IPv6 with UDP as the
 * first next header, and a UDP length that holds at least a DNS header.
 * 1: yes, origin filled and *dns and *dns_len point at the DNS message inside
 * frame; 0: no (the frame is libslirp's). */
int nook_slirp_dns_match_query(const uint8_t *frame, size_t len, const struct in_addr *server4,
                               const struct in6_addr *server6, struct nook_slirp_dns_origin *origin,
                               const uint8_t **dns, size_t *dns_len);

/* One frame of an answer: its headers, then the DNS message from offset, length bytes. */
struct nook_slirp_frame_piece {
    uint8_t header[NOOK_SLIRP_FRAME_HEADER_MAX];
    size_t header_len;
    size_t offset;
    size_t length;
};

/* The frames of the answer dns (a whole DNS message) to origin, for a
 * link of the given MTU (the IP packet's size limit). IPv4 answers larger
 * than one packet are fragmented (all fragments carry ip_id); an IPv6
 * answer that does not fit is -EMSGSIZE (truncate it and try again).
 * Returns the number of pieces, or -EMSGSIZE / -EINVAL. */
int nook_slirp_dns_answer_pieces(const struct nook_slirp_dns_origin *origin, const uint8_t *dns, size_t dns_len,
                                 size_t mtu, uint16_t ip_id, struct nook_slirp_frame_piece *pieces,
                                 size_t max_pieces);

/* Cut a DNS message down to its header and question section and set TC
 * (the client retries over TCP), in place. New length, or -EINVAL when
 * the message is malformed. */
ssize_t nook_slirp_dns_truncate(uint8_t *dns, size_t len);

/* Turn a query into its SERVFAIL answer, in place (header and question
 * kept, QR and RA set, no records). New length, or -EINVAL. */
ssize_t nook_slirp_dns_servfail(uint8_t *dns, size_t len);

/* The DNS message's id, and a setter: the forwarder gives each query an
 * id of its own upstream and puts the client's back into the answer. */
uint16_t nook_slirp_dns_id(const uint8_t *dns);
void nook_slirp_dns_set_id(uint8_t *dns, uint16_t id);

/* Finish a checksum the kernel left partial (a tap with checksum
 * offload: the virtio header's VIRTIO_NET_HDR_F_NEEDS_CSUM): the 16-bit
 * field at start + offset holds the pseudo-header's sum; the checksum of
 * frame[start, len) goes there. -EINVAL when the field is out of range. */
int nook_slirp_complete_checksum(uint8_t *frame, size_t len, size_t start, size_t offset);

/* The Internet checksum (RFC 1071) of data, folded, not complemented,
 * added to sum: chain calls, only the last one may have an odd length. */
uint32_t nook_slirp_checksum_add(uint32_t sum, const uint8_t *data, size_t len);
uint16_t nook_slirp_checksum_finish(uint32_t sum);

/* The length of the ethernet, IP and TCP headers of frame when it is a
 * TCP segment: IPv4 (*family AF_INET) not fragmented, or IPv6 (AF_INET6)
 * with TCP as its first next header, its headers within len. 0 when it is
 * anything else. */
size_t nook_slirp_tcp_headers_len(const uint8_t *frame, size_t len, int *family);
