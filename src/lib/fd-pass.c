/* fd-pass.c: a message with file descriptors on a UNIX socket
 * (fd-pass.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "fd-pass.h"

union fd_control {
    struct cmsghdr align;
    char buf[CMSG_SPACE(NOOK_FD_PASS_MAX * sizeof(int))];
};

ssize_t nook_fd_pass_send(int sock, const void *data, size_t len, const int *fds, size_t n_fds)
{
    if (n_fds > NOOK_FD_PASS_MAX)
        return -EINVAL;
    struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    union fd_control control;
    if (n_fds > 0) {
        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
        memcpy(CMSG_DATA(cmsg), fds, n_fds * sizeof(int));
    }
    ssize_t n;
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

ssize_t nook_fd_pass_recv(int sock, void *data, size_t len, int *fds, size_t max_fds, size_t *n_fds)
{
    *n_fds = 0;
    if (max_fds > NOOK_FD_PASS_MAX)
        return -EINVAL;
    struct iovec iov = { .iov_base = data, .iov_len = len };
    union fd_control control;
    memset(&control, 0, sizeof(control));
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                          .msg_controllen = CMSG_SPACE(max_fds * sizeof(int)) };
    ssize_t n;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
            continue;
        size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        if (count > max_fds - *n_fds)
            count = max_fds - *n_fds;
        memcpy(fds + *n_fds, CMSG_DATA(cmsg), count * sizeof(int));
        *n_fds += count;
    }
    return n;
}
