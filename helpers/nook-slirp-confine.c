/* nook-slirp-confine.c: drop root, set no_new_privs and load the helper's
 * seccomp allow-list (nook-slirp-confine.h).
 *
 * The default action is SCMP_ACT_TRAP, and the SIGSYS handler ends the
 * process after a log line: a call outside the list means either a path
 * of libslirp the list forgot, which the tests should see loudly rather
 * than as a network that half works (EPERM would be swallowed by
 * libslirp's error paths), or a compromised helper, which must not be
 * left running to probe what else it can do. Ending is safe: the
 * container only loses its network, and nook reports the helper gone.
 * The trap instead of SCMP_ACT_KILL_PROCESS only buys the log line that
 * names the call.
 *
 * Two groups are refused with an error instead: opening and stat'ing
 * files (libslirp reads /etc/resolv.conf for TCP queries to 10.0.2.3 and
 * for IPv6 DNS it handles itself, glibc its time zone once): they fail
 * cleanly and must not end the network. */
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "nook-slirp-confine.h"
#include "nook-slirp-log.h"

#ifndef NOOK_SLIRP_SANITIZED
#define NOOK_SLIRP_SANITIZED 0
#endif

#define NOBODY 65534

int nook_slirp_drop_root(bool *dropped, struct nook_error *err)
{
    *dropped = false;
    if (geteuid() != 0)
        return 0;
    if (setgroups(0, NULL) < 0)
        return nook_error_set_errno(err, errno, "drop the supplementary groups");
    if (setresgid(NOBODY, NOBODY, NOBODY) < 0)
        return nook_error_set_errno(err, errno, "change to gid %d", NOBODY);
    if (setresuid(NOBODY, NOBODY, NOBODY) < 0)
        return nook_error_set_errno(err, errno, "change to uid %d", NOBODY);
    uid_t r, e, s;
    if (getresuid(&r, &e, &s) < 0 || r != NOBODY || e != NOBODY || s != NOBODY)
        return nook_error_set(err, EPERM, "uid %d did not stick", NOBODY);
    *dropped = true;
    return 0;
}

/* The one piece of global state: a signal handler takes no argument, and
 * it must know where the log goes. Set once, before the filter. */
static int sigsys_log_fd = -1;

static size_t append(char *buf, size_t at, size_t size, const char *s)
{
    while (*s && at + 1 < size)
        buf[at++] = *s++;
    return at;
}

static void on_sigsys(int sig, siginfo_t *info, void *context)
{
    char line[160], number[16], stamp[40];
    struct timespec now = { 0 };
    clock_gettime(CLOCK_REALTIME, &now);
    nook_slirp_format_time((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, stamp, sizeof(stamp));
    int nr = info->si_syscall;
    size_t k = sizeof(number) - 1;
    number[k] = '\0';
    do {
        number[--k] = (char)('0' + nr % 10);
        nr /= 10;
    } while (nr > 0 && k > 0);
    size_t at = append(line, 0, sizeof(line), stamp);
    at = append(line, at, sizeof(line), " nook-slirp: system call ");
    at = append(line, at, sizeof(line), number + k);
    at = append(line, at, sizeof(line), " is outside the helper's seccomp allow-list; exiting\n");
    if (sigsys_log_fd >= 0)
        (void)!write(sigsys_log_fd, line, at);
    _exit(128 + SIGSYS);
}

/* The calls the loop makes with any arguments. */
static const char *const allowed[] = {
    /* the event loop, the tap, the DNS forwarder, the log */
    "poll", "ppoll", "read", "write", "readv", "writev",
    "recvfrom", "sendto", "recvmsg", "sendmsg", "recvmmsg", "sendmmsg",
    /* libslirp's sockets: outbound connections and accepted forwards */
    "connect", "bind", "listen", "accept", "accept4", "getsockopt", "setsockopt",
    "getsockname", "getpeername", "shutdown", "close", "fcntl",
    /* glib's allocations (mmap and mprotect below, never executable) */
    "brk", "munmap", "mremap", "madvise",
    "clock_gettime", "clock_getres", "gettimeofday", "time",
    "exit", "exit_group", "rt_sigreturn", "restart_syscall",
    "futex", "getrandom", "getpid", "gettid",
};

/* A sanitizer build (-Db_sanitize=..., for the suite under ASan and
 * UBSan) runs the sanitizers' runtime inside the helper too: its signal
 * handling and reports need these. Never in a build that is shipped. */
#if NOOK_SLIRP_SANITIZED
static const char *const allowed_for_sanitizers[] = {
    "sigaltstack", "rt_sigaction", "rt_sigprocmask", "sched_yield", "getppid", "prctl",
    "readlink", "readlinkat", "uname", "tgkill", "nanosleep", "clock_nanosleep", "pipe2",
    "dup", "dup2", "dup3", "getuid", "geteuid", "lseek", "fstat",
};
#endif

/* Refused with EACCES: see the top of this file. */
static const char *const refused[] = {
    "open", "openat", "openat2", "stat", "lstat", "newfstatat", "statx", "access", "faccessat", "faccessat2",
};

static int rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned count, const struct scmp_arg_cmp *args)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        return 0; /* not a call of this architecture */
    return seccomp_rule_add_array(ctx, action, nr, count, args);
}

static int build(scmp_filter_ctx ctx)
{
    int r;
    for (size_t i = 0; i < N_ELEMENTS(allowed); i++) {
        if ((r = rule(ctx, SCMP_ACT_ALLOW, allowed[i], 0, NULL)) < 0)
            return r;
    }
#if NOOK_SLIRP_SANITIZED
    for (size_t i = 0; i < N_ELEMENTS(allowed_for_sanitizers); i++) {
        if ((r = rule(ctx, SCMP_ACT_ALLOW, allowed_for_sanitizers[i], 0, NULL)) < 0)
            return r;
    }
#endif
    for (size_t i = 0; i < N_ELEMENTS(refused); i++) {
        if ((r = rule(ctx, SCMP_ACT_ERRNO(EACCES), refused[i], 0, NULL)) < 0)
            return r;
    }
    /* Internet sockets only: no netlink, no unix sockets, no raw frames. */
    const int families[] = { AF_INET, AF_INET6 };
    for (size_t i = 0; i < N_ELEMENTS(families); i++) {
        struct scmp_arg_cmp family = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i]);
        if ((r = rule(ctx, SCMP_ACT_ALLOW, "socket", 1, &family)) < 0)
            return r;
    }
    /* libslirp asks a UDP socket how much is queued. */
    struct scmp_arg_cmp fionread = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, FIONREAD);
    if ((r = rule(ctx, SCMP_ACT_ALLOW, "ioctl", 1, &fionread)) < 0)
        return r;
    /* Memory, but never executable memory. */
    struct scmp_arg_cmp no_exec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
    if ((r = rule(ctx, SCMP_ACT_ALLOW, "mmap", 1, &no_exec)) < 0 ||
        (r = rule(ctx, SCMP_ACT_ALLOW, "mprotect", 1, &no_exec)) < 0)
        return r;
    return 0;
}

/* The filter, compiled to BPF ahead of time: loading it is then one
 * system call on the path that create waits on. */
struct compiled_filter {
    struct sock_fprog prog;
    struct sock_filter insns[];
};

/* libseccomp's compilation of ctx, read back through a pipe (libseccomp
 * 2.5 exports to an fd only). */
static int compile(scmp_filter_ctx ctx, struct compiled_filter **out)
{
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0)
        return -errno;
    _cleanup_close_ int rd = pipe_fds[0];
    _cleanup_close_ int wr = pipe_fds[1];
    /* A pipe holds 64 KiB: far more than the few hundred instructions. */
    int r = seccomp_export_bpf(ctx, wr);
    if (r < 0)
        return r;
    closep(&wr);
    wr = -1;
    uint8_t buf[65536];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(rd, buf + len, sizeof(buf) - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0 || (len += (size_t)n) == sizeof(buf))
            break;
    }
    size_t count = len / sizeof(struct sock_filter);
    if (count == 0 || count > BPF_MAXINSNS || len % sizeof(struct sock_filter) != 0)
        return -EPROTO;
    struct compiled_filter *f = malloc(sizeof(*f) + len);
    if (!f)
        return -ENOMEM;
    memcpy(f->insns, buf, len);
    f->prog = (struct sock_fprog){ .len = (unsigned short)count, .filter = f->insns };
    *out = f;
    return 0;
}

int nook_slirp_filter_build(nook_slirp_filter *filter, struct nook_error *err)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
    if (!ctx)
        return nook_error_set(err, ENOMEM, "seccomp_init");
    struct compiled_filter *compiled = NULL;
    int r = build(ctx);
    if (r == 0)
        r = compile(ctx, &compiled);
    seccomp_release(ctx);
    if (r < 0)
        return nook_error_set_errno(err, -r, "build the helper's seccomp filter");
    *filter = compiled;
    return 0;
}

void nook_slirp_filter_free(nook_slirp_filter *filter)
{
    free(*filter);
    *filter = NULL;
}

int nook_slirp_confine(nook_slirp_filter filter, int log_fd, struct nook_error *err)
{
    const struct compiled_filter *compiled = filter;
    if (!compiled)
        return nook_error_set(err, EINVAL, "internal error: no seccomp filter to load");
    sigsys_log_fd = log_fd;
    struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, NULL) < 0)
        return nook_error_set_errno(err, errno, "install the SIGSYS handler");
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return nook_error_set_errno(err, errno, "set no_new_privs");
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &compiled->prog) < 0)
        return nook_error_set_errno(err, errno, "load the helper's seccomp filter");
    return 0;
}
