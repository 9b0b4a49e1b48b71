/* resolve.h: open paths inside a container's root filesystem as if that
 * tree were "/": absolute symlinks and ".." stop at its top, so nothing in
 * the rootfs (which the image's author controls) can point a mount or a
 * device node at the host. openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
 * does the work where the kernel has it; elsewhere a walk by hand, one
 * component at a time with O_NOFOLLOW, expands symlinks itself. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

enum nook_resolve_flags {
    /* Walk by hand even where openat2 exists (tests use it to cover the
     * fallback on a new kernel). */
    NOOK_RESOLVE_NO_OPENAT2 = 1u << 0,
};

/* Open path (absolute or not, always read from root_fd) with open_flags
 * (O_PATH, O_RDONLY | O_DIRECTORY, ...; O_CLOEXEC is added, O_CREAT is not
 * allowed). A final symlink is followed, inside the root. procfs magic links
 * (/proc/self/fd/N, /proc/self/root, ...) are refused with ELOOP. Returns 0
 * and *out_fd, or a negative errno. */
int nook_resolve_open(int root_fd, const char *path, int open_flags, unsigned flags, int *out_fd);

/* Like nook_resolve_open(O_PATH), creating what is missing on the way:
 * directories (0755) for the parents and, for the last component, a
 * directory when `type` is S_IFDIR or an empty regular file (mode) when it
 * is S_IFREG. An existing last component is used as it is when its kind
 * fits (any non-directory fits S_IFREG), else -ENOTDIR / -EISDIR. */
int nook_resolve_create(int root_fd, const char *path, mode_t type, mode_t mode, unsigned flags,
                        int *out_fd);

/* "/proc/self/fd/N": the path through which mount(2) and friends reach a
 * file opened by the resolver. */
#define NOOK_FD_PATH_MAX 32
const char *nook_fd_path(int fd, char buf[NOOK_FD_PATH_MAX]);

/* Whether openat2 with RESOLVE_IN_ROOT works on this kernel. */
bool nook_resolve_have_openat2(void);
