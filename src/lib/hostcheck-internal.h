/* hostcheck-internal.h: what the rooms of `nook check` share: the context,
 * the setters that fill a result, the trial runner (a forked child that
 * reports what failed and its errno through a pipe), and the paths the
 * parameters default to. Not for use outside src/lib/hostcheck*.c. */
#pragma once

#include "hostcheck.h"

struct nook_check_context {
    const struct nook_check_params *params;
    /* The parameters' paths with their defaults filled in. */
    const char *proc_sys;
    const char *subuid_file;
    const char *subgid_file;
    const char *os_release;
    const char *mountinfo;
    const char *dev_dir;
    bool out_of_memory;         /* a setter failed: nook_check_run says -ENOMEM */
    char *os_release_text;      /* read once, "" when unreadable */
    bool os_release_read;
    /* The kernel overlay trial, which fuse-overlayfs.binary consults. */
    bool overlay_tried;
    int overlay_errnum;
};

/* One check: fills r (id, required and the rest) from ctx. */
typedef void (*hostcheck_fn)(struct nook_check_context *ctx, struct nook_check_result *r);

/* ---- filling a result (a failed allocation marks ctx out of memory) ---- */

void hostcheck_status(struct nook_check_result *r, enum nook_check_status status);
void hostcheck_found(struct nook_check_context *ctx, struct nook_check_result *r, const char *fmt, ...)
    _printf_(3, 4);
/* Each call adds one line of fix. */
void hostcheck_fix(struct nook_check_context *ctx, struct nook_check_result *r, const char *fmt, ...)
    _printf_(3, 4);
void hostcheck_impact(struct nook_check_context *ctx, struct nook_check_result *r, const char *fmt, ...)
    _printf_(3, 4);
void hostcheck_file(struct nook_check_context *ctx, struct nook_check_result *r, const char *file);
void hostcheck_value(struct nook_check_context *ctx, struct nook_check_result *r, const char *value);

/* ---- small facts ---- */

/* "EPERM", or "errno N" (in buf) for one without a name. */
const char *hostcheck_errno_name(int errnum, char *buf, size_t size);
/* Drop the " (see: nook check ID)" a library error ends with: the user is
 * reading `nook check` already. */
void hostcheck_strip_see(char *message);
/* The user's name for commands (usermod, loginctl), else its uid. */
const char *hostcheck_user(const struct nook_check_context *ctx, char *buf, size_t size);
/* The install command for a package (see nook_check_install_command);
 * NULL when out of memory (marked). */
char *hostcheck_install(struct nook_check_context *ctx, const struct nook_check_packages *pkg);
/* A file's whole text (at most 1 MiB), or NULL with errno set. */
char *hostcheck_read_text(const char *path);
/* The sysctl under ctx's proc_sys: 0 and *value, or a negative errno. */
int hostcheck_sysctl(struct nook_check_context *ctx, const char *name, long long *value,
                     char **text, char **file);

/* ---- trials in a forked child ---- */

struct hostcheck_trial {
    int errnum;                 /* 0 when everything worked */
    char step[256];             /* what failed, or on success what was done */
};

/* Runs in the child: do the trial and fill *out. */
typedef void (*hostcheck_trial_fn)(void *data, struct hostcheck_trial *out);

/* Fork, run fn in the child and bring its report back. A child that does
 * not report within timeout_ms is killed (the report says so). Returns 0
 * with *out filled, or a negative errno when the trial could not be run
 * at all (fork, pipe). */
int hostcheck_run_trial(hostcheck_trial_fn fn, void *data, int timeout_ms,
                        struct hostcheck_trial *out);

/* In a trial child: fill out with errno and the step; returns -1. */
int hostcheck_trial_fail(struct hostcheck_trial *out, int errnum, const char *fmt, ...) _printf_(3, 4);

/* In a trial child: unshare a user namespace (with extra namespace flags)
 * and map uid and gid to 0 in it, as `unshare -r` does. */
int hostcheck_enter_userns(uid_t uid, gid_t gid, int extra_flags, struct hostcheck_trial *out);

/* In a trial child that unshared a mount namespace: make every mount
 * private, so that nothing it mounts reaches the host. */
int hostcheck_make_mounts_private(struct hostcheck_trial *out);

/* ---- the checks, one function each (hostcheck-*.c) ---- */

/* A character device an unprivileged user must open read-write
 * (hostcheck-device.c): name below the device directory ("fuse",
 * "net/tun"), the module that provides it (also its udev KERNEL name),
 * what fails without it. */
struct hostcheck_device {
    const char *name;
    const char *module;
    const char *impact;
    bool must_be_char;
};
void hostcheck_device(struct nook_check_context *ctx, struct nook_check_result *r, const struct hostcheck_device *dev);

void hostcheck_userns_sysctl(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_userns_apparmor(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_userns_trial(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_subid_uid(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_subid_gid(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_newuidmap(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_cgroup_v2(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_cgroup_delegation(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_cgroup_controllers(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_user_bus(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_runtime_dir(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_fuse_device(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_overlay_kernel(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_fuse_overlayfs(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_net_tun(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_net_slirp(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_net_ping(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_net_low_ports(struct nook_check_context *ctx, struct nook_check_result *r);
void hostcheck_nested_proc(struct nook_check_context *ctx, struct nook_check_result *r);
