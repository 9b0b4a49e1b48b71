/* hostcheck-net.c: the networking checks of `nook check`: /dev/net/tun for
 * the tap device of slirp networking, the nook-slirp helper (found as
 * create finds it, network-locate.c), and the two sysctls that limit what
 * an unprivileged user's containers can do on the network: who may ping,
 * and which host ports may be bound. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "hostcheck-internal.h"
#include "network.h"

#define PING_RANGE "net.ipv4.ping_group_range"
#define PORT_START "net.ipv4.ip_unprivileged_port_start"

/* ---- net.tun ---- */

void hostcheck_net_tun(struct nook_check_context *ctx, struct nook_check_result *r)
{
    static const struct hostcheck_device tun = {
        .name = "net/tun",
        .module = "tun",
        .impact = "containers with slirp networking (nook.network: slirp) fail to start: nook-slirp cannot make their tap device",
    };
    hostcheck_device(ctx, r, &tun);
}

/* ---- net.slirp ---- */

void hostcheck_net_slirp(struct nook_check_context *ctx, struct nook_check_result *r)
{
    r->required = false;
    _cleanup_free_ char *helper = NULL;
    struct nook_error err = { 0 };
    if (nook_network_find_helper(&helper, &err) == 0) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_file(ctx, r, helper);
        hostcheck_found(ctx, r, "%s", helper);
        return;
    }
    r->errnum = err.errnum;
    hostcheck_strip_see(err.message);
    hostcheck_status(r, NOOK_CHECK_WARN);
    hostcheck_found(ctx, r, "%s", err.message);
    if (err.errnum == ENOENT)
        hostcheck_fix(ctx, r,
                      "reinstall nook with its helpers (meson install puts nook-slirp in libexecdir/nook), or build it with libslirp and libseccomp (meson setup -Dslirp=enabled -Dseccomp=enabled)");
    else
        hostcheck_fix(ctx, r, "make it root's or nook's owner's and not writable by others: sudo chown root: FILE && sudo chmod 0755 FILE");
    hostcheck_impact(ctx, r, "containers with slirp networking (nook.network: slirp) fail to start");
}

/* ---- net.ping ---- */

int nook_check_ping_range_covers(const char *text, gid_t gid, bool *covers)
{
    char *end = NULL;
    errno = 0;
    long long low = strtoll(text, &end, 10);
    if (errno || end == text || (*end != ' ' && *end != '\t'))
        return -EINVAL;
    const char *rest = end;
    long long high = strtoll(rest, &end, 10);
    if (errno || end == rest)
        return -EINVAL;
    while (*end == ' ' || *end == '\t' || *end == '\n')
        end++;
    if (*end)
        return -EINVAL;
    *covers = low <= (long long)gid && (long long)gid <= high;
    return 0;
}

void hostcheck_net_ping(struct nook_check_context *ctx, struct nook_check_result *r)
{
    r->required = false;
    _cleanup_free_ char *text = NULL;
    _cleanup_free_ char *file = NULL;
    int rc = nook_check_sysctl_read(ctx->proc_sys, PING_RANGE, &text, &file);
    if (rc == -ENOMEM) {
        ctx->out_of_memory = true;
        return;
    }
    hostcheck_file(ctx, r, file);
    if (rc < 0) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "cannot read " PING_RANGE ": %s", strerror(-rc));
        hostcheck_fix(ctx, r, "sysctl " PING_RANGE);
        hostcheck_impact(ctx, r, "unknown: ping may not work in containers");
        return;
    }
    for (char *c = text; *c; c++)
        if (*c == '\t')
            *c = ' ';
    hostcheck_value(ctx, r, text);
    if (ctx->params->privileged) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, PING_RANGE " = %s; root's containers ping with raw sockets", text);
        return;
    }
    bool covers = false;
    if (nook_check_ping_range_covers(text, ctx->params->gid, &covers) < 0) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, PING_RANGE " = \"%s\" is not two numbers", text);
        hostcheck_fix(ctx, r, "sudo sysctl -w " PING_RANGE "=\"0 2147483647\"");
        hostcheck_impact(ctx, r, "ping may not work in containers");
        return;
    }
    if (covers) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, PING_RANGE " = %s covers your gid %u", text, (unsigned)ctx->params->gid);
        return;
    }
    hostcheck_status(r, NOOK_CHECK_WARN);
    hostcheck_found(ctx, r, PING_RANGE " = %s does not cover your gid %u", text, (unsigned)ctx->params->gid);
    hostcheck_fix(ctx, r, "sudo sysctl -w " PING_RANGE "=\"0 2147483647\"");
    hostcheck_fix(ctx, r, "echo '" PING_RANGE " = 0 2147483647' | sudo tee /etc/sysctl.d/90-nook-ping.conf   (keeps it after a reboot)");
    hostcheck_impact(ctx, r,
                     "ping fails in containers that share the host's network namespace; one with its own network namespace can set the range itself (.linux.sysctl \"" PING_RANGE "\": \"0 0\")");
}

/* ---- net.low-ports ---- */

void hostcheck_net_low_ports(struct nook_check_context *ctx, struct nook_check_result *r)
{
    r->required = false;
    long long start = 0;
    _cleanup_free_ char *text = NULL;
    _cleanup_free_ char *file = NULL;
    int rc = hostcheck_sysctl(ctx, PORT_START, &start, &text, &file);
    hostcheck_file(ctx, r, file);
    hostcheck_value(ctx, r, text);
    if (rc < 0) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "cannot read " PORT_START ": %s", strerror(-rc));
        hostcheck_fix(ctx, r, "sysctl " PORT_START);
        hostcheck_impact(ctx, r, "unknown: forwarding host ports below 1024 may be refused");
        return;
    }
    if (ctx->params->privileged) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, PORT_START " = %lld; root may forward any host port", start);
        return;
    }
    if (start <= 0) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, PORT_START " = %lld: every host port can be forwarded", start);
        return;
    }
    hostcheck_status(r, NOOK_CHECK_WARN);
    hostcheck_found(ctx, r, PORT_START " = %lld: host ports below %lld cannot be forwarded to containers",
                    start, start);
    hostcheck_fix(ctx, r, "sudo sysctl -w " PORT_START "=80   (or the lowest port you forward)");
    hostcheck_fix(ctx, r, "echo '" PORT_START " = 80' | sudo tee /etc/sysctl.d/90-nook-ports.conf   (keeps it after a reboot)");
    hostcheck_impact(ctx, r, "nook.network.ports with a host port below %lld are refused (forward a higher port, e.g. 8080:80)",
                     start);
}
