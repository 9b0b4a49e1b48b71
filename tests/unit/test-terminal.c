/* test-terminal.c: the terminal room's host-side pieces: runc's rules for
 * --console-socket, passing a pty master over a socket (the console socket
 * and the setup socket's NOOK_SYNC_CONSOLE), window sizes and the relay. */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "lib/init/sync.h"
#include "lib/terminal.h"
#include "tap.h"

/* A fresh pty pair from the host's /dev/ptmx. */
static int open_pty(int *master, int *slave)
{
    *master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (*master < 0 || grantpt(*master) < 0 || unlockpt(*master) < 0)
        return -1;
    *slave = open(ptsname(*master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    return *slave < 0 ? -1 : 0;
}

static bool same_file(int a, int b)
{
    struct stat sa, sb;
    return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int main(void)
{
    struct tap t = { 0 };
    struct nook_error err = { 0 };

    /* runc's checkTerminal. */
    CHECK(&t, nook_terminal_check(true, NULL, false, &err) == -EINVAL &&
                  strstr(err.message, "without --console-socket"),
          "a detached terminal needs a console socket");
    CHECK(&t, nook_terminal_check(true, "/s", false, &err) == 0, "detached terminal with a socket");
    CHECK(&t, nook_terminal_check(true, NULL, true, &err) == 0, "a relayed terminal needs no socket");
    CHECK(&t, nook_terminal_check(false, NULL, false, &err) == 0, "no terminal, no socket");
    CHECK(&t, nook_terminal_check(false, "/s", false, &err) == -EINVAL, "a socket without a terminal");
    CHECK(&t, nook_terminal_check(true, "/s", true, &err) == -EINVAL, "a socket while relaying");

    CHECK(&t, nook_terminal_connect("/nonexistent/nook.sock", &(int){ -1 }, &err) == -ENOENT &&
                  strstr(err.message, "--console-socket: connect to \"/nonexistent/nook.sock\""),
          "connecting to a missing socket names it");

    int master = -1, slave = -1;
    CHECK(&t, open_pty(&master, &slave) == 0, "open a pty");

    /* The console socket: the fd and a name. */
    int pair[2];
    CHECK(&t, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0, "socketpair");
    CHECK(&t, nook_terminal_send_master(pair[0], master, "/dev/ptmx", &err) == 0, "send the master");
    int got = -1;
    _cleanup_free_ char *name = NULL;
    CHECK(&t, nook_terminal_recv_master(pair[1], &got, &name, &err) == 0, "receive the master");
    CHECK(&t, got >= 0 && got != master && same_file(got, master), "the received fd is the master");
    CHECK_STR(&t, name, "/dev/ptmx", "the name travels as the data");
    CHECK(&t, (fcntl(got, F_GETFD) & FD_CLOEXEC) != 0, "the received fd is close-on-exec");
    closep(&got);

    /* A message without an fd is an error, not a hang or fd 0. */
    CHECK(&t, write(pair[0], "x", 1) == 1, "send a plain byte");
    CHECK(&t, nook_terminal_recv_master(pair[1], &got, NULL, &err) == -EBADMSG, "no fd is EBADMSG");
    close(pair[0]);
    close(pair[1]);

    /* The setup socket's terminal message. */
    int sync[2];
    CHECK(&t, nook_sync_pair(sync, &err) == 0, "setup socketpair");
    CHECK(&t, nook_sync_send_fd(sync[1], NOOK_SYNC_CONSOLE, master, "/dev/ptmx") == 0, "sync: send fd");
    struct nook_sync_msg msg;
    got = -1;
    CHECK(&t, nook_sync_recv_fd(sync[0], &msg, &got) == 0, "sync: receive fd");
    CHECK(&t, msg.type == NOOK_SYNC_CONSOLE && same_file(got, master), "sync: the master arrives");
    closep(&got);
    CHECK(&t, nook_sync_send(sync[1], NOOK_SYNC_READY, 0, NULL) == 0, "sync: plain message");
    CHECK(&t, nook_sync_recv_fd(sync[0], &msg, &got) == 0 && got == -1 && msg.type == NOOK_SYNC_READY,
          "sync: a plain message carries no fd");
    close(sync[0]);
    close(sync[1]);

    /* Window sizes: copied, but a 0x0 terminal does not erase one. */
    struct winsize size = { .ws_row = 33, .ws_col = 77 };
    int other_master = -1, other_slave = -1;
    CHECK(&t, open_pty(&other_master, &other_slave) == 0, "open a second pty");
    CHECK(&t, ioctl(slave, TIOCSWINSZ, &size) == 0, "set a size");
    CHECK(&t, nook_terminal_copy_size(slave, other_master) == 0, "copy the size");
    struct winsize seen = { 0 };
    CHECK(&t, ioctl(other_slave, TIOCGWINSZ, &seen) == 0 && seen.ws_row == 33 && seen.ws_col == 77,
          "the size arrived");
    struct winsize zero = { 0 };
    CHECK(&t, ioctl(slave, TIOCSWINSZ, &zero) == 0, "set 0x0");
    CHECK(&t, nook_terminal_copy_size(slave, other_master) == 0, "copy 0x0");
    CHECK(&t, ioctl(other_slave, TIOCGWINSZ, &seen) == 0 && seen.ws_row == 33, "0x0 is not copied");
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    CHECK(&t, nook_terminal_copy_size(devnull, other_master) == 0, "no terminal: a no-op");
    close(devnull);

    /* The relay without a terminal on stdin: pipes in, a pipe out. */
    int in[2], out[2];
    CHECK(&t, pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0, "pipes");
    struct nook_terminal_relay relay;
    CHECK(&t, nook_terminal_relay_begin(&relay, master, &err) == 0, "relay begins");
    CHECK(&t, !relay.raw, "stdin that is no terminal is left alone");
    relay.in = in[0];
    relay.out = out[1];
    /* The slave echoes in canonical mode: off, to read back exactly. */
    struct termios tio;
    CHECK(&t, tcgetattr(slave, &tio) == 0, "slave settings");
    tio.c_lflag &= ~(tcflag_t)ECHO;
    tio.c_oflag &= ~(tcflag_t)OPOST;
    CHECK(&t, tcsetattr(slave, TCSANOW, &tio) == 0, "no echo, raw output");
    int wake[2];
    CHECK(&t, pipe2(wake, O_CLOEXEC) == 0 && write(wake[1], "w", 1) == 1, "a ready wake fd");
    CHECK(&t, write(in[1], "typed\n", 6) == 6, "the caller types");
    CHECK(&t, nook_terminal_relay_pump(&relay, wake[0], &err) == 0, "pump returns on the wake fd");
    char typed[16] = { 0 };
    CHECK(&t, read(slave, typed, sizeof(typed) - 1) == 6 && strcmp(typed, "typed\n") == 0,
          "typed input reached the container's side");
    close(wake[0]);
    close(wake[1]);
    CHECK(&t, write(slave, "out\n", 4) == 4, "the container writes");
    close(in[1]);
    close(slave);
    slave = -1;
    /* The last slave is closed: the pump moves everything and returns. */
    CHECK(&t, nook_terminal_relay_pump(&relay, -1, &err) == 0, "pump until the pty is closed");
    close(out[1]);
    char buf[64] = { 0 };
    ssize_t n = read(out[0], buf, sizeof(buf) - 1);
    CHECK(&t, n == 4 && strcmp(buf, "out\n") == 0, "the terminal's output reached stdout");
    nook_terminal_relay_end(&relay);
    close(out[0]);
    close(in[0]);

    close(master);
    close(other_master);
    close(other_slave);
    return tap_done(&t);
}
