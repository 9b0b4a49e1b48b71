/* held-exec.h: start a program in a child process that waits, and execs
 * it only once the caller lets it go, at almost no cost to the caller.
 * nook starts its network helper this way at the end of create
 * (network.c): the helper's exec and start then take no CPU from the
 * create the user waits for.
 *
 * The child shares the caller's memory until it execs (clone(CLONE_VM)
 * on x86_64 and aarch64) instead of copying it (fork()): no page tables
 * to copy, no copy-on-write faults in the caller afterwards. It runs
 * only raw system calls on a stack and data of its own, so it never
 * writes the caller's memory (not even errno); other architectures, or
 * a build with NOOK_HELD_EXEC_FORK defined, fork() instead. */
#pragma once

#include <sys/types.h>

#include "error.h"

struct nook_held_exec {
    const char *path;           /* the program */
    char *const *argv;          /* its arguments, NULL-terminated */
    const int *fds;             /* what the child has open at 0..n_fds-1, in order */
    int n_fds;
    int error_fd;               /* one of 0..n_fds-1: where an exec failure is told */
    const char *error_prefix;   /* that line is "<error_prefix><reason>\n" */
};

/* Start the child: *pid is it (the caller's child, to wait for) and
 * *release the write end of the pipe it holds on. It execs the program
 * once every copy of *release is closed, by the caller or by the
 * caller's exit. Until then it only waits; killing it is fine.
 *
 * The child has only fds[] open (each may appear more than once), every
 * signal at its default action and none blocked, and the caller's
 * environment as it is at this call. If the exec fails it writes the
 * error line to error_fd and exits with status 127. */
int nook_held_exec_start(const struct nook_held_exec *req, pid_t *pid, int *release, struct nook_error *err);
