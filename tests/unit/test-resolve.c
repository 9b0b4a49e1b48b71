/* test-resolve.c: the in-root path resolver (src/lib/resolve.c), through
 * openat2 and through the walk by hand: symlinks that point out of the
 * root (absolute and ../..), loops, procfs magic links, creation through
 * symlinks, and a symlink swapped in while lookups run. */
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "lib/resolve.h"
#include "lib/util.h"
#include "tap.h"

struct tree {
    char base[64];        /* the temporary directory */
    char root[128];       /* base/root: the tree treated as "/" */
    char outside[128];    /* base/outside: must never be reached */
    int root_fd;
};

static void must(bool ok, const char *what)
{
    if (!ok) {
        printf("Bail out! %s: %s\n", what, strerror(errno));
        exit(1);
    }
}

static void put_file(const char *dir, const char *name, const char *content)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "we");
    must(f != NULL, path);
    fputs(content, f);
    fclose(f);
}

static void put_dir(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    must(mkdir(path, 0755) == 0, path);
}

static void put_link(const char *dir, const char *name, const char *target)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    must(symlink(target, path) == 0, path);
}

static void make_tree(struct tree *t)
{
    snprintf(t->base, sizeof(t->base), "/tmp/nook-resolve-XXXXXX");
    must(mkdtemp(t->base) != NULL, "mkdtemp");
    snprintf(t->root, sizeof(t->root), "%s/root", t->base);
    snprintf(t->outside, sizeof(t->outside), "%s/outside", t->base);
    must(mkdir(t->root, 0755) == 0, "mkdir root");
    must(mkdir(t->outside, 0755) == 0, "mkdir outside");
    put_file(t->outside, "secret", "outside\n");
    put_dir(t->outside, "etc");
    put_file(t->outside, "etc/passwd", "outside\n");

    put_dir(t->root, "etc");
    put_file(t->root, "etc/passwd", "inside\n");
    put_dir(t->root, "dir");
    put_link(t->root, "dir/up", "../..");
    put_link(t->root, "abs-etc", "/etc");
    put_link(t->root, "rel-etc", "../../../../../etc");
    /* Relative and absolute ways to the outside directory, by its host path. */
    put_link(t->root, "escape-rel", "../outside");
    put_link(t->root, "escape-abs", t->outside);
    put_link(t->root, "loop1", "loop2");
    put_link(t->root, "loop2", "loop1");
    put_link(t->root, "dangling", "/made/by/create");
    put_link(t->root, "chain", "abs-etc/../dir/up/etc");
    put_dir(t->root, "swap");
    put_dir(t->root, "swap/dir");
    put_file(t->root, "swap/dir/secret", "inside\n");
    char target[256];
    snprintf(target, sizeof(target), "%s", t->outside);
    put_link(t->root, "swap/link", target);

    t->root_fd = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    must(t->root_fd >= 0, "open root");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tree(struct tree *t)
{
    close(t->root_fd);
    nftw(t->base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Read a whole small file through an fd (an O_PATH one is reopened). */
static char *read_fd(int fd)
{
    char path[NOOK_FD_PATH_MAX];
    _cleanup_close_ int rfd = open(nook_fd_path(fd, path), O_RDONLY | O_CLOEXEC);
    if (rfd < 0)
        return NULL;
    static char buf[256];
    ssize_t n = read(rfd, buf, sizeof(buf) - 1);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return buf;
}

static bool same_file(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void check_open(struct tap *t, const struct tree *tr, unsigned flags, const char *mode,
                       const char *path, const char *want_inside_path, int want_error)
{
    char what[1200];
    int fd = -1;
    int r = nook_resolve_open(tr->root_fd, path, O_PATH, flags, &fd);
    if (want_error) {
        snprintf(what, sizeof(what), "%s: \"%s\" fails with %s", mode, path, strerror(want_error));
        if (!CHECK(t, r == -want_error, what))
            printf("#   got: %s\n", r < 0 ? strerror(-r) : "success");
    } else {
        char inside[512];
        snprintf(inside, sizeof(inside), "%s/%s", tr->root, want_inside_path);
        snprintf(what, sizeof(what), "%s: \"%s\" resolves to /%s inside the root", mode, path,
                 want_inside_path);
        if (!CHECK(t, r == 0 && same_file(fd, inside), what))
            printf("#   got: %s\n", r < 0 ? strerror(-r) : "another file");
    }
    if (fd >= 0)
        close(fd);
}

static void lookups(struct tap *t, const struct tree *tr, unsigned flags, const char *mode)
{
    check_open(t, tr, flags, mode, "etc/passwd", "etc/passwd", 0);
    check_open(t, tr, flags, mode, "/etc/passwd", "etc/passwd", 0);
    check_open(t, tr, flags, mode, "/", ".", 0);
    check_open(t, tr, flags, mode, "..", ".", 0);
    check_open(t, tr, flags, mode, "../../../etc/passwd", "etc/passwd", 0);
    check_open(t, tr, flags, mode, "abs-etc/passwd", "etc/passwd", 0);
    check_open(t, tr, flags, mode, "rel-etc/passwd", "etc/passwd", 0);
    check_open(t, tr, flags, mode, "dir/up/etc/passwd", "etc/passwd", 0);
    check_open(t, tr, flags, mode, "chain/passwd", "etc/passwd", 0);
    check_open(t, tr, flags, mode, "dir/./up/./etc//passwd", "etc/passwd", 0);
    check_open(t, tr, flags, mode, "escape-rel/secret", NULL, ENOENT);
    check_open(t, tr, flags, mode, "escape-abs/secret", NULL, ENOENT);
    check_open(t, tr, flags, mode, "escape-rel/etc/passwd", NULL, ENOENT);
    check_open(t, tr, flags, mode, "loop1", NULL, ELOOP);
    check_open(t, tr, flags, mode, "loop1/x", NULL, ELOOP);
    check_open(t, tr, flags, mode, "etc/passwd/x", NULL, ENOTDIR);
    check_open(t, tr, flags, mode, "etc/passwd/", NULL, ENOTDIR);
    check_open(t, tr, flags, mode, "dangling", NULL, ENOENT);

    /* A real open (not O_PATH) through symlinks reads the inside file. */
    int fd = -1;
    int r = nook_resolve_open(tr->root_fd, "rel-etc/passwd", O_RDONLY, flags, &fd);
    char what[1200];
    snprintf(what, sizeof(what), "%s: O_RDONLY through a ../.. symlink reads the inside file", mode);
    char buf[32] = "";
    if (r == 0) {
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = '\0';
        close(fd);
    }
    CHECK_STR(t, buf, "inside\n", what);

    /* Magic links of procfs, with the host's "/" as the root. */
    _cleanup_close_ int host_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    fd = -1;
    r = nook_resolve_open(host_root, "/proc/self/root/etc", O_PATH, flags, &fd);
    snprintf(what, sizeof(what), "%s: /proc/self/root (a magic link) is refused with ELOOP", mode);
    CHECK(t, r == -ELOOP, what);
    if (fd >= 0)
        close(fd);
    fd = -1;
    r = nook_resolve_open(host_root, "/proc/self/exe", O_PATH, flags, &fd);
    snprintf(what, sizeof(what), "%s: /proc/self/exe is refused with ELOOP", mode);
    CHECK(t, r == -ELOOP, what);
    if (fd >= 0)
        close(fd);
    fd = -1;
    r = nook_resolve_open(host_root, "/proc/self/status", O_PATH, flags, &fd);
    snprintf(what, sizeof(what), "%s: /proc/self (a plain procfs symlink) is followed", mode);
    CHECK(t, r == 0, what);
    if (fd >= 0)
        close(fd);
}

static void creations(struct tap *t, const struct tree *tr, unsigned flags, const char *mode)
{
    char what[1200], path[512];
    int fd = -1;
    const char *sub = flags & NOOK_RESOLVE_NO_OPENAT2 ? "walk" : "kernel";

    snprintf(path, sizeof(path), "new-%s/a/b", sub);
    int r = nook_resolve_create(tr->root_fd, path, S_IFDIR, 0755, flags, &fd);
    char inside[512];
    snprintf(inside, sizeof(inside), "%s/new-%s/a/b", tr->root, sub);
    snprintf(what, sizeof(what), "%s: create %s makes every directory inside the root", mode, path);
    CHECK(t, r == 0 && same_file(fd, inside), what);
    if (fd >= 0)
        close(fd);

    /* Through an absolute symlink to a host path: the directories appear
     * under root/<host path>, the host's directory stays empty. */
    snprintf(path, sizeof(path), "escape-abs/made-%s", sub);
    fd = -1;
    r = nook_resolve_create(tr->root_fd, path, S_IFDIR, 0755, flags, &fd);
    snprintf(inside, sizeof(inside), "%s%s/made-%s", tr->root, tr->outside, sub);
    char outside[512];
    snprintf(outside, sizeof(outside), "%s/made-%s", tr->outside, sub);
    snprintf(what, sizeof(what), "%s: create through an absolute symlink out lands inside", mode);
    CHECK(t, r == 0 && same_file(fd, inside), what);
    if (fd >= 0)
        close(fd);
    snprintf(what, sizeof(what), "%s: ... and nothing is created outside", mode);
    CHECK(t, access(outside, F_OK) < 0 && errno == ENOENT, what);

    snprintf(path, sizeof(path), "escape-rel/file-%s", sub);
    fd = -1;
    r = nook_resolve_create(tr->root_fd, path, S_IFREG, 0600, flags, &fd);
    snprintf(inside, sizeof(inside), "%s/outside/file-%s", tr->root, sub);
    snprintf(outside, sizeof(outside), "%s/file-%s", tr->outside, sub);
    snprintf(what, sizeof(what), "%s: create a file through ../outside lands inside", mode);
    CHECK(t, r == 0 && same_file(fd, inside) && access(outside, F_OK) < 0, what);
    if (fd >= 0)
        close(fd);
    struct stat st;
    snprintf(what, sizeof(what), "%s: ... as an empty regular file with the mode asked", mode);
    CHECK(t, stat(inside, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
                 (st.st_mode & 0777) == 0600,
          what);

    snprintf(what, sizeof(what), "%s: create a file where a directory is: EISDIR", mode);
    fd = -1;
    r = nook_resolve_create(tr->root_fd, "etc", S_IFREG, 0644, flags, &fd);
    CHECK(t, r == -EISDIR, what);
    if (fd >= 0)
        close(fd);
    snprintf(what, sizeof(what), "%s: create a directory where a file is: ENOTDIR", mode);
    fd = -1;
    r = nook_resolve_create(tr->root_fd, "etc/passwd", S_IFDIR, 0755, flags, &fd);
    CHECK(t, r == -ENOTDIR, what);
    if (fd >= 0)
        close(fd);
    snprintf(what, sizeof(what), "%s: create through a symlink loop: ELOOP", mode);
    fd = -1;
    r = nook_resolve_create(tr->root_fd, "loop1/x", S_IFDIR, 0755, flags, &fd);
    CHECK(t, r == -ELOOP, what);
    if (fd >= 0)
        close(fd);
}

/* Create through a dangling symlink: the target is made inside. Once per
 * tree, as the first run creates the target. */
static void create_dangling(struct tap *t, const struct tree *tr)
{
    int fd = -1;
    int r = nook_resolve_create(tr->root_fd, "dangling", S_IFREG, 0644, 0, &fd);
    char inside[512];
    snprintf(inside, sizeof(inside), "%s/made/by/create", tr->root);
    CHECK(t, r == 0 && same_file(fd, inside),
          "create through a dangling absolute symlink makes its target inside the root");
    if (fd >= 0)
        close(fd);
}

/* A child swaps swap/x between a directory and a symlink to the outside
 * as fast as it can while the lookups run; none may reach the outside. */
static void swap_race(struct tap *t, const struct tree *tr, unsigned flags, const char *mode)
{
    char dir[512], link[512], x[512];
    snprintf(dir, sizeof(dir), "%s/swap/dir", tr->root);
    snprintf(link, sizeof(link), "%s/swap/link", tr->root);
    snprintf(x, sizeof(x), "%s/swap/x", tr->root);
    must(rename(dir, x) == 0, "rename swap dir");
    pid_t pid = fork();
    must(pid >= 0, "fork");
    if (pid == 0) {
        for (;;)
            renameat2(AT_FDCWD, x, AT_FDCWD, link, RENAME_EXCHANGE);
    }
    char outside_secret[512];
    snprintf(outside_secret, sizeof(outside_secret), "%s/secret", tr->outside);
    int inside = 0, escaped = 0, other = 0;
    for (int i = 0; i < 4000; i++) {
        int fd = -1;
        int r = nook_resolve_open(tr->root_fd, "swap/x/secret", O_RDONLY, flags, &fd);
        if (r == 0) {
            char *text = read_fd(fd);
            if (same_file(fd, outside_secret))
                escaped++;
            else if (text && strcmp(text, "inside\n") == 0)
                inside++;
            else
                other++;
            close(fd);
        }
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    char what[1200];
    snprintf(what, sizeof(what), "%s: 4000 lookups during a symlink swap never reach the outside",
             mode);
    if (!CHECK(t, escaped == 0, what))
        printf("#   escaped %d times\n", escaped);
    snprintf(what, sizeof(what), "%s: ... and do find the inside file while it is there", mode);
    if (!CHECK(t, inside > 0 && other == 0, what))
        printf("#   inside %d, other %d\n", inside, other);
    /* Put the directory back where the next run expects it. */
    struct stat st;
    if (lstat(x, &st) == 0 && S_ISLNK(st.st_mode))
        must(renameat2(AT_FDCWD, x, AT_FDCWD, link, RENAME_EXCHANGE) == 0, "swap back");
    must(rename(x, dir) == 0, "rename swap dir back");
}

/* Resolve once, then swap a symlink in at the path: the fd still names
 * the file that was resolved (the reason mounts go through the fd). */
static void swap_after_lookup(struct tap *t, const struct tree *tr)
{
    char victim[512], moved[512];
    snprintf(victim, sizeof(victim), "%s/victim", tr->root);
    snprintf(moved, sizeof(moved), "%s/victim.moved", tr->root);
    put_file(tr->root, "victim", "inside\n");
    int fd = -1;
    int r = nook_resolve_open(tr->root_fd, "victim", O_PATH, 0, &fd);
    must(r == 0, "resolve victim");
    must(rename(victim, moved) == 0, "move victim");
    char target[512];
    snprintf(target, sizeof(target), "%s/secret", tr->outside);
    must(symlink(target, victim) == 0, "symlink victim");
    char *text = read_fd(fd);
    CHECK_STR(t, text, "inside\n", "a symlink swapped in after the lookup does not redirect the fd");
    close(fd);
    fd = -1;
    r = nook_resolve_open(tr->root_fd, "victim", O_PATH, 0, &fd);
    CHECK(t, r == -ENOENT, "a fresh lookup of the swapped-in symlink stays inside (ENOENT)");
    if (fd >= 0)
        close(fd);
}

int main(void)
{
    struct tap t = { 0 };
    struct tree tr;
    make_tree(&tr);

    CHECK(&t, nook_resolve_open(tr.root_fd, "x", O_CREAT | O_WRONLY, 0, &(int){ -1 }) == -EINVAL,
          "O_CREAT is refused: creation goes through nook_resolve_create");
    CHECK(&t, nook_resolve_create(tr.root_fd, "x", S_IFLNK, 0644, 0, &(int){ -1 }) == -EINVAL,
          "nook_resolve_create takes only S_IFDIR and S_IFREG");

    bool kernel = nook_resolve_have_openat2();
    if (kernel) {
        lookups(&t, &tr, 0, "openat2");
        creations(&t, &tr, 0, "openat2");
        swap_race(&t, &tr, 0, "openat2");
    } else {
        printf("# openat2 with RESOLVE_IN_ROOT is not available: only the walk is tested\n");
    }
    lookups(&t, &tr, NOOK_RESOLVE_NO_OPENAT2, "walk");
    creations(&t, &tr, NOOK_RESOLVE_NO_OPENAT2, "walk");
    swap_race(&t, &tr, NOOK_RESOLVE_NO_OPENAT2, "walk");
    create_dangling(&t, &tr);
    swap_after_lookup(&t, &tr);

    char fdpath[NOOK_FD_PATH_MAX];
    CHECK_STR(&t, nook_fd_path(7, fdpath), "/proc/self/fd/7", "nook_fd_path names the fd");

    remove_tree(&tr);
    return tap_done(&t);
}
