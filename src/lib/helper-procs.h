/* helper-procs.h: processes nook starts for a container that live outside
 * it (the network helper nook-slirp, fuse-overlayfs) and must never
 * outlive it. Each is recorded in the container's state directory as
 * "helper.<name>" holding "<pid> <start time>\n", so that any later
 * command can tell whether it still runs (a recycled pid is never taken
 * for it) and `delete` can stop it. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* Record pid (which must be alive) as the helper `name` ([a-z0-9-]+) of
 * the container whose state directory is dir_fd. Written atomically
 * (temporary file + rename); replaces an earlier record of that name. */
int nook_helper_record(int dir_fd, const char *name, pid_t pid, struct nook_error *err);

/* Is the recorded helper still running? 1: yes (*pid set when pid is not
 * NULL), 0: it was recorded but has exited, -ENOENT: no record. */
int nook_helper_running(int dir_fd, const char *name, pid_t *pid);

/* Forget a helper without signalling it (it is known to be gone). */
int nook_helper_forget(int dir_fd, const char *name, struct nook_error *err);

/* Stop every recorded helper: SIGTERM, up to grace_ms for it to exit,
 * then SIGKILL and up to another second; then remove its record. A helper
 * already gone only loses its record. Fails (naming the helper and its
 * pid) only when one survives SIGKILL; the records of the others are
 * gone by then. */
int nook_helpers_stop_all(int dir_fd, int grace_ms, struct nook_error *err);
