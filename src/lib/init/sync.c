/* sync.c: send and receive the parent/child setup messages (see sync.h). */
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "sync.h"

int nook_sync_pair(int fds[2], struct nook_error *err)
{
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
        return nook_error_set_errno(err, errno, "create the setup socketpair");
    return 0;
}

static int send_message(int fd, enum nook_sync_type type, int errnum, int passed_fd,
                        const char *text)
{
    struct nook_sync_msg msg = { .type = type, .errnum = errnum };
    size_t len = offsetof(struct nook_sync_msg, text);
    if (text) {
        size_t n = strnlen(text, sizeof(msg.text) - 1);
        memcpy(msg.text, text, n);
        len += n + 1;
    }
    struct iovec iov = { .iov_base = &msg, .iov_len = len };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (passed_fd >= 0) {
        mh.msg_control = control.buf;
        mh.msg_controllen = sizeof(control.buf);
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &passed_fd, sizeof(int));
    }
    for (;;) {
        ssize_t sent = sendmsg(fd, &mh, MSG_NOSIGNAL);
        if (sent >= 0)
            return (size_t)sent == len ? 0 : -EIO;
        if (errno != EINTR)
            return -errno;
    }
}

int nook_sync_send(int fd, enum nook_sync_type type, int errnum, const char *text)
{
    return send_message(fd, type, errnum, -1, text);
}

int nook_sync_send_fd(int fd, enum nook_sync_type type, int passed_fd, const char *text)
{
    return send_message(fd, type, 0, passed_fd, text);
}

int nook_sync_recv_fd(int fd, struct nook_sync_msg *msg, int *passed_fd)
{
    *passed_fd = -1;
    memset(msg, 0, sizeof(*msg));
    struct iovec iov = { .iov_base = msg, .iov_len = sizeof(*msg) };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    for (;;) {
        struct msghdr mh = {
            .msg_iov = &iov,
            .msg_iovlen = 1,
            .msg_control = control.buf,
            .msg_controllen = sizeof(control.buf),
        };
        ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
                c->cmsg_len >= CMSG_LEN(sizeof(int)) && *passed_fd < 0)
                memcpy(passed_fd, CMSG_DATA(c), sizeof(int));
        if (n == 0)
            return -EPIPE;
        if ((size_t)n < offsetof(struct nook_sync_msg, text)) {
            closep(passed_fd);
            *passed_fd = -1;
            return -EBADMSG;
        }
        msg->text[sizeof(msg->text) - 1] = '\0';
        return 0;
    }
}

int nook_sync_recv(int fd, struct nook_sync_msg *msg)
{
    int passed_fd = -1;
    int r = nook_sync_recv_fd(fd, msg, &passed_fd);
    closep(&passed_fd);
    return r;
}

int nook_sync_expect(int fd, enum nook_sync_type type, struct nook_error *err)
{
    struct nook_sync_msg msg;
    int r = nook_sync_recv(fd, &msg);
    if (r == -EPIPE)
        return nook_error_set(err, EPIPE, "the container's init exited during setup");
    if (r < 0)
        return nook_error_set_errno(err, -r, "read from the setup socket");
    if (msg.type == NOOK_SYNC_ERROR)
        return nook_error_set(err, msg.errnum > 0 ? msg.errnum : EIO, "%s", msg.text);
    if (msg.type != (uint32_t)type)
        return nook_error_set(err, EPROTO, "setup socket: expected message %d, got %u", (int)type,
                              msg.type);
    return 0;
}
