/* state.h: the state store. Every container has a directory <root>/<id>/
 * holding state.json (what nook recorded about it) and, while it waits for
 * `nook start`, the exec barrier exec.fifo. This header declares the stored
 * state, the root directory, opening, locking, saving and removing a
 * container directory, and the OCI status derived from all of that.
 *
 * Locking: every command that changes a container takes an exclusive flock
 * on its directory (NOOK_LOCK_EXCLUSIVE). `state` and `list` read without a
 * lock: state.json is only ever replaced by rename(), so a reader sees either
 * the old or the new file, and a reader never blocks behind a slow create. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"

/* The format of state.json; bump it when a field changes meaning. */
#define NOOK_STATE_VERSION 1

#define NOOK_STATE_FILE "state.json"
/* The exec barrier: present from create until start. */
#define NOOK_STATE_EXEC_FIFO "exec.fifo"

/* The default root for root, and the directory under $XDG_RUNTIME_DIR for
 * everyone else. */
#define NOOK_STATE_ROOT_PRIVILEGED "/run/nook"
#define NOOK_STATE_ROOT_SUBDIR "nook"

/* How long commands wait for another nook that holds a container's lock. */
#define NOOK_STATE_LOCK_TIMEOUT_MS 30000

struct nook_annotation {
    char *key;
    char *value;
};

struct nook_state {
    int version;                         /* format of the file it came from */
    char *id;
    char *oci_version;                   /* ociVersion of the bundle's config.json */
    /* Set while `create` is still building the container, before the init
     * pid is known; the creator is recorded so that a create that died half
     * way shows as stopped rather than creating for ever. */
    bool creating;
    pid_t creator_pid;
    unsigned long long creator_start_time;
    pid_t init_pid;                      /* 0 until the init process exists */
    unsigned long long init_start_time;  /* field 22 of /proc/PID/stat */
    char *bundle;                        /* absolute */
    char *rootfs;                        /* absolute */
    char *created;                       /* RFC 3339, nanoseconds, UTC */
    char *owner;                         /* user name of the creator */
    /* The container's cgroup, as create set it up (see cgroup.h): the
     * manager's name ("systemd", "cgroupfs"; NULL: none), the cgroup's path
     * inside the cgroup v2 hierarchy ("/a/b", as /proc/PID/cgroup shows it)
     * and the systemd unit holding it (NULL unless systemd). Absent from
     * state.json when NULL. */
    char *cgroup_manager;
    char *cgroup_path;
    char *cgroup_unit;
    /* Whether create made that cgroup (delete removes it) or found it
     * there already (a cgroupsPath naming an existing, empty cgroup:
     * delete leaves it); "cgroup_made" in state.json, next to
     * cgroup_manager. UNRECORDED: a state.json from before the field, whose
     * cgroup delete removes, as the nook that wrote it would have. */
    enum nook_state_cgroup_origin {
        NOOK_STATE_CGROUP_UNRECORDED,
        NOOK_STATE_CGROUP_MADE,
        NOOK_STATE_CGROUP_FOUND,
    } cgroup_origin;
    struct nook_annotation *annotations; /* sorted by key, keys unique */
    size_t n_annotations;
};

enum nook_status {
    NOOK_STATUS_CREATING,
    NOOK_STATUS_CREATED,
    NOOK_STATUS_RUNNING,
    NOOK_STATUS_PAUSED,
    NOOK_STATUS_STOPPED,
};

enum nook_lock {
    NOOK_LOCK_NONE,       /* read only: state, list */
    NOOK_LOCK_EXCLUSIVE,  /* everything that changes the container */
};

/* An open container directory. `fd` holds the lock, when one was taken,
 * until nook_container_dir_free(). */
struct nook_container_dir {
    char *id;
    char *path;  /* <root>/<id> */
    int fd;      /* O_DIRECTORY | O_CLOEXEC */
    bool locked;
};

/* ---- the stored state ---- */

/* Fill a fresh state for a container being created by this process: the
 * version, id, ociVersion, bundle and rootfs made absolute (a relative rootfs
 * is relative to the bundle, as in config.json), created = now, owner = the
 * caller's user name, creating = true with the caller as creator. */
int nook_state_init(struct nook_state *state, const char *id, const char *oci_version,
                    const char *bundle, const char *rootfs, struct nook_error *err);

/* Record the init process: its pid and start time; the container is no
 * longer creating. -ESRCH when pid is not a live process. */
int nook_state_set_init(struct nook_state *state, pid_t pid, struct nook_error *err);

/* Add or replace an annotation, keeping them sorted by key. */
int nook_state_set_annotation(struct nook_state *state, const char *key, const char *value,
                              struct nook_error *err);

/* Free the members and zero the struct; safe on a zeroed struct. */
void nook_state_clear(struct nook_state *state);

/* Serialise to / parse from the text of state.json. Parsing rejects a file
 * from a newer format and names the missing or mistyped field. */
int nook_state_to_json(const struct nook_state *state, char **out, struct nook_error *err);
int nook_state_from_json(const char *text, size_t length, struct nook_state *out,
                         struct nook_error *err);

/* Format a time as Go's RFC3339Nano in UTC ("2006-01-02T15:04:05.999999999Z",
 * trailing zeros of the fraction dropped), which is how runc prints
 * `created`. size must be at least 40. */
void nook_format_rfc3339nano(const struct timespec *when, char *buf, size_t size);

/* ---- the root directory ---- */

/* path when absolute, else base/path (base NULL: the current directory);
 * either way cleaned lexically, as runc's filepath.Abs: no "//", "." or
 * ".." components. Returns 0 or a negative errno. */
int nook_state_absolute_path(const char *base, const char *path, char **out);

/* Choose the root: root_flag when given (made absolute); else
 * NOOK_STATE_ROOT_PRIVILEGED when euid is 0; else
 * $XDG_RUNTIME_DIR/NOOK_STATE_ROOT_SUBDIR, after checking that
 * xdg_runtime_dir is set, absolute, a directory and owned by euid. The
 * environment is a parameter so that callers and tests can choose it. */
int nook_state_root_resolve(const char *root_flag, uid_t euid, const char *xdg_runtime_dir,
                            char **out, struct nook_error *err);

/* nook_state_root_resolve() with geteuid() and $XDG_RUNTIME_DIR; but euid 0
 * in a user namespace other than the initial one (podman's rootless one)
 * uses $XDG_RUNTIME_DIR/nook too when it is set and $USER is not root. */
int nook_state_root_default(const char *root_flag, char **out, struct nook_error *err);

/* Create root (and missing parents) mode 0700 when missing. */
int nook_state_root_ensure(const char *root, struct nook_error *err);

/* The ids of the containers under root, sorted; an empty list when root
 * does not exist. Entries that cannot be container ids are skipped. */
int nook_state_list_ids(const char *root, char ***out_ids, struct nook_error *err);

/* ---- container directories ---- */

/* Create <root>/<state->id>/ holding state.json, already locked
 * exclusively: the directory is built under a temporary name and renamed
 * into place, so no other command ever sees it without its state. Creates
 * root when missing. -EEXIST: `container "x" already exists`. */
int nook_container_dir_create(const char *root, const struct nook_state *state,
                              struct nook_container_dir **out, struct nook_error *err);

/* Open an existing container directory, taking lock. With
 * NOOK_LOCK_EXCLUSIVE, waits up to timeout_ms (-1: for ever, 0: not at all)
 * for another holder, then fails with -EBUSY. -ENOENT:
 * `container "x" does not exist`; -EINVAL for an invalid id. */
int nook_container_dir_open(const char *root, const char *id, enum nook_lock lock,
                            int timeout_ms, struct nook_container_dir **out,
                            struct nook_error *err);

void nook_container_dir_free(struct nook_container_dir *dir);
static inline void nook_container_dir_freep(struct nook_container_dir **dir)
{
    if (*dir)
        nook_container_dir_free(*dir);
}
#define _cleanup_container_dir_ _cleanup_(nook_container_dir_freep)

/* Read state.json; -ENOENT when the directory has none (a leftover of a
 * create that failed before writing it). */
int nook_state_load(const struct nook_container_dir *dir, struct nook_state *out,
                    struct nook_error *err);

/* Replace state.json atomically: a temporary file in the same directory,
 * fsync, rename, fsync of the directory. Needs the exclusive lock. */
int nook_state_save(const struct nook_container_dir *dir, const struct nook_state *state,
                    struct nook_error *err);

/* Remove the whole directory and everything in it. The lock stays held on
 * the open fd until the dir is freed; later lockers see it is gone. */
int nook_container_dir_remove(struct nook_container_dir *dir, struct nook_error *err);

/* ---- status ---- */

/* The OCI name: "creating", "created", "running", "paused", "stopped". */
const char *nook_status_name(enum nook_status status);

/* Derive the status from the state and the live system:
 *   creating and the creator still alive      -> creating (else stopped)
 *   no init pid, or it is gone, a zombie, or
 *   a different process with the same pid     -> stopped
 *   frozen by the cgroup freezer              -> paused
 *   exec.fifo still in the directory          -> created
 *   otherwise                                 -> running */
int nook_container_status(const struct nook_container_dir *dir, const struct nook_state *state,
                          enum nook_status *out, struct nook_error *err);

/* Send sig to the container's init process through a pidfd, so that a
 * recycled pid is never signalled; then, when wait_ms is not 0, wait up to
 * wait_ms (-1: for ever) until it has exited. Returns 0 when the process is
 * already gone. */
int nook_container_signal_init(const struct nook_state *state, int sig, int wait_ms,
                               struct nook_error *err);

/* ---- delete ---- */

/* `nook delete`: a stopped container is removed; a created one is killed
 * first (as runc: nothing of the user's has run yet); a running, paused or
 * creating one needs force, which SIGKILLs its init through a pidfd and
 * waits until it is gone. A missing container is -ENOENT, or 0 with force.
 * A directory without state.json (a failed create) is removed. */
int nook_container_delete(const char *root, const char *id, bool force, struct nook_error *err);

/* The same, and when the container went but one of its poststop hooks
 * failed, *warning (may be NULL) says so while 0 is returned. */
int nook_container_delete_warn(const char *root, const char *id, bool force,
                               struct nook_error *warning, struct nook_error *err);
