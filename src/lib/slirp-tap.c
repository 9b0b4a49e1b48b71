/* slirp-tap.c: create and configure the tap interface of slirp
 * networking (slirp-tap.h). */
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "slirp-netlink.h"
#include "slirp-tap.h"
#include "util.h"

static int open_tun(struct nook_error *err)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0)
        return fd;
    int e = errno;
    if (e == EACCES || e == EPERM)
        return nook_error_set(err, e,
                              "open /dev/net/tun in the container's network namespace: %s (it must be "
                              "mode 0666, as distributions ship it) (see: nook check net.tun)",
                              strerror(e));
    if (e == ENOENT || e == ENODEV || e == ENXIO)
        return nook_error_set(err, e, "open /dev/net/tun: %s (is the tun module loaded? modprobe tun) "
                              "(see: nook check net.tun)", strerror(e));
    return nook_error_set(err, e, "open /dev/net/tun in the container's network namespace: %s "
                          "(see: nook check net.tun)", strerror(e));
}

int nook_slirp_tap_create(unsigned mtu, bool ipv6, struct nook_error *err)
{
    _cleanup_close_ int fd = open_tun(err);
    if (fd < 0)
        return fd;
    struct ifreq ifr = { 0 };
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", NOOK_SLIRP_TAP_NAME);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        return nook_error_set_errno(err, errno, "create %s in the container's network namespace",
                                    NOOK_SLIRP_TAP_NAME);
    int hdr_len = NOOK_SLIRP_VNET_HDR_LEN;
    if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0)
        return nook_error_set_errno(err, errno, "set the virtio header size of %s", NOOK_SLIRP_TAP_NAME);
    /* With offload the container's TCP hands over 64 KiB segments at
     * any MTU, but leaves their checksum to the helper: a pass over every
     * byte in the helper, which is the bottleneck, where the container's
     * kernel would fold it into its copy. Below NOOK_SLIRP_OFFLOAD_MTU the
     * fewer, larger frames win by far (several times the throughput at
     * MTU 1500, tests/bench/net); above it the container's own segments
     * are nearly as large, and the checksum pass is all that is left of
     * it (a tenth of the helper's time at 65520, perf). A kernel that
     * refuses it sends whole, checksummed frames, which the helper takes. */
    if (mtu < NOOK_SLIRP_OFFLOAD_MTU)
        (void)ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6));
    int r = nook_slirp_configure_interfaces(NOOK_SLIRP_TAP_NAME, mtu, ipv6, err);
    if (r < 0)
        return r;
    return steal_fd(&fd);
}
