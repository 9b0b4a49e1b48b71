/* held-exec.c: a child that waits on a pipe and then execs a program
 * (held-exec.h). Everything the child reads is copied beforehand into
 * one mapping of its own (its stack, the program's path, argv, the
 * environment, its fds), which the caller never writes again; the child
 * makes raw system calls only, so that it writes nothing of the
 * caller's memory while it shares it. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "held-exec.h"
#include "util.h"

#if (defined(__x86_64__) || defined(__aarch64__)) && !defined(NOOK_HELD_EXEC_FORK)
#define HELD_SHARES_MEMORY 1
#else
#define HELD_SHARES_MEMORY 0
#endif

/* The child's stack: it calls nothing deeper than a few frames. */
#define HELD_STACK_SIZE (64 * 1024)
/* The kernel's signals: 1.._NSIG (64 on both architectures above). */
#define HELD_KERNEL_NSIG 64
/* Where close_range() is missing (before Linux 5.9): close up to here. */
#define HELD_CLOSE_FALLBACK_MAX 1024

/* Code the child runs: no sanitizer calls into its runtime, which keeps
 * state of the caller's thread. */
#define HELD_CHILD_CODE __attribute__((no_sanitize("address", "undefined")))

/* What the child reads, at the start of its data. */
struct held_child {
    int n_fds;
    int error_fd;
    const char *path;
    char **argv;
    char **envp;
    const char *error_prefix;
    size_t error_prefix_len;
    /* strerrordesc_np(), taken as a pointer and called once before the
     * child exists, so that no lazy binding runs in the child. */
    const char *(*describe)(int);
    /* The caller's fds as dup'ed above n_fds: [0..n_fds-1] the program's,
     * [n_fds] the hold pipe's read end. */
    int fds[];
};

#if HELD_SHARES_MEMORY
/* A system call that returns -errno on failure and touches no errno. */
__attribute__((always_inline)) static inline long held_syscall(long nr, long a, long b, long c, long d)
{
#if defined(__x86_64__)
    register long r10 __asm__("r10") = d;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
#else
    register long x8 __asm__("x8") = nr;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory", "cc");
    return x0;
#endif
}
#else
/* In a forked child errno is the child's own. */
HELD_CHILD_CODE static long held_syscall(long nr, long a, long b, long c, long d)
{
    long ret = syscall(nr, a, b, c, d);
    return ret < 0 ? -errno : ret;
}
#endif

/* The kernel's struct sigaction (handler, flags, restorer, mask) on
 * both architectures; all zero is SIG_DFL. */
struct held_kernel_sigaction {
    unsigned long handler;
    unsigned long flags;
    unsigned long restorer;
    unsigned long mask;
};

/* strlen() without a call into libc (volatile: no compiler turns it into one). */
HELD_CHILD_CODE static size_t held_length(const char *s)
{
    const volatile char *p = s;
    size_t n = 0;
    while (p[n])
        n++;
    return n;
}

HELD_CHILD_CODE static void held_write(int fd, const char *s, size_t len)
{
    (void)held_syscall(SYS_write, fd, (long)s, (long)len, 0);
}

HELD_CHILD_CODE __attribute__((noreturn)) static void held_child_run(struct held_child *c)
{
    for (int i = 0; i <= c->n_fds; i++) {
        if (held_syscall(SYS_dup3, c->fds[i], i, 0, 0) < 0)
            held_syscall(SYS_exit_group, 127, 0, 0, 0);
    }
    int hold_fd = c->n_fds;
    if (held_syscall(SYS_close_range, hold_fd + 1, ~0U, 0, 0) < 0) {
        for (int fd = hold_fd + 1; fd < HELD_CLOSE_FALLBACK_MAX; fd++)
            (void)held_syscall(SYS_close, fd, 0, 0, 0);
    }
    /* Every signal came blocked (nook_held_exec_start()): no handler of
     * the caller's can run here. Reset them all, then unblock. */
    static const struct held_kernel_sigaction default_action = { 0 };
    static const unsigned long no_signals = 0;
    for (int sig = 1; sig <= HELD_KERNEL_NSIG; sig++)
        (void)held_syscall(SYS_rt_sigaction, sig, (long)&default_action, 0, sizeof(no_signals));
    (void)held_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&no_signals, 0, sizeof(no_signals));
    for (;;) {
        char byte;
        long n = held_syscall(SYS_read, hold_fd, (long)&byte, 1, 0);
        if (n == 0 || (n < 0 && n != -EINTR))
            break;
    }
    (void)held_syscall(SYS_close, hold_fd, 0, 0, 0);
    long r = held_syscall(SYS_execve, (long)c->path, (long)c->argv, (long)c->envp, 0);
    const char *why = c->describe((int)-r);
    if (!why)
        why = "cannot execute it";
    held_write(c->error_fd, c->error_prefix, c->error_prefix_len);
    held_write(c->error_fd, why, held_length(why));
    held_write(c->error_fd, "\n", 1);
    held_syscall(SYS_exit_group, 127, 0, 0, 0);
    __builtin_unreachable();
}

#if HELD_SHARES_MEMORY
/* clone()'s entry point. */
HELD_CHILD_CODE static int held_child_main(void *arg)
{
    held_child_run(arg);
}
#endif

static size_t strv_length(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

/* The bytes the strings of v take, with their NULs. */
static size_t strv_bytes(char *const *v)
{
    size_t bytes = 0;
    for (size_t i = 0; v && v[i]; i++)
        bytes += strlen(v[i]) + 1;
    return bytes;
}

/* Copies into a mapping laid out once. */
struct held_arena {
    char *next;
};

static char *arena_copy(struct held_arena *a, const char *s)
{
    size_t len = strlen(s) + 1;
    char *copy = memcpy(a->next, s, len);
    a->next += len;
    return copy;
}

static char **arena_copy_strv(struct held_arena *a, char **slots, char *const *v)
{
    size_t n = strv_length(v);
    for (size_t i = 0; i < n; i++)
        slots[i] = arena_copy(a, v[i]);
    slots[n] = NULL;
    return slots;
}

struct held_mapping {
    void *base;
    size_t size;
};

static void held_mapping_unmap(struct held_mapping *m)
{
    if (m->base)
        munmap(m->base, m->size);
}

/* Lay out the child's mapping: a guard page, its stack, then struct
 * held_child with its fds, argv and envp arrays, then their strings.
 * *child is set; *stack_top is the stack's top. */
static int held_mapping_fill(struct held_mapping *m, const struct nook_held_exec *req, char *const *envp,
                             struct held_child **child, char **stack_top, struct nook_error *err)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t n_args = strv_length(req->argv), n_env = strv_length(envp);
    size_t head = sizeof(struct held_child) + (size_t)(req->n_fds + 1) * sizeof(int);
    head = (head + alignof(char *) - 1) & ~(alignof(char *) - 1);
    size_t data = head + (n_args + 1 + n_env + 1) * sizeof(char *) + strlen(req->path) + 1 +
                  strlen(req->error_prefix) + 1 + strv_bytes(req->argv) + strv_bytes(envp);
    m->size = page + HELD_STACK_SIZE + ((data + page - 1) & ~(page - 1));
    void *base = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (base == MAP_FAILED)
        return nook_error_set_errno(err, errno, "map the memory of %s's child", req->path);
    m->base = base;
    if (mprotect(base, page, PROT_NONE) < 0)
        return nook_error_set_errno(err, errno, "guard the stack of %s's child", req->path);
    *stack_top = (char *)base + page + HELD_STACK_SIZE;
    struct held_child *c = (struct held_child *)*stack_top;
    char **slots = (char **)(*stack_top + head);
    struct held_arena arena = { (char *)(slots + n_args + 1 + n_env + 1) };
    c->n_fds = req->n_fds;
    c->error_fd = req->error_fd;
    c->path = arena_copy(&arena, req->path);
    c->error_prefix = arena_copy(&arena, req->error_prefix);
    c->error_prefix_len = strlen(req->error_prefix);
    c->argv = arena_copy_strv(&arena, slots, req->argv);
    c->envp = arena_copy_strv(&arena, slots + n_args + 1, envp);
    c->describe = strerrordesc_np;
    (void)c->describe(ENOENT);
    *child = c;
    return 0;
}

/* Move the caller's fds and the hold pipe's read end above the numbers
 * the child gives them (close-on-exec: the child's dup3() makes the
 * copies the program keeps). */
static int held_fds_fill(struct held_child *c, const struct nook_held_exec *req, int hold_r, struct nook_error *err)
{
    for (int i = 0; i <= req->n_fds; i++)
        c->fds[i] = -1;
    for (int i = 0; i <= req->n_fds; i++) {
        int fd = i < req->n_fds ? req->fds[i] : hold_r;
        c->fds[i] = fcntl(fd, F_DUPFD_CLOEXEC, req->n_fds + 1);
        if (c->fds[i] < 0)
            return nook_error_set_errno(err, errno, "prepare the fds of %s", req->path);
    }
    return 0;
}

static void held_fds_close(struct held_child *c)
{
    for (int i = 0; c && i <= c->n_fds; i++)
        closep(&c->fds[i]);
}

/* The child, every signal blocked around its birth so that it starts
 * with them blocked. */
static pid_t held_spawn(struct held_child *c, char *stack_top)
{
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);
#if HELD_SHARES_MEMORY
    pid_t pid = clone(held_child_main, stack_top, CLONE_VM | SIGCHLD, c);
#else
    (void)stack_top;
    pid_t pid = fork();
    if (pid == 0)
        held_child_run(c);
#endif
    int saved = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return pid;
}

int nook_held_exec_start(const struct nook_held_exec *req, pid_t *pid, int *release, struct nook_error *err)
{
    if (req->n_fds < 1 || req->error_fd < 0 || req->error_fd >= req->n_fds)
        return nook_error_set(err, EINVAL, "held exec of %s: error fd %d is not one of its %d fds", req->path,
                              req->error_fd, req->n_fds);
    int hold[2];
    if (pipe2(hold, O_CLOEXEC) < 0)
        return nook_error_set_errno(err, errno, "make the hold pipe of %s", req->path);
    _cleanup_close_ int hold_r = hold[0];
    _cleanup_close_ int hold_w = hold[1];
    extern char **environ;
    struct held_mapping m = { NULL, 0 };
    struct held_child *c = NULL;
    char *stack_top = NULL;
    int r = held_mapping_fill(&m, req, environ, &c, &stack_top, err);
    if (r == 0)
        r = held_fds_fill(c, req, hold_r, err);
    pid_t child = r == 0 ? held_spawn(c, stack_top) : -1;
    if (r == 0 && child < 0)
        r = nook_error_set_errno(err, errno, "start a child for %s", req->path);
    held_fds_close(c);
    /* A child sharing this memory reads the mapping until it execs, at
     * any later time: it stays mapped for this process's life. */
    if (!HELD_SHARES_MEMORY || child < 0)
        held_mapping_unmap(&m);
    if (r < 0)
        return r;
    *pid = child;
    *release = steal_fd(&hold_w);
    return 0;
}
