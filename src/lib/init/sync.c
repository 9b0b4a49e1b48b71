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

int nook_sync_send(int fd, enum nook_sync_type type, int errnum, const char *text)
{
    struct nook_sync_msg msg = { .type = type, .errnum = errnum };
    size_t len = offsetof(struct nook_sync_msg, text);
    if (text) {
        size_t n = strnlen(text, sizeof(msg.text) - 1);
        memcpy(msg.text, text, n);
        len += n + 1;
    }
    for (;;) {
        ssize_t sent = send(fd, &msg, len, MSG_NOSIGNAL);
        if (sent >= 0)
            return (size_t)sent == len ? 0 : -EIO;
        if (errno != EINTR)
            return -errno;
    }
}

int nook_sync_recv(int fd, struct nook_sync_msg *msg)
{
    memset(msg, 0, sizeof(*msg));
    for (;;) {
        ssize_t n = recv(fd, msg, sizeof(*msg), MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -EPIPE;
        if ((size_t)n < offsetof(struct nook_sync_msg, text))
            return -EBADMSG;
        msg->text[sizeof(msg->text) - 1] = '\0';
        return 0;
    }
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
