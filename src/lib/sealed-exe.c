/* sealed-exe.c: re-execute nook from a sealed memfd copy of its binary
 * (sealed-exe.h says why). */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sealed-exe.h"
#include "util.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static bool is_sealed_copy(int exe_fd)
{
    int seals = fcntl(exe_fd, F_GET_SEALS);
    return seals >= 0 && (seals & F_SEAL_WRITE);
}

static int copy_sealed(int exe_fd, int *out, struct nook_error *err)
{
    struct stat st;
    if (fstat(exe_fd, &st) < 0)
        return nook_error_set_errno(err, errno, "stat the nook executable");
    _cleanup_close_ int memfd = memfd_create("nook", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (memfd < 0)
        return nook_error_set_errno(err, errno, "memfd_create for a sealed copy of nook");
    off_t offset = 0;
    while (offset < st.st_size) {
        ssize_t n = sendfile(memfd, exe_fd, &offset, (size_t)(st.st_size - offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return nook_error_set_errno(err, n < 0 ? errno : EIO, "copy the nook executable");
    }
    if (fcntl(memfd, F_ADD_SEALS, SEALS) < 0)
        return nook_error_set_errno(err, errno, "seal the copy of the nook executable");
    *out = steal_fd(&memfd);
    return 0;
}

int nook_sealed_exe_reexec(char **argv, struct nook_error *err)
{
    _cleanup_close_ int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (exe < 0)
        return nook_error_set_errno(err, errno, "open the nook executable (/proc/self/exe)");
    if (is_sealed_copy(exe))
        return 0;
    if (access("/proc/self/exe", W_OK) < 0)
        return 0;
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (n < 0)
        return nook_error_set_errno(err, errno, "find the nook executable (/proc/self/exe)");
    path[n] = '\0';
    _cleanup_close_ int copy = -1;
    int r = copy_sealed(exe, &copy, err);
    if (r < 0)
        return r;
    if (setenv(NOOK_ORIGINAL_EXE_ENV, path, 1) < 0)
        return nook_error_set_errno(err, errno, "setenv " NOOK_ORIGINAL_EXE_ENV);
    extern char **environ;
    fexecve(copy, argv, environ);
    return nook_error_set_errno(err, errno, "run the sealed copy of nook");
}

int nook_executable_dir(char **out, struct nook_error *err)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path));
    if (n < 0)
        return nook_error_set_errno(err, errno, "find the nook executable (/proc/self/exe)");
    if ((size_t)n >= sizeof(path))
        return nook_error_set(err, ENAMETOOLONG, "find the nook executable: its path is too long");
    path[n] = '\0';
    const char *original = getenv(NOOK_ORIGINAL_EXE_ENV);
    if (strncmp(path, "/memfd:", 7) == 0 && original && original[0] == '/') {
        if (strlen(original) >= sizeof(path))
            return nook_error_set(err, ENAMETOOLONG, "find the nook executable: its path is too long");
        strcpy(path, original);
    }
    char *slash = strrchr(path, '/');
    if (!slash)
        return nook_error_set(err, EINVAL, "find the nook executable: \"%s\" is not a path", path);
    if (slash == path)
        slash++;
    *slash = '\0';
    char *dir = strdup(path);
    if (!dir)
        return nook_error_set(err, ENOMEM, "out of memory");
    *out = dir;
    return 0;
}
