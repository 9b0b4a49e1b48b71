/* hostcheck-overlay.c: the copy-on-write root checks of `nook check`: a
 * real overlay mount (with userxattr, in a scratch user and mount
 * namespace, as a rootless container's root is mounted), /dev/fuse and
 * fuse-overlayfs, the fallback when the kernel says no. */
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "hostcheck-internal.h"

static const struct nook_check_packages fuse_overlayfs_packages = {
    .debian = "fuse-overlayfs", .fedora = "fuse-overlayfs", .suse = "fuse-overlayfs",
    .arch = "fuse-overlayfs", .alpine = "fuse-overlayfs",
};

/* ---- fuse.device ---- */

void hostcheck_fuse_device(struct nook_check_context *ctx, struct nook_check_result *r)
{
    static const struct hostcheck_device fuse = {
        .name = "fuse",
        .module = "fuse",
        .impact = "fuse-overlayfs cannot run: overlay roots (nook.rootfs.overlay) work only where the kernel's overlay does (overlay.kernel)",
        .must_be_char = true,
    };
    hostcheck_device(ctx, r, &fuse);
}

/* ---- overlay.kernel ---- */

struct overlay_trial {
    bool userns;
    uid_t uid;
    gid_t gid;
};

static void overlay_trial_child(void *data, struct hostcheck_trial *out)
{
    const struct overlay_trial *t = data;
    if (t->userns) {
        if (hostcheck_enter_userns(t->uid, t->gid, CLONE_NEWNS, out) < 0)
            return;
    } else if (unshare(CLONE_NEWNS) < 0) {
        hostcheck_trial_fail(out, errno, "unshare(CLONE_NEWNS)");
        return;
    }
    if (hostcheck_make_mounts_private(out) < 0)
        return;
    /* A tmpfs of the child's own, as the state directory a container's
     * upper layer goes to is a tmpfs ($XDG_RUNTIME_DIR, /run). */
    static const char *const mount_points[] = { "/tmp", "/mnt", "/dev" };
    const char *base = NULL;
    for (size_t i = 0; i < N_ELEMENTS(mount_points) && !base; i++)
        if (mount("nook-check", mount_points[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") == 0)
            base = mount_points[i];
    if (!base) {
        hostcheck_trial_fail(out, errno, "mount a scratch tmpfs");
        return;
    }
    char lower[64], upper[64], work[64], merged[64], file[96];
    snprintf(lower, sizeof(lower), "%s/lower", base);
    snprintf(upper, sizeof(upper), "%s/upper", base);
    snprintf(work, sizeof(work), "%s/work", base);
    snprintf(merged, sizeof(merged), "%s/merged", base);
    const char *dirs[] = { lower, upper, work, merged };
    for (size_t i = 0; i < N_ELEMENTS(dirs); i++)
        if (mkdir(dirs[i], 0755) < 0) {
            hostcheck_trial_fail(out, errno, "mkdir %s in the scratch tmpfs", dirs[i]);
            return;
        }
    char options[256];
    snprintf(options, sizeof(options), "lowerdir=%s,upperdir=%s,workdir=%s%s", lower, upper, work,
             t->userns ? ",userxattr" : "");
    if (mount("overlay", merged, "overlay", 0, options) < 0) {
        hostcheck_trial_fail(out, errno, "mount -t overlay -o %s", options);
        return;
    }
    snprintf(file, sizeof(file), "%s/written", merged);
    int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        hostcheck_trial_fail(out, errno, "create a file in the mounted overlay");
        return;
    }
    close(fd);
    snprintf(out->step, sizeof(out->step),
             "mounted an overlay (%s) over a scratch tmpfs in a scratch %snamespace and wrote a file through it",
             t->userns ? "userxattr" : "trusted xattrs", t->userns ? "user and mount " : "mount ");
}

/* Run the trial once per context: fuse-overlayfs.binary asks too. */
static void overlay_trial_run(struct nook_check_context *ctx, struct hostcheck_trial *trial, int *rc)
{
    struct overlay_trial t = {
        .userns = !ctx->params->privileged, .uid = ctx->params->uid, .gid = ctx->params->gid,
    };
    *rc = hostcheck_run_trial(overlay_trial_child, &t, 10000, trial);
    ctx->overlay_tried = true;
    ctx->overlay_errnum = *rc < 0 ? -*rc : trial->errnum;
}

void hostcheck_overlay_kernel(struct nook_check_context *ctx, struct nook_check_result *r)
{
    r->required = false;
    struct hostcheck_trial trial;
    int rc;
    overlay_trial_run(ctx, &trial, &rc);
    if (rc < 0) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "the trial could not be started: %s", strerror(-rc));
        hostcheck_fix(ctx, r, "nook check overlay.kernel   (again)");
        hostcheck_impact(ctx, r, "unknown");
        return;
    }
    if (trial.errnum == 0) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, "%s", trial.step);
        return;
    }
    struct utsname uts;
    char release[80] = "";
    if (uname(&uts) == 0)
        snprintf(release, sizeof(release), " (kernel %s)", uts.release);
    char name_buf[32];
    r->errnum = trial.errnum;
    hostcheck_status(r, NOOK_CHECK_WARN);
    hostcheck_found(ctx, r, "%s: %s (%s)%s", trial.step, strerror(trial.errnum),
                    hostcheck_errno_name(trial.errnum, name_buf, sizeof(name_buf)), release);
    if (strstr(trial.step, "CLONE_NEWUSER"))
        hostcheck_fix(ctx, r, "nook check userns.trial   (no user namespace, no overlay)");
    else
        hostcheck_fix(ctx, r,
                      "boot Linux 5.11 or later (overlayfs in user namespaces), and meanwhile make fuse-overlayfs usable (fuse-overlayfs.binary, fuse.device)");
    hostcheck_impact(ctx, r,
                     "overlay roots (nook.rootfs.overlay) fall back to fuse-overlayfs, which is slower, or fail without it");
}

/* ---- fuse-overlayfs.binary ---- */

void hostcheck_fuse_overlayfs(struct nook_check_context *ctx, struct nook_check_result *r)
{
    r->required = false;
    _cleanup_free_ char *in_path = nook_find_in_path("fuse-overlayfs", ctx->params->path);
    _cleanup_free_ char *elsewhere = in_path ? NULL : nook_find_in_path("fuse-overlayfs", NOOK_PROGRAM_FALLBACK_PATH);
    if (in_path) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_file(ctx, r, in_path);
        hostcheck_found(ctx, r, "%s", in_path);
        return;
    }
    if (!ctx->overlay_tried) {
        struct hostcheck_trial trial;
        int rc;
        overlay_trial_run(ctx, &trial, &rc);
    }
    bool kernel_works = ctx->overlay_errnum == 0;
    if (elsewhere) {
        hostcheck_status(r, kernel_works ? NOOK_CHECK_OK : NOOK_CHECK_WARN);
        hostcheck_file(ctx, r, elsewhere);
        hostcheck_found(ctx, r, "%s, which is not in $PATH (%s)%s", elsewhere,
                        str_or(ctx->params->path, "unset"),
                        kernel_works ? "; not needed while the kernel's overlay works (overlay.kernel)" : "");
        char *slash = strrchr(elsewhere, '/');
        if (slash)
            *slash = '\0';
        hostcheck_fix(ctx, r, "export PATH=\"$PATH:%s\"", elsewhere);
        hostcheck_impact(ctx, r, "overlay roots cannot fall back to fuse-overlayfs");
        return;
    }
    if (kernel_works) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, "not installed; not needed while the kernel's overlay works (overlay.kernel)");
        return;
    }
    hostcheck_status(r, NOOK_CHECK_WARN);
    hostcheck_found(ctx, r, "fuse-overlayfs is not installed (searched $PATH and %s), and the kernel's overlay does not work here (overlay.kernel)",
                    NOOK_PROGRAM_FALLBACK_PATH);
    _cleanup_free_ char *install = hostcheck_install(ctx, &fuse_overlayfs_packages);
    hostcheck_fix(ctx, r, "%s", str_or(install, ""));
    hostcheck_impact(ctx, r, "overlay roots (nook.rootfs.overlay) cannot be mounted at all");
}
