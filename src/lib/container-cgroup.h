/* container-cgroup.h: the commands that work on a container's cgroup,
 * from the container's id: pause, resume, update and the watch `events`
 * follows. Each opens the container's directory (with the lock when it
 * changes something), loads its state, checks its status as runc does and
 * then calls the cgroup library (cgroup.h) on the cgroup state.json records.
 * kill --all and ps are in container.c and container-ps.c. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cgroup-stats.h"
#include "cgroup.h"
#include "error.h"

struct nook_spec_resources;

/* The one error every command gives for a container created without a
 * cgroup: it names the container and what could not be done (`action`,
 * e.g. "pause it"), says why it has none and how to get one. Returns
 * -ENOTSUP. */
int nook_container_no_cgroup_error(const char *id, const char *action, struct nook_error *err);

/* Freeze a running container (its status becomes "paused"). */
int nook_container_pause(const char *root, const char *id, struct nook_error *err);

/* Thaw a paused container. */
int nook_container_resume(const char *root, const char *id, struct nook_error *err);

/* Change the limits of a container that is not stopped: only the fields
 * set in resources (nook_cgroup_update). */
int nook_container_update(const char *root, const char *id,
                          const struct nook_spec_resources *resources, struct nook_error *err);

/* What `events` follows: the container's cgroup, its init and its OOM
 * counter. */
struct nook_container_watch {
    char *id;
    struct nook_cgroup cgroup;
    int cgroup_fd;             /* the cgroup directory */
    int pidfd;                 /* the init; readable once it has exited */
    /* memory.events, polled for POLLPRI: the kernel signals every change
     * of it. -1 when the memory controller is not enabled there. */
    int memory_events_fd;
    uint64_t oom_kills;        /* "oom_kill" of memory.events, last seen */
};

/* Open the watch on a container that is not stopped and has a cgroup. */
int nook_container_watch_open(const char *root, const char *id, struct nook_container_watch *out,
                              struct nook_error *err);

/* The cgroup's statistics now. */
int nook_container_watch_stats(const struct nook_container_watch *watch,
                               struct nook_cgroup_stats *stats, struct nook_error *err);

/* Read memory.events again: *new_kills gets how many OOM kills happened
 * since the last call (or the open). 0 without a memory controller. */
int nook_container_watch_oom(struct nook_container_watch *watch, uint64_t *new_kills,
                             struct nook_error *err);

void nook_container_watch_clear(struct nook_container_watch *watch);
