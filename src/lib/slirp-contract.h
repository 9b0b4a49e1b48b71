/* slirp-contract.h: what nook and its network helper nook-slirp agree on
 * for slirp networking (issue 7): the fixed addresses of the user-mode
 * network a container gets, 10.0.2.0/24 with the container at .100, the
 * gateway (the host) at .2 and the DNS forwarder at .3, fd00::/64 the same
 * way with IPv6; the tap interface's name; and the virtio header that
 * starts every frame on it. */
#pragma once

#define NOOK_SLIRP_NETWORK "10.0.2.0"
#define NOOK_SLIRP_NETMASK "255.255.255.0"
#define NOOK_SLIRP_PREFIX_LEN 24
#define NOOK_SLIRP_GATEWAY "10.0.2.2"
#define NOOK_SLIRP_DNS "10.0.2.3"
#define NOOK_SLIRP_DHCP_START "10.0.2.15"
#define NOOK_SLIRP_GUEST "10.0.2.100"
#define NOOK_SLIRP_NETWORK6 "fd00::"
#define NOOK_SLIRP_PREFIX6_LEN 64
#define NOOK_SLIRP_GATEWAY6 "fd00::2"
#define NOOK_SLIRP_DNS6 "fd00::3"
#define NOOK_SLIRP_GUEST6 "fd00::100"
#define NOOK_SLIRP_TAP_NAME "tap0"

/* Every frame on the tap starts with a struct virtio_net_hdr: the tap
 * offers checksum and TCP segmentation offload, so that the container's
 * TCP sends 64 KiB segments whatever its MTU (libslirp takes segments
 * larger than the MSS; the helper completes their checksums). Frames the
 * helper writes carry a header with VIRTIO_NET_HDR_F_DATA_VALID alone:
 * nothing to offload, and their checksums are right (libslirp and the DNS
 * forwarder compute them), so the container's kernel need not check them
 * again, which it would do in the helper's own write. */
#define NOOK_SLIRP_VNET_HDR_LEN 10
/* Offload is offered below this MTU only (slirp-tap.c says why). */
#define NOOK_SLIRP_OFFLOAD_MTU 32768
/* Below NOOK_SLIRP_OFFLOAD_MTU the other way too: libslirp runs at this
 * MTU whatever the tap's, and the container's routes advertise the TCP
 * MSS it allows (advmss, NOOK_SLIRP_ADVMSS4/6). libslirp then sends the
 * container TCP segments of up to 64 KiB, which the helper writes as one
 * frame with a GSO virtio header (TCPV4/TCPV6, gso_size the tap's own
 * MSS): the container's kernel takes it as it takes a packet its GRO
 * made, and a container that forwards it cuts it at the tap's MSS. */
#define NOOK_SLIRP_SEGMENT_MTU 65520
#define NOOK_SLIRP_ADVMSS4 (NOOK_SLIRP_SEGMENT_MTU - 40)
#define NOOK_SLIRP_ADVMSS6 (NOOK_SLIRP_SEGMENT_MTU - 60)
