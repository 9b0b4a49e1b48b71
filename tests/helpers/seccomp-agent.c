/* seccomp-agent.c: a seccomp notify agent for the tests (seccomp.bats), the
 * other end of .linux.seccomp.listenerPath. It listens on SOCKET, accepts
 * one connection from nook, saves the container process state nook sends
 * (JSON) to STATE_FILE, takes the listener fd passed with it, and then
 * answers every notified syscall with the error ERRNO (a number), until
 * the container's filter goes away. Each answered syscall's number is
 * appended to STATE_FILE.log.
 *
 * Usage: seccomp-agent SOCKET STATE_FILE ERRNO */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
    fprintf(stderr, "seccomp-agent: %s: %s\n", what, strerror(errno));
    return 1;
}

/* Receive the state text and the fd nook passes with it. */
static int receive(int conn, char *text, size_t size, int *fd)
{
    char control[CMSG_SPACE(sizeof(int) * 4)];
    struct iovec iov = { .iov_base = text, .iov_len = size - 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                          .msg_controllen = sizeof(control) };
    ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    *fd = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(fd, CMSG_DATA(c), sizeof(int));
    return *fd >= 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: seccomp-agent SOCKET STATE_FILE ERRNO\n");
        return 2;
    }
    int answer = atoi(argv[3]);
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", argv[1]);
    unlink(argv[1]);
    if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(sock, 1) < 0)
        return die("listen");
    int conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0)
        return die("accept");
    static char text[65536];
    int listener;
    if (receive(conn, text, sizeof(text), &listener) < 0)
        return die("receive the state and the listener fd");
    FILE *state = fopen(argv[2], "w");
    if (!state || fputs(text, state) < 0 || fclose(state) != 0)
        return die("write the state file");
    char log_path[4096];
    snprintf(log_path, sizeof(log_path), "%s.log", argv[2]);

    struct seccomp_notif_sizes sizes;
    if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
        return die("SECCOMP_GET_NOTIF_SIZES");
    struct seccomp_notif *req = calloc(1, sizes.seccomp_notif);
    struct seccomp_notif_resp *resp = calloc(1, sizes.seccomp_notif_resp);
    if (!req || !resp)
        return die("calloc");
    for (;;) {
        memset(req, 0, sizes.seccomp_notif);
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
            if (errno == EINTR)
                continue;
            /* ENOENT/EBADF...: the filter's last user is gone. */
            return 0;
        }
        memset(resp, 0, sizes.seccomp_notif_resp);
        resp->id = req->id;
        resp->error = -answer;
        resp->val = 0;
        FILE *log = fopen(log_path, "a");
        if (log) {
            fprintf(log, "%d\n", req->data.nr);
            fclose(log);
        }
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
            return die("SECCOMP_IOCTL_NOTIF_SEND");
    }
}
