/* cgroup.h: the container's cgroup. One interface, three managers:
 *
 *   systemd   a transient `nook-<id>.scope` (or the unit a "slice:prefix:name"
 *             cgroupsPath names) started by the caller's systemd manager
 *             (the user bus; the system bus for root) with Delegate=yes and
 *             the limits as unit properties; the container's processes run
 *             in its "container" sub-cgroup, where nook writes the limits
 *             too. delete stops the unit.
 *   cgroupfs  a directory nook makes itself in a cgroup v2 subtree the
 *             caller may write (rootless: a subtree delegated to the caller;
 *             root: anywhere), entered by the init at clone time
 *             (clone3 CLONE_INTO_CGROUP). delete removes it.
 *   none      no cgroup. A limit config.json asks for is then an error that
 *             names it and says how to get a cgroup, unless the annotation
 *             nook.cgroup.optional is "true" (then one warning).
 *
 * Only cgroup v2 is used: /sys/fs/cgroup when it is cgroup2, else
 * /sys/fs/cgroup/unified (a hybrid host). v1 hierarchies are never used.
 *
 * A cgroup path is always the path inside the v2 hierarchy, "/a/b", as
 * /proc/PID/cgroup shows it ("0::/a/b"), never a filesystem path: the
 * hierarchy's mount point is looked up each time (nook_cgroup_v2_root).
 *
 * create uses it in this order:
 *   nook_cgroup_prepare()    before the clone: choose, check, make, limit
 *   clone3 with CLONE_INTO_CGROUP into setup.clone_into_fd when >= 0
 *   nook_cgroup_attach()     after the clone, before the init goes on
 *   nook_cgroup_destroy()    when create fails after prepare
 * and every later command works from the struct nook_cgroup kept in
 * state.json (nook_cgroup_from_state). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct nook_spec_resources;
struct nook_spec_map;
struct nook_state;

enum nook_cgroup_manager {
    NOOK_CGROUP_MANAGER_AUTO,      /* only in a request: choose */
    NOOK_CGROUP_MANAGER_SYSTEMD,
    NOOK_CGROUP_MANAGER_CGROUPFS,
    NOOK_CGROUP_MANAGER_NONE,
};

/* "auto", "systemd", "cgroupfs", "none". */
const char *nook_cgroup_manager_name(enum nook_cgroup_manager manager);
/* The reverse; "disabled" is accepted for "none" (crun's word). -EINVAL. */
int nook_cgroup_manager_parse(const char *name, enum nook_cgroup_manager *out);

/* A container's cgroup once set up: what state.json keeps. */
struct nook_cgroup {
    enum nook_cgroup_manager manager;   /* SYSTEMD, CGROUPFS or NONE */
    char *path;                         /* the cgroup the init runs in; NULL for NONE */
    char *unit;                         /* systemd only: the scope */
    /* The cgroup was there before create (a cgroupsPath naming an
     * existing, empty cgroup): destroy kills what is in it and leaves it. */
    bool existed;
};

void nook_cgroup_clear(struct nook_cgroup *cgroup);
/* From / into state.cgroup_manager, cgroup_path, cgroup_unit and
 * cgroup_origin. A state without them is manager NONE; one without
 * cgroup_origin (an older nook's) is a cgroup create made. */
int nook_cgroup_from_state(const struct nook_state *state, struct nook_cgroup *out,
                           struct nook_error *err);
int nook_cgroup_to_state(const struct nook_cgroup *cgroup, struct nook_state *state,
                         struct nook_error *err);

/* What create asks for. */
struct nook_cgroup_request {
    enum nook_cgroup_manager manager;   /* --cgroup-manager / --systemd-cgroup; AUTO: choose */
    const char *id;
    const char *cgroups_path;           /* .linux.cgroupsPath; NULL when absent */
    const struct nook_spec_resources *resources;  /* .linux.resources; may be NULL */
    const struct nook_spec_map *annotations;      /* org.systemd.property.*, nook.cgroup.optional */
    bool privileged;                    /* root mode: the system bus, any cgroup */
};

/* create's handle from prepare to the end of create. */
struct nook_cgroup_setup {
    struct nook_cgroup cgroup;          /* the result, for state.json */
    /* >= 0: clone3 the init with CLONE_INTO_CGROUP and this fd (an
     * O_DIRECTORY fd of the cgroup). When the kernel refuses that, clone
     * without it and set attach_after_clone. */
    int clone_into_fd;
    /* The init is not in its cgroup when it is cloned (systemd, or the
     * clone could not place it): nook_cgroup_attach() moves it, and a new
     * cgroup namespace must be made only after that. */
    bool attach_after_clone;
    /* Set when a limit is not applied because nook.cgroup.optional is
     * "true": the one warning create prints. NULL otherwise. */
    char *warning;
    /* Whether prepare made something that destroy must undo. */
    bool made;
};

/* Before the clone: choose the manager (AUTO: systemd when the caller's bus
 * answers, else cgroupfs when the caller may write a cgroup v2 subtree,
 * else none), check that every requested limit can be applied there (an
 * error names the limit, what is missing and the fix), and for cgroupfs
 * make the directory, enable the controllers and write the limits. On
 * error nothing is left. */
int nook_cgroup_prepare(const struct nook_cgroup_request *request,
                        struct nook_cgroup_setup *setup, struct nook_error *err);

/* After the clone, with the init waiting: systemd starts the unit for pid
 * and waits for its job, then moves pid into the sub-cgroup and writes the
 * limits there; cgroupfs moves pid when attach_after_clone. Otherwise a
 * no-op. */
int nook_cgroup_attach(struct nook_cgroup_setup *setup, const struct nook_cgroup_request *request,
                       pid_t pid, struct nook_error *err);

/* Close the setup's fds and free its warning; setup.cgroup is cleared too
 * unless it was taken (steal its members first). Removes nothing. */
void nook_cgroup_setup_clear(struct nook_cgroup_setup *setup);

/* Kill whatever is left in the cgroup, remove the directories nook made
 * (a cgroup that existed before create stays, emptied) and stop the
 * systemd unit. 0 when it is already gone; NONE is a no-op. */
int nook_cgroup_destroy(const struct nook_cgroup *cgroup, struct nook_error *err);

/* ---- the device allow-list (cgroup-devices.c) ---- */

/* Load the device cgroup program for resources->devices and attach it to
 * the container's cgroup (beside any others, BPF_F_ALLOW_MULTI): from then
 * on every open and mknod of a device node in the cgroup obeys the list.
 * Only when privileged (loading one needs CAP_SYS_ADMIN over the host);
 * rootless, and without any rule, nothing is done. */
int nook_cgroup_apply_devices(const struct nook_cgroup *cgroup,
                              const struct nook_spec_resources *resources, bool privileged,
                              struct nook_error *err);

/* ---- cgroup ownership (config-linux.md) ---- */

struct nook_spec;

/* Whether config.json asks for the container's cgroup to be handed to its
 * user: a new cgroup namespace, and /sys/fs/cgroup mounted from "cgroup"
 * without "ro". */
bool nook_cgroup_ownership_wanted(const struct nook_spec *spec);

/* Give the cgroup directory, and the files of it that
 * /sys/kernel/cgroup/delegate lists (cgroup.procs, cgroup.subtree_control
 * and cgroup.threads without that file), to uid:gid; listed files the
 * cgroup lacks are skipped. */
int nook_cgroup_give_to(const struct nook_cgroup *cgroup, uid_t uid, gid_t gid,
                        struct nook_error *err);

/* ---- the cgroup v2 hierarchy ---- */

/* The mount point of the cgroup v2 hierarchy in this mount namespace:
 * "/sys/fs/cgroup" or "/sys/fs/cgroup/unified". -ENOENT when there is none. */
int nook_cgroup_v2_root(const char **out);

/* Open the container's cgroup directory (O_DIRECTORY | O_CLOEXEC), or the
 * sub-cgroup `sub` of it (exec --cgroup; NULL: the cgroup itself). An error
 * for NONE says the container has no cgroup and why that matters. */
int nook_cgroup_open(const struct nook_cgroup *cgroup, const char *sub, int *out_fd,
                     struct nook_error *err);

/* ---- operations on a live container's cgroup ---- */

/* Freeze or thaw through cgroup.freeze and wait until cgroup.events says
 * "frozen" is 1 (or 0). */
int nook_cgroup_freeze(const struct nook_cgroup *cgroup, bool freeze, struct nook_error *err);

/* Whether the cgroup is frozen now (cgroup.events "frozen 1"); false for
 * NONE and when the cgroup is gone. Never fails: status reads it. */
bool nook_cgroup_is_frozen(const struct nook_cgroup *cgroup);

/* Signal every process in the cgroup and its sub-cgroups: SIGKILL through
 * cgroup.kill where the kernel has it, otherwise (and for other signals)
 * each pid in cgroup.procs, repeated for SIGKILL until the cgroup is empty.
 * A frozen cgroup is thawed after a SIGKILL so the processes can die. */
int nook_cgroup_signal_all(const struct nook_cgroup *cgroup, int sig, struct nook_error *err);

/* The pids in the cgroup and its sub-cgroups, sorted. */
int nook_cgroup_pids(const struct nook_cgroup *cgroup, pid_t **out, size_t *count,
                     struct nook_error *err);

/* `nook update`: check, then write the given resources (only the fields
 * set) to the cgroup, and for systemd set the matching unit properties. */
int nook_cgroup_update(const struct nook_cgroup *cgroup,
                       const struct nook_spec_resources *resources, struct nook_error *err);
