/* terminal.c: the pty of a terminal container: made in the child inside
 * the container's devpts, passed to the parent, handed on to a console
 * socket or relayed to nook's own stdio (see terminal.h). */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "init/sync.h"
#include "terminal.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* The name runc sends with the master: its consumers ignore it, but it is
 * part of the message. */
#define MASTER_NAME "/dev/ptmx"

static int open_slave(int master, const char *path)
{
    int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd >= 0 || (errno != EINVAL && errno != ENOTTY))
        return fd;
    /* Kernels before 4.13: by name, which is safe here because the
     * container's own devpts is mounted on /dev/pts. */
    return open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
}

/* runc's mountConsole: /dev/console is a bind of the slave, made as an
 * empty file first when the rootfs has none. */
static int mount_console(const char *slave_path, struct nook_error *err)
{
    struct stat st;
    if (lstat("/dev/console", &st) < 0) {
        if (errno != ENOENT)
            return nook_error_set_errno(err, errno, "stat /dev/console");
        int fd = open("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            return nook_error_set_errno(err, errno, "create /dev/console");
        close(fd);
    } else if (S_ISLNK(st.st_mode)) {
        return nook_error_set(err, ELOOP, "/dev/console is a symlink; not mounting the console on it");
    }
    if (mount(slave_path, "/dev/console", NULL, MS_BIND, NULL) < 0)
        return nook_error_set_errno(err, errno, "bind the terminal %s on /dev/console", slave_path);
    return 0;
}

int nook_terminal_setup_child(int sync_fd, const struct nook_spec_process *process, bool mount,
                              struct nook_error *err)
{
    _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        return nook_error_set_errno(err, errno,
                                    "open /dev/ptmx in the container (a terminal needs a devpts "
                                    "mount on /dev/pts)");
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
        return nook_error_set_errno(err, errno, "unlock the pty");
    int number = -1;
    if (ioctl(master, TIOCGPTN, &number) < 0)
        return nook_error_set_errno(err, errno, "get the pty's number");
    char slave_path[64];
    snprintf(slave_path, sizeof(slave_path), "/dev/pts/%d", number);
    _cleanup_close_ int slave = open_slave(master, slave_path);
    if (slave < 0)
        return nook_error_set_errno(err, errno, "open the pty slave %s", slave_path);

    if (process->has_console_size) {
        struct winsize size = {
            .ws_row = (unsigned short)process->console_height,
            .ws_col = (unsigned short)process->console_width,
        };
        if (ioctl(master, TIOCSWINSZ, &size) < 0)
            return nook_error_set_errno(err, errno, "process.consoleSize: set the window size");
    }
    /* The process may run as another user; it owns its terminal, as with
     * runc. Ids that are not mapped are the only failure to let pass. */
    if (fchown(slave, process->user.uid, process->user.gid) < 0 && errno != EINVAL && errno != EPERM)
        return nook_error_set_errno(err, errno, "chown the terminal %s", slave_path);
    if (mount) {
        int r = mount_console(slave_path, err);
        if (r < 0)
            return r;
    }
    int r = nook_sync_send_fd(sync_fd, NOOK_SYNC_CONSOLE, master, MASTER_NAME);
    if (r < 0)
        return nook_error_set_errno(err, -r, "send the pty master to nook");

    if (setsid() < 0)
        return nook_error_set_errno(err, errno, "setsid");
    for (int fd = 0; fd < 3; fd++)
        if (dup2(slave, fd) < 0)
            return nook_error_set_errno(err, errno, "make the terminal fd %d", fd);
    if (ioctl(0, TIOCSCTTY, 0) < 0)
        return nook_error_set_errno(err, errno, "make %s the controlling terminal", slave_path);
    return 0;
}

int nook_terminal_check(bool terminal, const char *console_socket, bool relay, struct nook_error *err)
{
    if (terminal && !relay && !console_socket)
        return nook_error_set(err, EINVAL,
                              "config.json: .process.terminal is true: cannot allocate a terminal "
                              "when nook detaches without --console-socket");
    if (console_socket && (relay || !terminal))
        return nook_error_set(err, EINVAL,
                              "--console-socket: cannot use a console socket when nook does not "
                              "detach or config.json's .process.terminal is false");
    return 0;
}

int nook_terminal_connect(const char *path, int *sock, struct nook_error *err)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(addr.sun_path))
        return nook_error_set(err, ENAMETOOLONG, "--console-socket \"%s\": path too long", path);
    strcpy(addr.sun_path, path);
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "--console-socket: socket");
    int r;
    do
        r = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return nook_error_set_errno(err, errno, "--console-socket: connect to \"%s\"", path);
    *sock = steal_fd(&fd);
    return 0;
}

int nook_terminal_send_master(int sock, int master, const char *name, struct nook_error *err)
{
    struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr mh = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &master, sizeof(int));
    ssize_t n;
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return nook_error_set_errno(err, errno, "--console-socket: send the pty master");
    return 0;
}

int nook_terminal_recv_master(int sock, int *master, char **name, struct nook_error *err)
{
    char data[4096];
    struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) - 1 };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr mh = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return nook_error_set_errno(err, errno, "receive the pty master");
    _cleanup_close_ int fd = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len >= CMSG_LEN(sizeof(int)) && fd < 0)
            memcpy(&fd, CMSG_DATA(c), sizeof(int));
    if (fd < 0)
        return nook_error_set(err, EBADMSG, "the console socket's peer sent no file descriptor");
    if (name) {
        data[n] = '\0';
        *name = strdup(data);
        if (!*name)
            return nook_error_set(err, ENOMEM, "out of memory");
    }
    *master = steal_fd(&fd);
    return 0;
}

int nook_terminal_copy_size(int from, int to)
{
    struct winsize size;
    if (ioctl(from, TIOCGWINSZ, &size) < 0)
        return errno == ENOTTY || errno == EINVAL ? 0 : -errno;
    /* A terminal that knows no size (a pipe-fed pty) would only erase
     * process.consoleSize. */
    if (size.ws_row == 0 && size.ws_col == 0)
        return 0;
    if (ioctl(to, TIOCSWINSZ, &size) < 0)
        return -errno;
    return 0;
}

int nook_terminal_relay_begin(struct nook_terminal_relay *relay, int master, struct nook_error *err)
{
    *relay = (struct nook_terminal_relay)NOOK_TERMINAL_RELAY_INIT;
    relay->in = STDIN_FILENO;
    relay->out = STDOUT_FILENO;
    relay->in_open = true;
    relay->master_open = true;
    if (isatty(relay->in)) {
        if (tcgetattr(relay->in, &relay->saved) < 0)
            return nook_error_set_errno(err, errno, "read the terminal settings of stdin");
        struct termios raw = relay->saved;
        cfmakeraw(&raw);
        if (tcsetattr(relay->in, TCSANOW, &raw) < 0)
            return nook_error_set_errno(err, errno, "put stdin's terminal in raw mode");
        relay->raw = true;
        (void)nook_terminal_copy_size(relay->in, master);
    }
    relay->master = master;
    return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            (void)poll(&p, 1, -1);
            continue;
        }
        if (n < 0)
            return -errno;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* One read from `from` copied to `to`; false at end of file or on error. */
static bool copy_once(int from, int to)
{
    char buf[8192];
    ssize_t n;
    do
        n = read(from, buf, sizeof(buf));
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN)
        return true;
    if (n <= 0)
        return false;
    return write_all(to, buf, (size_t)n) == 0;
}

int nook_terminal_relay_pump(struct nook_terminal_relay *relay, int wake_fd, struct nook_error *err)
{
    for (;;) {
        if (relay->master < 0 || !relay->master_open)
            return 0;
        struct pollfd fds[3] = {
            { .fd = wake_fd, .events = POLLIN },
            /* A negative fd is skipped by poll. */
            { .fd = relay->master_open ? relay->master : -1, .events = POLLIN },
            { .fd = relay->in_open ? relay->in : -1, .events = POLLIN },
        };
        int n = poll(fds, N_ELEMENTS(fds), -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nook_error_set_errno(err, errno, "poll the terminal");
        /* The pty reports EIO once the last slave is closed: the
         * container's end is gone, and only its exit is left to wait for. */
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
            relay->master_open = copy_once(relay->master, relay->out);
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
            relay->in_open = copy_once(relay->in, relay->master);
        if (fds[0].revents)
            return 0;
    }
}

void nook_terminal_relay_drain(struct nook_terminal_relay *relay)
{
    while (relay->master >= 0 && relay->master_open) {
        struct pollfd p = { .fd = relay->master, .events = POLLIN };
        int n = poll(&p, 1, 100);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        relay->master_open = copy_once(relay->master, relay->out);
    }
}

void nook_terminal_relay_end(struct nook_terminal_relay *relay)
{
    if (relay->raw) {
        (void)tcsetattr(relay->in, TCSANOW, &relay->saved);
        relay->raw = false;
    }
}

int nook_terminal_take_master(int console_socket, int master, int *keep_fd, struct nook_error *err)
{
    if (master < 0)
        return nook_error_set(err, EPROTO, "setup socket: the terminal message carried no fd");
    if (console_socket >= 0)
        return nook_terminal_send_master(console_socket, master, "/dev/ptmx", err);
    closep(keep_fd);
    *keep_fd = fcntl(master, F_DUPFD_CLOEXEC, 3);
    if (*keep_fd < 0)
        return nook_error_set_errno(err, errno, "keep the pty master");
    /* The caller's window size, before the process can ask for it. */
    (void)nook_terminal_copy_size(STDIN_FILENO, *keep_fd);
    return 0;
}
