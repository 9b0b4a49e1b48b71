/* test-slirp-args.c: nook-slirp's command line, --port and --dns forms,
 * the nameservers of resolv.conf, and the log's timestamps. */
#include <arpa/inet.h>
#include <string.h>

#include "nook-slirp-args.h"
#include "nook-slirp-log.h"
#include "tap.h"

#define ARGV(...) ((char *[]){ "nook-slirp", __VA_ARGS__, NULL })

static int parse(char **argv, int argc, struct nook_slirp_options *o, struct nook_error *err)
{
    nook_error_clear(err);
    return nook_slirp_parse_args(argc, argv, o, err);
}

static bool addr4_is(const struct nook_slirp_upstream *u, const char *addr, unsigned port)
{
    const struct sockaddr_in *sin = (const struct sockaddr_in *)&u->addr;
    struct in_addr want;
    inet_pton(AF_INET, addr, &want);
    return u->addr.ss_family == AF_INET && u->addr_len == sizeof(*sin) && sin->sin_addr.s_addr == want.s_addr &&
           ntohs(sin->sin_port) == port;
}

static bool addr6_is(const struct nook_slirp_upstream *u, const char *addr, unsigned port)
{
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&u->addr;
    struct in6_addr want;
    inet_pton(AF_INET6, addr, &want);
    return u->addr.ss_family == AF_INET6 && u->addr_len == sizeof(*sin6) &&
           memcmp(&sin6->sin6_addr, &want, sizeof(want)) == 0 && ntohs(sin6->sin6_port) == port;
}

static void test_full_command_line(struct tap *t)
{
    char **argv = ARGV("--pid", "42", "--ready-fd", "3", "--pidfd=5", "--mtu", "1500", "--ipv6", "--host-loopback",
                       "--dns", "127.0.0.1:5353", "--dns=[::1]:53", "--port", "8080:80/tcp", "--port",
                       "127.0.0.1:5353:53/udp", "--log", "/tmp/x.log", "--debug");
    struct nook_slirp_options o;
    struct nook_error err = { 0 };
    int r = parse(argv, 20, &o, &err);
    CHECK(t, r == 0, "a full command line parses");
    if (r < 0)
        printf("# %s\n", err.message);
    CHECK(t, o.pid == 42 && o.ready_fd == 3 && o.pidfd == 5, "--pid, --ready-fd, --pidfd=");
    CHECK(t, o.mtu == 1500 && o.ipv6 && o.host_loopback && o.debug, "--mtu, --ipv6, --host-loopback, --debug");
    CHECK_STR(t, o.log_path, "/tmp/x.log", "--log");
    CHECK(t, o.n_dns == 2 && addr4_is(&o.dns[0], "127.0.0.1", 5353) && addr6_is(&o.dns[1], "::1", 53),
          "two --dns, IPv4 with a port and [IPv6]:PORT");
    CHECK(t, o.n_ports == 2, "two --port");
    CHECK(t, !o.ports_through_slirp, "the relay handles TCP forwards by default");
    if (o.n_ports == 2) {
        CHECK(t, o.ports[0].host_port == 8080 && o.ports[0].container_port == 80 && !o.ports[0].udp &&
                     o.ports[0].host_addr.s_addr == htonl(INADDR_ANY),
              "8080:80/tcp on 0.0.0.0");
        CHECK(t, o.ports[1].host_port == 5353 && o.ports[1].container_port == 53 && o.ports[1].udp &&
                     o.ports[1].host_addr.s_addr == htonl(INADDR_LOOPBACK),
              "127.0.0.1:5353:53/udp");
    }
    nook_slirp_options_free(&o);

    char **minimal = ARGV("--ready-fd", "7", "--pid", "1");
    r = parse(minimal, 5, &o, &err);
    CHECK(t, r == 0 && o.pid == 1 && o.ready_fd == 7, "the minimal command line parses");
    CHECK(t, o.mtu == 65520 && o.pidfd == -1 && !o.ipv6 && !o.host_loopback && o.n_dns == 0 && o.n_ports == 0 &&
                 !o.log_path && !o.debug,
          "defaults: MTU 65520, no pidfd, no IPv6, no host loopback, resolv.conf, stderr log");
    CHECK(t, o.tap_fd == -1, "without --tap-fd the helper makes the tap");
    nook_slirp_options_free(&o);

    char **given = ARGV("--ready-fd", "3", "--pid", "9", "--pidfd", "4", "--tap-fd=5");
    r = parse(given, 8, &o, &err);
    CHECK(t, r == 0 && o.pid == 9 && o.pidfd == 4 && o.tap_fd == 5, "--tap-fd with --pidfd: nook's init made the tap");
    nook_slirp_options_free(&o);
}

struct bad_case {
    char *argv[8];
    const char *message;
};

static void test_port_handler(struct tap *t)
{
    struct nook_slirp_options o;
    struct nook_error err = { 0 };
    char **argv = ARGV("--pid", "1", "--ready-fd", "3", "--port", "8080:80", "--port-handler", "slirp");
    CHECK(t, parse(argv, 9, &o, &err) == 0 && o.ports_through_slirp, "--port-handler slirp");
    nook_slirp_options_free(&o);
    argv = ARGV("--pid", "1", "--ready-fd", "3", "--port-handler=relay");
    CHECK(t, parse(argv, 6, &o, &err) == 0 && !o.ports_through_slirp, "--port-handler=relay");
    nook_slirp_options_free(&o);
}

static void test_bad_command_lines(struct tap *t)
{
    static const struct bad_case cases[] = {
        { { "--pid", "1", "--ready-fd", "3", "--bogus" }, "unknown option \"--bogus\"" },
        { { "--pid", "1", "--ready-fd", "3", "--ho" }, "unknown option \"--ho\"" },
        { { "--pid", "1", "--ready-fd", "3", "stray" }, "unexpected argument \"stray\"" },
        { { "--pid", "1", "--ready-fd" }, "--ready-fd needs a value" },
        { { "--pid", "1", "--pid", "2", "--ready-fd", "3" }, "--pid is given twice" },
        { { "--pid", "0", "--ready-fd", "3" }, "--pid \"0\": expected a process id" },
        { { "--pid", "-4", "--ready-fd", "3" }, "--pid \"-4\": expected a process id" },
        { { "--pid", "1", "--ready-fd", "x" }, "--ready-fd \"x\": expected a file descriptor number" },
        { { "--pid", "1", "--ready-fd", "3", "--mtu", "575" }, "--mtu \"575\": expected a number from 576 to 65520" },
        { { "--pid", "1", "--ready-fd", "3", "--mtu", "65521" }, "--mtu \"65521\": expected a number from 576 to 65520" },
        { { "--pid", "1", "--ready-fd", "3", "--mtu", "1000", "--ipv6" }, "--ipv6 needs an MTU of 1280 or more" },
        { { "--pid", "1", "--ready-fd", "3", "--ipv6=yes" }, "--ipv6 takes no value" },
        { { "--ready-fd", "3" }, "--pid is required" },
        { { "--pid", "1", "--tap-fd", "4", "--ready-fd", "3" }, "--tap-fd needs --pidfd" },
        { { "--pid", "1", "--tap-fd", "x", "--ready-fd", "3" }, "--tap-fd \"x\": expected a file descriptor number" },
        { { "--pid", "1" }, "--ready-fd is required" },
        { { "--pid", "1", "--ready-fd", "3", "--log=" }, "--log: expected a file name" },
        { { "--pid", "1", "--ready-fd", "3", "--port", "8080:80", "--port", "8080:81" },
          "--port \"8080:81\": host port 8080/tcp is forwarded twice" },
        { { "--pid", "1", "--ready-fd", "3", "--port", "127.0.0.1:8080:80", "--port", "8080:81" },
          "--port \"8080:81\": host port 8080/tcp is forwarded twice" },
        { { "--pid", "1", "--ready-fd", "3", "--dns", "nope" }, "--dns \"nope\": \"nope\" is not an IPv4 address" },
        { { "--pid", "1", "--ready-fd", "3", "--port-handler", "kit" }, "--port-handler \"kit\": expected relay or slirp" },
    };
    for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
        char *argv[10] = { "nook-slirp" };
        int argc = 1;
        for (size_t k = 0; k < 8 && cases[i].argv[k]; k++)
            argv[argc++] = cases[i].argv[k];
        struct nook_slirp_options o;
        struct nook_error err = { 0 };
        int r = parse(argv, argc, &o, &err);
        char what[160];
        snprintf(what, sizeof(what), "refused: %s", cases[i].message);
        if (!CHECK(t, r < 0 && strncmp(err.message, cases[i].message, strlen(cases[i].message)) == 0, what))
            printf("#   got: r=%d \"%s\"\n", r, err.message);
        nook_slirp_options_free(&o);
    }

    /* Nine upstreams: one too many. */
    char *argv[24] = { "nook-slirp", "--pid", "1", "--ready-fd", "3" };
    int argc = 5;
    for (int i = 0; i < 9; i++) {
        argv[argc++] = "--dns";
        argv[argc++] = "10.0.0.1";
    }
    struct nook_slirp_options o;
    struct nook_error err = { 0 };
    CHECK(t, parse(argv, argc, &o, &err) < 0 && strstr(err.message, "at most 8 DNS upstreams"),
          "a ninth --dns is refused");
    nook_slirp_options_free(&o);

    /* Same host port, other protocol: two forwards. */
    char **ok = ARGV("--pid", "1", "--ready-fd", "3", "--port", "53:53/udp", "--port", "53:53/tcp");
    CHECK(t, parse(ok, 9, &o, &err) == 0 && o.n_ports == 2, "the same port over tcp and udp is two forwards");
    nook_slirp_options_free(&o);
    char **families = ARGV("--pid", "1", "--ready-fd", "3", "--port", "[::]:80:80", "--port", "80:80");
    CHECK(t, parse(families, 9, &o, &err) == 0 && o.n_ports == 2,
          "[::]:80 and 0.0.0.0:80 are two forwards (the IPv6 one is bound IPv6 only)");
    nook_slirp_options_free(&o);
    char **twice6 = ARGV("--pid", "1", "--ready-fd", "3", "--port", "[::]:80:80", "--port", "[::1]:80:81");
    CHECK(t, parse(twice6, 9, &o, &err) == -EINVAL && strstr(err.message, "host port 80/tcp is forwarded twice"),
          "[::]:80 and [::1]:80 overlap");
    nook_slirp_options_free(&o);
}

static void test_ports(struct tap *t)
{
    struct nook_slirp_port p;
    struct nook_error err = { 0 };
    CHECK(t, nook_slirp_parse_port("80:8080", &p, &err) == 0 && p.host_port == 80 && p.container_port == 8080 &&
                 !p.udp && p.host_addr.s_addr == htonl(INADDR_ANY),
          "--port without protocol is tcp on 0.0.0.0");
    CHECK(t, nook_slirp_parse_port("10.1.2.3:65535:1/udp", &p, &err) == 0 && p.host_port == 65535 &&
                 p.container_port == 1 && p.udp && p.host_addr.s_addr == htonl(0x0a010203),
          "--port with an address, the extreme ports, udp");

    struct in6_addr v6;
    inet_pton(AF_INET6, "::1", &v6);
    CHECK(t, nook_slirp_parse_port("[::1]:8080:80/tcp", &p, &err) == 0 && p.ipv6 &&
                 IN6_ARE_ADDR_EQUAL(&p.host_addr6, &v6) && p.host_port == 8080 && p.container_port == 80 && !p.udp,
          "--port [::1]:8080:80/tcp: an IPv6 host address");
    CHECK(t, nook_slirp_parse_port("[::]:53:53/udp", &p, &err) == 0 && p.ipv6 &&
                 IN6_IS_ADDR_UNSPECIFIED(&p.host_addr6) && p.udp,
          "--port [::]:53:53/udp");
    CHECK(t, nook_slirp_parse_port("8080:80", &p, &err) == 0 && !p.ipv6, "an IPv4 forward is not IPv6");
    char buf[64];
    nook_slirp_parse_port("[fd00:0::1]:1:2", &p, &err);
    nook_slirp_format_port_addr(&p, buf, sizeof(buf));
    CHECK_STR(t, buf, "[fd00::1]", "an IPv6 host address is shown in brackets");
    nook_slirp_parse_port("127.0.0.1:1:2", &p, &err);
    nook_slirp_format_port_addr(&p, buf, sizeof(buf));
    CHECK_STR(t, buf, "127.0.0.1", "an IPv4 one without");

    static const struct {
        const char *spec, *message;
    } bad[] = {
        { "80", "--port \"80\": expected [HOSTADDR:]HOSTPORT:CONTAINERPORT[/tcp|/udp]" },
        { "0:80", "--port \"0:80\": the host port must be a number from 1 to 65535, not \"0\"" },
        { "65536:80", "--port \"65536:80\": the host port must be a number from 1 to 65535, not \"65536\"" },
        { "80:", "--port \"80:\": the container port must be a number from 1 to 65535, not \"\"" },
        { "80:x/tcp", "--port \"80:x/tcp\": the container port must be a number from 1 to 65535, not \"x\"" },
        { "8080:80/sctp", "--port \"8080:80/sctp\": the protocol must be tcp or udp, not \"sctp\"" },
        { "1.2.3:80:80", "--port \"1.2.3:80:80\": \"1.2.3\" is not an IPv4 address" },
        { "a:b:c:d", "--port \"a:b:c:d\": the host port must be a number from 1 to 65535, not \"c\"" },
        { "::1:80:80", "--port \"::1:80:80\": an IPv6 host address goes in brackets" },
        { "[::1:80:80", "--port \"[::1:80:80\": expected [IPV6]:HOSTPORT:CONTAINERPORT" },
        { "[::1]80:80", "--port \"[::1]80:80\": expected [IPV6]:HOSTPORT:CONTAINERPORT" },
        { "[::1]:1:80:80", "--port \"[::1]:1:80:80\": expected [IPV6]:HOSTPORT:CONTAINERPORT" },
        { "[1.2.3.4]:80:80", "--port \"[1.2.3.4]:80:80\": \"1.2.3.4\" is not an IPv6 address" },
        { "[::1]:80", "--port \"[::1]:80\": expected [HOSTADDR:]HOSTPORT:CONTAINERPORT" },
        { "+80:80", "--port \"+80:80\": the host port must be a number" },
    };
    for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
        nook_error_clear(&err);
        int r = nook_slirp_parse_port(bad[i].spec, &p, &err);
        char what[160];
        snprintf(what, sizeof(what), "--port \"%s\" is refused", bad[i].spec);
        if (!CHECK(t, r == -EINVAL && strncmp(err.message, bad[i].message, strlen(bad[i].message)) == 0, what))
            printf("#   got: r=%d \"%s\"\n", r, err.message);
    }
}

static void test_upstreams(struct tap *t)
{
    struct nook_slirp_upstream u;
    struct nook_error err = { 0 };
    CHECK(t, nook_slirp_parse_upstream("192.0.2.1", &u, &err) == 0 && addr4_is(&u, "192.0.2.1", 53),
          "--dns IPv4 without a port is port 53");
    CHECK(t, nook_slirp_parse_upstream("127.0.0.1:5353", &u, &err) == 0 && addr4_is(&u, "127.0.0.1", 5353),
          "--dns IPv4:PORT");
    CHECK(t, nook_slirp_parse_upstream("[2001:db8::1]:5300", &u, &err) == 0 && addr6_is(&u, "2001:db8::1", 5300),
          "--dns [IPv6]:PORT");
    CHECK(t, nook_slirp_parse_upstream("[::1]", &u, &err) == 0 && addr6_is(&u, "::1", 53), "--dns [IPv6]");
    CHECK(t, nook_slirp_parse_upstream("fd00::53", &u, &err) == 0 && addr6_is(&u, "fd00::53", 53),
          "--dns with a bare IPv6 address");

    static const char *const bad[] = {
        "127.0.0.1:0", "127.0.0.1:x", "127.0.0.1:65536", "[::1", "[::1]x", "[::1]:", "1.2.3.4.5", "host.example", "",
        "[1.2.3.4]:53", "::g",
    };
    for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
        nook_error_clear(&err);
        char what[80];
        snprintf(what, sizeof(what), "--dns \"%s\" is refused", bad[i]);
        int r = nook_slirp_parse_upstream(bad[i], &u, &err);
        if (!CHECK(t, r == -EINVAL && strncmp(err.message, "--dns \"", 7) == 0, what))
            printf("#   got: r=%d \"%s\"\n", r, err.message);
    }

    char buf[64];
    nook_slirp_parse_upstream("[fd00::3]:53", &u, &err);
    nook_slirp_format_upstream(&u, buf, sizeof(buf));
    CHECK_STR(t, buf, "[fd00::3]:53", "an IPv6 upstream is shown as [ADDR]:PORT");
    nook_slirp_parse_upstream("127.0.0.53", &u, &err);
    nook_slirp_format_upstream(&u, buf, sizeof(buf));
    CHECK_STR(t, buf, "127.0.0.53:53", "an IPv4 upstream is shown as ADDR:PORT");
}

static void test_resolv_conf(struct tap *t)
{
    const char *text = "# generated by a resolver\n"
                       "search example.com\n"
                       "nameserver 127.0.0.53\n"
                       "options edns0 trust-ad\n"
                       "nameserver\t::1\n"
                       "nameserverx 192.0.2.9\n"
                       "nameserver not-an-address\n"
                       "  nameserver 192.0.2.7   # trailing words are ignored\r\n"
                       "nameserver";
    struct nook_slirp_upstream u[8];
    size_t n = nook_slirp_parse_resolv_conf(text, u, 8);
    CHECK(t, n == 3, "three nameservers in a resolv.conf with comments, options and junk");
    CHECK(t, n >= 1 && addr4_is(&u[0], "127.0.0.53", 53), "the systemd-resolved stub 127.0.0.53 is kept");
    CHECK(t, n >= 2 && addr6_is(&u[1], "::1", 53), "an IPv6 nameserver");
    CHECK(t, n >= 3 && addr4_is(&u[2], "192.0.2.7", 53), "an indented line with a trailing comment and CRLF");
    CHECK(t, nook_slirp_parse_resolv_conf(text, u, 1) == 1, "the count is capped");
    CHECK(t, nook_slirp_parse_resolv_conf("", u, 8) == 0, "an empty resolv.conf has no nameserver");
}

static void test_find_ready_fd(struct tap *t)
{
    CHECK(t, nook_slirp_find_ready_fd(3, ARGV("--ready-fd", "9")) == 9, "--ready-fd N is found first");
    CHECK(t, nook_slirp_find_ready_fd(3, ARGV("--bogus", "--ready-fd=4")) == 4,
          "--ready-fd=N is found past a bad option");
    CHECK(t, nook_slirp_find_ready_fd(3, ARGV("--ready-fd", "x9")) == -1, "a malformed --ready-fd is not used");
    CHECK(t, nook_slirp_find_ready_fd(2, ARGV("--ready-fd")) == -1, "a --ready-fd without value is not used");
}

static void test_log_time(struct tap *t)
{
    char buf[40];
    nook_slirp_format_time(0, buf, sizeof(buf));
    CHECK_STR(t, buf, "1970-01-01T00:00:00.000Z", "the epoch");
    nook_slirp_format_time(951782400123, buf, sizeof(buf));
    CHECK_STR(t, buf, "2000-02-29T00:00:00.123Z", "a leap day");
    nook_slirp_format_time(1700000000000, buf, sizeof(buf));
    CHECK_STR(t, buf, "2023-11-14T22:13:20.000Z", "a time in 2023");
    nook_slirp_format_time(4107542399999, buf, sizeof(buf));
    CHECK_STR(t, buf, "2100-02-28T23:59:59.999Z", "2100 is no leap year");
    nook_slirp_format_time(-1, buf, sizeof(buf));
    CHECK_STR(t, buf, "1969-12-31T23:59:59.999Z", "before the epoch");
}

int main(void)
{
    struct tap t = { 0 };
    test_full_command_line(&t);
    test_bad_command_lines(&t);
    test_port_handler(&t);
    test_ports(&t);
    test_upstreams(&t);
    test_resolv_conf(&t);
    test_find_ready_fd(&t);
    test_log_time(&t);
    return tap_done(&t);
}
