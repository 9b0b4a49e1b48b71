/* notify-send.c: the smallest sd_notify client, for the NOTIFY_SOCKET
 * tests: sends its argument as one datagram to $NOTIFY_SOCKET. Built
 * static so that it runs inside the busybox test container. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (argc != 2 || !path || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        fprintf(stderr, "usage: NOTIFY_SOCKET=PATH notify-send MESSAGE\n");
        return 2;
    }
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    memcpy(addr.sun_path, path, strlen(path));
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || sendto(fd, argv[1], strlen(argv[1]), 0, (struct sockaddr *)&addr,
                         (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path))) < 0) {
        fprintf(stderr, "notify-send: %s: %s\n", path, strerror(errno));
        return 1;
    }
    close(fd);
    return 0;
}
