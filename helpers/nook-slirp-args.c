/* nook-slirp-args.c: parse nook-slirp's command line and the address
 * forms of --port, --dns and resolv.conf. nook builds the command line,
 * so anything unexpected is an error rather than a guess: an option
 * nook-slirp does not know means the two programs disagree. */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <net/if.h>
#include <string.h>
#include <strings.h>

#include "nook-slirp-args.h"

/* A decimal number in [min, max], nothing else (no sign, no spaces). */
static bool parse_number(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    if (!s || !*s || strlen(s) > 10)
        return false;
    unsigned long v = 0;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return false;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

int nook_slirp_parse_port(const char *spec, struct nook_slirp_port *port, struct nook_error *err)
{
    char buf[128];
    if (strlen(spec) >= sizeof(buf))
        return nook_error_set(err, EINVAL, "--port \"%.40s...\": too long", spec);
    strcpy(buf, spec);

    struct nook_slirp_port p = { .host_addr.s_addr = htonl(INADDR_ANY) };
    char *proto = strchr(buf, '/');
    if (proto) {
        *proto++ = '\0';
        if (strcmp(proto, "udp") == 0)
            p.udp = true;
        else if (strcmp(proto, "tcp") != 0)
            return nook_error_set(err, EINVAL, "--port \"%s\": the protocol must be tcp or udp, not \"%s\"",
                                  spec, proto);
    }
    /* A bracketed IPv6 host address first: its colons are not fields. */
    char *fields = buf;
    const char *haddr6 = NULL;
    if (buf[0] == '[') {
        char *close = strchr(buf, ']');
        if (!close || close[1] != ':')
            return nook_error_set(err, EINVAL, "--port \"%s\": expected [IPV6]:HOSTPORT:CONTAINERPORT[/tcp|/udp]",
                                  spec);
        *close = '\0';
        haddr6 = buf + 1;
        fields = close + 2;
    }
    /* Split from the right: HOSTADDR may be missing, the ports may not. */
    char *cport = strrchr(fields, ':');
    if (!cport)
        return nook_error_set(err, EINVAL,
                              "--port \"%s\": expected [HOSTADDR:]HOSTPORT:CONTAINERPORT[/tcp|/udp]", spec);
    *cport++ = '\0';
    char *hport = strrchr(fields, ':');
    const char *haddr = NULL;
    if (hport && haddr6)
        return nook_error_set(err, EINVAL, "--port \"%s\": expected [IPV6]:HOSTPORT:CONTAINERPORT[/tcp|/udp]",
                              spec);
    if (hport) {
        *hport++ = '\0';
        haddr = fields;
    } else {
        hport = fields;
    }
    unsigned long v;
    if (!parse_number(hport, 1, 65535, &v))
        return nook_error_set(err, EINVAL, "--port \"%s\": the host port must be a number from 1 to 65535, not \"%s\"",
                              spec, hport);
    p.host_port = (uint16_t)v;
    if (!parse_number(cport, 1, 65535, &v))
        return nook_error_set(err, EINVAL,
                              "--port \"%s\": the container port must be a number from 1 to 65535, not \"%s\"",
                              spec, cport);
    p.container_port = (uint16_t)v;
    if (haddr6) {
        if (inet_pton(AF_INET6, haddr6, &p.host_addr6) != 1)
            return nook_error_set(err, EINVAL, "--port \"%s\": \"%s\" is not an IPv6 address", spec, haddr6);
        p.ipv6 = true;
    } else if (haddr) {
        if (strchr(haddr, ':') || haddr[0] == '[')
            return nook_error_set(err, EINVAL,
                                  "--port \"%s\": an IPv6 host address goes in brackets: [ADDR]:HOSTPORT:CONTAINERPORT",
                                  spec);
        if (inet_pton(AF_INET, haddr, &p.host_addr) != 1)
            return nook_error_set(err, EINVAL, "--port \"%s\": \"%s\" is not an IPv4 address", spec, haddr);
    }
    *port = p;
    return 0;
}

static void set_port(struct nook_slirp_upstream *u, uint16_t port)
{
    if (u->addr.ss_family == AF_INET)
        ((struct sockaddr_in *)&u->addr)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)&u->addr)->sin6_port = htons(port);
}

/* An IPv6 address with an optional "%IFACE" scope into u. */
static bool parse_ipv6(const char *text, struct nook_slirp_upstream *u)
{
    char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
    if (strlen(text) >= sizeof(buf))
        return false;
    strcpy(buf, text);
    uint32_t scope = 0;
    char *percent = strchr(buf, '%');
    if (percent) {
        *percent++ = '\0';
        scope = if_nametoindex(percent);
        if (scope == 0)
            return false;
    }
    struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_scope_id = scope };
    if (inet_pton(AF_INET6, buf, &sin6.sin6_addr) != 1)
        return false;
    memset(u, 0, sizeof(*u));
    memcpy(&u->addr, &sin6, sizeof(sin6));
    u->addr_len = sizeof(sin6);
    return true;
}

static bool parse_ipv4(const char *text, struct nook_slirp_upstream *u)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    if (inet_pton(AF_INET, text, &sin.sin_addr) != 1)
        return false;
    memset(u, 0, sizeof(*u));
    memcpy(&u->addr, &sin, sizeof(sin));
    u->addr_len = sizeof(sin);
    return true;
}

int nook_slirp_parse_upstream(const char *spec, struct nook_slirp_upstream *upstream, struct nook_error *err)
{
    char buf[128];
    if (strlen(spec) >= sizeof(buf))
        return nook_error_set(err, EINVAL, "--dns \"%.40s...\": too long", spec);
    strcpy(buf, spec);

    struct nook_slirp_upstream u;
    const char *port = NULL;
    if (buf[0] == '[') {
        char *close = strchr(buf, ']');
        if (!close)
            return nook_error_set(err, EINVAL, "--dns \"%s\": a \"[\" without its \"]\"", spec);
        *close = '\0';
        if (close[1] == ':')
            port = close + 2;
        else if (close[1] != '\0')
            return nook_error_set(err, EINVAL, "--dns \"%s\": expected [IPv6]:PORT", spec);
        if (!parse_ipv6(buf + 1, &u))
            return nook_error_set(err, EINVAL, "--dns \"%s\": \"%s\" is not an IPv6 address", spec, buf + 1);
    } else if (strchr(buf, ':') != strrchr(buf, ':')) {
        /* Two colons or more: a bare IPv6 address, no port. */
        if (!parse_ipv6(buf, &u))
            return nook_error_set(err, EINVAL, "--dns \"%s\": not an IPv4 or IPv6 address", spec);
    } else {
        char *colon = strchr(buf, ':');
        if (colon) {
            *colon = '\0';
            port = colon + 1;
        }
        if (!parse_ipv4(buf, &u))
            return nook_error_set(err, EINVAL, "--dns \"%s\": \"%s\" is not an IPv4 address", spec, buf);
    }
    unsigned long v = 53;
    if (port && !parse_number(port, 1, 65535, &v))
        return nook_error_set(err, EINVAL, "--dns \"%s\": the port must be a number from 1 to 65535, not \"%s\"",
                              spec, port);
    set_port(&u, (uint16_t)v);
    *upstream = u;
    return 0;
}

size_t nook_slirp_parse_resolv_conf(const char *text, struct nook_slirp_upstream *out, size_t max)
{
    size_t n = 0;
    const char *line = text;
    while (line && *line && n < max) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[256];
        if (len < sizeof(buf)) {
            memcpy(buf, line, len);
            buf[len] = '\0';
            char *save = NULL;
            char *key = strtok_r(buf, " \t\r", &save);
            char *value = key ? strtok_r(NULL, " \t\r", &save) : NULL;
            if (key && value && strcmp(key, "nameserver") == 0) {
                struct nook_slirp_upstream u;
                bool ok = strchr(value, ':') ? parse_ipv6(value, &u) : parse_ipv4(value, &u);
                if (ok) {
                    set_port(&u, 53);
                    out[n++] = u;
                }
            }
        }
        line = end ? end + 1 : NULL;
    }
    return n;
}

void nook_slirp_format_upstream(const struct nook_slirp_upstream *upstream, char *buf, size_t size)
{
    char addr[INET6_ADDRSTRLEN] = "?";
    if (upstream->addr.ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)&upstream->addr;
        inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
        snprintf(buf, size, "%s:%u", addr, ntohs(sin->sin_port));
    } else {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&upstream->addr;
        inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
        snprintf(buf, size, "[%s]:%u", addr, ntohs(sin6->sin6_port));
    }
}

void nook_slirp_format_port_addr(const struct nook_slirp_port *port, char *buf, size_t size)
{
    char addr[INET6_ADDRSTRLEN] = "?";
    if (port->ipv6) {
        inet_ntop(AF_INET6, &port->host_addr6, addr, sizeof(addr));
        snprintf(buf, size, "[%s]", addr);
    } else {
        inet_ntop(AF_INET, &port->host_addr, addr, sizeof(addr));
        snprintf(buf, size, "%s", addr);
    }
}

int nook_slirp_find_ready_fd(int argc, char *const *argv)
{
    for (int i = 1; i < argc; i++) {
        const char *value = NULL;
        if (strcmp(argv[i], "--ready-fd") == 0 && i + 1 < argc)
            value = argv[i + 1];
        else if (strncmp(argv[i], "--ready-fd=", 11) == 0)
            value = argv[i] + 11;
        unsigned long fd;
        if (value && parse_number(value, 0, INT_MAX, &fd))
            return (int)fd;
    }
    return -1;
}

void nook_slirp_options_free(struct nook_slirp_options *o)
{
    free(o->ports);
    o->ports = NULL;
    o->n_ports = 0;
}

enum option_id {
    OPT_PID,
    OPT_TAP_FD,
    OPT_READY_FD,
    OPT_PIDFD,
    OPT_MTU,
    OPT_IPV6,
    OPT_HOST_LOOPBACK,
    OPT_DNS,
    OPT_PORT,
    OPT_PORT_HANDLER,
    OPT_LOG,
    OPT_DEBUG,
};

struct option_def {
    const char *name;
    enum option_id id;
    bool takes_value;
    bool repeatable;
};

static const struct option_def option_defs[] = {
    { "--pid", OPT_PID, true, false },
    { "--tap-fd", OPT_TAP_FD, true, false },
    { "--ready-fd", OPT_READY_FD, true, false },
    { "--pidfd", OPT_PIDFD, true, false },
    { "--mtu", OPT_MTU, true, false },
    { "--ipv6", OPT_IPV6, false, false },
    { "--host-loopback", OPT_HOST_LOOPBACK, false, false },
    { "--dns", OPT_DNS, true, true },
    { "--port", OPT_PORT, true, true },
    { "--port-handler", OPT_PORT_HANDLER, true, false },
    { "--log", OPT_LOG, true, false },
    { "--debug", OPT_DEBUG, false, false },
};

/* Two forwards that would bind one port: same protocol and port, and
 * the same address or the any address of one family (an IPv6 forward is
 * bound IPv6 only, so it never meets an IPv4 one). */
static bool same_forward(const struct nook_slirp_port *a, const struct nook_slirp_port *b)
{
    if (a->host_port != b->host_port || a->udp != b->udp || a->ipv6 != b->ipv6)
        return false;
    if (a->ipv6)
        return IN6_ARE_ADDR_EQUAL(&a->host_addr6, &b->host_addr6) || IN6_IS_ADDR_UNSPECIFIED(&a->host_addr6) ||
               IN6_IS_ADDR_UNSPECIFIED(&b->host_addr6);
    return a->host_addr.s_addr == b->host_addr.s_addr || a->host_addr.s_addr == htonl(INADDR_ANY) ||
           b->host_addr.s_addr == htonl(INADDR_ANY);
}

static int apply_option(const struct option_def *def, const char *value, struct nook_slirp_options *o,
                        struct nook_error *err)
{
    unsigned long v;
    switch (def->id) {
    case OPT_PID:
        if (!parse_number(value, 1, INT_MAX, &v))
            return nook_error_set(err, EINVAL, "--pid \"%s\": expected a process id", value);
        o->pid = (pid_t)v;
        return 0;
    case OPT_READY_FD:
    case OPT_PIDFD:
    case OPT_TAP_FD:
        if (!parse_number(value, 0, INT_MAX, &v))
            return nook_error_set(err, EINVAL, "%s \"%s\": expected a file descriptor number", def->name, value);
        if (def->id == OPT_READY_FD)
            o->ready_fd = (int)v;
        else if (def->id == OPT_PIDFD)
            o->pidfd = (int)v;
        else
            o->tap_fd = (int)v;
        return 0;
    case OPT_MTU:
        if (!parse_number(value, NOOK_SLIRP_MTU_MIN, NOOK_SLIRP_MTU_MAX, &v))
            return nook_error_set(err, EINVAL, "--mtu \"%s\": expected a number from %d to %d", value,
                                  NOOK_SLIRP_MTU_MIN, NOOK_SLIRP_MTU_MAX);
        o->mtu = (unsigned)v;
        return 0;
    case OPT_IPV6:
        o->ipv6 = true;
        return 0;
    case OPT_HOST_LOOPBACK:
        o->host_loopback = true;
        return 0;
    case OPT_DEBUG:
        o->debug = true;
        return 0;
    case OPT_PORT_HANDLER:
        if (strcmp(value, "relay") != 0 && strcmp(value, "slirp") != 0)
            return nook_error_set(err, EINVAL, "--port-handler \"%s\": expected relay or slirp", value);
        o->ports_through_slirp = strcmp(value, "slirp") == 0;
        return 0;
    case OPT_LOG:
        if (!*value)
            return nook_error_set(err, EINVAL, "--log: expected a file name");
        o->log_path = value;
        return 0;
    case OPT_DNS:
        if (o->n_dns == NOOK_SLIRP_MAX_UPSTREAMS)
            return nook_error_set(err, E2BIG, "--dns \"%s\": at most %d DNS upstreams", value,
                                  NOOK_SLIRP_MAX_UPSTREAMS);
        return nook_slirp_parse_upstream(value, &o->dns[o->n_dns++], err);
    case OPT_PORT: {
        struct nook_slirp_port p;
        int r = nook_slirp_parse_port(value, &p, err);
        if (r < 0)
            return r;
        for (size_t i = 0; i < o->n_ports; i++) {
            if (same_forward(&o->ports[i], &p))
                return nook_error_set(err, EINVAL, "--port \"%s\": host port %u/%s is forwarded twice", value,
                                      p.host_port, p.udp ? "udp" : "tcp");
        }
        struct nook_slirp_port *grown = realloc(o->ports, (o->n_ports + 1) * sizeof(*grown));
        if (!grown)
            return nook_error_set_errno(err, ENOMEM, "--port");
        o->ports = grown;
        o->ports[o->n_ports++] = p;
        return 0;
    }
    }
    return nook_error_set(err, EINVAL, "internal error: option %s", def->name);
}

int nook_slirp_parse_args(int argc, char *const *argv, struct nook_slirp_options *o, struct nook_error *err)
{
    *o = (struct nook_slirp_options){ .ready_fd = -1, .pidfd = -1, .tap_fd = -1, .mtu = NOOK_SLIRP_MTU_DEFAULT };
    bool seen[N_ELEMENTS(option_defs)] = { false };

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        const struct option_def *def = NULL;
        size_t index = 0;
        for (; index < N_ELEMENTS(option_defs); index++) {
            if (strlen(option_defs[index].name) == name_len && strncmp(option_defs[index].name, arg, name_len) == 0) {
                def = &option_defs[index];
                break;
            }
        }
        if (!def) {
            if (arg[0] == '-')
                return nook_error_set(err, EINVAL, "unknown option \"%.*s\"", (int)name_len, arg);
            return nook_error_set(err, EINVAL, "unexpected argument \"%s\"", arg);
        }
        if (seen[index] && !def->repeatable)
            return nook_error_set(err, EINVAL, "%s is given twice", def->name);
        seen[index] = true;

        const char *value = NULL;
        if (def->takes_value) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else
                return nook_error_set(err, EINVAL, "%s needs a value", def->name);
        } else if (eq) {
            return nook_error_set(err, EINVAL, "%s takes no value", def->name);
        }
        int r = apply_option(def, value, o, err);
        if (r < 0)
            return r;
    }
    if (o->pid == 0)
        return nook_error_set(err, EINVAL, "--pid is required (the container's init)");
    if (o->tap_fd >= 0 && o->pidfd < 0)
        return nook_error_set(err, EINVAL, "--tap-fd needs --pidfd: the tap's container is known by its init's pidfd");
    if (o->ready_fd < 0)
        return nook_error_set(err, EINVAL, "--ready-fd is required");
    if (o->ipv6 && o->mtu < NOOK_SLIRP_MTU_MIN_IPV6)
        return nook_error_set(err, EINVAL, "--ipv6 needs an MTU of %d or more, not %u (the kernel turns IPv6 off below it)",
                              NOOK_SLIRP_MTU_MIN_IPV6, o->mtu);
    return 0;
}
