/* seccomp-compile-bounded.c: nook_seccomp_compile() runs libseccomp in a
 * child process with a time limit, so that no config.json can hang create.
 *
 * libseccomp 2.5.4 (Debian 12) never returns from seccomp_rule_add() for
 * some rule sets: two rules on one syscall that both compare an argument
 * greater than 0xffffffff and then test different arguments loop forever
 * inside its rule tree (tests/fuzz/corpus/seccomp/libseccomp-hang.json).
 * A runtime cannot wait on that, and cannot interrupt a library in its own
 * process; a forked child it can kill. The child sends back the finished
 * program, or its error, over a pipe. Its exit also returns what that
 * libseccomp loses on some failing rules (the x86 shmat rule of
 * tests/fuzz/corpus/seccomp/libseccomp-x86-shmat-leak.json). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "seccomp-filter.h"
#include "util.h"

/* What the child writes first; `length` instructions follow on success. */
struct compile_reply {
    int status;                  /* 0, or the negative errno of the error */
    struct nook_error error;
    unsigned short length;
    unsigned int flags;
    bool notify;
};

static int write_all(int fd, const void *buf, size_t size)
{
    const char *p = buf;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

static _Noreturn void compile_in_child(const struct nook_spec_seccomp *spec, int fd)
{
    struct compile_reply reply = { 0 };
    struct nook_seccomp_program program = { 0 };
    reply.status = nook_seccomp_compile_here(spec, &program, &reply.error);
    if (reply.status == 0) {
        reply.length = program.length;
        reply.flags = program.flags;
        reply.notify = program.notify;
    }
    if (write_all(fd, &reply, sizeof(reply)) < 0 ||
        (reply.status == 0 && write_all(fd, program.filter, program.length * sizeof(*program.filter)) < 0))
        _exit(1);
    _exit(0);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read exactly `size` bytes before the deadline: 0, -ETIMEDOUT, or -EIO
 * when the child died without sending them. */
static int read_before(int fd, void *buf, size_t size, long long deadline)
{
    char *p = buf;
    while (size > 0) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return -ETIMEDOUT;
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int r = poll(&pfd, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            return -ETIMEDOUT;
        ssize_t n = read(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -EIO;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

static void reap(pid_t pid, bool kill_it)
{
    if (kill_it)
        kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

int nook_seccomp_compile_within(const struct nook_spec_seccomp *spec, struct nook_seccomp_program *out,
                                unsigned int limit_ms, struct nook_error *err)
{
    memset(out, 0, sizeof(*out));
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return nook_error_set_errno(err, errno, "seccomp: pipe");
    _cleanup_close_ int reader = fds[0];
    _cleanup_close_ int writer = fds[1];
    pid_t pid = fork();
    if (pid < 0)
        return nook_error_set_errno(err, errno, "seccomp: fork to compile the filter");
    if (pid == 0) {
        close(reader);
        compile_in_child(spec, writer);
    }
    close(steal_fd(&writer));

    long long deadline = now_ms() + limit_ms;
    struct compile_reply reply;
    int r = read_before(reader, &reply, sizeof(reply), deadline);
    _cleanup_free_ struct sock_filter *filter = NULL;
    if (r == 0 && reply.status == 0) {
        filter = calloc(reply.length ? reply.length : 1, sizeof(*filter));
        if (!filter) {
            reap(pid, true);
            return nook_error_set(err, ENOMEM, "out of memory");
        }
        r = read_before(reader, filter, reply.length * sizeof(*filter), deadline);
    }
    reap(pid, r < 0);
    if (r == -ETIMEDOUT)
        return nook_error_set(err, ETIMEDOUT,
                              "config.json: .linux.seccomp: libseccomp did not finish the filter within %u ms and was stopped (a rule set it cannot handle: split or simplify the rules with argument conditions)",
                              limit_ms);
    if (r < 0)
        return nook_error_set_errno(err, -r, "seccomp: the process compiling the filter died");
    if (reply.status < 0) {
        if (err)
            *err = reply.error;
        return reply.status;
    }
    out->filter = steal_pointer(&filter);
    out->length = reply.length;
    out->flags = reply.flags;
    out->notify = reply.notify;
    return 0;
}

int nook_seccomp_compile(const struct nook_spec_seccomp *spec, struct nook_seccomp_program *out,
                         struct nook_error *err)
{
    return nook_seccomp_compile_within(spec, out, NOOK_SECCOMP_COMPILE_LIMIT_MS, err);
}
