/* cgroup-internal.h: what the cgroup rooms share among themselves: the
 * generic cgroup v2 pieces (cgroup-v2.c), the limits (cgroup-resources.c)
 * and the systemd manager (cgroup-systemd.c), which cgroup.c dispatches to.
 * Not for use outside src/lib/cgroup*.c (and their unit tests), but for
 * `nook check`, which finds the delegation as the cgroupfs manager does
 * (hostcheck-cgroup.c). */
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

/* Read a whole interface file of the cgroup at dirfd into *out (malloc'd). */
int nook_cgroup_v2_read(int dirfd, const char *file, char **out, struct nook_error *err);

/* Write value to an interface file in one write(2), as the kernel wants;
 * the error names the file and the value (callers add the cgroup). */
int nook_cgroup_v2_write(int dirfd, const char *file, const char *value, struct nook_error *err);

/* End err's message with " (see: nook check <check_id>)": the check of
 * `nook check` that explains what went wrong (once; no-op without err). */
void nook_cgroup_error_see(struct nook_error *err, const char *check_id);

/* Whether a space-separated list (cgroup.controllers,
 * cgroup.subtree_control) holds word. */
bool nook_cgroup_v2_list_has(const char *list, const char *word);

/* Wait up to timeout_ms until cgroup.events of the cgroup at dirfd says
 * `key` ("populated", "frozen") is want ('0' or '1'), by poll(2) on the
 * file (POLLPRI), not by busy polling. 0, -ETIMEDOUT, -ENOENT when the
 * file has no such key, or another negative errno. */
int nook_cgroup_v2_wait_events(int dirfd, const char *key, char want, int timeout_ms);

/* Whether a process is in the cgroup at dirfd or below it ("populated 1");
 * false when that cannot be read. */
bool nook_cgroup_v2_populated(int dirfd);

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

/* Every setting of .linux.resources that is set, in the order of the
 * runtime-spec, with the controller it needs. The device allow-list is not
 * among them: a rootless runtime cannot apply it (runc ignores it there
 * too), so it is never an error. */
enum nook_cgroup_setting_kind {
    NOOK_CGROUP_LIMIT,         /* a limit: needs its controller */
    NOOK_CGROUP_UNLIMITED,     /* lifts a limit (-1: "max"): written where the controller is */
    NOOK_CGROUP_NOT_V2,        /* cgroup v1's: cgroup v2 has no file for it */
    NOOK_CGROUP_CORE,          /* a unified "cgroup.*" key: needs a cgroup, no controller */
};
#define NOOK_CGROUP_KIND(kind) (1u << (kind))

struct nook_cgroup_setting {
    const char *path;          /* JSON path below .linux.resources: ".memory.limit" */
    const char *controller;    /* static; NULL for NOT_V2 and CORE */
    enum nook_cgroup_setting_kind kind;
};

/* fn returns false to stop the walk. */
typedef bool (*nook_cgroup_setting_fn)(void *data, const struct nook_cgroup_setting *setting);
void nook_cgroup_each_setting(const struct nook_spec_resources *resources,
                              nook_cgroup_setting_fn fn, void *data);

/* The JSON paths of the settings of the given kinds (NOOK_CGROUP_KIND()
 * bits), of one controller or of any (NULL), joined by ", ", the first
 * prefixed by where ("config.json: .linux.resources"). *out is NULL and 0
 * is returned when there are none; else the count. */
int nook_cgroup_resources_paths(const struct nook_spec_resources *resources, const char *where,
                                unsigned kinds, const char *controller, char **out);

/* The settings cgroup v2 has no file for (swappiness, kernel memory,
 * disableOOMKiller, realtime cpu, blockIO leaf weights, network classes):
 * an error naming the first, or with optional one warning line naming
 * them all (*warning, malloc'd; without the "(nook.cgroup.optional is
 * true)" the caller ends its one line with). 0 and no warning when there
 * are none. */
int nook_cgroup_resources_not_v2(const struct nook_spec_resources *resources, const char *where,
                                 bool optional, char **warning, struct nook_error *err);

/* nook_cgroup_resources_validate() with errors under where instead of
 * "config.json: .linux.resources" (`update` names its own input). */
int nook_cgroup_resources_validate_at(const struct nook_spec_resources *resources,
                                      const char *where, struct nook_error *err);

/* The conversions from the runtime-spec's cgroup v1 numbers (the formulas
 * are documented where they are defined). */
uint64_t nook_cgroup_cpu_weight(uint64_t shares);            /* cpu.shares -> cpu.weight */
uint64_t nook_cgroup_io_weight(uint16_t weight);             /* blkio weight -> io.weight */
/* memory.swap (memory+swap) -> memory.swap.max (swap alone); -1 is "max".
 * -EDESTADDRREQ: a swap limit without a memory limit; -ERANGE: below it. */
int nook_cgroup_swap_max(int64_t swap, int64_t limit, int64_t *out);
/* "0-3,7": a cpuset list. */
bool nook_cgroup_is_cpu_list(const char *text);
/* One io.max line: "8:0 rbps=1048576" (a rate of 0, no limit in cgroup
 * v1, is "max"). -ENOBUFS when buf is too small. */
int nook_cgroup_io_max_line(int64_t major, int64_t minor, const char *key, uint64_t rate,
                            char *buf, size_t size);

/* Enable the controllers the resources need in the cgroup.subtree_control
 * of the cgroup at parent_dirfd (path parent_path), so that its children
 * get them; and in the parents between the delegation's top and it, where
 * the caller may. A controller that is not available there is an error
 * naming the limit and the controller, and the fix; with optional it is
 * *warning instead (one line) and the limit is skipped. */
int nook_cgroup_enable_controllers(int parent_dirfd, const char *parent_path,
                                   const struct nook_spec_resources *resources, bool optional,
                                   char **warning, struct nook_error *err);

/* Write the resources (only the fields set) into the cgroup at dirfd.
 * A limit whose controller the cgroup does not have (not in its
 * cgroup.controllers) is skipped: nook_cgroup_enable_controllers(), called
 * first, has already refused it or, optional, warned about it. Settings
 * cgroup v2 has no file for are skipped likewise
 * (nook_cgroup_resources_not_v2() decides about them). */
int nook_cgroup_write_resources(int dirfd, const struct nook_spec_resources *resources,
                                struct nook_error *err);

/* The same two with errors under where (see validate_at). */
int nook_cgroup_enable_controllers_at(int parent_dirfd, const char *parent_path,
                                      const struct nook_spec_resources *resources, bool optional,
                                      const char *where, char **warning, struct nook_error *err);
int nook_cgroup_write_resources_at(int dirfd, const struct nook_spec_resources *resources,
                                   const char *where, struct nook_error *err);

/* ---- cgroup-devices.c: the device allow-list ---- */

struct bpf_insn;
struct nook_spec_device_rule;

/* The device cgroup program (BPF_PROG_TYPE_CGROUP_DEVICE) for rules, in
 * config.json order: the last rule naming an access to a device decides
 * it, nothing is allowed that no rule allows, and the devices every
 * container needs stay allowed after them (see cgroup-devices.c).
 * *out is malloc'd, *count instructions long. -ERANGE names a rule whose
 * major or minor no device can have. */
int nook_cgroup_device_program(const struct nook_spec_device_rule *rules, size_t n_rules,
                               struct bpf_insn **out, size_t *count, struct nook_error *err);

/* ---- cgroup-fs.c: the cgroupfs manager ---- */

/* The cgroup v2 subtree this caller may make cgroups in: "/" when
 * privileged; rootless, the topmost ancestor-or-self of its own cgroup
 * (/proc/self/cgroup) whose directory and cgroup.procs it owns. -ENOENT
 * without a cgroup v2 hierarchy, -EACCES when nothing is delegated; err
 * says which. */
int nook_cgroup_fs_top(bool privileged, char **out_top, struct nook_error *err);

/* Before the clone: the container's cgroup below top (.linux.cgroupsPath,
 * absolute inside top or relative to it; by default <top>/nook-<id>, and
 * /nook/<id> for root), refused when processes are in it already; made,
 * its controllers enabled and its limits written (with optional, a
 * controller that is missing is *warning instead of an error). Fills
 * setup->cgroup, clone_into_fd and made. On error nothing is left. */
int nook_cgroup_fs_prepare(const struct nook_cgroup_request *request, const char *top,
                           bool optional, struct nook_cgroup_setup *setup, char **warning,
                           struct nook_error *err);

/* After path is removed: remove root's shared parent /nook when path was
 * /nook/<id> and nothing else is left in it. */
void nook_cgroup_fs_remove_parent(const char *path);

/* ---- cgroup-systemd.c ---- */

/* Whether the caller's systemd manager can be reached: the user bus socket
 * ($DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus) exists and a bus
 * connection to it opens; the system bus for privileged. Cheap when there
 * is no socket: no library is loaded then. */
bool nook_cgroup_systemd_available(bool privileged);

/* Before the clone: the unit name (from a "slice:prefix:name" cgroupsPath,
 * else nook-<id>.scope), the unit properties (limits translated, plus the
 * org.systemd.property.* annotations), all checked, and the manager must
 * answer; sets setup->attach_after_clone. Makes nothing. */
int nook_cgroup_systemd_prepare(const struct nook_cgroup_request *request,
                                struct nook_cgroup_setup *setup, struct nook_error *err);

/* After the clone: StartTransientUnit with pid, wait for the job, make the
 * "container" sub-cgroup of the scope, move pid there, enable controllers
 * and write the limits; sets setup->cgroup.path and setup->cgroup.unit
 * (only now: a unit the manager refused, say because its name is taken,
 * is not this container's to stop). On error the unit is stopped again. */
int nook_cgroup_systemd_attach(struct nook_cgroup_setup *setup,
                               const struct nook_cgroup_request *request, pid_t pid,
                               struct nook_error *err);

/* Stop the unit (0 when it is not loaded). */
int nook_cgroup_systemd_stop(const struct nook_cgroup *cgroup, struct nook_error *err);

/* `update`: set the unit properties matching the resources. */
int nook_cgroup_systemd_set_properties(const struct nook_cgroup *cgroup,
                                       const struct nook_spec_resources *resources,
                                       struct nook_error *err);
