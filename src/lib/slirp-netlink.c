/* slirp-netlink.c: a few rtnetlink requests (link MTU and flags,
 * addresses, default routes), each acknowledged before the next. */
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

static int add_address(int fd, uint32_t *seq, int index, int family, const char *text, unsigned prefix_len)
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
    if (family == AF_INET6) {
        uint32_t flags = IFA_F_NODAD;
        request_attr(&req, IFA_FLAGS, &flags, sizeof(flags));
    }
    return transact(fd, &req, ++*seq);
}

static int add_default_route(int fd, uint32_t *seq, int index, int family, const char *gateway)
{
    uint8_t addr[16];
    if (inet_pton(family, gateway, addr) != 1)
        return -EINVAL;
    struct rtmsg rtm = {
        .rtm_family = (uint8_t)family,
        .rtm_table = RT_TABLE_MAIN,
        .rtm_protocol = RTPROT_BOOT,
        .rtm_scope = RT_SCOPE_UNIVERSE,
        .rtm_type = RTN_UNICAST,
    };
    struct request req;
    request_start(&req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
    request_attr(&req, RTA_GATEWAY, addr, family == AF_INET ? 4 : 16);
    uint32_t oif = (uint32_t)index;
    request_attr(&req, RTA_OIF, &oif, sizeof(oif));
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

    uint32_t seq = 0;
    int r = set_link(fd, &seq, tap, mtu, false);
    if (r < 0)
        return nook_error_set_errno(err, -r, "set the MTU of %s to %u", ifname, mtu);
    r = add_address(fd, &seq, tap, AF_INET, NOOK_SLIRP_GUEST, NOOK_SLIRP_PREFIX_LEN);
    if (r < 0)
        return nook_error_set_errno(err, -r, "add %s/%d to %s", NOOK_SLIRP_GUEST, NOOK_SLIRP_PREFIX_LEN, ifname);
    if (ipv6) {
        r = add_address(fd, &seq, tap, AF_INET6, NOOK_SLIRP_GUEST6, NOOK_SLIRP_PREFIX6_LEN);
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
    r = add_default_route(fd, &seq, tap, AF_INET, NOOK_SLIRP_GATEWAY);
    if (r < 0)
        return nook_error_set_errno(err, -r, "add the default route via %s", NOOK_SLIRP_GATEWAY);
    if (ipv6) {
        r = add_default_route(fd, &seq, tap, AF_INET6, NOOK_SLIRP_GATEWAY6);
        if (r < 0)
            return nook_error_set_errno(err, -r, "add the default IPv6 route via %s", NOOK_SLIRP_GATEWAY6);
    }
    return 0;
}
