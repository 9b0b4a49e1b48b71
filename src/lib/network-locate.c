/* network-locate.c: where the network helper nook-slirp is (network.h).
 * Built on its own (src/lib/meson.build) because it alone needs the
 * install directory compiled in. */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "network.h"
#include "sealed-exe.h"
#include "state.h"

#ifndef NOOK_HELPER_DIR
#error "the build must define NOOK_HELPER_DIR, the installed helpers' directory"
#endif

/* The helper at path, open as fd, is one nook may run: what runs beside
 * the container with the caller's rights must be as trusted as nook. */
static int check_helper(int fd, const char *path, const struct stat *exe, struct nook_error *err)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return nook_error_set_errno(err, errno, "stat %s", path);
    if (!S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR))
        return nook_error_set(err, EACCES, "%s is not an executable file", path);
    if (st.st_uid != 0 && st.st_uid != exe->st_uid)
        return nook_error_set(err, EPERM,
                              "%s belongs to uid %u, neither root nor the owner of the nook "
                              "executable (uid %u): not run",
                              path, (unsigned)st.st_uid, (unsigned)exe->st_uid);
    if (st.st_mode & S_IWOTH)
        return nook_error_set(err, EPERM, "%s is writable by anyone: not run", path);
    return 0;
}

/* The directories to look in, cleaned, duplicates dropped: beside the
 * executable, its install directory relative to the executable (a tree
 * installed with DESTDIR or moved whole), the install directory. */
static int candidate_dirs(char ***out, struct nook_error *err)
{
    _cleanup_free_ char *exe_dir = NULL;
    int r = nook_executable_dir(&exe_dir, err);
    if (r < 0)
        return r;
    _cleanup_free_ char *relative = NULL;
#ifdef NOOK_HELPER_RELATIVE_DIR
    if (asprintf(&relative, "%s/%s", exe_dir, NOOK_HELPER_RELATIVE_DIR) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
#endif
    const char *dirs[] = { exe_dir, relative, NOOK_HELPER_DIR };
    _cleanup_strv_ char **list = calloc(N_ELEMENTS(dirs) + 1, sizeof(*list));
    if (!list)
        return nook_error_set(err, ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < N_ELEMENTS(dirs); i++) {
        if (!dirs[i])
            continue;
        char *clean = NULL;
        if (nook_state_absolute_path(NULL, dirs[i], &clean) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++)
            seen = strcmp(list[j], clean) == 0;
        if (seen)
            free(clean);
        else
            list[n++] = clean;
    }
    *out = steal_pointer(&list);
    return 0;
}

int nook_network_find_helper(char **out, struct nook_error *err)
{
    _cleanup_strv_ char **dirs = NULL;
    int r = candidate_dirs(&dirs, err);
    if (r < 0)
        return r;
    struct stat exe;
    if (stat("/proc/self/exe", &exe) < 0)
        return nook_error_set_errno(err, errno, "stat the nook executable (/proc/self/exe)");
    for (char **dir = dirs; *dir; dir++) {
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s%s" NOOK_NETWORK_HELPER_EXE, *dir, strcmp(*dir, "/") ? "/" : "") < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0) {
            r = check_helper(fd, path, &exe, err);
            if (r < 0)
                return r;
            *out = steal_pointer(&path);
            return 0;
        }
        if (errno != ENOENT && errno != ENOTDIR)
            return nook_error_set_errno(err, errno, "open %s", path);
    }
    char tried[NOOK_ERROR_MAX / 2] = "";
    size_t used = 0;
    for (char **dir = dirs; *dir && used < sizeof(tried); dir++) {
        const char *sep = dir == dirs ? "" : dir[1] ? ", " : " and ";
        int n = snprintf(tried + used, sizeof(tried) - used, "%s%s", sep, *dir);
        used += n > 0 ? (size_t)n : 0;
    }
    return nook_error_set(err, ENOENT,
                          "network \"slirp\" needs " NOOK_NETWORK_HELPER_EXE
                          ", which is not installed (looked in %s) (see: nook check net.slirp)",
                          tried);
}
