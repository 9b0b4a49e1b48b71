/* proc.c: reading /proc/PID/stat and working with pidfds. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "proc.h"

/* Index of starttime (field 22) among the fields after the command name,
 * where the first of them is the state (field 3). */
#define STAT_START_TIME_INDEX (22 - 3)

/* Large enough for any /proc/PID/stat: 52 numeric fields plus a 16-byte
 * command name. */
#define STAT_BUFFER_SIZE 2048

int nook_proc_read_stat(pid_t pid, struct nook_proc_stat *out)
{
    if (pid <= 0)
        return -ESRCH;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? -ESRCH : -errno;
    char buf[STAT_BUFFER_SIZE];
    ssize_t n;
    do
        n = read(fd, buf, sizeof(buf) - 1);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == ESRCH ? -ESRCH : -errno;
    buf[n] = '\0';

    /* The command name is in parentheses and may itself contain spaces and
     * parentheses; the last ')' ends it. */
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ')
        return -EBADMSG;
    p += 2;
    char state = *p;
    for (int field = 0; field < STAT_START_TIME_INDEX; field++) {
        p = strchr(p, ' ');
        if (!p)
            return -EBADMSG;
        p++;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long start_time = strtoull(p, &end, 10);
    if (errno || end == p || (*end != ' ' && *end != '\n' && *end != '\0'))
        return -EBADMSG;
    out->state = state;
    out->start_time = start_time;
    return 0;
}

static bool stat_matches(const struct nook_proc_stat *st, unsigned long long start_time)
{
    /* A zombie has finished running: for a container, that is stopped. */
    return st->state != 'Z' && st->state != 'X' && st->start_time == start_time;
}

bool nook_proc_is_alive(pid_t pid, unsigned long long start_time)
{
    struct nook_proc_stat st;
    return nook_proc_read_stat(pid, &st) == 0 && stat_matches(&st, start_time);
}

int nook_proc_open_pidfd(pid_t pid, unsigned long long start_time, int *out_fd)
{
#ifdef SYS_pidfd_open
    /* Checked before opening, so that a process that is clearly gone
     * needs no pidfd at all... */
    struct nook_proc_stat st;
    int r = nook_proc_read_stat(pid, &st);
    if (r < 0)
        return r;
    if (!stat_matches(&st, start_time))
        return -ESRCH;
    /* pidfd_open() always returns a close-on-exec fd. */
    _cleanup_close_ int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0)
        return -errno;
    /* ...and again after: if the pid named the recorded process then, the
     * pidfd names it too, since a pid is only reused after its process is
     * gone, and then the start time would differ. */
    r = nook_proc_read_stat(pid, &st);
    if (r < 0)
        return r;
    if (!stat_matches(&st, start_time))
        return -ESRCH;
    *out_fd = steal_fd(&fd);
    return 0;
#else
    (void)pid;
    (void)start_time;
    (void)out_fd;
    return -ENOSYS;
#endif
}

int nook_pidfd_send_signal(int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
        return -errno;
    return 0;
#else
    (void)pidfd;
    (void)sig;
    return -ENOSYS;
#endif
}

static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int nook_pidfd_wait_exit(int pidfd, int timeout_ms)
{
    long long deadline = timeout_ms < 0 ? -1 : monotonic_ms() + timeout_ms;
    for (;;) {
        int wait_ms = -1;
        if (deadline >= 0) {
            long long left = deadline - monotonic_ms();
            wait_ms = left > 0 ? (int)left : 0;
        }
        /* A pidfd becomes readable when its process exits. */
        struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
        int n = poll(&pfd, 1, wait_ms);
        if (n > 0)
            return 0;
        if (n == 0)
            return -ETIMEDOUT;
        if (errno != EINTR)
            return -errno;
    }
}

int nook_proc_reap_silent_child(pid_t *pid, const char *what, struct nook_error *err)
{
    int status = 0;
    if (*pid > 0 && waitpid(*pid, &status, 0) == *pid)
        *pid = 0;
    return nook_error_set(err, ECHILD, "%s (%s %d)", what, WIFSIGNALED(status) ? "signal" : "status",
                          WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}
