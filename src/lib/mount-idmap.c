/* mount-idmap.c: idmapped mounts made on the host side of create (see
 * mount-idmap.h): a user namespace per mount carrying its mappings, a
 * detached clone of the bind source, MOUNT_ATTR_IDMAP on it. */
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idmap.h"
#include "mount-idmap.h"
#include "spec.h"

static bool has_option(const struct nook_spec_mount *m, const char *word)
{
    for (char **o = m->options; o && *o; o++)
        if (strcmp(*o, word) == 0)
            return true;
    return false;
}

bool nook_mount_wants_idmap(const struct nook_spec_mount *m)
{
    return m->n_uid_mappings || m->n_gid_mappings || has_option(m, "idmap") || has_option(m, "ridmap");
}

static int write_map(pid_t pid, const char *file, const struct nook_idmap *map, size_t index,
                     struct nook_error *err)
{
    _cleanup_free_ char *text = nook_idmap_format(map);
    if (!text)
        return nook_error_set(err, ENOMEM, "out of memory");
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t written = fd < 0 ? -1 : write(fd, text, strlen(text));
    if (written != (ssize_t)strlen(text))
        return nook_error_set_errno(err, written < 0 ? errno : EIO,
                                    ".mounts[%zu]: write the %s of the user namespace for its id mapping",
                                    index, file);
    return 0;
}

/* A user namespace with the maps: made by a child that waits in it until
 * its maps are written and the namespace is open, then exits. */
static int userns_with_maps(const struct nook_idmap *uid, const struct nook_idmap *gid, size_t index,
                            int *out, struct nook_error *err)
{
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0)
        return nook_error_set_errno(err, errno, "pipe");
    _cleanup_close_ int wait_end = pipe_fds[0], release_end = pipe_fds[1];
    struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
    pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
    if (pid < 0)
        return nook_error_set_errno(err, errno, ".mounts[%zu]: make a user namespace for its id mapping",
                                    index);
    if (pid == 0) {
        char byte;
        closep(&release_end);
        _exit(read(wait_end, &byte, 1) < 0 ? 1 : 0);
    }
    int r = write_map(pid, "uid_map", uid, index, err);
    if (r == 0)
        r = write_map(pid, "gid_map", gid, index, err);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
    int fd = r == 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (r == 0 && fd < 0)
        r = nook_error_set_errno(err, errno, ".mounts[%zu]: open the user namespace for its id mapping",
                                 index);
    closep(&release_end);
    release_end = -1;
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    if (r < 0)
        return r;
    *out = fd;
    return 0;
}

/* The mount's own mappings, as nook_idmap ranges (ranges malloc'd). */
static int spec_map(const struct nook_spec_id_mapping *items, size_t count, struct nook_idmap *map)
{
    map->ranges = calloc(count ? count : 1, sizeof(*map->ranges));
    if (!map->ranges)
        return -ENOMEM;
    for (size_t i = 0; i < count; i++)
        map->ranges[i] = (struct nook_id_range){ items[i].container_id, items[i].host_id, items[i].size };
    map->count = count;
    return 0;
}

/* What makes an idmapped mount invalid whoever asks for it: checked for
 * every such mount before anything else, so that an invalid one is an
 * invalid-argument error even where nook could not make a valid one. */
static int check_one(const struct nook_spec_mount *m, size_t index, const struct nook_idmaps *container_maps,
                     struct nook_error *err)
{
    bool bind = has_option(m, "bind") || has_option(m, "rbind") || (m->type && strcmp(m->type, "bind") == 0);
    if (!bind || !m->source)
        return nook_error_set(err, EINVAL,
                              ".mounts[%zu]: an idmapped mount on \"%s\" must be a bind mount with a "
                              "source (options \"bind\" or \"rbind\")",
                              index, m->destination);
    if (!m->n_uid_mappings != !m->n_gid_mappings)
        return nook_error_set(err, EINVAL, ".mounts[%zu]: %s without %s: an idmapped mount needs both",
                              index, m->n_uid_mappings ? "uidMappings" : "gidMappings",
                              m->n_uid_mappings ? "gidMappings" : "uidMappings");
    if (!m->n_uid_mappings && !container_maps)
        /* runtime-spec: "If there are no uidMappings and gidMappings
         * specified and the container isn't using user namespaces, an
         * invalid argument error MUST be returned." */
        return nook_error_set(err, EINVAL,
                              ".mounts[%zu]: \"%s\" without uidMappings and gidMappings takes the "
                              "container's user namespace mappings, and the container has no user "
                              "namespace",
                              index, has_option(m, "ridmap") ? "ridmap" : "idmap");
    return 0;
}

/* One idmapped mount, check_one() passed: its detached copy in *out. */
static int prepare_one(const struct nook_spec_mount *m, size_t index, const char *bundle,
                       const struct nook_idmaps *container_maps, int *out, struct nook_error *err)
{
    struct nook_idmap uid = { 0 }, gid = { 0 };
    _cleanup_free_ struct nook_id_range *own_uids = NULL, *own_gids = NULL;
    if (m->n_uid_mappings) {
        if (spec_map(m->uid_mappings, m->n_uid_mappings, &uid) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
        own_uids = uid.ranges;
        if (spec_map(m->gid_mappings, m->n_gid_mappings, &gid) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
        own_gids = gid.ranges;
    } else {
        uid = container_maps->uid;
        gid = container_maps->gid;
    }

    char source[4096];
    int n = m->source[0] == '/' ? snprintf(source, sizeof(source), "%s", m->source)
                                : snprintf(source, sizeof(source), "%s/%s", bundle, m->source);
    if (n < 0 || (size_t)n >= sizeof(source))
        return nook_error_set(err, ENAMETOOLONG, ".mounts[%zu]: source \"%s\"", index, m->source);

    _cleanup_close_ int userns = -1;
    int r = userns_with_maps(&uid, &gid, index, &userns, err);
    if (r < 0)
        return r;
    unsigned tree_flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (has_option(m, "rbind") ? AT_RECURSIVE : 0);
    _cleanup_close_ int tree = open_tree(AT_FDCWD, source, tree_flags);
    if (tree < 0)
        return nook_error_set_errno(err, errno, ".mounts[%zu]: idmapped mount of \"%s\": clone it", index,
                                    source);
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
    unsigned attr_flags = AT_EMPTY_PATH | (has_option(m, "ridmap") ? AT_RECURSIVE : 0);
    if (mount_setattr(tree, "", attr_flags, &attr, sizeof(attr)) < 0) {
        int saved = errno;
        const char *why = saved == EINVAL ? " (its file system, or one mounted below it, cannot be idmapped)"
                          : saved == EPERM ? " (it needs CAP_SYS_ADMIN over the source's file system)"
                          : saved == ENOSYS ? " (idmapped mounts need Linux 5.12)"
                                            : "";
        return nook_error_set(err, saved, ".mounts[%zu]: idmapped mount of \"%s\": %s%s", index, source,
                              strerror(saved), why);
    }
    *out = steal_fd(&tree);
    return 0;
}

int nook_idmapped_mounts_prepare(const struct nook_spec *spec, const char *bundle, bool privileged,
                                 const struct nook_idmaps *container_maps,
                                 struct nook_idmapped_mounts *out, struct nook_error *err)
{
    *out = (struct nook_idmapped_mounts){ 0 };
    size_t wanted = 0;
    for (size_t i = 0; i < spec->n_mounts; i++)
        wanted += nook_mount_wants_idmap(&spec->mounts[i]);
    if (wanted == 0)
        return 0;
    for (size_t i = 0; i < spec->n_mounts; i++) {
        if (!nook_mount_wants_idmap(&spec->mounts[i]))
            continue;
        int r = check_one(&spec->mounts[i], i, container_maps, err);
        if (r < 0)
            return r;
    }
    if (!privileged) {
        for (size_t i = 0; i < spec->n_mounts; i++)
            if (nook_mount_wants_idmap(&spec->mounts[i]))
                return nook_error_set(err, EPERM,
                                      ".mounts[%zu]: an idmapped mount (uidMappings, gidMappings, idmap, "
                                      "ridmap) needs CAP_SYS_ADMIN over the file system of its source, "
                                      "which belongs to the host: rootless nook (or root of a "
                                      "user namespace) cannot make one",
                                      i);
    }
    out->fds = malloc(spec->n_mounts * sizeof(*out->fds));
    if (!out->fds)
        return nook_error_set(err, ENOMEM, "out of memory");
    out->count = spec->n_mounts;
    for (size_t i = 0; i < out->count; i++)
        out->fds[i] = -1;
    for (size_t i = 0; i < spec->n_mounts; i++) {
        if (!nook_mount_wants_idmap(&spec->mounts[i]))
            continue;
        int r = prepare_one(&spec->mounts[i], i, bundle, container_maps, &out->fds[i], err);
        if (r < 0) {
            nook_idmapped_mounts_clear(out);
            return r;
        }
    }
    return 0;
}

void nook_idmapped_mounts_clear(struct nook_idmapped_mounts *mounts)
{
    for (size_t i = 0; i < mounts->count; i++)
        closep(&mounts->fds[i]);
    free(mounts->fds);
    *mounts = (struct nook_idmapped_mounts){ 0 };
}
