/* test-held-exec.c: the held child (held-exec.h) on real programs: it
 * execs only once released, with exactly the fds asked for, clean
 * signals and the environment and arguments of the start; an exec
 * failure is told on its error fd and leaves the caller's errno alone;
 * it can be killed while held. Built twice (tests/meson.build): as nook
 * is, and with NOOK_HELD_EXEC_FORK (the fork() of other architectures). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/held-exec.h"
#include "tap.h"

/* A held child of `sh -c script` (or of path with argv), its stdout and
 * stderr the write end of a pipe the test reads. */
struct held {
    pid_t pid;
    int release;        /* the hold pipe's write end */
    int out;            /* the read end of the child's stdout/stderr */
    struct nook_error err;
};

static struct held start_program(const char *path, char *const *argv)
{
    struct held h = { -1, -1, -1, { 0 } };
    int out[2];
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || pipe2(out, O_CLOEXEC) < 0)
        return h;
    const int fds[] = { null, out[1], out[1] };
    const struct nook_held_exec req = {
        .path = path, .argv = argv, .fds = fds, .n_fds = 3, .error_fd = 2, .error_prefix = "E: ",
    };
    if (nook_held_exec_start(&req, &h.pid, &h.release, &h.err) < 0)
        h.pid = -1;
    close(null);
    close(out[1]);
    h.out = out[0];
    return h;
}

static struct held start_sh(const char *script)
{
    char *argv[] = { "sh", "-c", (char *)script, "held", NULL };
    return start_program("/bin/sh", argv);
}

/* Everything the child writes until it exits. */
static char *read_all(int fd)
{
    static char buf[4096];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    return buf;
}

/* Release it, read what it writes and reap it: its wait status. */
static int finish(struct held *h, char **output)
{
    close(h->release);
    *output = read_all(h->out);
    close(h->out);
    int status = -1;
    while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

static bool exited_with(int status, int code)
{
    return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

static void test_runs_only_when_released(struct tap *t)
{
    struct held h = start_sh("echo ran");
    CHECK(t, h.pid > 0, "a held child starts");
    struct pollfd p = { .fd = h.out, .events = POLLIN };
    CHECK(t, poll(&p, 1, 300) == 0, "it writes nothing while held");
    char *output;
    int status = finish(&h, &output);
    CHECK_STR(t, output, "ran\n", "released, it runs the program");
    CHECK(t, exited_with(status, 0), "and is the caller's child to reap");
}

static void test_only_its_fds(struct tap *t)
{
    int stray = open("/dev/null", O_RDONLY);   /* not close-on-exec */
    char script[128];
    snprintf(script, sizeof(script), "[ -e /proc/self/fd/%d ] && echo stray; "
             "[ -e /proc/self/fd/3 ] && echo hold; echo done", stray);
    struct held h = start_sh(script);
    char *output;
    int status = finish(&h, &output);
    CHECK_STR(t, output, "done\n", "the child has neither the caller's other fds nor its hold pipe");
    CHECK(t, exited_with(status, 0), "the fds script exits 0");
    close(stray);
}

static void test_same_fd_twice(struct tap *t)
{
    struct held h = start_sh("echo out; echo err >&2");
    char *output;
    (void)finish(&h, &output);
    CHECK_STR(t, output, "out\nerr\n", "one fd given for both stdout and stderr");
}

static void on_usr1(int sig)
{
    (void)sig;
}

static void test_clean_signals(struct tap *t)
{
    struct sigaction handled = { .sa_handler = on_usr1 }, ignored = { .sa_handler = SIG_IGN };
    struct sigaction old_usr1, old_usr2;
    sigaction(SIGUSR1, &handled, &old_usr1);
    sigaction(SIGUSR2, &ignored, &old_usr2);
    sigset_t term, old_mask;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old_mask);
    char *argv[] = { "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL };
    struct held h = start_program("/bin/grep", argv);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    sigaction(SIGUSR1, &old_usr1, NULL);
    sigaction(SIGUSR2, &old_usr2, NULL);
    char *output;
    (void)finish(&h, &output);
    CHECK_STR(t, output, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n",
              "no signal blocked or ignored in the program");
}

static void test_start_time_environment_and_args(struct tap *t)
{
    setenv("HELD_TEST", "at start", 1);
    char arg[] = "first";
    char *argv[] = { "sh", "-c", "echo \"$HELD_TEST, $1\"", "held", arg, NULL };
    struct held h = start_program("/bin/sh", argv);
    setenv("HELD_TEST", "changed", 1);
    strcpy(arg, "later");
    char *output;
    (void)finish(&h, &output);
    CHECK_STR(t, output, "at start, first\n", "the environment and arguments are those of the start");
    unsetenv("HELD_TEST");
}

static void test_exec_failure(struct tap *t)
{
    char *argv[] = { "missing", NULL };
    struct held h = start_program("/nonexistent/missing", argv);
    CHECK(t, h.pid > 0, "a missing program still gets a held child");
    errno = EBADMSG;
    char *output;
    int status = finish(&h, &output);
    int after = errno;
    CHECK_STR(t, output, "E: No such file or directory\n", "the exec failure is told on the error fd");
    CHECK(t, exited_with(status, 127), "and the child exits with 127");
    CHECK(t, after == EBADMSG, "the caller's errno is untouched by the child's failure");
}

static void test_killed_while_held(struct tap *t)
{
    struct held h = start_sh("echo ran");
    kill(h.pid, SIGTERM);
    int status = -1;
    while (waitpid(h.pid, &status, 0) < 0 && errno == EINTR)
        ;
    CHECK(t, WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "a held child dies of SIGTERM");
    close(h.release);
    CHECK_STR(t, read_all(h.out), "", "and never ran the program");
    close(h.out);
}

static void test_error_fd_checked(struct tap *t)
{
    const int fds[] = { 0 };
    char *argv[] = { "true", NULL };
    const struct nook_held_exec req = {
        .path = "/bin/true", .argv = argv, .fds = fds, .n_fds = 1, .error_fd = 1, .error_prefix = "",
    };
    pid_t pid = -1;
    int release = -1;
    struct nook_error err = { 0 };
    CHECK(t, nook_held_exec_start(&req, &pid, &release, &err) == -EINVAL && pid == -1,
          "an error fd outside its fds is refused");
    CHECK_STR(t, err.message, "held exec of /bin/true: error fd 1 is not one of its 1 fds", "with its message");
}

int main(void)
{
    struct tap t = { 0 };
    test_runs_only_when_released(&t);
    test_only_its_fds(&t);
    test_same_fd_twice(&t);
    test_clean_signals(&t);
    test_start_time_environment_and_args(&t);
    test_exec_failure(&t);
    test_killed_while_held(&t);
    test_error_fd_checked(&t);
    return tap_done(&t);
}
