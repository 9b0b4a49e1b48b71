/* nook-slirp-nat.h: the rewrites the helper makes to frames between the
 * tap and libslirp, with incremental checksum updates (RFC 1624): the
 * DNS-over-TCP redirect and the host-loopback guard below, and an even
 * TCP window (nook_slirp_nat_even_window()). Pure code, no system calls:
 * tests/unit/test-slirp-dns.c checks every field and recomputes every
 * checksum.
 *
 * DNS over TCP. libslirp would connect a TCP segment to 10.0.2.3:53 to
 * the first nameserver of the host's /etc/resolv.conf, read at connect
 * time (a file the confined helper cannot open), always on port 53, so a
 * --dns upstream or a second nameserver is never reached. The helper
 * instead listens on the host's loopback (nook-slirp-dns-tcp.h): segments
 * from the container to the DNS address's port 53 are readdressed to
 * that listener before libslirp sees them, so libslirp connects there as
 * to any outside address, and libslirp's segments from the listener are
 * readdressed back to the DNS address before the container sees them.
 * No state per connection: the mapping is fixed.
 *
 * The host-loopback guard. With host loopback off, libslirp refuses the
 * gateway's addresses, but connects to whatever other address a frame
 * names, the host's 127.0.0.1 included: a container with CAP_NET_RAW in
 * its own network namespace can write such frames to its tap. Frames to
 * the host's loopback or unspecified addresses (127.0.0.0/8, 0.0.0.0/8,
 * ::1, ::, and their IPv4-mapped forms) are dropped then; the DNS
 * redirect's own frames are rewritten after the check. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "nook-slirp-frame.h"

struct nook_slirp_nat {
    bool host_loopback;        /* the container may reach the host's loopback */
    struct in_addr dns4;       /* 10.0.2.3 */
    struct in6_addr dns6;      /* fd00::3 */
    struct in_addr proxy4;     /* 127.0.0.1 */
    struct in6_addr proxy6;    /* ::1 */
    uint16_t proxy4_port;      /* 0: no IPv4 redirect */
    uint16_t proxy6_port;      /* 0: no IPv6 redirect */
};

enum nook_slirp_nat_verdict {
    NOOK_SLIRP_NAT_PASS,       /* unchanged */
    NOOK_SLIRP_NAT_REWRITTEN,  /* readdressed, checksums updated */
    NOOK_SLIRP_NAT_DROP,       /* for the host's loopback while that is off */
};

/* A frame from the container, on its way to libslirp. Its checksums must
 * be complete (nook_slirp_complete_checksum() first). */
enum nook_slirp_nat_verdict nook_slirp_nat_outbound(const struct nook_slirp_nat *nat, uint8_t *frame,
                                                   size_t len);

/* Whether a frame from libslirp is one the DNS redirect must readdress:
 * a TCP segment from the listener. Cheap: the helper copies only these. */
bool nook_slirp_nat_inbound_match(const struct nook_slirp_nat *nat, const uint8_t *frame, size_t len);

/* Readdress a frame that nook_slirp_nat_inbound_match() took. */
void nook_slirp_nat_inbound(const struct nook_slirp_nat *nat, uint8_t *frame, size_t len);

/* The headers of a TCP frame from libslirp whose window is 65535, the
 * most it advertises (it does not scale windows), copied to hdr (room
 * for NOOK_SLIRP_NAT_HDR_MAX) with the window made 65534 and the checksum
 * updated: the number of bytes copied, the payload following from the
 * same offset of frame; 0 for any other frame. Why: a Linux sender keeps
 * its segments to half the largest window it has seen, 32767 bytes here,
 * and with an odd window sends a third segment of one byte to fill it;
 * an even one takes two. */
#define NOOK_SLIRP_NAT_HDR_MAX (NOOK_SLIRP_ETH_HLEN + 60 + 60)
size_t nook_slirp_nat_even_window(const uint8_t *frame, size_t len, uint8_t *hdr);

/* Update the Internet checksum stored at check (network order) for len
 * bytes it covers changing from old to new (len even, the bytes at an
 * even offset of what it covers). */
void nook_slirp_checksum_adjust(uint8_t *check, const uint8_t *old, const uint8_t *new_bytes, size_t len);
