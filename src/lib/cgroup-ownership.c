/* cgroup-ownership.c: config-linux.md's "Cgroup ownership": when the
 * container gets a cgroup namespace of its own and /sys/fs/cgroup mounted
 * read-write, its cgroup is handed to the user its process runs as, so
 * that the container can manage its own subtree (systemd in a container,
 * a nested runtime), as a systemd Delegate=yes unit is handed to its user.
 * Only the directory and the files the kernel lists as safe to delegate
 * (/sys/kernel/cgroup/delegate) change owner; the limits stay root's. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "spec.h"
#include "state.h"

#define DELEGATE_LIST "/sys/kernel/cgroup/delegate"

/* The runtime-spec's list for kernels without DELEGATE_LIST. */
static const char fallback_files[] = "cgroup.procs\ncgroup.subtree_control\ncgroup.threads\n";

static bool mounts_cgroup_read_write(const struct nook_spec_mount *m)
{
    _cleanup_free_ char *clean = NULL;
    if (!m->destination || nook_state_absolute_path("/", m->destination, &clean) < 0 ||
        strcmp(clean, "/sys/fs/cgroup") != 0)
        return false;
    bool cgroup = (m->source && strcmp(m->source, "cgroup") == 0) ||
                  (m->type && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0));
    if (!cgroup)
        return false;
    for (char **o = m->options; o && *o; o++)
        if (strcmp(*o, "ro") == 0)
            return false;
    return true;
}

bool nook_cgroup_ownership_wanted(const struct nook_spec *spec)
{
    /* "A runtime SHOULD NOT change the ownership of a container cgroup
     * unless it will also create a new cgroup namespace for the
     * container." */
    const struct nook_spec_namespace *ns = nook_spec_find_namespace(spec, NOOK_NS_CGROUP);
    if (!ns || ns->path)
        return false;
    /* "... if and only if the cgroup filesystem is to be mounted
     * read/write" */
    for (size_t i = 0; i < spec->n_mounts; i++)
        if (mounts_cgroup_read_write(&spec->mounts[i]))
            return true;
    return false;
}

/* The delegatable files, one a line. */
static int delegate_files(char **out, struct nook_error *err)
{
    _cleanup_close_ int fd = open(DELEGATE_LIST, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT)
            return nook_error_set_errno(err, errno, "read %s", DELEGATE_LIST);
        *out = strdup(fallback_files);
        return *out ? 0 : nook_error_set(err, ENOMEM, "out of memory");
    }
    char buf[4096];
    size_t used = 0;
    while (used < sizeof(buf) - 1) {
        ssize_t n = read(fd, buf + used, sizeof(buf) - 1 - used);
        if (n == 0)
            break;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nook_error_set_errno(err, errno, "read %s", DELEGATE_LIST);
        used += (size_t)n;
    }
    buf[used] = '\0';
    *out = strdup(buf);
    return *out ? 0 : nook_error_set(err, ENOMEM, "out of memory");
}

int nook_cgroup_give_to(const struct nook_cgroup *cgroup, uid_t uid, gid_t gid, struct nook_error *err)
{
    _cleanup_close_ int dirfd = -1;
    int r = nook_cgroup_open(cgroup, NULL, &dirfd, err);
    if (r < 0)
        return r;
    _cleanup_free_ char *files = NULL;
    r = delegate_files(&files, err);
    if (r < 0)
        return r;
    if (fchown(dirfd, uid, gid) < 0)
        return nook_error_set_errno(err, errno, "give the cgroup %s to %u:%u", cgroup->path, uid, gid);
    char *save = NULL;
    for (char *name = strtok_r(files, "\n", &save); name; name = strtok_r(NULL, "\n", &save)) {
        /* "not all files listed in /sys/kernel/cgroup/delegate necessarily
         * exist in every cgroup. Runtimes MUST NOT fail in this scenario" */
        if (strchr(name, '/') || fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) == 0 ||
            errno == ENOENT)
            continue;
        return nook_error_set_errno(err, errno, "give %s/%s to %u:%u", cgroup->path, name, uid, gid);
    }
    return 0;
}
