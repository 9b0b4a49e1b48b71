/* hostcheck-device.c: the check `nook check` makes of a character device
 * that an unprivileged user must be able to open read-write (/dev/fuse
 * for fuse-overlayfs, /dev/net/tun for slirp networking): it exists, is a
 * character device where that is asked, and opens; otherwise the fixes
 * (load the module, make it 0666 now and at every boot, or pass it into
 * the container nook runs in). */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "hostcheck-internal.h"

/* A device that does not exist, or is not a character device: load the
 * module (and remove the impostor first). */
static void missing(struct nook_check_context *ctx, struct nook_check_result *r, const struct hostcheck_device *dev,
                    const char *path, bool impostor)
{
    hostcheck_status(r, NOOK_CHECK_WARN);
    if (impostor) {
        hostcheck_found(ctx, r, "%s is not a character device", path);
        hostcheck_fix(ctx, r, "sudo rm %s && sudo modprobe %s", path, dev->module);
    } else {
        char name_buf[32];
        hostcheck_found(ctx, r, "%s: %s (%s)", path, strerror(r->errnum),
                        hostcheck_errno_name(r->errnum, name_buf, sizeof(name_buf)));
        hostcheck_fix(ctx, r, "sudo modprobe %s", dev->module);
        hostcheck_fix(ctx, r, "echo %s | sudo tee /etc/modules-load.d/%s.conf   (loads it at every boot)",
                      dev->module, dev->module);
        hostcheck_fix(ctx, r, "inside a container: start it with --device /dev/%s", dev->name);
    }
    hostcheck_impact(ctx, r, "%s", dev->impact);
}

void hostcheck_device(struct nook_check_context *ctx, struct nook_check_result *r, const struct hostcheck_device *dev)
{
    r->required = false;
    _cleanup_free_ char *path = NULL;
    if (asprintf(&path, "%s/%s", ctx->dev_dir, dev->name) < 0) {
        ctx->out_of_memory = true;
        return;
    }
    hostcheck_file(ctx, r, path);
    struct stat st;
    if (stat(path, &st) < 0) {
        r->errnum = errno;
        missing(ctx, r, dev, path, false);
        return;
    }
    char mode[16];
    snprintf(mode, sizeof(mode), "%04o", (unsigned)(st.st_mode & 07777));
    hostcheck_value(ctx, r, mode);
    if (dev->must_be_char && !S_ISCHR(st.st_mode)) {
        missing(ctx, r, dev, path, true);
        return;
    }
    _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, "%s (mode %s, owner uid %u) opens read-write", path, mode, (unsigned)st.st_uid);
        return;
    }
    int saved = errno;
    char name_buf[32];
    r->errnum = saved;
    hostcheck_status(r, NOOK_CHECK_WARN);
    hostcheck_found(ctx, r, "open %s read-write (mode %s, owner uid %u): %s (%s)", path, mode, (unsigned)st.st_uid,
                    strerror(saved), hostcheck_errno_name(saved, name_buf, sizeof(name_buf)));
    if (saved == EACCES) {
        hostcheck_fix(ctx, r, "sudo chmod 0666 %s", path);
        hostcheck_fix(ctx, r,
                      "echo 'KERNEL==\"%s\", MODE=\"0666\"' | sudo tee /etc/udev/rules.d/99-%s.rules   (keeps it after a reboot)",
                      dev->module, dev->module);
    } else {
        hostcheck_fix(ctx, r, "a device cgroup or an LSM denies it; inside a container: start it with --device /dev/%s",
                      dev->name);
    }
    hostcheck_impact(ctx, r, "%s", dev->impact);
}
