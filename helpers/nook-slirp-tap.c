/* nook-slirp-tap.c: open the container's namespaces, and create the tap
 * inside them from a child process (nook-slirp-tap.h says why a child). */
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "lib/fd-pass.h"
#include "lib/slirp-tap.h"
#include "nook-slirp-tap.h"
#include "nook-slirp.h"

/* struct virtio_net_hdr: flags first. */
const uint8_t nook_slirp_vnet_hdr_out[NOOK_SLIRP_VNET_HDR_LEN] = { VIRTIO_NET_HDR_F_DATA_VALID };

void nook_slirp_namespaces_close(struct nook_slirp_namespaces *ns)
{
    closep(&ns->userns_fd);
    closep(&ns->netns_fd);
    ns->userns_fd = ns->netns_fd = -1;
}

static bool init_has_exited(int pidfd)
{
    struct pollfd p = { .fd = pidfd, .events = POLLIN };
    return poll(&p, 1, 0) > 0;
}

/* Is fd a pidfd of pid? Its fdinfo says so ("Pid:\t<pid>"). */
static bool pidfd_is_of(int fd, pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
    _cleanup_fclose_ FILE *f = fopen(path, "re");
    if (!f)
        return false;
    char line[128];
    while (fgets(line, sizeof(line), f)) {
        int value;
        if (sscanf(line, "Pid: %d", &value) == 1)
            return value == pid;
    }
    return false;
}

int nook_slirp_open_pidfd(pid_t pid, int given, int *pidfd, struct nook_error *err)
{
    if (given >= 0) {
        if (!pidfd_is_of(given, pid))
            return nook_error_set(err, EINVAL, "--pidfd %d is not a pidfd of pid %d", given, (int)pid);
        int flags = fcntl(given, F_GETFD);
        if (flags < 0 || fcntl(given, F_SETFD, flags | FD_CLOEXEC) < 0)
            return nook_error_set_errno(err, errno, "--pidfd %d", given);
        *pidfd = given;
        return 0;
    }
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) {
        if (errno == ESRCH)
            return nook_error_set(err, ESRCH, "the container's init (pid %d) does not exist", (int)pid);
        return nook_error_set_errno(err, errno, "pidfd_open of the container's init (pid %d)", (int)pid);
    }
    /* pidfd_open() sets close-on-exec itself. */
    *pidfd = fd;
    return 0;
}

static int open_ns(pid_t pid, const char *name, int *fd, struct nook_error *err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return nook_error_set_errno(err, errno, "open %s", path);
    return 0;
}

static int same_file(int fd, const char *path, bool *same)
{
    struct stat a, b;
    if (fstat(fd, &a) < 0 || stat(path, &b) < 0)
        return -errno;
    *same = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    return 0;
}

int nook_slirp_open_namespaces(pid_t pid, int pidfd, struct nook_slirp_namespaces *ns, struct nook_error *err)
{
    _cleanup_close_ int userns = -1;
    _cleanup_close_ int netns = -1;
    int r = open_ns(pid, "user", &userns, err);
    if (r < 0)
        return r;
    r = open_ns(pid, "net", &netns, err);
    if (r < 0)
        return r;
    if (init_has_exited(pidfd))
        return nook_error_set(err, ESRCH, "the container's init (pid %d) has exited", (int)pid);

    bool same_userns, same_netns;
    r = same_file(userns, "/proc/self/ns/user", &same_userns);
    if (r < 0)
        return nook_error_set_errno(err, -r, "compare the user namespaces of pid %d and nook-slirp", (int)pid);
    r = same_file(netns, "/proc/self/ns/net", &same_netns);
    if (r < 0)
        return nook_error_set_errno(err, -r, "compare the network namespaces of pid %d and nook-slirp", (int)pid);
    if (same_netns)
        return nook_error_set(err, EINVAL,
                              "the container's init (pid %d) is in nook-slirp's own network namespace: "
                              "the container needs a network namespace of its own",
                              (int)pid);
    ns->userns_fd = steal_fd(&userns);
    ns->netns_fd = steal_fd(&netns);
    ns->join_userns = !same_userns;
    return 0;
}

/* Join (the child, or root itself), create, configure. The tap fd or -errno. */
static int make_tap_in(const struct nook_slirp_namespaces *ns, unsigned mtu, bool ipv6, struct nook_error *err)
{
    if (ns->join_userns && setns(ns->userns_fd, CLONE_NEWUSER) < 0)
        return nook_error_set_errno(err, errno, "join the container's user namespace");
    if (setns(ns->netns_fd, CLONE_NEWNET) < 0)
        return nook_error_set_errno(err, errno, "join the container's network namespace");

    return nook_slirp_tap_create(mtu, ipv6, err);
}

/* In the child: 'K' with the tap, or 'E' and the error's message. */
static void child_report(int sock, int tap_fd, const struct nook_error *err)
{
    if (tap_fd >= 0) {
        (void)nook_fd_pass_send(sock, "K", 1, &tap_fd, 1);
        return;
    }
    char report[1 + NOOK_ERROR_MAX];
    report[0] = 'E';
    size_t len = strnlen(err->message, sizeof(report) - 1);
    memcpy(report + 1, err->message, len);
    (void)nook_fd_pass_send(sock, report, 1 + len, NULL, 0);
}

/* In the child: the namespaces from the helper (their fds, and whether to
 * join the user namespace), -1 when the socket closes first. */
static int child_receive_namespaces(int sock, struct nook_slirp_namespaces *ns)
{
    char join = 0;
    int fds[2];
    size_t n_fds;
    ssize_t n = nook_fd_pass_recv(sock, &join, 1, fds, 2, &n_fds);
    if (n != 1 || n_fds != 2) {
        for (size_t i = 0; i < n_fds; i++)
            close(fds[i]);
        return -1;
    }
    ns->userns_fd = fds[0];
    ns->netns_fd = fds[1];
    ns->join_userns = join == 'U';
    return 0;
}

int nook_slirp_tap_start(unsigned mtu, bool ipv6, struct nook_slirp_tap_setup *setup, struct nook_error *err)
{
    setup->mtu = mtu;
    setup->ipv6 = ipv6;
    if (geteuid() == 0) {
        setup->own_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (setup->own_netns < 0)
            return nook_error_set_errno(err, errno, "open the helper's own network namespace");
        return 0;
    }
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
        return nook_error_set_errno(err, errno, "socketpair");
    _cleanup_close_ int ours = pair[0];
    _cleanup_close_ int theirs = pair[1];

    pid_t child = fork();
    if (child < 0)
        return nook_error_set_errno(err, errno, "fork the tap setup process");
    if (child == 0) {
        closep(&ours);
        struct nook_slirp_namespaces ns = NOOK_SLIRP_NAMESPACES_INIT;
        if (child_receive_namespaces(theirs, &ns) < 0)
            _exit(0);
        struct nook_error child_err = { 0 };
        int fd = make_tap_in(&ns, mtu, ipv6, &child_err);
        child_report(theirs, fd, &child_err);
        _exit(fd >= 0 ? 0 : 1);
    }
    setup->sock = steal_fd(&ours);
    setup->pid = child;
    return 0;
}

void nook_slirp_tap_setup_end(struct nook_slirp_tap_setup *setup)
{
    closep(&setup->sock);
    setup->sock = -1;
    closep(&setup->own_netns);
    setup->own_netns = -1;
}

/* Root: into the container's network namespace, the tap, and back. */
static int make_tap_here(struct nook_slirp_tap_setup *setup, const struct nook_slirp_namespaces *ns, int *tap_fd,
                         struct nook_error *err)
{
    struct nook_slirp_namespaces net_only = { .userns_fd = -1, .netns_fd = ns->netns_fd, .join_userns = false };
    int fd = make_tap_in(&net_only, setup->mtu, setup->ipv6, err);
    if (setns(setup->own_netns, CLONE_NEWNET) < 0) {
        /* libslirp's sockets would be made in the container's namespace. */
        if (fd >= 0)
            close(fd);
        nook_slirp_tap_setup_end(setup);
        return nook_error_set_errno(err, errno, "return to the helper's own network namespace");
    }
    nook_slirp_tap_setup_end(setup);
    if (fd < 0)
        return fd;
    *tap_fd = fd;
    return 0;
}

static int send_namespaces(int sock, const struct nook_slirp_namespaces *ns)
{
    char join = ns->join_userns ? 'U' : 'N';
    int fds[2] = { ns->userns_fd, ns->netns_fd };
    ssize_t n = nook_fd_pass_send(sock, &join, 1, fds, 2);
    return n == 1 ? 0 : n < 0 ? (int)n : -EIO;
}

int nook_slirp_tap_finish(struct nook_slirp_tap_setup *setup, const struct nook_slirp_namespaces *ns, int *tap_fd,
                          struct nook_error *err)
{
    if (setup->own_netns >= 0)
        return make_tap_here(setup, ns, tap_fd, err);
    int ours = setup->sock;
    int r = send_namespaces(ours, ns);
    if (r < 0 && r != -EPIPE && r != -ECONNRESET)
        return nook_error_set_errno(err, -r, "send the namespaces to the tap setup process");
    char buf[NOOK_ERROR_MAX + 1];
    int fd = -1;
    size_t n_fds;
    ssize_t n = nook_fd_pass_recv(ours, buf, sizeof(buf) - 1, &fd, 1, &n_fds);
    nook_slirp_tap_setup_end(setup);

    if (n > 0 && buf[0] == 'K' && n_fds == 1) {
        *tap_fd = fd;
        return 0;
    }
    if (n_fds == 1)
        close(fd);
    if (n < 0)
        return nook_error_set_errno(err, (int)-n, "receive the tap from the setup process");
    if (n == 0)
        return nook_error_set(err, EIO, "the tap setup process (pid %d) ended without a word", (int)setup->pid);
    if (buf[0] == 'E') {
        buf[n] = '\0';
        return nook_error_set(err, EIO, "%s", buf + 1);
    }
    return nook_error_set(err, EIO, "the tap setup process sent no tap");
}
