/* nook-recvtty: the other end of --console-socket. It listens on a unix
 * socket, takes one connection, receives the pty master a terminal
 * container's runtime sends there (SCM_RIGHTS, as runc's recvtty), and
 * relays it to its own stdio until the container's side of the pty is
 * closed. For trying terminal containers by hand and for nook's tests. */
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "lib/terminal.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: nook-recvtty [--pid-file PATH] [--no-stdin] SOCKET-PATH\n"
                 "\n"
                 "Listen on SOCKET-PATH (pass it to `nook create --console-socket`), receive\n"
                 "one pty master and relay it to stdin and stdout until the container closes\n"
                 "its terminal.\n"
                 "\n"
                 "  --pid-file PATH  write this program's pid to PATH once it listens\n"
                 "  --no-stdin       do not forward stdin to the terminal\n"
                 "  -h, --help       show this help\n");
}

static int fail(const struct nook_error *err)
{
    fprintf(stderr, "nook-recvtty: %s\n", err->message);
    return 1;
}

static int listen_on(const char *path, int *sock, struct nook_error *err)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(addr.sun_path))
        return nook_error_set(err, ENAMETOOLONG, "socket path \"%s\" is too long", path);
    strcpy(addr.sun_path, path);
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "socket");
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        return nook_error_set_errno(err, errno, "bind \"%s\"", path);
    if (listen(fd, 1) < 0)
        return nook_error_set_errno(err, errno, "listen on \"%s\"", path);
    *sock = steal_fd(&fd);
    return 0;
}

static int write_pid_file(const char *path, struct nook_error *err)
{
    _cleanup_fclose_ FILE *f = fopen(path, "we");
    if (!f)
        return nook_error_set_errno(err, errno, "--pid-file \"%s\"", path);
    fprintf(f, "%d", (int)getpid());
    if (fflush(f) != 0)
        return nook_error_set_errno(err, errno, "--pid-file \"%s\"", path);
    return 0;
}

static int relay(const char *socket_path, const char *pid_file, bool no_stdin, struct nook_error *err)
{
    _cleanup_close_ int listener = -1;
    int r = listen_on(socket_path, &listener, err);
    if (r < 0)
        return r;
    if (pid_file) {
        r = write_pid_file(pid_file, err);
        if (r < 0)
            return r;
    }
    _cleanup_close_ int conn = -1;
    do
        conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    while (conn < 0 && errno == EINTR);
    if (conn < 0)
        return nook_error_set_errno(err, errno, "accept on \"%s\"", socket_path);
    /* One connection is all it serves: the path is free again. */
    (void)unlink(socket_path);

    _cleanup_close_ int master = -1;
    r = nook_terminal_recv_master(conn, &master, NULL, err);
    if (r < 0)
        return r;
    _cleanup_(nook_terminal_relay_end) struct nook_terminal_relay tty = NOOK_TERMINAL_RELAY_INIT;
    r = nook_terminal_relay_begin(&tty, master, err);
    if (r < 0)
        return r;
    if (no_stdin)
        tty.in_open = false;
    return nook_terminal_relay_pump(&tty, -1, err);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "pid-file", required_argument, NULL, 'p' },
        { "no-stdin", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *pid_file = NULL;
    bool no_stdin = false;
    int c;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'p':
            pid_file = optarg;
            break;
        case 'n':
            no_stdin = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "nook-recvtty: expected one SOCKET-PATH argument\n");
        usage(stderr);
        return 2;
    }
    /* A reader that went away must not kill the relay mid-write. */
    signal(SIGPIPE, SIG_IGN);
    struct nook_error err = { 0 };
    if (relay(argv[optind], pid_file, no_stdin, &err) < 0)
        return fail(&err);
    return 0;
}
