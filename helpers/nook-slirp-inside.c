/* nook-slirp-inside.c: the child that makes sockets in the container's
 * network namespace (nook-slirp-inside.h).
 *
 * The pair is SOCK_SEQPACKET. The child's first message says it is ready
 * ('K') or why it is not ('E' and the message). Then each request is one
 * byte, '4' or '6', and each answer one int: 0 with the socket attached,
 * or the errno of socket(). */
#include <grp.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/fd-pass.h"
#include "nook-slirp-inside.h"

/* In the child: close every fd but the ones it keeps (the pair's end,
 * the log, the namespaces until it has joined them). It must not hold the
 * helper's: the ready pipe (whose end of file tells nook that the helper
 * is gone), the tap, the forwarded ports' listeners. */
static void close_others(const int *keep, size_t n_keep)
{
    unsigned first = 0;
    for (;;) {
        /* The lowest fd kept at or above first. */
        unsigned next = ~0u;
        for (size_t i = 0; i < n_keep; i++) {
            if (keep[i] >= 0 && (unsigned)keep[i] >= first && (unsigned)keep[i] < next)
                next = (unsigned)keep[i];
        }
        if (next > first)
            (void)close_range(first, next == ~0u ? ~0u : next - 1, 0);
        if (next == ~0u)
            return;
        first = next + 1;
    }
}

/* In the child, started as root and now in the container's user
 * namespace: still host uid 0 there. It becomes the namespace's root (a
 * host uid of the container's mapping, as the container's own processes
 * are), or its nobody where root is not mapped. */
static int leave_host_root(struct nook_error *err)
{
    (void)setgroups(0, NULL); /* refused where the namespace denies it: the groups are mapped ones then */
    const uid_t ids[] = { 0, 65534 };
    for (size_t i = 0; i < N_ELEMENTS(ids); i++) {
        if (setresgid(ids[i], ids[i], ids[i]) == 0 && setresuid(ids[i], ids[i], ids[i]) == 0)
            return 0;
    }
    return nook_error_set_errno(err, errno, "take uid 0 or 65534 of the container's user namespace");
}

/* In the child: into the namespaces; started as root, off host uid 0
 * (nobody where it entered no user namespace, else the container's root);
 * then the helper's own confinement. */
static int enter(const struct nook_slirp_namespaces *ns, pid_t parent, nook_slirp_filter filter, int log_fd,
                 struct nook_error *err)
{
    bool host_root = geteuid() == 0;
    if (ns->join_userns && setns(ns->userns_fd, CLONE_NEWUSER) < 0)
        return nook_error_set_errno(err, errno, "join the container's user namespace");
    if (setns(ns->netns_fd, CLONE_NEWNET) < 0)
        return nook_error_set_errno(err, errno, "join the container's network namespace");
    close(ns->userns_fd);
    close(ns->netns_fd);
    bool dropped;
    int r;
    if (!ns->join_userns && (r = nook_slirp_drop_root(&dropped, err)) < 0)
        return r;
    if (ns->join_userns && host_root && (r = leave_host_root(err)) < 0)
        return r;
    /* Set after any change of credentials, which clears it. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        return nook_error_set_errno(err, errno, "set the parent-death signal");
    /* The helper may have died before the signal was armed. */
    if (getppid() != parent)
        _exit(0);
    return nook_slirp_confine(filter, log_fd, err);
}

static _Noreturn void child_main(int sock, pid_t parent, const struct nook_slirp_namespaces *ns,
                                 nook_slirp_filter filter, int log_fd)
{
    const int keep[] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, sock, log_fd, ns->userns_fd, ns->netns_fd };
    close_others(keep, N_ELEMENTS(keep));
    struct nook_error err = { 0 };
    if (enter(ns, parent, filter, log_fd, &err) < 0) {
        char report[1 + NOOK_ERROR_MAX];
        report[0] = 'E';
        size_t len = strnlen(err.message, sizeof(report) - 1);
        memcpy(report + 1, err.message, len);
        (void)nook_fd_pass_send(sock, report, 1 + len, NULL, 0);
        _exit(1);
    }
    if (nook_fd_pass_send(sock, "K", 1, NULL, 0) < 0)
        _exit(0);
    for (;;) {
        char family;
        ssize_t n = recv(sock, &family, 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(0);
        int fd = socket(family == '6' ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int answer = fd < 0 ? errno : 0;
        if (nook_fd_pass_send(sock, &answer, sizeof(answer), &fd, fd < 0 ? 0 : 1) < 0)
            _exit(0);
        if (fd >= 0)
            close(fd);
    }
}

int nook_slirp_inside_start(const struct nook_slirp_namespaces *ns, nook_slirp_filter filter, int log_fd,
                            struct nook_slirp_inside *inside, struct nook_error *err)
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
        return nook_error_set_errno(err, errno, "socketpair");
    _cleanup_close_ int ours = pair[0];
    _cleanup_close_ int theirs = pair[1];
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0)
        return nook_error_set_errno(err, errno, "fork the process that makes sockets in the container");
    if (child == 0) {
        closep(&ours);
        child_main(theirs, parent, ns, filter, log_fd);
    }
    closep(&theirs);
    char report[1 + NOOK_ERROR_MAX + 1];
    size_t n_fds = 0;
    ssize_t n = nook_fd_pass_recv(ours, report, sizeof(report) - 1, NULL, 0, &n_fds);
    if (n <= 0 || report[0] != 'K') {
        /* The helper ignores SIGCHLD: the kernel reaps the child. */
        if (n > 1 && report[0] == 'E') {
            report[n] = '\0';
            return nook_error_set(err, EPERM, "the process that makes sockets in the container: %s", report + 1);
        }
        return nook_error_set(err, n < 0 ? (int)-n : ECHILD,
                              "the process that makes sockets in the container exited before it was ready");
    }
    inside->sock = steal_fd(&ours);
    inside->pid = child;
    return 0;
}

int nook_slirp_inside_socket(struct nook_slirp_inside *inside, int family)
{
    if (inside->sock < 0)
        return -ECONNRESET;
    char request = family == AF_INET6 ? '6' : '4';
    ssize_t n;
    do
        n = send(inside->sock, &request, 1, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EPIPE ? -ECONNRESET : -errno;
    int answer = 0, fd = -1;
    size_t n_fds = 0;
    n = nook_fd_pass_recv(inside->sock, &answer, sizeof(answer), &fd, 1, &n_fds);
    if (n < 0)
        return (int)n;
    if (n != sizeof(answer)) {
        if (n_fds)
            close(fd);
        return -ECONNRESET;
    }
    if (answer != 0 || n_fds != 1) {
        if (n_fds)
            close(fd);
        return -(answer ? answer : EIO);
    }
    return fd;
}

void nook_slirp_inside_stop(struct nook_slirp_inside *inside)
{
    closep(&inside->sock);
    inside->pid = 0;
}
