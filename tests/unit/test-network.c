/* test-network.c: the nook.network* annotations (network-options.c): what
 * they parse to, every refusal and its one-line message, the helper's
 * command line, the generated resolv.conf, what `state` says of a helper
 * (network-state.c) on real processes, and `nook spec --network`'s
 * document (spec-default.c). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "lib/helper-procs.h"
#include "lib/network.h"
#include "lib/spec-default.h"
#include "lib/spec.h"
#include "tap.h"

#define NETNS "{\"type\": \"network\"}"

/* A config.json with these namespaces (JSON array items) and annotations
 * (JSON object members), parsed. */
static struct nook_spec *spec_with(const char *namespaces, const char *annotations)
{
    char *text = NULL;
    if (asprintf(&text,
                 "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
                 " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"},"
                 " \"annotations\": {%s},"
                 " \"linux\": {\"namespaces\": [%s]}}",
                 annotations, namespaces) < 0)
        return NULL;
    struct nook_spec *spec = NULL;
    struct nook_error err = { 0 };
    if (nook_spec_parse(text, strlen(text), "config.json", &spec, &err) < 0)
        printf("# parse failed: %s\n", err.message);
    free(text);
    return spec;
}

/* Parse the annotations (with a new network namespace); 0 or -errno,
 * with err's message. */
static int parse(const char *annotations, struct nook_network_options *opts, struct nook_error *err)
{
    struct nook_spec *spec = spec_with(NETNS, annotations);
    if (!spec)
        return -999;
    *err = (struct nook_error){ 0 };
    *opts = (struct nook_network_options){ 0 };
    int r = nook_network_options_from_spec(spec, opts, err);
    nook_spec_free(spec);
    return r;
}

/* The annotations are refused with a one-line message that begins with
 * the JSON path of annotation key and holds want. */
static void check_refused_key(struct tap *t, const char *annotations, const char *key,
                              const char *want, const char *what)
{
    struct nook_network_options opts;
    struct nook_error err;
    int r = parse(annotations, &opts, &err);
    char prefix[256];
    snprintf(prefix, sizeof(prefix), "config.json: .annotations[\"%s\"]: ", key);
    bool ok = r == -EINVAL && strncmp(err.message, prefix, strlen(prefix)) == 0 &&
              strstr(err.message, want) && !strchr(err.message, '\n');
    if (!CHECK(t, ok, what))
        printf("#   r=%d message: %s\n#   want: %s...%s\n", r, err.message, prefix, want);
    nook_network_options_clear(&opts);
}

/* The same for the key named in want's path, or else the last key of
 * annotations. */
static void check_refused(struct tap *t, const char *annotations, const char *want, const char *what)
{
    const char *start = strstr(want, ".annotations[\"");
    if (start) {
        start += strlen(".annotations[\"");
    } else {
        for (const char *p = annotations; (p = strstr(p, "\"nook.network")); p++)
            start = p + 1;
    }
    const char *end = start ? strchr(start, '"') : NULL;
    char key[128] = "";
    if (end)
        snprintf(key, sizeof(key), "%.*s", (int)(end - start), start);
    check_refused_key(t, annotations, key, want, what);
}

static void test_defaults(struct tap *t)
{
    struct nook_network_options opts;
    struct nook_error err;
    CHECK(t, parse("\"other\": \"x\"", &opts, &err) == 0 && !opts.enabled,
          "no nook.network annotations: no network");
    nook_network_options_clear(&opts);
    CHECK(t, parse("\"nook.networks\": \"x\"", &opts, &err) == 0 && !opts.enabled,
          "a key that only starts with nook.network is not one of them");
    nook_network_options_clear(&opts);

    CHECK(t, parse("\"nook.network\": \"slirp\"", &opts, &err) == 0, "nook.network: slirp parses");
    CHECK(t, opts.enabled && opts.mtu == 0 && !opts.ipv6 && !opts.host_loopback && opts.resolv_conf &&
                 !opts.dns && opts.n_ports == 0,
          "defaults: helper's mtu, no ipv6, no host loopback, resolv.conf, host's dns, no ports");
    nook_network_options_clear(&opts);
}

static void test_options(struct tap *t)
{
    struct nook_network_options opts;
    struct nook_error err;
    int r = parse("\"nook.network\": \"slirp\", \"nook.network.mtu\": \"1500\","
                  " \"nook.network.ipv6\": \"true\", \"nook.network.host-loopback\": \"true\","
                  " \"nook.network.resolv-conf\": \"false\","
                  " \"nook.network.ports\": \"8080:80/tcp, 5353:53/udp,127.0.0.1:8081:80,9000:9000/udp,9000:9000\","
                  " \"nook.network.dns\": \"127.0.0.1:5353, 1.1.1.1,[fd00::1]:5353,fd00::2,[::1]\"",
                  &opts, &err);
    if (!CHECK(t, r == 0, "every option parses"))
        printf("#   %s\n", err.message);
    CHECK(t, opts.mtu == 1500 && opts.ipv6 && opts.host_loopback && !opts.resolv_conf,
          "mtu, ipv6, host-loopback, resolv-conf");
    CHECK(t, opts.n_ports == 5, "five ports");
    if (opts.n_ports == 5) {
        const struct nook_network_port *p = opts.ports;
        CHECK(t, strcmp(p[0].host_addr, "0.0.0.0") == 0 && p[0].host_port == 8080 &&
                     p[0].container_port == 80 && p[0].proto == NOOK_NETWORK_TCP,
              "8080:80/tcp: all addresses, tcp");
        CHECK(t, p[1].host_port == 5353 && p[1].container_port == 53 && p[1].proto == NOOK_NETWORK_UDP,
              "5353:53/udp (spaces trimmed): udp");
        CHECK(t, strcmp(p[2].host_addr, "127.0.0.1") == 0 && p[2].host_port == 8081 &&
                     p[2].proto == NOOK_NETWORK_TCP,
              "127.0.0.1:8081:80: that address, tcp by default");
        CHECK(t, p[3].proto == NOOK_NETWORK_UDP && p[4].proto == NOOK_NETWORK_TCP,
              "the same port over udp and tcp is two forwards");
    }
    const char *want_dns[] = { "127.0.0.1:5353", "1.1.1.1:53", "[fd00::1]:5353", "[fd00::2]:53",
                               "[::1]:53", NULL };
    bool same = opts.dns != NULL;
    for (size_t i = 0; same && want_dns[i]; i++)
        same = opts.dns[i] && strcmp(opts.dns[i], want_dns[i]) == 0;
    same = same && !opts.dns[5];
    CHECK(t, same, "dns servers normalised to ADDR:PORT / [IPV6]:PORT, port 53 by default");

    _cleanup_strv_ char **argv = NULL;
    CHECK(t, nook_network_helper_argv(&opts, "/x/nook-slirp", 4242, 3, 4, 5, "/s/c1/network.log", &argv, &err) == 0,
          "the helper's command line");
    const char *want_argv[] = {
        "/x/nook-slirp", "--pid", "4242", "--pidfd", "4", "--tap-fd", "5", "--ready-fd", "3", "--mtu", "1500", "--ipv6",
        "--host-loopback", "--dns", "127.0.0.1:5353", "--dns", "1.1.1.1:53", "--dns", "[fd00::1]:5353",
        "--dns", "[fd00::2]:53", "--dns", "[::1]:53", "--port", "0.0.0.0:8080:80/tcp", "--port",
        "0.0.0.0:5353:53/udp", "--port", "127.0.0.1:8081:80/tcp", "--port", "0.0.0.0:9000:9000/udp",
        "--port", "0.0.0.0:9000:9000/tcp", "--log", "/s/c1/network.log", NULL,
    };
    same = argv != NULL;
    size_t i = 0;
    for (; same && want_argv[i]; i++) {
        same = argv[i] && strcmp(argv[i], want_argv[i]) == 0;
        if (!same)
            printf("#   argv[%zu]: \"%s\", want \"%s\"\n", i, argv[i] ? argv[i] : "(null)", want_argv[i]);
    }
    CHECK(t, same && !argv[i], "every option reaches the helper, in the contract's spelling");
    nook_network_options_clear(&opts);

    CHECK(t, parse("\"nook.network\": \"slirp\"", &opts, &err) == 0, "defaults again");
    strv_free(argv);
    argv = NULL;
    CHECK(t, nook_network_helper_argv(&opts, "h", 7, 3, 4, 5, NULL, &argv, &err) == 0 && argv && argv[8] &&
                 !argv[9] && strcmp(argv[1], "--pid") == 0 && strcmp(argv[2], "7") == 0 &&
                 strcmp(argv[5], "--tap-fd") == 0 && strcmp(argv[6], "5") == 0 && strcmp(argv[8], "3") == 0,
          "defaults: only --pid, --pidfd, --tap-fd and --ready-fd (no log)");
    nook_network_options_clear(&opts);

    /* IPv6 host addresses: bracketed, canonical, bound IPv6 only (so the
     * same port on IPv4 is another forward). */
    r = parse("\"nook.network\": \"slirp\", \"nook.network.ports\": "
              "\"[::1]:8080:80/tcp,[0:0::0]:8081:81,8080:80,[fd00:0::5]:9000:90\"",
              &opts, &err);
    if (!CHECK(t, r == 0 && opts.n_ports == 4, "IPv6 host addresses in brackets parse, beside an IPv4 one"))
        printf("#   %s\n", err.message);
    if (opts.n_ports == 4) {
        CHECK(t, strcmp(opts.ports[0].host_addr, "[::1]") == 0 && opts.ports[0].host_port == 8080 &&
                     opts.ports[0].container_port == 80 && opts.ports[0].proto == NOOK_NETWORK_TCP,
              "[::1]:8080:80/tcp");
        CHECK(t, strcmp(opts.ports[1].host_addr, "[::]") == 0 && strcmp(opts.ports[3].host_addr, "[fd00::5]") == 0,
              "IPv6 addresses in their canonical spelling");
        strv_free(argv);
        argv = NULL;
        CHECK(t, nook_network_helper_argv(&opts, "h", 7, 3, 4, 5, NULL, &argv, &err) == 0 && argv && argv[12] &&
                     strcmp(argv[10], "[::1]:8080:80/tcp") == 0 && strcmp(argv[12], "[::]:8081:81/tcp") == 0,
              "the helper gets --port [::1]:8080:80/tcp");
    }
    nook_network_options_clear(&opts);
    /* The port handler: relay by default (nothing to say), slirp passed on
     * where there are ports for it. */
    CHECK(t, parse("\"nook.network\": \"slirp\", \"nook.network.ports\": \"8080:80\"", &opts, &err) == 0 &&
                 !opts.ports_through_slirp,
          "port-handler: relay by default");
    nook_network_options_clear(&opts);
    r = parse("\"nook.network\": \"slirp\", \"nook.network.ports\": \"8080:80\","
              " \"nook.network.port-handler\": \"slirp\"", &opts, &err);
    CHECK(t, r == 0 && opts.ports_through_slirp, "port-handler: slirp");
    strv_free(argv);
    argv = NULL;
    CHECK(t, r == 0 && nook_network_helper_argv(&opts, "h", 7, 3, 4, 5, NULL, &argv, &err) == 0 && argv &&
                 argv[12] && strcmp(argv[11], "--port-handler") == 0 && strcmp(argv[12], "slirp") == 0 && !argv[13],
          "the helper gets --port-handler slirp");
    nook_network_options_clear(&opts);
    CHECK(t, parse("\"nook.network\": \"slirp\", \"nook.network.port-handler\": \"relay\"", &opts, &err) == 0 &&
                 !opts.ports_through_slirp,
          "port-handler: relay");
    nook_network_options_clear(&opts);
    CHECK(t, parse("\"nook.network\": \"slirp\", \"nook.network.ports\": \"[::1]:5353:53/udp\","
                   " \"nook.network.ipv6\": \"true\"", &opts, &err) == 0 && opts.n_ports == 1,
          "UDP on an IPv6 host address with nook.network.ipv6 (given after the ports)");
    nook_network_options_clear(&opts);

    CHECK(t, parse("\"nook.network\": \"slirp\", \"nook.network.mtu\": \"576\"", &opts, &err) == 0 &&
                 opts.mtu == 576,
          "mtu 576, the lowest");
    nook_network_options_clear(&opts);
    CHECK(t, parse("\"nook.network\": \"slirp\", \"nook.network.mtu\": \"65520\"", &opts, &err) == 0 &&
                 opts.mtu == 65520,
          "mtu 65520, the highest");
    nook_network_options_clear(&opts);
}

static void test_refusals(struct tap *t)
{
#define SLIRP "\"nook.network\": \"slirp\", "
    check_refused(t, SLIRP "\"nook.network.foo\": \"1\"",
                  ".annotations[\"nook.network.foo\"]: unknown annotation; nook knows nook.network, "
                  "nook.network.dns",
                  "an unknown key is refused, naming it and the known ones");
    check_refused(t, SLIRP "\"nook.network.helper\": \"running\"", ".annotations[\"nook.network.helper\"]: unknown",
                  "nook.network.helper is state's, not config.json's");
    check_refused(t, "\"nook.network\": \"pasta\"",
                  ".annotations[\"nook.network\"]: unknown network \"pasta\"; nook knows \"slirp\"",
                  "another network is refused");
    check_refused(t, "\"nook.network\": \"\"", "unknown network \"\"", "an empty network is refused");

    check_refused(t, SLIRP "\"nook.network.mtu\": \"575\"",
                  ".annotations[\"nook.network.mtu\"]: 575 is out of range (576..65520)", "mtu 575");
    check_refused(t, SLIRP "\"nook.network.mtu\": \"65521\"", "65521 is out of range (576..65520)", "mtu 65521");
    check_refused(t, SLIRP "\"nook.network.mtu\": \"99999999999999\"", "is out of range", "a huge mtu");
    check_refused(t, SLIRP "\"nook.network.mtu\": \"1500b\"", "\"1500b\" is not a number", "mtu 1500b");
    check_refused(t, SLIRP "\"nook.network.mtu\": \"-1\"", "\"-1\" is not a number", "mtu -1");
    check_refused(t, SLIRP "\"nook.network.mtu\": \"\"", "\"\" is not a number", "an empty mtu");

    check_refused(t, SLIRP "\"nook.network.ipv6\": \"yes\"",
                  ".annotations[\"nook.network.ipv6\"]: \"yes\" is not a boolean; use \"true\" or \"false\"",
                  "ipv6: yes");
    check_refused(t, SLIRP "\"nook.network.host-loopback\": \"1\"", "\"1\" is not a boolean", "host-loopback: 1");
    check_refused(t, SLIRP "\"nook.network.port-handler\": \"rootlesskit\"",
                  "\"rootlesskit\": expected \"relay\" or \"slirp\"", "port-handler: rootlesskit");
    check_refused(t, SLIRP "\"nook.network.resolv-conf\": \"False\"", "\"False\" is not a boolean",
                  "resolv-conf: False");

    struct {
        const char *ports;
        const char *want;
    } bad_ports[] = {
        { "80", "\"80\" is not [HOSTADDR:]HOSTPORT:CPORT[/tcp|/udp]" },
        { "0:80", "\"0:80\": host port \"0\" is not a port number (1..65535)" },
        { "65536:80", "host port \"65536\" is not a port number" },
        { "8080:0", "container port \"0\" is not a port number" },
        { "8080:", "container port \"\" is not a port number" },
        { ":80", "host port \"\" is not a port number" },
        { "http:80", "host port \"http\" is not a port number" },
        { "8080:80/sctp", "\"8080:80/sctp\": unknown protocol \"sctp\"; use tcp or udp" },
        { "8080:80/", "unknown protocol \"\"" },
        { "localhost:8080:80", "host address \"localhost\" is not an IPv4 address" },
        { "1.2.3.4.5:8080:80", "host address \"1.2.3.4.5\" is not an IPv4 address" },
        { ":8080:80", "the host address is empty" },
        { "[::1]:8080:80/udp", "\"[::1]:8080:80/udp\": UDP on an IPv6 host address is forwarded to the "
                               "container's IPv6 address, which needs \"nook.network.ipv6\": \"true\"" },
        { "[::1:8080:80", "\"[::1:8080:80\": missing \"]\"" },
        { "[::1]8080:80", "\"[::1]8080:80\" is not [IPV6]:HOSTPORT:CPORT[/tcp|/udp]" },
        { "[::1]:1:8080:80", "\"[::1]:1:8080:80\" is not [IPV6]:HOSTPORT:CPORT[/tcp|/udp]" },
        { "[fe80::zz]:8080:80", "host address \"fe80::zz\" is not an IPv6 address" },
        { "[127.0.0.1]:8080:80", "host address \"127.0.0.1\" is not an IPv6 address" },
        { "::1:8080:80", "\"::1:8080:80\": an IPv6 host address goes in brackets: [::1]:HOSTPORT:CPORT" },
        { "[]:8080:80", "the host address is empty" },
        { "[::]:8080:80,[::1]:8080:81", "host port 8080/tcp is forwarded twice" },
        { "[::1]:8080:80,[0:0::1]:8080:81", "host port 8080/tcp is forwarded twice" },
        { "8080:80,", "entry 2 is empty" },
        { "", "entry 1 is empty" },
        { "8080:80,8080:81", "host port 8080/tcp is forwarded twice" },
        { "127.0.0.1:8080:80,8080:81/tcp", "host port 8080/tcp is forwarded twice" },
    };
    for (size_t i = 0; i < N_ELEMENTS(bad_ports); i++) {
        char annotations[256], what[256];
        snprintf(annotations, sizeof(annotations), SLIRP "\"nook.network.ports\": \"%s\"", bad_ports[i].ports);
        snprintf(what, sizeof(what), "ports \"%s\" refused: %s", bad_ports[i].ports, bad_ports[i].want);
        check_refused_key(t, annotations, "nook.network.ports", bad_ports[i].want, what);
    }

    const char *bad_dns[][2] = {
        { "1.2.3.4:0", "port \"0\" is not a port number" },
        { "1.2.3.4:x", "port \"x\" is not a port number" },
        { "[1.2.3.4]:53", "brackets are for IPv6 addresses" },
        { "dns.example", "\"dns.example\" is not an IPv4 or IPv6 address" },
        { "[fd00::1", "missing \"]\"" },
        { "[fd00::1]53", "is not ADDR, ADDR:PORT or [IPV6]:PORT" },
        { "1.1.1.1,,8.8.8.8", "entry 2 is empty" },
    };
    for (size_t i = 0; i < N_ELEMENTS(bad_dns); i++) {
        char annotations[256], what[256];
        snprintf(annotations, sizeof(annotations), SLIRP "\"nook.network.dns\": \"%s\"", bad_dns[i][0]);
        snprintf(what, sizeof(what), "dns \"%s\" refused: %s", bad_dns[i][0], bad_dns[i][1]);
        check_refused_key(t, annotations, "nook.network.dns", bad_dns[i][1], what);
    }

    check_refused(t, "\"nook.network.ports\": \"8080:80\"",
                  ".annotations[\"nook.network.ports\"]: a network option without \"nook.network\": "
                  "\"slirp\"; add that annotation too",
                  "an option without nook.network is refused, naming the option");

    struct nook_network_options opts;
    struct nook_error err = { 0 };
    struct nook_spec *spec = spec_with("{\"type\": \"pid\"}", "\"nook.network\": \"slirp\"");
    int r = spec ? nook_network_options_from_spec(spec, &opts, &err) : -999;
    CHECK(t, r == -EINVAL && strstr(err.message, ".annotations[\"nook.network\"]: \"slirp\" needs a new "
                                                 "network namespace: add {\"type\": \"network\"} to "
                                                 ".linux.namespaces"),
          "slirp without a network namespace is refused, saying what to add");
    nook_spec_free(spec);
    err = (struct nook_error){ 0 };
    spec = spec_with("{\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}", "\"nook.network\": \"slirp\"");
    r = spec ? nook_network_options_from_spec(spec, &opts, &err) : -999;
    CHECK(t, r == -EINVAL && strstr(err.message, "needs a new network namespace, but .linux.namespaces[0] "
                                                 "joins \"/proc/1/ns/net\""),
          "slirp with a joined network namespace is refused, naming it");
    nook_spec_free(spec);
#undef SLIRP
}

static void test_low_ports(struct tap *t)
{
    struct nook_network_options opts;
    struct nook_error err;
    CHECK(t, parse("\"nook.network\": \"slirp\", \"nook.network.ports\": \"8080:80,127.0.0.1:53:53/udp\"",
                   &opts, &err) == 0,
          "ports with a low one");
    err = (struct nook_error){ 0 };
    int r = nook_network_check_ports(&opts, 1024, &err);
    CHECK(t, r == -EINVAL && strstr(err.message, ".annotations[\"nook.network.ports\"]: host port 53/udp is "
                                                 "below 1024 (/proc/sys/net/ipv4/ip_unprivileged_port_start)"),
          "a host port below ip_unprivileged_port_start is refused, naming port, sysctl and value");
    CHECK(t, nook_network_check_ports(&opts, 53, &err) == 0, "port 53 is fine when the sysctl is 53");
    CHECK(t, nook_network_check_ports(&opts, 0, &err) == 0, "any port is fine when the sysctl is 0");
    nook_network_options_clear(&opts);
}

static void test_resolv_conf(struct tap *t)
{
    struct nook_network_options opts = { .enabled = true };
    const char *host = "# comment\nnameserver 127.0.0.53\nsearch corp.example lab.example\noptions edns0\n"
                       "domain corp.example\nsearchx no\n";
    _cleanup_free_ char *text = nook_network_resolv_conf_text(&opts, host);
    CHECK_STR(t, text,
              "# Written by nook for the container's slirp network (see nook-network(7)).\n"
              "nameserver 10.0.2.3\n"
              "search corp.example lab.example\n"
              "domain corp.example\n",
              "resolv.conf: slirp's DNS, the host's search domains, not its nameservers");
    opts.ipv6 = true;
    free(text);
    text = nook_network_resolv_conf_text(&opts, NULL);
    CHECK_STR(t, text,
              "# Written by nook for the container's slirp network (see nook-network(7)).\n"
              "nameserver 10.0.2.3\n"
              "nameserver fd00::3\n",
              "resolv.conf with ipv6 and no host file");

    struct nook_spec_mount mounts[] = { { .destination = "/etc" }, { .destination = "/etc//./resolv.conf" } };
    struct nook_spec spec = { .mounts = mounts, .n_mounts = 1 };
    CHECK(t, !nook_network_spec_mounts_resolv_conf(&spec), "a mount on /etc is not one on /etc/resolv.conf");
    spec.n_mounts = 2;
    CHECK(t, nook_network_spec_mounts_resolv_conf(&spec), "a mount on /etc//./resolv.conf is");
}

static void test_find_helper(struct tap *t)
{
    /* The test binary's directory has no nook-slirp, nor has the install
     * directory of a build tree. */
    _cleanup_free_ char *path = NULL;
    struct nook_error err = { 0 };
    int r = nook_network_find_helper(&path, &err);
    if (r == 0) {
        printf("ok %d - # SKIP nook-slirp is installed in %s\n", ++t->count, path);
        return;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    bool ok = r == -ENOENT &&
              strncmp(err.message, "network \"slirp\" needs nook-slirp, which is not installed (looked in ",
                      strlen("network \"slirp\" needs nook-slirp, which is not installed (looked in ")) == 0 &&
              strstr(err.message, exe) && strstr(err.message, " and ");
    if (!CHECK(t, ok, "a missing helper: the error names every directory looked in"))
        printf("#   %s\n", err.message);
}

static pid_t spawn_sleeper(void)
{
    pid_t pid = fork();
    if (pid == 0)
        for (;;)
            pause();
    return pid;
}

static int count_in_file(int dir_fd, const char *name, const char *needle)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[8192];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    int count = 0;
    for (char *p = buf; (p = strstr(p, needle)); p++)
        count++;
    return count;
}

static void test_helper_state(struct tap *t)
{
    char path[] = "/tmp/nook-test-network.XXXXXX";
    if (!mkdtemp(path))
        return;
    struct nook_container_dir dir = { .id = "c1", .path = path };
    dir.fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct nook_state state = { .id = strdup("c1") };
    struct nook_error warning = { 0 }, err = { 0 };

    CHECK(t, nook_network_helper_state(&dir, &state, NOOK_STATUS_RUNNING, &warning) == NULL,
          "no nook.network annotation: nothing to say");
    nook_state_set_annotation(&state, "nook.network", "slirp", &err);
    CHECK(t, nook_network_helper_state(&dir, &state, NOOK_STATUS_CREATING, &warning) == NULL,
          "creating, helper not started yet: nothing to say");

    pid_t helper = spawn_sleeper();
    nook_helper_record(dir.fd, NOOK_NETWORK_HELPER_RECORD, helper, &err);
    CHECK_STR(t, nook_network_helper_state(&dir, &state, NOOK_STATUS_RUNNING, &warning), "running",
              "a live helper: running");
    CHECK(t, !nook_error_is_set(&warning), "... and no warning");
    CHECK(t, nook_network_annotate_state(&dir, &state, NOOK_STATUS_RUNNING, &warning, &err) == 0,
          "annotate the state");
    bool found = false;
    for (size_t i = 0; i < state.n_annotations; i++)
        found |= strcmp(state.annotations[i].key, "nook.network.helper") == 0 &&
                 strcmp(state.annotations[i].value, "running") == 0;
    CHECK(t, found, "the state has nook.network.helper: running");

    kill(helper, SIGKILL);
    waitpid(helper, NULL, 0);
    CHECK_STR(t, nook_network_helper_state(&dir, &state, NOOK_STATUS_STOPPED, &warning), "exited",
              "a stopped container's helper: exited");
    CHECK(t, !nook_error_is_set(&warning), "... as it should: no warning");

    CHECK_STR(t, nook_network_helper_state(&dir, &state, NOOK_STATUS_RUNNING, &warning), "exited",
              "a running container whose helper died: exited");
    CHECK(t, nook_error_is_set(&warning) && strstr(warning.message, "container c1: its network helper nook-slirp "
                                                                    "has exited, so the container has no "
                                                                    "network any more (see ") &&
                 strstr(warning.message, "/network.log)"),
          "... with a one-line warning pointing at the log");
    nook_error_clear(&warning);
    nook_network_helper_state(&dir, &state, NOOK_STATUS_PAUSED, &warning);
    CHECK(t, count_in_file(dir.fd, "network.log", "nook: the network helper is gone while the container is running") == 1,
          "the log says so once, however often it is asked");

    nook_state_clear(&state);
    nook_helpers_stop_all(dir.fd, 0, &err);
    unlinkat(dir.fd, "network.log", 0);
    close(dir.fd);
    rmdir(path);
}

/* The namespace types of a default document, comma-joined; its
 * nook.network annotation (NULL: none); the type of its /sys mount. The
 * strings live in *root, which the caller releases. */
static void default_doc(bool rootless, const char *network, JsonNode **root, char *types, size_t size,
                        const char **annotation, const char **sys_type)
{
    struct nook_spec_default_opts opts = { .rootless = rootless, .network = network };
    if (*root)
        json_node_unref(*root);
    *root = nook_spec_default_build_opts(&opts);
    JsonObject *doc = json_node_get_object(*root);
    JsonArray *namespaces = json_object_get_array_member(json_object_get_object_member(doc, "linux"),
                                                         "namespaces");
    types[0] = '\0';
    for (guint i = 0; i < json_array_get_length(namespaces); i++) {
        const char *type = json_object_get_string_member(json_array_get_object_element(namespaces, i), "type");
        size_t used = strlen(types);
        snprintf(types + used, size - used, "%s%s", i ? "," : "", type);
    }
    *annotation = NULL;
    if (json_object_has_member(doc, "annotations"))
        *annotation = json_object_get_string_member(json_object_get_object_member(doc, "annotations"),
                                                    "nook.network");
    JsonArray *mounts = json_object_get_array_member(doc, "mounts");
    *sys_type = NULL;
    for (guint i = 0; i < json_array_get_length(mounts); i++) {
        JsonObject *m = json_array_get_object_element(mounts, i);
        if (strcmp(json_object_get_string_member(m, "destination"), "/sys") == 0)
            *sys_type = json_object_get_string_member(m, "type");
    }
}

static void test_spec_default(struct tap *t)
{
    char types[256];
    const char *annotation, *sys_type;
    g_autoptr(JsonNode) root = NULL;
    default_doc(true, "slirp", &root, types, sizeof(types), &annotation, &sys_type);
    CHECK_STR(t, types, "pid,network,ipc,uts,mount,cgroup,user", "spec --network slirp --rootless: a network namespace");
    CHECK_STR(t, annotation, "slirp", "... and the nook.network annotation");
    CHECK_STR(t, sys_type, "sysfs", "... and a sysfs of its own, which its network namespace allows");
    default_doc(false, "slirp", &root, types, sizeof(types), &annotation, &sys_type);
    CHECK_STR(t, types, "pid,network,ipc,uts,mount,cgroup", "spec --network slirp as root: one network namespace");
    CHECK_STR(t, annotation, "slirp", "... and the annotation");
    default_doc(true, NULL, &root, types, sizeof(types), &annotation, &sys_type);
    CHECK_STR(t, types, "pid,ipc,uts,mount,cgroup,user", "spec --rootless without --network: no network namespace");
    CHECK(t, annotation == NULL, "... no annotation");
    CHECK_STR(t, sys_type, "none", "... and the host's /sys bound");
}

int main(void)
{
    struct tap t = { 0 };
    test_defaults(&t);
    test_options(&t);
    test_refusals(&t);
    test_low_ports(&t);
    test_resolv_conf(&t);
    test_find_helper(&t);
    test_helper_state(&t);
    test_spec_default(&t);
    return tap_done(&t);
}
