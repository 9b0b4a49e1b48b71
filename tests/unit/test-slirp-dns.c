/* test-slirp-dns.c: the DNS forwarder's frames. A query frame is built
 * here byte by byte, recognised (or not), and the answer frames that
 * nook-slirp would write to the tap are checked field by field, their
 * checksums recomputed independently, fragments reassembled. Then the
 * rewrites of nook-slirp-nat.h: DNS-over-TCP segments readdressed to the
 * relay and back, and frames to the host's loopback dropped. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/util.h"
#include "nook-slirp-frame.h"
#include "nook-slirp-nat.h"
#include "tap.h"

static const uint8_t guest_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t server_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x03 };

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* RFC 1071, written out again here so that the module's own checksum
 * code is not what checks its frames. */
static uint16_t reference_checksum(const uint8_t *const *parts, const size_t *lens, size_t n)
{
    uint64_t sum = 0;
    size_t index = 0;
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < lens[k]; i++, index++)
            sum += (index % 2 == 0) ? (uint64_t)parts[k][i] << 8 : parts[k][i];
    }
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* A DNS query for example.com A: 29 bytes. */
static size_t make_query(uint8_t *dns, uint16_t id)
{
    static const uint8_t question[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1 };
    memset(dns, 0, 12);
    put16(dns, id);
    dns[2] = 0x01; /* RD */
    put16(dns + 4, 1);
    memcpy(dns + 12, question, sizeof(question));
    return 12 + sizeof(question);
}

/* An answer to make_query() with `records` A records: 29 + 16 each. */
static size_t make_answer(uint8_t *dns, uint16_t id, size_t records)
{
    size_t len = make_query(dns, id);
    dns[2] = 0x81; /* QR RD */
    dns[3] = 0x80; /* RA */
    put16(dns + 6, (uint16_t)records);
    put16(dns + 10, 1);
    for (size_t i = 0; i < records; i++) {
        static const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 0 };
        memcpy(dns + len, rr, sizeof(rr));
        dns[len + 15] = (uint8_t)i;
        len += sizeof(rr);
    }
    return len;
}

/* An ethernet/IPv4/UDP frame from 10.0.2.100:40000 to dst:port. */
static size_t make_frame4(uint8_t *f, const char *dst, uint16_t port, uint8_t proto, uint16_t fragment,
                          const uint8_t *dns, size_t dns_len)
{
    memcpy(f, server_mac, 6);
    memcpy(f + 6, guest_mac, 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + 8 + dns_len));
    put16(ip + 4, 0x1111);
    put16(ip + 6, fragment);
    ip[8] = 64;
    ip[9] = proto;
    inet_pton(AF_INET, "10.0.2.100", ip + 12);
    inet_pton(AF_INET, dst, ip + 16);
    const uint8_t *parts[] = { ip };
    size_t lens[] = { 20 };
    put16(ip + 10, reference_checksum(parts, lens, 1));
    uint8_t *udp = ip + 20;
    put16(udp, 40000);
    put16(udp + 2, port);
    put16(udp + 4, (uint16_t)(8 + dns_len));
    put16(udp + 6, 0);
    memcpy(udp + 8, dns, dns_len);
    return 14 + 20 + 8 + dns_len;
}

static size_t make_frame6(uint8_t *f, const char *dst, const uint8_t *dns, size_t dns_len)
{
    memcpy(f, server_mac, 6);
    memcpy(f + 6, guest_mac, 6);
    put16(f + 12, 0x86dd);
    uint8_t *ip = f + 14;
    memset(ip, 0, 40);
    ip[0] = 0x60;
    put16(ip + 4, (uint16_t)(8 + dns_len));
    ip[6] = 17;
    ip[7] = 64;
    inet_pton(AF_INET6, "fd00::100", ip + 8);
    inet_pton(AF_INET6, dst, ip + 24);
    uint8_t *udp = ip + 40;
    put16(udp, 40001);
    put16(udp + 2, 53);
    put16(udp + 4, (uint16_t)(8 + dns_len));
    put16(udp + 6, 0);
    memcpy(udp + 8, dns, dns_len);
    return 14 + 40 + 8 + dns_len;
}

struct servers {
    struct in_addr v4;
    struct in6_addr v6;
};

static void test_match(struct tap *t, const struct servers *s)
{
    uint8_t dns[64], frame[256];
    size_t dns_len = make_query(dns, 0xabcd);
    size_t len = make_frame4(frame, "10.0.2.3", 53, 17, 0, dns, dns_len);

    struct nook_slirp_dns_origin o;
    const uint8_t *found = NULL;
    size_t found_len = 0;
    CHECK(t, nook_slirp_dns_match_query(frame, len, &s->v4, NULL, &o, &found, &found_len) == 1,
          "a UDP query to 10.0.2.3:53 is the forwarder's");
    CHECK(t, found == frame + 42 && found_len == dns_len, "the DNS message is found inside the frame");
    CHECK(t, o.family == AF_INET && memcmp(o.guest_mac, guest_mac, 6) == 0 && memcmp(o.server_mac, server_mac, 6) == 0,
          "the origin has both MACs");
    uint8_t guest[4], server[4];
    inet_pton(AF_INET, "10.0.2.100", guest);
    inet_pton(AF_INET, "10.0.2.3", server);
    CHECK(t, memcmp(o.guest_addr, guest, 4) == 0 && memcmp(o.server_addr, server, 4) == 0 && o.guest_port == 40000 &&
                 o.server_port == 53,
          "the origin has both addresses and ports");

    static const struct {
        const char *dst;
        uint16_t port;
        uint8_t proto;
        uint16_t fragment;
        const char *what;
    } others[] = {
        { "10.0.2.2", 53, 17, 0, "a query to another address is libslirp's" },
        { "10.0.2.3", 5353, 17, 0, "another port is libslirp's" },
        { "10.0.2.3", 53, 6, 0, "TCP is libslirp's" },
        { "10.0.2.3", 53, 17, 0x2000, "a first fragment is libslirp's" },
        { "10.0.2.3", 53, 17, 0x0010, "a later fragment is libslirp's" },
    };
    for (size_t i = 0; i < N_ELEMENTS(others); i++) {
        len = make_frame4(frame, others[i].dst, others[i].port, others[i].proto, others[i].fragment, dns, dns_len);
        CHECK(t, nook_slirp_dns_match_query(frame, len, &s->v4, &s->v6, &o, &found, &found_len) == 0, others[i].what);
    }
    len = make_frame4(frame, "10.0.2.3", 53, 17, 0, dns, dns_len);
    CHECK(t, nook_slirp_dns_match_query(frame, 41, &s->v4, NULL, &o, &found, &found_len) == 0,
          "a frame cut short is not taken");
    CHECK(t, nook_slirp_dns_match_query(frame, 14 + 20 + 8 + 11, &s->v4, NULL, &o, &found, &found_len) == 0,
          "a frame shorter than its IP length is not taken");
    put16(frame + 14 + 20 + 4, 8 + 11);
    put16(frame + 14 + 2, 20 + 8 + 11);
    CHECK(t, nook_slirp_dns_match_query(frame, len, &s->v4, NULL, &o, &found, &found_len) == 0,
          "a UDP payload too short for a DNS header is not taken");
    len = make_frame4(frame, "10.0.2.3", 53, 17, 0, dns, dns_len);
    put16(frame + 12, 0x0806);
    CHECK(t, nook_slirp_dns_match_query(frame, len, &s->v4, NULL, &o, &found, &found_len) == 0, "ARP is not taken");

    len = make_frame6(frame, "fd00::3", dns, dns_len);
    CHECK(t, nook_slirp_dns_match_query(frame, len, &s->v4, NULL, &o, &found, &found_len) == 0,
          "an IPv6 query is libslirp's without --ipv6");
    CHECK(t, nook_slirp_dns_match_query(frame, len, &s->v4, &s->v6, &o, &found, &found_len) == 1 &&
                 o.family == AF_INET6 && o.guest_port == 40001 && found == frame + 62 && found_len == dns_len,
          "a UDP query to [fd00::3]:53 is the forwarder's with --ipv6");
    len = make_frame6(frame, "fd00::2", dns, dns_len);
    CHECK(t, nook_slirp_dns_match_query(frame, len, &s->v4, &s->v6, &o, &found, &found_len) == 0,
          "an IPv6 query to another address is libslirp's");
}

/* A check that is a test point with t, and a silent one with t NULL (for
 * the fragments, which are counted once as a whole). */
#define EXPECT(t, cond, what) ((t) ? CHECK((t), (cond), (what)) : (bool)(cond))

/* Check one IPv4 answer frame; returns its IP payload in *payload. */
static bool check_ipv4_frame(struct tap *t, const uint8_t *f, size_t len, size_t mtu, uint16_t id,
                             const uint8_t **payload, size_t *payload_len, uint16_t *fragment)
{
    bool ok = true;
    ok &= EXPECT(t, len >= 34 && len - 14 <= mtu, "the frame fits the MTU");
    ok &= EXPECT(t, memcmp(f, guest_mac, 6) == 0 && memcmp(f + 6, server_mac, 6) == 0 && get16(f + 12) == 0x0800,
                "ethernet: to the guest's MAC, from the one it asked, IPv4");
    const uint8_t *ip = f + 14;
    ok &= EXPECT(t, ip[0] == 0x45 && ip[1] == 0 && get16(ip + 2) == len - 14 && get16(ip + 4) == id,
                "IPv4: version 4, 20-byte header, total length, the id");
    ok &= EXPECT(t, ip[8] == 64 && ip[9] == 17, "IPv4: TTL 64, UDP");
    uint8_t guest[4], server[4];
    inet_pton(AF_INET, "10.0.2.100", guest);
    inet_pton(AF_INET, "10.0.2.3", server);
    ok &= EXPECT(t, memcmp(ip + 12, server, 4) == 0 && memcmp(ip + 16, guest, 4) == 0,
                "IPv4: from 10.0.2.3 to 10.0.2.100");
    const uint8_t *parts[] = { ip };
    size_t lens[] = { 20 };
    ok &= EXPECT(t, reference_checksum(parts, lens, 1) == 0, "IPv4: the header checksum is right");
    *fragment = get16(ip + 6);
    *payload = ip + 20;
    *payload_len = len - 34;
    return ok;
}

/* The UDP datagram: ports, length, checksum over the pseudo-header. */
static void check_udp4(struct tap *t, const uint8_t *udp, size_t udp_len, const uint8_t *dns, size_t dns_len)
{
    CHECK(t, get16(udp) == 53 && get16(udp + 2) == 40000 && get16(udp + 4) == udp_len && udp_len == 8 + dns_len,
          "UDP: from port 53 to the query's port, the length");
    uint8_t pseudo[12];
    inet_pton(AF_INET, "10.0.2.3", pseudo);
    inet_pton(AF_INET, "10.0.2.100", pseudo + 4);
    pseudo[8] = 0;
    pseudo[9] = 17;
    put16(pseudo + 10, (uint16_t)udp_len);
    const uint8_t *parts[] = { pseudo, udp };
    size_t lens[] = { sizeof(pseudo), udp_len };
    CHECK(t, get16(udp + 6) != 0 && reference_checksum(parts, lens, 2) == 0, "UDP: the checksum is right");
    CHECK(t, memcmp(udp + 8, dns, dns_len) == 0, "UDP: the payload is the answer");
}

static size_t assemble(const struct nook_slirp_frame_piece *p, const uint8_t *dns, uint8_t *frame)
{
    memcpy(frame, p->header, p->header_len);
    memcpy(frame + p->header_len, dns + p->offset, p->length);
    return p->header_len + p->length;
}

static void test_answer_ipv4(struct tap *t, const struct servers *s)
{
    uint8_t dns[64], frame[256];
    size_t dns_len = make_query(dns, 0x0102);
    size_t len = make_frame4(frame, "10.0.2.3", 53, 17, 0, dns, dns_len);
    struct nook_slirp_dns_origin o;
    const uint8_t *found;
    size_t found_len;
    nook_slirp_dns_match_query(frame, len, &s->v4, NULL, &o, &found, &found_len);

    uint8_t answer[256];
    size_t answer_len = make_answer(answer, 0x0102, 2);
    struct nook_slirp_frame_piece pieces[NOOK_SLIRP_MAX_PIECES];
    int n = nook_slirp_dns_answer_pieces(&o, answer, answer_len, 1500, 0x4242, pieces, N_ELEMENTS(pieces));
    CHECK(t, n == 1 && pieces[0].header_len == 42 && pieces[0].offset == 0 && pieces[0].length == answer_len,
          "a small answer is one frame: 42 bytes of headers and the message");
    if (n != 1)
        return;
    uint8_t out[2048];
    size_t out_len = assemble(&pieces[0], answer, out);
    const uint8_t *payload;
    size_t payload_len;
    uint16_t fragment;
    check_ipv4_frame(t, out, out_len, 1500, 0x4242, &payload, &payload_len, &fragment);
    CHECK(t, fragment == 0, "IPv4: not a fragment");
    check_udp4(t, payload, payload_len, answer, answer_len);

    CHECK(t, nook_slirp_dns_answer_pieces(&o, answer, 11, 1500, 1, pieces, N_ELEMENTS(pieces)) == -EINVAL,
          "an answer shorter than a DNS header is refused");
}

static void test_answer_fragments(struct tap *t, const struct servers *s)
{
    uint8_t dns[64], frame[256];
    size_t dns_len = make_query(dns, 7);
    size_t len = make_frame4(frame, "10.0.2.3", 53, 17, 0, dns, dns_len);
    struct nook_slirp_dns_origin o;
    const uint8_t *found;
    size_t found_len;
    nook_slirp_dns_match_query(frame, len, &s->v4, NULL, &o, &found, &found_len);

    static uint8_t answer[4096];
    size_t answer_len = make_answer(answer, 7, 200); /* 3229 bytes */
    static struct nook_slirp_frame_piece pieces[NOOK_SLIRP_MAX_PIECES];
    int n = nook_slirp_dns_answer_pieces(&o, answer, answer_len, 576, 0x0777, pieces, N_ELEMENTS(pieces));
    size_t per = (576 - 20) & ~(size_t)7;
    size_t want = (8 + answer_len + per - 1) / per;
    if (!CHECK(t, n == (int)want, "an answer past the MTU is cut into fragments"))
        printf("#   got %d, want %zu\n", n, want);
    if (n <= 0)
        return;

    static uint8_t datagram[8192];
    size_t expected_offset = 0;
    bool fragments_ok = true;
    for (int i = 0; i < n; i++) {
        uint8_t out[2048];
        size_t out_len = assemble(&pieces[i], answer, out);
        const uint8_t *payload;
        size_t payload_len;
        uint16_t fragment;
        fragments_ok &= check_ipv4_frame(NULL, out, out_len, 576, 0x0777, &payload, &payload_len, &fragment);
        bool last = i == n - 1;
        fragments_ok &= ((fragment & 0x2000) != 0) == !last;
        fragments_ok &= (size_t)(fragment & 0x1fff) * 8 == expected_offset;
        fragments_ok &= last || payload_len % 8 == 0;
        memcpy(datagram + expected_offset, payload, payload_len);
        expected_offset += payload_len;
    }
    CHECK(t, fragments_ok, "every fragment: addresses, same id, header checksum, MF on all but the last, offsets");
    CHECK(t, expected_offset == 8 + answer_len, "the fragments add up to the UDP datagram");
    check_udp4(t, datagram, expected_offset, answer, answer_len);

    CHECK(t, nook_slirp_dns_answer_pieces(&o, answer, answer_len, 576, 1, pieces, 3) == -EMSGSIZE,
          "more fragments than room for is -EMSGSIZE");
}

static void test_answer_ipv6(struct tap *t, const struct servers *s)
{
    uint8_t dns[64], frame[256];
    size_t dns_len = make_query(dns, 9);
    size_t len = make_frame6(frame, "fd00::3", dns, dns_len);
    struct nook_slirp_dns_origin o;
    const uint8_t *found;
    size_t found_len;
    nook_slirp_dns_match_query(frame, len, &s->v4, &s->v6, &o, &found, &found_len);

    uint8_t answer[4096];
    size_t answer_len = make_answer(answer, 9, 3);
    struct nook_slirp_frame_piece pieces[4];
    int n = nook_slirp_dns_answer_pieces(&o, answer, answer_len, 1500, 0, pieces, N_ELEMENTS(pieces));
    CHECK(t, n == 1 && pieces[0].header_len == 62, "an IPv6 answer is one frame with 62 bytes of headers");
    if (n != 1)
        return;
    uint8_t out[2048];
    assemble(&pieces[0], answer, out);
    CHECK(t, memcmp(out, guest_mac, 6) == 0 && memcmp(out + 6, server_mac, 6) == 0 && get16(out + 12) == 0x86dd,
          "ethernet: swapped MACs, IPv6");
    const uint8_t *ip = out + 14;
    uint8_t guest[16], server[16];
    inet_pton(AF_INET6, "fd00::100", guest);
    inet_pton(AF_INET6, "fd00::3", server);
    CHECK(t, ip[0] == 0x60 && get16(ip + 4) == 8 + answer_len && ip[6] == 17 && ip[7] == 64,
          "IPv6: version, payload length, UDP, hop limit");
    CHECK(t, memcmp(ip + 8, server, 16) == 0 && memcmp(ip + 24, guest, 16) == 0, "IPv6: from fd00::3 to fd00::100");
    const uint8_t *udp = ip + 40;
    size_t udp_len = 8 + answer_len;
    CHECK(t, get16(udp) == 53 && get16(udp + 2) == 40001 && get16(udp + 4) == udp_len, "UDP: ports and length");
    uint8_t pseudo[40];
    memcpy(pseudo, server, 16);
    memcpy(pseudo + 16, guest, 16);
    memset(pseudo + 32, 0, 8);
    put16(pseudo + 34, (uint16_t)udp_len);
    pseudo[39] = 17;
    const uint8_t *parts[] = { pseudo, udp };
    size_t lens[] = { sizeof(pseudo), udp_len };
    CHECK(t, reference_checksum(parts, lens, 2) == 0, "UDP over IPv6: the checksum is right");

    size_t big_len = make_answer(answer, 9, 100); /* 1629 bytes */
    CHECK(t, nook_slirp_dns_answer_pieces(&o, answer, big_len, 1500, 0, pieces, N_ELEMENTS(pieces)) == -EMSGSIZE,
          "an IPv6 answer past the MTU is -EMSGSIZE (to be truncated)");
    ssize_t cut = nook_slirp_dns_truncate(answer, big_len);
    CHECK(t, cut == 29 && (answer[2] & 0x02) && get16(answer + 4) == 1 && get16(answer + 6) == 0 &&
                 get16(answer + 8) == 0 && get16(answer + 10) == 0,
          "truncated: header and question, TC set, no records");
    CHECK(t, nook_slirp_dns_answer_pieces(&o, answer, (size_t)cut, 1500, 0, pieces, N_ELEMENTS(pieces)) == 1,
          "the truncated answer fits");
}

static void test_messages(struct tap *t)
{
    uint8_t dns[128];
    size_t len = make_query(dns, 0x5555);
    dns[2] = 0x01 | (2 << 3); /* RD, opcode 2 */
    ssize_t r = nook_slirp_dns_servfail(dns, len);
    CHECK(t, r == (ssize_t)len && get16(dns) == 0x5555, "SERVFAIL keeps the id and the question");
    CHECK(t, dns[2] == (0x80 | (2 << 3) | 0x01) && dns[3] == 0x82, "SERVFAIL: QR, the opcode and RD kept, RA, rcode 2");
    CHECK(t, get16(dns + 4) == 1 && get16(dns + 6) == 0 && get16(dns + 8) == 0 && get16(dns + 10) == 0,
          "SERVFAIL: one question, no records");

    len = make_query(dns, 1);
    dns[12] = 0x80; /* a label length with the reserved bits */
    CHECK(t, nook_slirp_dns_servfail(dns, len) == -EINVAL, "a malformed question is -EINVAL");
    len = make_query(dns, 1);
    CHECK(t, nook_slirp_dns_truncate(dns, 20) == -EINVAL, "a question past the end is -EINVAL");
    CHECK(t, nook_slirp_dns_truncate(dns, 11) == -EINVAL, "a message shorter than its header is -EINVAL");
    /* A compressed name in the question: two bytes. */
    len = make_query(dns, 1);
    dns[12] = 0xc0;
    dns[13] = 0x0c;
    memcpy(dns + 14, (uint8_t[]){ 0, 1, 0, 1 }, 4);
    CHECK(t, nook_slirp_dns_truncate(dns, 18) == 18, "a compression pointer ends a name");

    nook_slirp_dns_set_id(dns, 0xbeef);
    CHECK(t, nook_slirp_dns_id(dns) == 0xbeef && dns[0] == 0xbe && dns[1] == 0xef, "the id is set in network order");

    /* RFC 1071's own example. */
    static const uint8_t sample[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    CHECK(t, nook_slirp_checksum_finish(nook_slirp_checksum_add(0, sample, sizeof(sample))) == (uint16_t)~0xddf2,
          "the checksum of RFC 1071's example");
    uint32_t chained = nook_slirp_checksum_add(nook_slirp_checksum_add(0, sample, 4), sample + 4, 3);
    const uint8_t *parts[] = { sample };
    size_t lens[] = { 7 };
    CHECK(t, nook_slirp_checksum_finish(chained) == reference_checksum(parts, lens, 1),
          "chained checksums with an odd tail");

    /* Every length up to 300 at every alignment up to 8, on bytes that
     * carry: the word-at-a-time sum against the byte-wise reference. */
    static uint8_t noise[320];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(noise); i++) {
        x = x * 1103515245 + 12345;
        noise[i] = (uint8_t)(x >> 16) | 0x80;
    }
    bool same = true;
    for (size_t start = 0; start < 8; start++) {
        for (size_t n = 0; n <= 300; n++) {
            const uint8_t *one[] = { noise + start };
            size_t one_len[] = { n };
            same &= nook_slirp_checksum_finish(nook_slirp_checksum_add(0, noise + start, n)) ==
                    reference_checksum(one, one_len, 1);
        }
    }
    CHECK(t, same, "the checksum matches the reference at every length and alignment");
}

/* A frame with its UDP checksum left to the device, as a tap with
 * checksum offload hands it over: the field holds the pseudo-header sum. */
static void test_partial_checksum(struct tap *t)
{
    uint8_t dns[64], frame[256];
    size_t dns_len = make_query(dns, 0x0a0b);
    size_t len = make_frame4(frame, "10.0.2.3", 53, 17, 0, dns, dns_len);
    uint8_t *udp = frame + 34;
    size_t udp_len = 8 + dns_len;
    uint8_t pseudo[12];
    memcpy(pseudo, frame + 14 + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = 17;
    put16(pseudo + 10, (uint16_t)udp_len);
    uint32_t sum = nook_slirp_checksum_add(0, pseudo, sizeof(pseudo));
    put16(udp + 6, (uint16_t)~nook_slirp_checksum_finish(sum));
    CHECK(t, nook_slirp_complete_checksum(frame, len, 34, 6) == 0, "a partial checksum is completed");
    const uint8_t *parts[] = { pseudo, udp };
    size_t lens[] = { sizeof(pseudo), udp_len };
    CHECK(t, get16(udp + 6) != 0 && reference_checksum(parts, lens, 2) == 0, "the completed UDP checksum is right");
    CHECK(t, nook_slirp_complete_checksum(frame, len, len, 0) == -EINVAL &&
                 nook_slirp_complete_checksum(frame, len, 34, udp_len - 1) == -EINVAL,
          "a checksum field outside the frame is -EINVAL");
}


/* The TCP pseudo-header for addrs (source then destination, 4 or 16
 * bytes each) and a segment of tcp_len bytes, into pseudo (40 bytes): its
 * length. */
static size_t tcp_pseudo_header(uint8_t *pseudo, const uint8_t *addrs, bool v4, size_t tcp_len)
{
    size_t addr_len = v4 ? 4 : 16;
    memset(pseudo, 0, 40);
    memcpy(pseudo, addrs, 2 * addr_len);
    if (v4) {
        pseudo[9] = 6;
        put16(pseudo + 10, (uint16_t)tcp_len);
    } else {
        put16(pseudo + 34, (uint16_t)tcp_len);
        pseudo[39] = 6;
    }
    return 2 * addr_len + (v4 ? 4 : 8);
}

/* An ethernet/IPv4 (or IPv6) TCP segment from src:sport to dst:dport with
 * payload_len bytes of payload, every checksum right. */
static size_t make_tcp(uint8_t *f, int family, const char *src, uint16_t sport, const char *dst, uint16_t dport,
                       size_t payload_len)
{
    memcpy(f, server_mac, 6);
    memcpy(f + 6, guest_mac, 6);
    size_t ip_len = family == AF_INET ? 20 : 40;
    size_t addr_len = family == AF_INET ? 4 : 16;
    uint8_t *ip = f + 14;
    memset(ip, 0, ip_len);
    uint8_t *src_at = ip + (family == AF_INET ? 12 : 8);
    uint8_t *dst_at = src_at + addr_len;
    size_t tcp_len = 20 + payload_len;
    if (family == AF_INET) {
        put16(f + 12, 0x0800);
        ip[0] = 0x45;
        put16(ip + 2, (uint16_t)(20 + tcp_len));
        ip[8] = 64;
        ip[9] = 6;
    } else {
        put16(f + 12, 0x86dd);
        ip[0] = 0x60;
        put16(ip + 4, (uint16_t)tcp_len);
        ip[6] = 6;
        ip[7] = 64;
    }
    inet_pton(family, src, src_at);
    inet_pton(family, dst, dst_at);
    if (family == AF_INET) {
        const uint8_t *parts[] = { ip };
        size_t lens[] = { 20 };
        put16(ip + 10, reference_checksum(parts, lens, 1));
    }
    uint8_t *tcp = ip + ip_len;
    memset(tcp, 0, 20);
    put16(tcp, sport);
    put16(tcp + 2, dport);
    put16(tcp + 4, 0x1234);
    tcp[12] = 5 << 4;
    tcp[13] = 0x18; /* PSH ACK */
    put16(tcp + 14, 65535);
    for (size_t i = 0; i < payload_len; i++)
        tcp[20 + i] = (uint8_t)(i * 7 + 3);
    uint8_t pseudo[40];
    size_t pseudo_len = tcp_pseudo_header(pseudo, src_at, family == AF_INET, tcp_len);
    const uint8_t *parts[] = { pseudo, tcp };
    size_t lens[] = { pseudo_len, tcp_len };
    put16(tcp + 16, reference_checksum(parts, lens, 2));
    return 14 + ip_len + tcp_len;
}

/* Are the IPv4 header's and the TCP checksums of f right? */
static bool tcp_checksums_right(const uint8_t *f, size_t len)
{
    bool v4 = get16(f + 12) == 0x0800;
    const uint8_t *ip = f + 14;
    size_t ip_len = v4 ? 20 : 40;
    const uint8_t *tcp = ip + ip_len;
    size_t tcp_len = len - 14 - ip_len;
    if (v4) {
        const uint8_t *parts[] = { ip };
        size_t lens[] = { 20 };
        if (reference_checksum(parts, lens, 1) != 0)
            return false;
    }
    uint8_t pseudo[40];
    size_t pseudo_len = tcp_pseudo_header(pseudo, ip + (v4 ? 12 : 8), v4, tcp_len);
    const uint8_t *parts[] = { pseudo, tcp };
    size_t lens[] = { pseudo_len, tcp_len };
    return reference_checksum(parts, lens, 2) == 0;
}

static bool addr_is(const uint8_t *at, int family, const char *text)
{
    uint8_t want[16];
    inet_pton(family, text, want);
    return memcmp(at, want, family == AF_INET ? 4 : 16) == 0;
}

static struct nook_slirp_nat test_nat(bool host_loopback)
{
    struct nook_slirp_nat nat = { .host_loopback = host_loopback, .proxy4_port = 41000, .proxy6_port = 42000 };
    inet_pton(AF_INET, "10.0.2.3", &nat.dns4);
    inet_pton(AF_INET6, "fd00::3", &nat.dns6);
    inet_pton(AF_INET, "127.0.0.1", &nat.proxy4);
    inet_pton(AF_INET6, "::1", &nat.proxy6);
    return nat;
}

static void test_nat_dns_tcp(struct tap *t)
{
    struct nook_slirp_nat nat = test_nat(false);
    uint8_t f[256], before[256];

    /* Checked first: the reference segments are right. */
    size_t len = make_tcp(f, AF_INET, "10.0.2.100", 40100, "10.0.2.3", 53, 31);
    CHECK(t, tcp_checksums_right(f, len), "the test's IPv4 TCP segment has right checksums");
    memcpy(before, f, len);
    CHECK(t, nook_slirp_nat_outbound(&nat, f, len) == NOOK_SLIRP_NAT_REWRITTEN,
          "IPv4 TCP to 10.0.2.3:53 is rewritten");
    CHECK(t, addr_is(f + 14 + 16, AF_INET, "127.0.0.1") && get16(f + 34 + 2) == 41000,
          "... to the relay's 127.0.0.1:41000");
    CHECK(t, addr_is(f + 14 + 12, AF_INET, "10.0.2.100") && get16(f + 34) == 40100,
          "... its source unchanged");
    CHECK(t, memcmp(f + 34 + 4, before + 34 + 4, 12) == 0 && memcmp(f + 54, before + 54, 31) == 0,
          "... sequence numbers, flags and payload unchanged");
    CHECK(t, tcp_checksums_right(f, len), "... its IP and TCP checksums right");

    /* The relay's answer, as libslirp writes it, back to 10.0.2.3:53. */
    len = make_tcp(f, AF_INET, "127.0.0.1", 41000, "10.0.2.100", 40100, 45);
    CHECK(t, nook_slirp_nat_inbound_match(&nat, f, len), "a segment from 127.0.0.1:41000 is the relay's");
    nook_slirp_nat_inbound(&nat, f, len);
    CHECK(t, addr_is(f + 14 + 12, AF_INET, "10.0.2.3") && get16(f + 34) == 53 &&
                 addr_is(f + 14 + 16, AF_INET, "10.0.2.100") && get16(f + 34 + 2) == 40100,
          "... readdressed from 10.0.2.3:53");
    CHECK(t, tcp_checksums_right(f, len), "... its checksums right");

    len = make_tcp(f, AF_INET, "127.0.0.1", 41001, "10.0.2.100", 40100, 0);
    CHECK(t, !nook_slirp_nat_inbound_match(&nat, f, len), "another port of 127.0.0.1 is not the relay's");
    len = make_tcp(f, AF_INET, "10.0.2.2", 41000, "10.0.2.100", 40100, 0);
    CHECK(t, !nook_slirp_nat_inbound_match(&nat, f, len), "the relay's port from another address is not");

    /* IPv6 both ways. */
    len = make_tcp(f, AF_INET6, "fd00::100", 40200, "fd00::3", 53, 33);
    CHECK(t, tcp_checksums_right(f, len), "the test's IPv6 TCP segment has a right checksum");
    CHECK(t, nook_slirp_nat_outbound(&nat, f, len) == NOOK_SLIRP_NAT_REWRITTEN &&
                 addr_is(f + 14 + 24, AF_INET6, "::1") && get16(f + 54 + 2) == 42000 && tcp_checksums_right(f, len),
          "IPv6 TCP to [fd00::3]:53 goes to [::1]:42000, checksum right");
    len = make_tcp(f, AF_INET6, "::1", 42000, "fd00::100", 40200, 60);
    CHECK(t, nook_slirp_nat_inbound_match(&nat, f, len), "a segment from [::1]:42000 is the relay's");
    nook_slirp_nat_inbound(&nat, f, len);
    CHECK(t, addr_is(f + 14 + 8, AF_INET6, "fd00::3") && get16(f + 54) == 53 && tcp_checksums_right(f, len),
          "... readdressed from [fd00::3]:53, checksum right");

    /* What is left alone. */
    len = make_tcp(f, AF_INET, "10.0.2.100", 40100, "10.0.2.3", 80, 5);
    memcpy(before, f, len);
    CHECK(t, nook_slirp_nat_outbound(&nat, f, len) == NOOK_SLIRP_NAT_PASS && memcmp(f, before, len) == 0,
          "TCP to 10.0.2.3 on another port passes unchanged");
    len = make_tcp(f, AF_INET, "10.0.2.100", 40100, "192.0.2.9", 53, 5);
    memcpy(before, f, len);
    CHECK(t, nook_slirp_nat_outbound(&nat, f, len) == NOOK_SLIRP_NAT_PASS && memcmp(f, before, len) == 0,
          "TCP to another server's port 53 passes unchanged");
    uint8_t dns[64];
    size_t dns_len = make_query(dns, 7);
    len = make_frame4(f, "10.0.2.3", 53, 17, 0, dns, dns_len);
    memcpy(before, f, len);
    CHECK(t, nook_slirp_nat_outbound(&nat, f, len) == NOOK_SLIRP_NAT_PASS && memcmp(f, before, len) == 0,
          "UDP to 10.0.2.3:53 is the forwarder's, not the relay's");
    len = make_tcp(f, AF_INET, "10.0.2.100", 40100, "10.0.2.3", 53, 5);
    put16(f + 14 + 6, 0x2000); /* MF: a first fragment */
    memcpy(before, f, len);
    CHECK(t, nook_slirp_nat_outbound(&nat, f, len) == NOOK_SLIRP_NAT_PASS && memcmp(f, before, len) == 0,
          "a fragment is not rewritten");
    struct nook_slirp_nat off = nat;
    off.proxy4_port = 0;
    len = make_tcp(f, AF_INET, "10.0.2.100", 40100, "10.0.2.3", 53, 5);
    CHECK(t, nook_slirp_nat_outbound(&off, f, len) == NOOK_SLIRP_NAT_PASS, "without an IPv4 relay nothing is rewritten");
    CHECK(t, nook_slirp_nat_outbound(&nat, f, 30) == NOOK_SLIRP_NAT_PASS &&
                 nook_slirp_nat_outbound(&nat, f, 10) == NOOK_SLIRP_NAT_PASS,
          "a truncated frame passes (libslirp drops it)");
}

static void test_nat_loopback_guard(struct tap *t)
{
    struct nook_slirp_nat off = test_nat(false), on = test_nat(true);
    uint8_t f[256];
    static const char *const v4[] = { "127.0.0.1", "127.1.2.3", "0.0.0.0", "0.1.2.3" };
    bool all = true;
    for (size_t i = 0; i < N_ELEMENTS(v4); i++) {
        size_t len = make_tcp(f, AF_INET, "10.0.2.100", 40100, v4[i], 8080, 0);
        all = all && nook_slirp_nat_outbound(&off, f, len) == NOOK_SLIRP_NAT_DROP &&
              nook_slirp_nat_outbound(&on, f, len) == NOOK_SLIRP_NAT_PASS;
    }
    CHECK(t, all, "IPv4 to 127.0.0.0/8 and 0.0.0.0/8: dropped with host loopback off, passed with it on");
    uint8_t dns[64];
    size_t len = make_frame4(f, "127.0.0.1", 8053, 17, 0, dns, make_query(dns, 3));
    CHECK(t, nook_slirp_nat_outbound(&off, f, len) == NOOK_SLIRP_NAT_DROP, "UDP to 127.0.0.1 is dropped too");
    static const char *const v6[] = { "::1", "::", "::ffff:127.0.0.1", "::ffff:0.0.0.0" };
    all = true;
    for (size_t i = 0; i < N_ELEMENTS(v6); i++) {
        len = make_tcp(f, AF_INET6, "fd00::100", 40100, v6[i], 8080, 0);
        all = all && nook_slirp_nat_outbound(&off, f, len) == NOOK_SLIRP_NAT_DROP &&
              nook_slirp_nat_outbound(&on, f, len) == NOOK_SLIRP_NAT_PASS;
    }
    CHECK(t, all, "IPv6 to ::1, :: and IPv4-mapped loopback: dropped with host loopback off, passed with it on");
    static const char *const open4[] = { "10.0.2.2", "192.0.2.1", "128.0.0.1", "1.0.0.127" };
    all = true;
    for (size_t i = 0; i < N_ELEMENTS(open4); i++) {
        len = make_tcp(f, AF_INET, "10.0.2.100", 40100, open4[i], 8080, 0);
        all = all && nook_slirp_nat_outbound(&off, f, len) == NOOK_SLIRP_NAT_PASS;
    }
    len = make_tcp(f, AF_INET6, "fd00::100", 40100, "::2", 8080, 0);
    all = all && nook_slirp_nat_outbound(&off, f, len) == NOOK_SLIRP_NAT_PASS;
    len = make_tcp(f, AF_INET6, "fd00::100", 40100, "::ffff:10.0.0.1", 8080, 0);
    all = all && nook_slirp_nat_outbound(&off, f, len) == NOOK_SLIRP_NAT_PASS;
    CHECK(t, all, "other addresses pass with host loopback off (the gateway is libslirp's to refuse)");
}

static void test_even_window(struct tap *t)
{
    uint8_t f[256], hdr[NOOK_SLIRP_NAT_HDR_MAX];
    size_t len = make_tcp(f, AF_INET, "10.0.2.2", 5201, "10.0.2.100", 40000, 100);
    put16(f + 34 + 14, 0xffff);
    /* make_tcp's checksum was over window 65535: recompute it. */
    put16(f + 34 + 16, 0);
    {
        uint8_t pseudo[12] = { 0 };
        memcpy(pseudo, f + 14 + 12, 8);
        pseudo[9] = 6;
        put16(pseudo + 10, 120);
        const uint8_t *parts[] = { pseudo, f + 34 };
        size_t lens[] = { 12, 120 };
        put16(f + 34 + 16, reference_checksum(parts, lens, 2));
    }
    CHECK(t, tcp_checksums_right(f, len), "the test's segment with window 65535 has right checksums");
    size_t n = nook_slirp_nat_even_window(f, len, hdr);
    CHECK(t, n == 54, "window 65535: the 54 bytes of headers are copied");
    uint8_t whole[256];
    memcpy(whole, hdr, n);
    memcpy(whole + n, f + n, len - n);
    CHECK(t, get16(whole + 34 + 14) == 0xfffe && tcp_checksums_right(whole, len) &&
                 memcmp(whole, f, 34 + 14) == 0 && memcmp(whole + 34 + 18, f + 34 + 18, len - 34 - 18) == 0,
          "... the window is 65534, the checksum right, nothing else changed");
    CHECK(t, get16(f + 34 + 14) == 0xffff, "... the frame itself is untouched");

    len = make_tcp(f, AF_INET6, "fd00::2", 5201, "fd00::100", 40000, 10);
    put16(f + 54 + 14, 0xffff);
    put16(f + 54 + 16, 0);
    {
        uint8_t pseudo[40] = { 0 };
        memcpy(pseudo, f + 14 + 8, 32);
        put16(pseudo + 34, 30);
        pseudo[39] = 6;
        const uint8_t *parts[] = { pseudo, f + 54 };
        size_t lens[] = { 40, 30 };
        put16(f + 54 + 16, reference_checksum(parts, lens, 2));
    }
    n = nook_slirp_nat_even_window(f, len, hdr);
    memcpy(whole, hdr, n);
    memcpy(whole + n, f + n, len - n);
    CHECK(t, n == 74 && get16(whole + 54 + 14) == 0xfffe && tcp_checksums_right(whole, len),
          "IPv6 too: window 65534, checksum right");

    len = make_tcp(f, AF_INET, "10.0.2.2", 5201, "10.0.2.100", 40000, 10);
    put16(f + 34 + 14, 29200);
    CHECK(t, nook_slirp_nat_even_window(f, len, hdr) == 0, "another window is left alone");
    uint8_t dns[64];
    len = make_frame4(f, "10.0.2.100", 53, 17, 0, dns, make_query(dns, 1));
    CHECK(t, nook_slirp_nat_even_window(f, len, hdr) == 0, "UDP is left alone");
    CHECK(t, nook_slirp_nat_even_window(f, 40, hdr) == 0, "a short frame is left alone");
}

/* The incremental update against a full recomputation, over random data. */
static void test_checksum_adjust(struct tap *t)
{
    uint8_t data[64], changed[64];
    uint32_t seed = 12345;
    bool same = true;
    for (int round = 0; round < 500 && same; round++) {
        for (size_t i = 0; i < sizeof(data); i++) {
            seed = seed * 1103515245 + 12345;
            data[i] = (uint8_t)(seed >> 16);
        }
        put16(data + 10, 0);
        const uint8_t *parts[] = { data };
        size_t lens[] = { sizeof(data) };
        put16(data + 10, reference_checksum(parts, lens, 1));
        memcpy(changed, data, sizeof(data));
        size_t at = 12 + 2 * (size_t)(round % 20), n = 2 + 2 * (size_t)(round % 5);
        uint8_t value[16];
        for (size_t i = 0; i < n; i++)
            value[i] = (uint8_t)(seed >> (i % 24));
        nook_slirp_checksum_adjust(changed + 10, changed + at, value, n);
        memcpy(changed + at, value, n);
        const uint8_t *cparts[] = { changed };
        same = reference_checksum(cparts, lens, 1) == 0;
    }
    CHECK(t, same, "an adjusted checksum verifies like a recomputed one (500 random changes)");
}

/* The headers of a TCP segment, which the helper writes as one GSO
 * frame when it is larger than the tap's MTU. */
static void test_tcp_headers_len(struct tap *t)
{
    static uint8_t f[14 + 40 + 60 + 3000];
    int family = 0;
    size_t len = make_tcp(f, AF_INET, "10.0.2.2", 80, "10.0.2.100", 40000, 3000);
    CHECK(t, nook_slirp_tcp_headers_len(f, len, &family) == 14 + 20 + 20 && family == AF_INET,
          "TCP over IPv4: ethernet, IP and TCP headers");
    f[14 + 20 + 12] = 8 << 4; /* 12 bytes of TCP options */
    CHECK(t, nook_slirp_tcp_headers_len(f, len, &family) == 14 + 20 + 32, "TCP options count in the headers");
    f[14] = 0x46; /* an IPv4 option: the TCP header moves on by 4 */
    f[14 + 24 + 12] = 5 << 4;
    CHECK(t, nook_slirp_tcp_headers_len(f, len, &family) == 14 + 24 + 20, "IPv4 options count in the headers");
    f[14] = 0x45;
    put16(f + 14 + 6, 0x2000); /* more fragments */
    CHECK(t, nook_slirp_tcp_headers_len(f, len, &family) == 0, "an IPv4 fragment is not a segment to cut");
    put16(f + 14 + 6, 0x4000); /* don't fragment alone */
    f[14 + 20 + 12] = 5 << 4;
    CHECK(t, nook_slirp_tcp_headers_len(f, len, &family) == 14 + 40, "DF set is a whole segment");
    f[14 + 9] = 17;
    CHECK(t, nook_slirp_tcp_headers_len(f, len, &family) == 0, "UDP is not TCP");
    len = make_tcp(f, AF_INET6, "fd00::2", 80, "fd00::100", 40000, 3000);
    CHECK(t, nook_slirp_tcp_headers_len(f, len, &family) == 14 + 40 + 20 && family == AF_INET6,
          "TCP over IPv6: ethernet, IP and TCP headers");
    f[14 + 6] = 0; /* a hop-by-hop header first */
    CHECK(t, nook_slirp_tcp_headers_len(f, len, &family) == 0, "IPv6 with another next header first is left alone");
    f[14 + 6] = 6;
    CHECK(t, nook_slirp_tcp_headers_len(f, 14 + 40 + 19, &family) == 0, "a TCP header cut short is not one");
    f[14 + 40 + 12] = 15 << 4;
    CHECK(t, nook_slirp_tcp_headers_len(f, 14 + 40 + 40, &family) == 0, "nor one longer than the frame");
    f[14 + 40 + 12] = 4 << 4;
    CHECK(t, nook_slirp_tcp_headers_len(f, len, &family) == 0, "nor one shorter than 20 bytes");
    put16(f + 12, 0x0806);
    CHECK(t, nook_slirp_tcp_headers_len(f, len, &family) == 0, "ARP is not TCP");
}

int main(void)
{
    struct tap t = { 0 };
    struct servers s;
    inet_pton(AF_INET, "10.0.2.3", &s.v4);
    inet_pton(AF_INET6, "fd00::3", &s.v6);
    test_match(&t, &s);
    test_answer_ipv4(&t, &s);
    test_answer_fragments(&t, &s);
    test_answer_ipv6(&t, &s);
    test_messages(&t);
    test_partial_checksum(&t);
    test_nat_dns_tcp(&t);
    test_nat_loopback_guard(&t);
    test_checksum_adjust(&t);
    test_even_window(&t);
    test_tcp_headers_len(&t);
    return tap_done(&t);
}
