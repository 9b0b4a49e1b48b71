/* cgroup-internal.h: what the cgroup rooms share among themselves: the
 * generic cgroup v2 pieces (cgroup-v2.c), the limits (cgroup-resources.c)
 * and the systemd manager (cgroup-systemd.c), which cgroup.c dispatches to.
 * Not for use outside src/lib/cgroup*.c. */
#pragma once

#include "cgroup.h"

/* ---- cgroup-v2.c ---- */

/* Open path (inside the v2 hierarchy, "/a/b") as an O_DIRECTORY fd. */
int nook_cgroup_v2_open_path(const char *path, int *out_fd, struct nook_error *err);

/* The cgroup of pid (0: this process) from /proc/PID/cgroup's "0::" line. */
int nook_cgroup_v2_of_pid(pid_t pid, char **out_path, struct nook_error *err);

/* mkdir every missing component of path; *made_from (may be NULL) gets the
 * topmost directory this call created (NULL when none), so a failure can
 * remove exactly what was made. */
int nook_cgroup_v2_mkdir(const char *path, char **made_from, struct nook_error *err);

/* Remove path and every sub-cgroup below it (deepest first), once they are
 * empty; waits a little for dying processes. 0 when already gone. */
int nook_cgroup_v2_remove_tree(const char *path, struct nook_error *err);

/* Move pid into the cgroup open at dirfd (cgroup.procs). */
int nook_cgroup_v2_move(int dirfd, pid_t pid, struct nook_error *err);

/* ---- cgroup-resources.c ---- */

/* The controllers the resources need ("memory", "pids", "cpu", "cpuset",
 * "io", "hugetlb", "rdma", and those named by unified keys), as a
 * NULL-terminated list of static strings in `out` (size >= 16). */
size_t nook_cgroup_controllers_needed(const struct nook_spec_resources *resources,
                                      const char **out, size_t size);

/* Check every field for what the kernel would refuse, before anything is
 * written (ranges, cpuset syntax, a unified key with a "/" or naming a
 * controller not in the list, ...). The error names the JSON path. */
int nook_cgroup_resources_validate(const struct nook_spec_resources *resources,
                                   struct nook_error *err);

/* Enable the controllers the resources need in the cgroup.subtree_control
 * of the cgroup at parent_dirfd (path parent_path), so that its children
 * get them; and in the parents between the delegation's top and it, where
 * the caller may. A controller that is not available there is an error
 * naming the limit and the controller, and the fix; with optional it is
 * *warning instead (one line) and the limit is skipped. */
int nook_cgroup_enable_controllers(int parent_dirfd, const char *parent_path,
                                   const struct nook_spec_resources *resources, bool optional,
                                   char **warning, struct nook_error *err);

/* Write the resources (only the fields set) into the cgroup at dirfd. */
int nook_cgroup_write_resources(int dirfd, const struct nook_spec_resources *resources,
                                struct nook_error *err);

/* ---- cgroup-systemd.c ---- */

/* Whether the caller's systemd manager can be reached: the user bus socket
 * ($DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus) exists and a bus
 * connection to it opens; the system bus for privileged. Cheap when there
 * is no socket: no library is loaded then. */
bool nook_cgroup_systemd_available(bool privileged);

/* Before the clone: the unit name (from a "slice:prefix:name" cgroupsPath,
 * else nook-<id>.scope), the unit properties (limits translated, plus the
 * org.systemd.property.* annotations), all checked; sets
 * setup->attach_after_clone and setup->cgroup.unit. Makes nothing. */
int nook_cgroup_systemd_prepare(const struct nook_cgroup_request *request,
                                struct nook_cgroup_setup *setup, struct nook_error *err);

/* After the clone: StartTransientUnit with pid, wait for the job, make the
 * "container" sub-cgroup of the scope, move pid there, enable controllers
 * and write the limits; sets setup->cgroup.path. On error the unit is
 * stopped again. */
int nook_cgroup_systemd_attach(struct nook_cgroup_setup *setup,
                               const struct nook_cgroup_request *request, pid_t pid,
                               struct nook_error *err);

/* Stop the unit (0 when it is not loaded). */
int nook_cgroup_systemd_stop(const struct nook_cgroup *cgroup, struct nook_error *err);

/* `update`: set the unit properties matching the resources. */
int nook_cgroup_systemd_set_properties(const struct nook_cgroup *cgroup,
                                       const struct nook_spec_resources *resources,
                                       struct nook_error *err);
