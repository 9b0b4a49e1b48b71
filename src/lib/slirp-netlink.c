/* slirp-netlink.c: a few rtnetlink requests (link MTU and flags,
 * addresses, routes), each acknowledged before the next. */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include "slirp-contract.h"
#include "slirp-netlink.h"

struct request {
    struct nlmsghdr header;
    uint8_t body[256];
};

static void *request_tail(struct request *req)
{
    return (uint8_t *)req + NLMSG_ALIGN(req->header.nlmsg_len);
}

static void request_start(struct request *req, uint16_t type, uint16_t flags, const void *msg, size_t msg_len)
{
    memset(req, 0, sizeof(*req));
    req->header.nlmsg_type = type;
    req->header.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
    req->header.nlmsg_len = (uint32_t)NLMSG_LENGTH(msg_len);
    memcpy(NLMSG_DATA(&req->header), msg, msg_len);
}

static void request_attr(struct request *req, uint16_t type, const void *data, size_t len)
{
    struct rtattr *rta = request_tail(req);
    rta->rta_type = type;
    rta->rta_len = (unsigned short)RTA_LENGTH(len);
    memcpy(RTA_DATA(rta), data, len);
    req->header.nlmsg_len = (uint32_t)(NLMSG_ALIGN(req->header.nlmsg_len) + RTA_ALIGN(rta->rta_len));
}

/* Send req and wait for its acknowledgement: 0 or the kernel's -errno. */
static int transact(int fd, struct request *req, uint32_t seq)
{
    req->header.nlmsg_seq = seq;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    ssize_t n = sendto(fd, req, req->header.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
    if (n < 0)
        return -errno;
    for (;;) {
        uint8_t reply[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
        n = recv(fd, reply, sizeof(reply), 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        size_t left = (size_t)n;
        for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
            if (h->nlmsg_seq != seq)
                continue;
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = NLMSG_DATA(h);
                return e->error; /* 0 is the acknowledgement */
            }
        }
    }
}

static int set_link(int fd, uint32_t *seq, int index, unsigned mtu, bool up)
{
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
    if (up) {
        ifi.ifi_flags = IFF_UP;
        ifi.ifi_change = IFF_UP;
    }
    struct request req;
    request_start(&req, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
    if (mtu) {
        uint32_t value = mtu;
        request_attr(&req, IFLA_MTU, &value, sizeof(value));
    }
    return transact(fd, &req, ++*seq);
}

/* own_prefix: no prefix route from the kernel (add_route() makes it). */
static int add_address(int fd, uint32_t *seq, int index, int family, const char *text, unsigned prefix_len,
                       bool own_prefix)
{
    uint8_t addr[16];
    if (inet_pton(family, text, addr) != 1)
        return -EINVAL;
    size_t len = family == AF_INET ? 4 : 16;
    struct ifaddrmsg ifa = {
        .ifa_family = (uint8_t)family,
        .ifa_prefixlen = (uint8_t)prefix_len,
        .ifa_scope = RT_SCOPE_UNIVERSE,
        .ifa_index = (uint32_t)index,
    };
    /* The address is the container's alone on a link nobody else is on:
     * waiting a second for duplicate detection would only delay it. */
    if (family == AF_INET6)
        ifa.ifa_flags = IFA_F_NODAD;
    struct request req;
    request_start(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
    request_attr(&req, IFA_LOCAL, addr, len);
    request_attr(&req, IFA_ADDRESS, addr, len);
    uint32_t flags = (family == AF_INET6 ? IFA_F_NODAD : 0) | (own_prefix ? IFA_F_NOPREFIXROUTE : 0);
    if (flags)
        request_attr(&req, IFA_FLAGS, &flags, sizeof(flags));
    return transact(fd, &req, ++*seq);
}

/* A route through the tap: to dst/dst_len (NULL: the default route)
 * through gateway (NULL: on the link, from the address src), with the
 * TCP MSS to advertise on it when advmss is not 0. */
struct route {
    int family;
    const char *dst;
    unsigned dst_len;
    const char *gateway;
    const char *src;
    unsigned advmss;
};

/* An address attribute from its text; none for NULL. */
static int address_attr(struct request *req, uint16_t type, int family, const char *text)
{
    uint8_t addr[16];
    if (!text)
        return 0;
    if (inet_pton(family, text, addr) != 1)
        return -EINVAL;
    request_attr(req, type, addr, family == AF_INET ? 4 : 16);
    return 0;
}

static int add_route(int fd, uint32_t *seq, int index, const struct route *route)
{
    struct rtmsg rtm = {
        .rtm_family = (uint8_t)route->family,
        .rtm_dst_len = (uint8_t)route->dst_len,
        .rtm_table = RT_TABLE_MAIN,
        .rtm_protocol = route->gateway ? RTPROT_BOOT : RTPROT_KERNEL,
        /* IPv6 routes are all of universe scope. */
        .rtm_scope = route->gateway || route->family == AF_INET6 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
        .rtm_type = RTN_UNICAST,
    };
    struct request req;
    request_start(&req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
    if (address_attr(&req, RTA_DST, route->family, route->dst) < 0 ||
        address_attr(&req, RTA_GATEWAY, route->family, route->gateway) < 0 ||
        address_attr(&req, RTA_PREFSRC, route->family, route->src) < 0)
        return -EINVAL;
    uint32_t oif = (uint32_t)index;
    request_attr(&req, RTA_OIF, &oif, sizeof(oif));
    if (route->advmss) {
        /* RTA_METRICS nests one attribute, RTAX_ADVMSS. */
        struct {
            struct rtattr rta;
            uint32_t value;
        } metric = { { RTA_LENGTH(sizeof(uint32_t)), RTAX_ADVMSS }, route->advmss };
        request_attr(&req, RTA_METRICS, &metric, sizeof(metric));
    }
    return transact(fd, &req, ++*seq);
}

int nook_slirp_configure_interfaces(const char *ifname, unsigned mtu, bool ipv6, struct nook_error *err)
{
    _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "open a netlink socket in the container's network namespace");
    int tap = (int)if_nametoindex(ifname);
    if (tap == 0)
        return nook_error_set_errno(err, errno, "find %s in the container's network namespace", ifname);
    int lo = (int)if_nametoindex("lo");
    if (lo == 0)
        return nook_error_set_errno(err, errno, "find lo in the container's network namespace");

    /* With offload, libslirp sends segments of up to 64 KiB: the routes
     * through the tap advertise the MSS that lets it (slirp-contract.h). */
    bool segments = mtu < NOOK_SLIRP_OFFLOAD_MTU;
    uint32_t seq = 0;
    int r = set_link(fd, &seq, tap, mtu, false);
    if (r < 0)
        return nook_error_set_errno(err, -r, "set the MTU of %s to %u", ifname, mtu);
    r = add_address(fd, &seq, tap, AF_INET, NOOK_SLIRP_GUEST, NOOK_SLIRP_PREFIX_LEN, segments);
    if (r < 0)
        return nook_error_set_errno(err, -r, "add %s/%d to %s", NOOK_SLIRP_GUEST, NOOK_SLIRP_PREFIX_LEN, ifname);
    if (ipv6) {
        r = add_address(fd, &seq, tap, AF_INET6, NOOK_SLIRP_GUEST6, NOOK_SLIRP_PREFIX6_LEN, segments);
        if (r < 0)
            return nook_error_set_errno(err, -r, "add %s/%d to %s (is IPv6 disabled in the container?)",
                                        NOOK_SLIRP_GUEST6, NOOK_SLIRP_PREFIX6_LEN, ifname);
    }
    r = set_link(fd, &seq, tap, 0, true);
    if (r < 0)
        return nook_error_set_errno(err, -r, "bring %s up", ifname);
    r = set_link(fd, &seq, lo, 0, true);
    if (r < 0)
        return nook_error_set_errno(err, -r, "bring lo up");
    unsigned advmss4 = segments ? NOOK_SLIRP_ADVMSS4 : 0, advmss6 = segments ? NOOK_SLIRP_ADVMSS6 : 0;
    const struct route routes[] = {
        { AF_INET, NOOK_SLIRP_NETWORK, NOOK_SLIRP_PREFIX_LEN, NULL, NOOK_SLIRP_GUEST, advmss4 },
        { AF_INET, NULL, 0, NOOK_SLIRP_GATEWAY, NULL, advmss4 },
        { AF_INET6, NOOK_SLIRP_NETWORK6, NOOK_SLIRP_PREFIX6_LEN, NULL, NULL, advmss6 },
        { AF_INET6, NULL, 0, NOOK_SLIRP_GATEWAY6, NULL, advmss6 },
    };
    for (size_t i = 0; i < N_ELEMENTS(routes); i++) {
        const struct route *route = &routes[i];
        /* Without segments the kernel made the prefix routes. */
        if ((route->family == AF_INET6 && !ipv6) || (!route->gateway && !segments))
            continue;
        r = add_route(fd, &seq, tap, route);
        if (r < 0 && route->gateway)
            return nook_error_set_errno(err, -r, "add the default %sroute via %s",
                                        route->family == AF_INET6 ? "IPv6 " : "", route->gateway);
        if (r < 0)
            return nook_error_set_errno(err, -r, "add the route to %s/%u on %s", route->dst, route->dst_len, ifname);
    }
    return 0;
}
