/* nook-slirp-filter.c: the helper's seccomp allow-list, as libseccomp
 * rules (nook-slirp-filter.h). Only the build uses it: the generator
 * (nook-slirp-filter-gen.c) compiles it to BPF once, and the helper loads
 * that program, so that neither libseccomp nor its compilation is part of
 * the helper's start, which create waits on. nook-slirp-confine.c says
 * why the list is what it is. */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "lib/util.h"
#include "nook-slirp-filter.h"

#ifndef NOOK_SLIRP_SANITIZED
#define NOOK_SLIRP_SANITIZED 0
#endif

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
    /* the tap writer thread (nook-slirp-writer.h): glibc blocks every
     * signal in a thread as it ends */
    "rt_sigprocmask",
};

/* A sanitizer build (-Db_sanitize=..., for the suite under ASan and
 * UBSan) runs the sanitizers' runtime inside the helper too: its signal
 * handling and reports need these. Never in a build that is shipped. */
#if NOOK_SLIRP_SANITIZED
static const char *const allowed_for_sanitizers[] = {
    "sigaltstack", "rt_sigaction", "sched_yield", "getppid", "prctl",
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

int nook_slirp_filter_rules(scmp_filter_ctx ctx)
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

