/* test-slirp-confine.c: nook-slirp's seccomp allow-list, loaded in child
 * processes that then try what the helper's loop does (allowed), what
 * libslirp may try and must fail cleanly (opening files: EACCES), and
 * what a compromised helper would try (ended by SIGSYS's handler with
 * status 159 and one log line naming the call). */
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nook-slirp-confine.h"
#include "tap.h"

enum attempt {
    TRY_ALLOWED,
    TRY_OPEN,
    TRY_UNIX_SOCKET,
    TRY_EXEC_MEMORY,
    TRY_FORK,
    TRY_THREAD_UNIX_SOCKET,
    TRY_THREAD_ENDS,
    TRY_NEW_THREAD,
};

/* A thread started before the filter (and running: a thread's own start
 * makes calls the filter refuses, nook-slirp-writer.c): it waits on the
 * release pipe, then does what unix_socket says and ends. */
struct early_thread {
    int started[2];
    int release[2];
    bool unix_socket;
};

static void *early_thread_main(void *opaque)
{
    struct early_thread *e = opaque;
    char c = 'x';
    if (write(e->started[1], &c, 1) != 1 || read(e->release[0], &c, 1) != 1)
        return NULL;
    if (e->unix_socket)
        (void)socket(AF_UNIX, SOCK_STREAM, 0);
    return NULL;
}

static void *nothing(void *opaque)
{
    return opaque;
}

/* In a child: confine, then the attempt; the exit status tells. */
static void child(int log_fd, enum attempt what)
{
    struct early_thread early = { .unix_socket = what == TRY_THREAD_UNIX_SOCKET };
    pthread_t thread;
    if ((what == TRY_THREAD_UNIX_SOCKET || what == TRY_THREAD_ENDS) &&
        (pipe(early.started) < 0 || pipe(early.release) < 0 ||
         pthread_create(&thread, NULL, early_thread_main, &early) != 0 ||
         read(early.started[0], (char[1]){ 0 }, 1) != 1))
        _exit(9);
    struct nook_error err = { 0 };
    nook_slirp_filter filter = NULL;
    if (nook_slirp_filter_build(&filter, &err) < 0 || nook_slirp_confine(filter, log_fd, &err) < 0) {
        dprintf(log_fd, "confine: %s\n", err.message);
        _exit(2);
    }
    switch (what) {
    case TRY_ALLOWED: {
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        char *big = malloc(1 << 22); /* glib-sized allocations: mmap/brk */
        bool ok = s >= 0 && p != MAP_FAILED && big && write(log_fd, "alive\n", 6) == 6;
        free(big);
        close(s);
        _exit(ok ? 0 : 3);
    }
    case TRY_OPEN: {
        int fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
        _exit(fd < 0 && errno == EACCES ? 0 : 4);
    }
    case TRY_UNIX_SOCKET:
        (void)socket(AF_UNIX, SOCK_STREAM, 0);
        _exit(5);
    case TRY_EXEC_MEMORY:
        (void)mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        _exit(6);
    case TRY_FORK:
        (void)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
        _exit(7);
    case TRY_THREAD_UNIX_SOCKET:
    case TRY_THREAD_ENDS:
        if (write(early.release[1], "x", 1) != 1)
            _exit(10);
        pthread_join(thread, NULL);
        _exit(what == TRY_THREAD_ENDS ? 0 : 11);
    case TRY_NEW_THREAD:
        (void)pthread_create(&thread, NULL, nothing, NULL);
        _exit(12);
    }
    _exit(8);
}

static int run(enum attempt what, char *log, size_t size)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(pipefd[0]);
        child(pipefd[1], what);
    }
    close(pipefd[1]);
    size_t len = 0;
    ssize_t n;
    while (len + 1 < size && (n = read(pipefd[0], log + len, size - 1 - len)) > 0)
        len += (size_t)n;
    log[len] = '\0';
    close(pipefd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

int main(void)
{
    struct tap t = { 0 };
    char log[512];

    int status = run(TRY_ALLOWED, log, sizeof(log));
    if (!CHECK(&t, status == 0 && strcmp(log, "alive\n") == 0, "the loop's calls are allowed: inet sockets, memory, write"))
        printf("#   status %d, log \"%s\"\n", status, log);

    status = run(TRY_OPEN, log, sizeof(log));
    CHECK(&t, status == 0, "opening a file fails with EACCES and does not end the helper");

    status = run(TRY_UNIX_SOCKET, log, sizeof(log));
    if (!CHECK(&t, status == 159, "a unix socket ends the helper with status 159"))
        printf("#   status %d, log \"%s\"\n", status, log);
    char want[64];
    snprintf(want, sizeof(want), "nook-slirp: system call %d is outside", SYS_socket);
    if (!CHECK(&t, strstr(log, want) && strstr(log, "exiting\n") && log[4] == '-' && strchr(log, 'Z'),
               "one timestamped log line names the call"))
        printf("#   log \"%s\"\n", log);

    status = run(TRY_EXEC_MEMORY, log, sizeof(log));
    CHECK(&t, status == 159, "executable memory ends the helper");

    status = run(TRY_FORK, log, sizeof(log));
    CHECK(&t, status == 159, "a new process ends the helper");

    /* The tap writer thread is started before the filter. */
    status = run(TRY_THREAD_UNIX_SOCKET, log, sizeof(log));
    if (!CHECK(&t, status == 159, "the filter is on a thread started before it too"))
        printf("#   status %d, log \"%s\"\n", status, log);
    status = run(TRY_THREAD_ENDS, log, sizeof(log));
    if (!CHECK(&t, status == 0, "such a thread can end"))
        printf("#   status %d, log \"%s\"\n", status, log);
    /* glibc blocks every signal around clone3(): reached with them
     * blocked (as under the sanitizers, which set up the rest earlier),
     * the trap kills at once, without the handler's line. */
    status = run(TRY_NEW_THREAD, log, sizeof(log));
    if (!CHECK(&t, status == 159 || status == 1000 + SIGSYS, "a new thread ends the helper"))
        printf("#   status %d, log \"%s\"\n", status, log);
    return tap_done(&t);
}
