/* overlay.h: copy-on-write root filesystems and config.json overlay mounts,
 * from the host's side.
 *
 * With the annotation "nook.rootfs.overlay": "true" (or `--overlay`),
 * root.path becomes the top read-only lower layer (nook.rootfs.lower adds
 * layers below it, topmost first) and the container writes to an upper
 * layer of its own in its state directory (<state>/overlay/upper, work
 * beside it). "nook.overlay.driver" chooses how every overlay of the
 * container is mounted: "auto" (the kernel's overlayfs inside the
 * container's user and mount namespaces, fuse-overlayfs where the kernel
 * refuses), "kernel" or "fuse". The init core mounts (init/overlay-mount.h);
 * for fuse-overlayfs it mounts the FUSE connection itself and asks create
 * (NOOK_SYNC_OVERLAY_FUSE) to start the daemon on it, outside the
 * container's pid namespace and cgroup, recorded as a helper
 * (helper-procs.h) so that it never outlives the container.
 *
 * The rooms: overlay-options.c (annotations and mount options into a plan,
 * the daemon's arguments), overlay-host.c (the state directory's part, the
 * daemon), overlay-release.c (the upper layer at delete). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "container.h"
#include "error.h"
#include "idmap.h"
#include "spec.h"

struct nook_state;

#define NOOK_OVERLAY_ANNOTATION "nook.rootfs.overlay"
#define NOOK_OVERLAY_LOWER_ANNOTATION "nook.rootfs.lower"
#define NOOK_OVERLAY_KEEP_UPPER_ANNOTATION "nook.rootfs.keep-upper"
#define NOOK_OVERLAY_DRIVER_ANNOTATION "nook.overlay.driver"
/* Written by nook into the state's annotations: the root's driver. */
#define NOOK_OVERLAY_USED_ANNOTATION "nook.rootfs.overlay.driver"

/* The directory in the container's state directory that holds the upper
 * and work directories, the daemon's log and the recorded id maps. */
#define NOOK_OVERLAY_DIR "overlay"

/* Index of the root in messages and helper names; config mounts use
 * their .mounts[] index. */
#define NOOK_OVERLAY_ROOT (-1)

enum nook_overlay_choice {
    NOOK_OVERLAY_CHOICE_AUTO,   /* the kernel's overlayfs, else fuse-overlayfs */
    NOOK_OVERLAY_CHOICE_KERNEL, /* the kernel's only: its refusal is the error */
    NOOK_OVERLAY_CHOICE_FUSE,   /* fuse-overlayfs only */
};

/* One overlay to mount: its layers as absolute host paths. */
struct nook_overlay_layers {
    char **lower;      /* topmost first, at least one; NULL-terminated */
    char *upper;       /* NULL: a read-only overlay (the kernel's only) */
    char *work;        /* set exactly when upper is */
    char **fs_options; /* further overlayfs options of a config mount ("index=off",
                        * "volatile"); NULL-terminated, NULL when none */
};

struct nook_overlay_plan {
    enum nook_overlay_choice choice;
    bool root;                               /* the root is an overlay */
    struct nook_overlay_layers root_layers;  /* root.path, then nook.rootfs.lower;
                                              * upper and work in the state directory */
    char *keep_upper;                        /* nook.rootfs.keep-upper, absolute; NULL: none */
    struct nook_overlay_layers **mounts;     /* per .mounts[] entry: an overlay's layers, else NULL */
    size_t n_mounts;
    char *fuse_program;                      /* fuse-overlayfs as found; NULL: not installed */
    char *fuse_missing;                      /* when fuse_program is NULL: why, and the fix */
    /* O_PATH fds of the root's upper and work directories, opened by the
     * init in its copy (init/overlay-mount.h): it reaches them through
     * /proc/self/fd once it is the container's root, even where the state
     * directory is closed to that root; -1 until then. */
    int upper_fd;
    int work_fd;
};

/* ---- overlay-options.c ---- */

/* `--overlay`: turn nook.rootfs.overlay on in the parsed config ("true"
 * unless it already asks for an overlay). */
int nook_overlay_request(struct nook_spec_map *annotations, struct nook_error *err);

/* Read the nook.rootfs.* and nook.overlay.* annotations and the overlay
 * mounts of spec into a plan; *out is NULL when the container has no
 * overlay at all. Relative paths are relative to bundle; rootfs is
 * root.path made absolute. Checks what can be checked before anything
 * runs: the values, unknown keys of both families (errors name the key),
 * that every layer is a directory, keep-upper's place, fuse-overlayfs's
 * presence when it is the only driver allowed. path_env is $PATH (NULL:
 * unset), fuse_env $NOOK_FUSE_OVERLAYFS (the program to use instead of a
 * search; NULL: unset). */
int nook_overlay_plan_new(const struct nook_spec *spec, const char *bundle, const char *rootfs,
                          const char *path_env, const char *fuse_env,
                          struct nook_overlay_plan **out, struct nook_error *err);

void nook_overlay_plan_free(struct nook_overlay_plan *plan);

/* Split an overlayfs layer list ("a:b\:c") at unescaped colons; empty
 * layers are an error. */
int nook_overlay_split_layers(const char *text, char ***out, struct nook_error *err);

/* Join layers into the kernel's lowerdir syntax: ":" between them, and
 * ":" and "\" inside a path escaped with "\". */
char *nook_overlay_join_layers(char *const *layers);

/* fuse-overlayfs's argument vector: -f (it is a helper nook tracks, never
 * a daemon on its own), -o lowerdir/upperdir/workdir, uidmapping and
 * gidmapping when id_maps is not NULL (the daemon then runs outside the
 * container's user namespace and translates on-disk host ids into the
 * container's), and /dev/fd/FUSE_FD, the FUSE connection the init mounted.
 * A layer path with ":" or "," cannot be written in its options: an error
 * naming it. */
int nook_overlay_fuse_argv(const char *program, const struct nook_overlay_layers *layers,
                           const struct nook_idmaps *id_maps, int fuse_fd, char ***argv,
                           struct nook_error *err);

/* Parse the text of /proc/PID/uid_map ("C H S" lines) into map. */
int nook_overlay_parse_idmap(const char *text, struct nook_idmap *map);

/* ---- overlay-host.c: create's part ---- */

/* Make <state>/overlay, and for the root its upper (with root.path's mode,
 * owned by the container's root) and work directories. root_uid/root_gid:
 * the container's root on the host. */
int nook_overlay_prepare(struct nook_overlay_plan *plan, int dir_fd, const char *dir_path,
                         uid_t root_uid, gid_t root_gid, struct nook_error *err);

/* What create knows when the init reports an overlay. */
struct nook_overlay_event {
    const struct nook_overlay_plan *plan;
    int dir_fd;                 /* the container's state directory */
    const char *dir_path;
    pid_t init_pid;
    bool privileged;            /* create runs as root */
    int sync_fd;                /* parent's end of the setup socket */
    struct nook_state *state;   /* gets NOOK_OVERLAY_USED_ANNOTATION */
    nook_log_fn log;
    void *log_data;
};

/* Handle NOOK_SYNC_OVERLAY_MOUNTED or NOOK_SYNC_OVERLAY_FUSE (text and the
 * passed fd as received): log which driver serves which overlay, record
 * the root's in the state, and for FUSE start fuse-overlayfs on the
 * passed /dev/fuse connection (in the container's user namespace when
 * create is unprivileged; as root with uidmapping when the container has
 * a user namespace of its own), record it as a helper and tell the init to
 * go on. */
int nook_overlay_handle(const struct nook_overlay_event *event, uint32_t type, const char *text,
                        int passed_fd, struct nook_error *err);

/* After a failed create: when a fuse-overlayfs it started has exited,
 * append the last line it wrote to err. */
void nook_overlay_explain_failure(int dir_fd, struct nook_error *err);

/* ---- overlay-release.c, overlay-copy.c: delete's part ---- */

/* Copy the directory src_dir_fd's contents into dest (made when missing,
 * else an empty directory), keeping types, modes, owners, times and
 * xattrs; sockets are left out. dest ends with src's own mode, owner and
 * times. Used for keep-upper across file systems. */
int nook_overlay_copy_tree(int src_dir_fd, const char *dest, struct nook_error *err);

/* Copy the contents of directory src_dir_fd into directory dst_dir_fd with
 * types, modes, owners and times but no xattrs (a tmpfs mount's
 * "tmpcopyup": the image's files under the fresh tmpfs, as runc does).
 * what names the source in errors ("/run"). */
int nook_copy_dir_contents(int src_dir_fd, int dst_dir_fd, const char *what, struct nook_error *err);

/* Release <state>/overlay: with keep_upper and the state's
 * nook.rootfs.keep-upper, first move the upper layer there (renamed, or
 * copied with owners, modes, times and xattrs when it is on another file
 * system), then remove the rest. Files the container wrote as its other
 * users are removed (and copied) in a user namespace with the container's
 * recorded id maps. Nothing to do without an overlay. */
int nook_overlay_release(int dir_fd, const char *dir_path, const struct nook_state *state,
                         bool keep_upper, struct nook_error *err);
