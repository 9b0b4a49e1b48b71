/* network-options.c: the nook.network* annotations of config.json, read
 * and checked before anything of the container exists, and what follows
 * from them alone: the helper's command line and the container's
 * resolv.conf (network.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "network.h"
#include "spec-model.h"
#include "state.h"

#define KEY_PREFIX NOOK_NETWORK_ANNOTATION "."

/* The one network nook knows. */
#define NETWORK_SLIRP "slirp"
/* The addresses of libslirp's virtual network that the helper sets up. */
#define SLIRP_DNS_V4 "10.0.2.3"
#define SLIRP_DNS_V6 "fd00::3"

/* `config.json: .annotations["KEY"]: <message>`; returns -EINVAL. */
static int annotation_error(struct nook_error *err, const char *key, const char *fmt, ...)
    _printf_(3, 4);

static int annotation_error(struct nook_error *err, const char *key, const char *fmt, ...)
{
    char message[NOOK_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    return nook_error_set(err, EINVAL, "config.json: .annotations[\"%s\"]: %s", key, message);
}

void nook_network_options_clear(struct nook_network_options *opts)
{
    strv_free(opts->dns);
    free(opts->ports);
    *opts = (struct nook_network_options){ 0 };
}

static int parse_bool(const char *key, const char *value, bool *out, struct nook_error *err)
{
    if (strcmp(value, "true") == 0)
        *out = true;
    else if (strcmp(value, "false") == 0)
        *out = false;
    else
        return annotation_error(err, key, "\"%s\" is not a boolean; use \"true\" or \"false\"", value);
    return 0;
}

/* A decimal number of digits alone (no sign, no spaces) up to max;
 * -ERANGE above it, -EINVAL when it is not one. */
static int parse_decimal(const char *text, size_t len, unsigned long max, unsigned long *out)
{
    if (len == 0)
        return -EINVAL;
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)text[i]))
            return -EINVAL;
    if (len > 10)
        return -ERANGE;
    unsigned long value = 0;
    for (size_t i = 0; i < len; i++)
        value = value * 10 + (unsigned long)(text[i] - '0');
    if (value > max)
        return -ERANGE;
    *out = value;
    return 0;
}

static int parse_mtu(const char *key, const char *value, unsigned int *out, struct nook_error *err)
{
    unsigned long mtu = 0;
    int r = parse_decimal(value, strlen(value), NOOK_NETWORK_MTU_MAX, &mtu);
    if (r == -EINVAL)
        return annotation_error(err, key, "\"%s\" is not a number", value);
    if (r < 0 || mtu < NOOK_NETWORK_MTU_MIN)
        return annotation_error(err, key, "%s is out of range (%d..%d)", value,
                                NOOK_NETWORK_MTU_MIN, NOOK_NETWORK_MTU_MAX);
    *out = (unsigned int)mtu;
    return 0;
}

/* The entries of a comma-separated list, spaces around each trimmed;
 * an empty entry is an error. Calls each(entry, len) in order. */
struct list_walk {
    const char *key;
    struct nook_network_options *opts;
    struct nook_error *err;
};

static int walk_list(struct list_walk *walk, const char *value,
                     int (*each)(struct list_walk *walk, const char *entry, size_t len))
{
    const char *p = value;
    size_t index = 0;
    for (;;) {
        const char *end = strchrnul(p, ',');
        const char *s = p, *e = end;
        while (s < e && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (s == e)
            return annotation_error(walk->err, walk->key, "entry %zu is empty", index + 1);
        int r = each(walk, s, (size_t)(e - s));
        if (r < 0)
            return r;
        index++;
        if (!*end)
            return 0;
        p = end + 1;
    }
}

/* "8080", as a port number 1..65535; what names it in errors. */
static int parse_port(struct list_walk *walk, const char *entry, size_t entry_len, const char *text,
                      size_t len, const char *what, uint16_t *out)
{
    unsigned long port = 0;
    int r = parse_decimal(text, len, 65535, &port);
    if (r < 0 || port == 0)
        return annotation_error(walk->err, walk->key, "\"%.*s\": %s \"%.*s\" is not a port number (1..65535)",
                                (int)entry_len, entry, what, (int)len, text);
    *out = (uint16_t)port;
    return 0;
}

static const char *proto_name(enum nook_network_proto proto)
{
    return proto == NOOK_NETWORK_UDP ? "udp" : "tcp";
}

static bool is_any_addr(const char *addr)
{
    return strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "[::]") == 0;
}

/* Two forwards that would bind one host port. An IPv6 address is bound
 * IPv6 only, so it never meets an IPv4 one. */
static bool ports_overlap(const struct nook_network_port *a, const struct nook_network_port *b)
{
    if (a->host_port != b->host_port || a->proto != b->proto || (a->host_addr[0] == '[') != (b->host_addr[0] == '['))
        return false;
    return strcmp(a->host_addr, b->host_addr) == 0 || is_any_addr(a->host_addr) || is_any_addr(b->host_addr);
}

/* The host address of a forward, text of len bytes: IPv4, or IPv6 in
 * brackets; kept in its canonical spelling. */
static int parse_host_addr(struct list_walk *walk, const char *entry, size_t entry_len, const char *text, size_t len,
                           struct nook_network_port *port)
{
    char addr[64];
    bool bracketed = len >= 2 && text[0] == '[' && text[len - 1] == ']';
    if (bracketed) {
        text++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof(addr))
        return annotation_error(walk->err, walk->key, "\"%.*s\": the host address is %s", (int)entry_len, entry,
                                len == 0 ? "empty" : "too long");
    memcpy(addr, text, len);
    addr[len] = '\0';
    unsigned char bytes[sizeof(struct in6_addr)];
    if (bracketed) {
        char canonical[INET6_ADDRSTRLEN];
        if (inet_pton(AF_INET6, addr, bytes) != 1)
            return annotation_error(walk->err, walk->key, "\"%.*s\": host address \"%s\" is not an IPv6 address",
                                    (int)entry_len, entry, addr);
        inet_ntop(AF_INET6, bytes, canonical, sizeof(canonical));
        snprintf(port->host_addr, sizeof(port->host_addr), "[%s]", canonical);
        return 0;
    }
    if (strchr(addr, ':'))
        return annotation_error(walk->err, walk->key,
                                "\"%.*s\": an IPv6 host address goes in brackets: [%s]:HOSTPORT:CPORT",
                                (int)entry_len, entry, addr);
    if (inet_pton(AF_INET, addr, bytes) != 1)
        return annotation_error(walk->err, walk->key, "\"%.*s\": host address \"%s\" is not an IPv4 address",
                                (int)entry_len, entry, addr);
    inet_ntop(AF_INET, bytes, port->host_addr, sizeof(port->host_addr));
    return 0;
}

/* [HOSTADDR:]HOSTPORT:CPORT[/tcp|/udp] */
static int add_port(struct list_walk *walk, const char *entry, size_t len)
{
    struct nook_network_port port = { .proto = NOOK_NETWORK_TCP };
    size_t spec_len = len;
    const char *slash = memchr(entry, '/', len);
    if (slash) {
        spec_len = (size_t)(slash - entry);
        size_t proto_len = len - spec_len - 1;
        if (proto_len == 3 && strncmp(slash + 1, "tcp", 3) == 0)
            port.proto = NOOK_NETWORK_TCP;
        else if (proto_len == 3 && strncmp(slash + 1, "udp", 3) == 0)
            port.proto = NOOK_NETWORK_UDP;
        else
            return annotation_error(walk->err, walk->key,
                                    "\"%.*s\": unknown protocol \"%.*s\"; use tcp or udp", (int)len,
                                    entry, (int)proto_len, slash + 1);
    }
    /* The last two colon-separated fields are the ports; what is before
     * them is the host address (a bracketed IPv6 one holds colons of
     * its own). */
    const char *fields = entry;
    if (spec_len > 0 && entry[0] == '[') {
        const char *close = memchr(entry, ']', spec_len);
        if (!close)
            return annotation_error(walk->err, walk->key, "\"%.*s\": missing \"]\"", (int)len, entry);
        fields = close + 1;
    }
    const char *last = memrchr(fields, ':', spec_len - (size_t)(fields - entry));
    if (!last)
        return annotation_error(walk->err, walk->key,
                                "\"%.*s\" is not [HOSTADDR:]HOSTPORT:CPORT[/tcp|/udp]", (int)len, entry);
    const char *middle = memrchr(fields, ':', (size_t)(last - fields));
    if (fields != entry && middle != fields)
        return annotation_error(walk->err, walk->key, "\"%.*s\" is not [IPV6]:HOSTPORT:CPORT[/tcp|/udp]",
                                (int)len, entry);
    const char *host_port = middle ? middle + 1 : entry;
    int r = parse_port(walk, entry, len, host_port, (size_t)(last - host_port), "host port",
                       &port.host_port);
    if (r == 0)
        r = parse_port(walk, entry, len, last + 1, spec_len - (size_t)(last + 1 - entry),
                       "container port", &port.container_port);
    if (r < 0)
        return r;
    snprintf(port.host_addr, sizeof(port.host_addr), "0.0.0.0");
    if (middle) {
        r = parse_host_addr(walk, entry, len, entry, (size_t)(middle - entry), &port);
        if (r < 0)
            return r;
    }

    struct nook_network_options *opts = walk->opts;
    for (size_t i = 0; i < opts->n_ports; i++)
        if (ports_overlap(&opts->ports[i], &port))
            return annotation_error(walk->err, walk->key, "host port %u/%s is forwarded twice",
                                    port.host_port, proto_name(port.proto));
    struct nook_network_port *grown = realloc(opts->ports, (opts->n_ports + 1) * sizeof(*grown));
    if (!grown)
        return nook_error_set(walk->err, ENOMEM, "out of memory");
    opts->ports = grown;
    opts->ports[opts->n_ports++] = port;
    return 0;
}

static int append_string(char ***list, char *item)
{
    size_t n = 0;
    while (*list && (*list)[n])
        n++;
    char **grown = realloc(*list, (n + 2) * sizeof(*grown));
    if (!grown) {
        free(item);
        return -ENOMEM;
    }
    grown[n] = item;
    grown[n + 1] = NULL;
    *list = grown;
    return 0;
}

/* ADDR[:PORT], ADDR IPv4 or IPv6 (bracketed when a port follows), kept
 * as "ADDR:PORT" or "[ADDR]:PORT" with port 53 when none was given. */
static int add_dns(struct list_walk *walk, const char *entry, size_t len)
{
    char addr[INET6_ADDRSTRLEN + 1];
    const char *port_text = NULL;
    size_t addr_len = len, port_len = 0;
    const char *addr_start = entry;
    if (entry[0] == '[') {
        const char *close = memchr(entry, ']', len);
        if (!close)
            return annotation_error(walk->err, walk->key, "\"%.*s\": missing \"]\"", (int)len, entry);
        addr_start = entry + 1;
        addr_len = (size_t)(close - addr_start);
        if (close + 1 < entry + len) {
            if (close[1] != ':')
                return annotation_error(walk->err, walk->key,
                                        "\"%.*s\" is not ADDR, ADDR:PORT or [IPV6]:PORT", (int)len,
                                        entry);
            port_text = close + 2;
            port_len = len - (size_t)(port_text - entry);
        }
    } else {
        const char *colon = memchr(entry, ':', len);
        /* One colon: IPv4:PORT; more: a bare IPv6 address. */
        if (colon && !memchr(colon + 1, ':', len - (size_t)(colon + 1 - entry))) {
            addr_len = (size_t)(colon - entry);
            port_text = colon + 1;
            port_len = len - addr_len - 1;
        }
    }
    if (addr_len == 0 || addr_len >= sizeof(addr))
        return annotation_error(walk->err, walk->key, "\"%.*s\" is not an IP address", (int)len, entry);
    memcpy(addr, addr_start, addr_len);
    addr[addr_len] = '\0';

    unsigned char buf[sizeof(struct in6_addr)];
    bool v4 = inet_pton(AF_INET, addr, buf) == 1;
    if (!v4 && inet_pton(AF_INET6, addr, buf) != 1)
        return annotation_error(walk->err, walk->key, "\"%s\" is not an IPv4 or IPv6 address", addr);
    if (v4 && entry[0] == '[')
        return annotation_error(walk->err, walk->key, "\"%.*s\": brackets are for IPv6 addresses",
                                (int)len, entry);
    uint16_t port = 53;
    if (port_text) {
        int r = parse_port(walk, entry, len, port_text, port_len, "port", &port);
        if (r < 0)
            return r;
    }
    char *item = NULL;
    if (asprintf(&item, v4 ? "%s:%u" : "[%s]:%u", addr, port) < 0 ||
        append_string(&walk->opts->dns, item) < 0)
        return nook_error_set(walk->err, ENOMEM, "out of memory");
    return 0;
}

static const char *const known_keys[] = {
    NOOK_NETWORK_ANNOTATION,
    KEY_PREFIX "dns",
    KEY_PREFIX "host-loopback",
    KEY_PREFIX "ipv6",
    KEY_PREFIX "mtu",
    KEY_PREFIX "port-handler",
    KEY_PREFIX "ports",
    KEY_PREFIX "resolv-conf",
    NULL,
};

static bool is_network_key(const char *key)
{
    size_t n = strlen(NOOK_NETWORK_ANNOTATION);
    return strncmp(key, NOOK_NETWORK_ANNOTATION, n) == 0 && (key[n] == '\0' || key[n] == '.');
}

static int parse_one(const char *key, const char *value, struct nook_network_options *opts,
                     struct nook_error *err)
{
    struct list_walk walk = { .key = key, .opts = opts, .err = err };
    if (strcmp(key, NOOK_NETWORK_ANNOTATION) == 0) {
        if (strcmp(value, NETWORK_SLIRP) != 0)
            return annotation_error(err, key, "unknown network \"%s\"; nook knows \"" NETWORK_SLIRP "\"",
                                    value);
        opts->enabled = true;
        return 0;
    }
    if (strcmp(key, KEY_PREFIX "dns") == 0)
        return walk_list(&walk, value, add_dns);
    if (strcmp(key, KEY_PREFIX "host-loopback") == 0)
        return parse_bool(key, value, &opts->host_loopback, err);
    if (strcmp(key, KEY_PREFIX "ipv6") == 0)
        return parse_bool(key, value, &opts->ipv6, err);
    if (strcmp(key, KEY_PREFIX "mtu") == 0)
        return parse_mtu(key, value, &opts->mtu, err);
    if (strcmp(key, KEY_PREFIX "ports") == 0)
        return walk_list(&walk, value, add_port);
    if (strcmp(key, KEY_PREFIX "port-handler") == 0) {
        if (strcmp(value, "relay") != 0 && strcmp(value, "slirp") != 0)
            return annotation_error(err, key, "\"%s\": expected \"relay\" or \"slirp\"", value);
        opts->ports_through_slirp = strcmp(value, "slirp") == 0;
        return 0;
    }
    if (strcmp(key, KEY_PREFIX "resolv-conf") == 0)
        return parse_bool(key, value, &opts->resolv_conf, err);

    char known[256] = "";
    size_t used = 0;
    for (const char *const *k = known_keys; *k && used < sizeof(known); k++) {
        int n = snprintf(known + used, sizeof(known) - used, "%s%s", used ? ", " : "", *k);
        used += n > 0 ? (size_t)n : 0;
    }
    return annotation_error(err, key, "unknown annotation; nook knows %s", known);
}

/* slirp networking needs a network namespace of the container's own. */
static int check_namespace(const struct nook_spec *spec, struct nook_error *err)
{
    const struct nook_spec_linux *lx = spec->linux_config;
    for (size_t i = 0; lx && i < lx->n_namespaces; i++) {
        const struct nook_spec_namespace *ns = &lx->namespaces[i];
        if (ns->type != NOOK_NS_NETWORK)
            continue;
        if (ns->path)
            return annotation_error(err, NOOK_NETWORK_ANNOTATION,
                                    "\"" NETWORK_SLIRP "\" needs a new network namespace, but "
                                    ".linux.namespaces[%zu] joins \"%s\"",
                                    i, ns->path);
        return 0;
    }
    return annotation_error(err, NOOK_NETWORK_ANNOTATION,
                            "\"" NETWORK_SLIRP "\" needs a new network namespace: add "
                            "{\"type\": \"network\"} to .linux.namespaces");
}

/* libslirp takes UDP from an IPv6 host socket only to the container's
 * IPv6 address (TCP goes through the helper's relay, to IPv4). */
static int check_udp6(const struct nook_network_options *opts, struct nook_error *err)
{
    for (size_t i = 0; !opts->ipv6 && i < opts->n_ports; i++) {
        const struct nook_network_port *p = &opts->ports[i];
        if (p->host_addr[0] == '[' && p->proto == NOOK_NETWORK_UDP)
            return annotation_error(err, KEY_PREFIX "ports",
                                    "\"%s:%u:%u/udp\": UDP on an IPv6 host address is forwarded to the "
                                    "container's IPv6 address, which needs \"" KEY_PREFIX "ipv6\": \"true\"",
                                    p->host_addr, p->host_port, p->container_port);
    }
    return 0;
}

int nook_network_options_from_spec(const struct nook_spec *spec, struct nook_network_options *out,
                                   struct nook_error *err)
{
    struct nook_network_options opts = { .resolv_conf = true };
    const char *first_option = NULL;
    for (size_t i = 0; i < spec->annotations.count; i++) {
        const struct nook_spec_kv *kv = &spec->annotations.items[i];
        if (!is_network_key(kv->key))
            continue;
        int r = parse_one(kv->key, kv->value ? kv->value : "", &opts, err);
        if (r < 0) {
            nook_network_options_clear(&opts);
            return r;
        }
        if (!first_option && strcmp(kv->key, NOOK_NETWORK_ANNOTATION) != 0)
            first_option = kv->key;
    }
    int r = 0;
    if (!opts.enabled && first_option)
        r = annotation_error(err, first_option, "a network option without \"" NOOK_NETWORK_ANNOTATION
                             "\": \"" NETWORK_SLIRP "\"; add that annotation too");
    else if (opts.enabled && (r = check_namespace(spec, err)) == 0)
        r = check_udp6(&opts, err);
    if (r < 0) {
        nook_network_options_clear(&opts);
        return r;
    }
    *out = opts;
    return 0;
}

int nook_network_check_ports(const struct nook_network_options *opts, int unprivileged_port_start,
                             struct nook_error *err)
{
    for (size_t i = 0; i < opts->n_ports; i++) {
        const struct nook_network_port *p = &opts->ports[i];
        if ((int)p->host_port < unprivileged_port_start)
            return annotation_error(err, KEY_PREFIX "ports",
                                    "host port %u/%s is below %d "
                                    "(/proc/sys/net/ipv4/ip_unprivileged_port_start), so only root "
                                    "may bind it; use a host port of %d or above",
                                    p->host_port, proto_name(p->proto), unprivileged_port_start,
                                    unprivileged_port_start);
    }
    return 0;
}

static int push_arg(char ***argv, const char *fmt, ...) _printf_(2, 3);

static int push_arg(char ***argv, const char *fmt, ...)
{
    char *arg = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&arg, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -ENOMEM;
    return append_string(argv, arg);
}

int nook_network_helper_argv(const struct nook_network_options *opts, const char *helper, pid_t pid, int ready_fd,
                             int pidfd, int tap_fd, const char *log_path, char ***out, struct nook_error *err)
{
    _cleanup_strv_ char **argv = NULL;
    int r = push_arg(&argv, "%s", helper);
    const struct {
        const char *option;
        int value;
    } numbers[] = { { "--pid", (int)pid }, { "--pidfd", pidfd }, { "--tap-fd", tap_fd }, { "--ready-fd", ready_fd } };
    for (size_t i = 0; r == 0 && i < N_ELEMENTS(numbers); i++) {
        r = push_arg(&argv, "%s", numbers[i].option);
        if (r == 0)
            r = push_arg(&argv, "%d", numbers[i].value);
    }
    if (r == 0 && opts->mtu) {
        r = push_arg(&argv, "--mtu");
        if (r == 0)
            r = push_arg(&argv, "%u", opts->mtu);
    }
    if (r == 0 && opts->ipv6)
        r = push_arg(&argv, "--ipv6");
    if (r == 0 && opts->host_loopback)
        r = push_arg(&argv, "--host-loopback");
    for (char **d = opts->dns; r == 0 && d && *d; d++) {
        r = push_arg(&argv, "--dns");
        if (r == 0)
            r = push_arg(&argv, "%s", *d);
    }
    for (size_t i = 0; r == 0 && i < opts->n_ports; i++) {
        const struct nook_network_port *p = &opts->ports[i];
        r = push_arg(&argv, "--port");
        if (r == 0)
            r = push_arg(&argv, "%s:%u:%u/%s", p->host_addr, p->host_port, p->container_port,
                         proto_name(p->proto));
    }
    if (r == 0 && opts->n_ports && opts->ports_through_slirp) {
        r = push_arg(&argv, "--port-handler");
        if (r == 0)
            r = push_arg(&argv, "slirp");
    }
    if (r == 0 && log_path) {
        r = push_arg(&argv, "--log");
        if (r == 0)
            r = push_arg(&argv, "%s", log_path);
    }
    if (r < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    *out = steal_pointer(&argv);
    return 0;
}

/* The first word of a resolv.conf line is `word`. */
static bool line_is(const char *line, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len > n && strncmp(line, word, n) == 0 && (line[n] == ' ' || line[n] == '\t');
}

char *nook_network_resolv_conf_text(const struct nook_network_options *opts, const char *host_text)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return NULL;
    fputs("# Written by nook for the container's slirp network (see nook-network(7)).\n", f);
    fputs("nameserver " SLIRP_DNS_V4 "\n", f);
    if (opts->ipv6)
        fputs("nameserver " SLIRP_DNS_V6 "\n", f);
    /* The host's search domains: its resolvers answer the container's
     * queries, so the names it searches are the container's too. */
    for (const char *line = host_text; line && *line;) {
        const char *end = strchrnul(line, '\n');
        size_t len = (size_t)(end - line);
        if (line_is(line, len, "search") || line_is(line, len, "domain"))
            fprintf(f, "%.*s\n", (int)len, line);
        line = *end ? end + 1 : end;
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

bool nook_network_spec_mounts_resolv_conf(const struct nook_spec *spec)
{
    for (size_t i = 0; i < spec->n_mounts; i++) {
        _cleanup_free_ char *clean = NULL;
        if (nook_state_absolute_path("/", spec->mounts[i].destination, &clean) == 0 &&
            strcmp(clean, "/etc/resolv.conf") == 0)
            return true;
    }
    return false;
}

/* The keys and the values each takes, as `nook features` lists them; only
 * in a build that has the helper. */
static const char *const network_annotations[] = {
#if HAVE_SLIRP
    NOOK_NETWORK_ANNOTATION, NETWORK_SLIRP,
    KEY_PREFIX "dns", "ADDR[:PORT],...",
    KEY_PREFIX "host-loopback", "true|false",
    KEY_PREFIX "ipv6", "true|false",
    KEY_PREFIX "mtu", "576..65520",
    KEY_PREFIX "port-handler", "relay|slirp",
    KEY_PREFIX "ports", "[HOSTADDR:]HOSTPORT:CPORT[/tcp|/udp],...",
    KEY_PREFIX "resolv-conf", "true|false",
#endif
    NULL,
};

const struct nook_features_part nook_network_features = {
    .name = "network",
    .annotations = network_annotations,
};
