/* hostcheck-subid.c: the id-mapping checks of `nook check`: the user's
 * subordinate ranges (found as nook's own maps find them, idmap.c), other
 * users' ranges that overlap them, and newuidmap/newgidmap: found, holding
 * the privilege they need, and really writing a map to a child in a new
 * user namespace, as `create` does. */
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <sched.h>

#include "hostcheck-internal.h"

/* Where nook starts looking for free ids when it proposes a range. */
#define FIRST_PROPOSED_ID 100000UL
#define PROPOSED_COUNT 65536UL

static const struct nook_check_packages uidmap_packages = {
    .debian = "uidmap", .fedora = "shadow-utils", .suse = "shadow", .arch = "shadow",
    .alpine = "shadow-subids",
};

/* ---- the pure parts ---- */

static bool ranges_overlap(unsigned long a_start, unsigned long a_count, unsigned long b_start,
                           unsigned long b_count)
{
    return a_count > 0 && b_count > 0 && a_start < b_start + b_count && b_start < a_start + a_count;
}

int nook_check_subid_overlaps(const struct nook_subid_entry *entries, size_t count, const char *name,
                              uid_t uid, char **out)
{
    *out = NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return -ENOMEM;
    bool any = false;
    for (size_t i = 0; i < count; i++) {
        const struct nook_subid_entry *other = &entries[i];
        if (nook_subid_entry_is_for(other, name, uid))
            continue;
        for (size_t k = 0; k < count; k++) {
            const struct nook_subid_entry *mine = &entries[k];
            if (!nook_subid_entry_is_for(mine, name, uid) ||
                !ranges_overlap(mine->start, mine->count, other->start, other->count))
                continue;
            fprintf(f, "%s%s's %lu-%lu", any ? ", " : "", other->owner, other->start,
                    other->start + other->count - 1);
            any = true;
            break;
        }
    }
    if (fclose(f) != 0) {
        free(text);
        return -ENOMEM;
    }
    if (any)
        *out = text;
    else
        free(text);
    return 0;
}

/* struct vfs_cap_data, as the kernel stores it in security.capability:
 * little-endian words, the revision in the top byte of the first. */
static uint32_t le32_at(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

enum nook_check_helper_privilege nook_check_helper_privilege(mode_t mode, uid_t owner, bool nosuid,
                                                             const void *caps, size_t caps_size,
                                                             int capability)
{
    if ((mode & S_ISUID) && owner == 0 && !nosuid)
        return NOOK_HELPER_SETUID_ROOT;
    if (caps && caps_size >= 12 && capability >= 0 && capability < 32) {
        const unsigned char *p = caps;
        uint32_t magic = le32_at(p);
        uint32_t revision = magic & VFS_CAP_REVISION_MASK;
        bool effective = (magic & VFS_CAP_FLAGS_EFFECTIVE) != 0;
        bool known = (revision == VFS_CAP_REVISION_1 && caps_size >= 12) ||
                     (revision == VFS_CAP_REVISION_2 && caps_size >= 20) ||
                     (revision == VFS_CAP_REVISION_3 && caps_size >= 24);
        /* The permitted set's first word holds the low 32 capabilities.
         * A program that does not raise the capability itself needs the
         * effective bit (`setcap cap_setuid+ep`). */
        if (known && effective && (le32_at(p + 4) & (1u << capability)))
            return NOOK_HELPER_FILE_CAPS;
    }
    return NOOK_HELPER_NONE;
}

/* ---- subid.uid and subid.gid ---- */

/* The first id above every range of both files, at least 100000. */
static unsigned long free_start(struct nook_check_context *ctx)
{
    unsigned long start = FIRST_PROPOSED_ID;
    const char *files[] = { ctx->subuid_file, ctx->subgid_file };
    for (size_t f = 0; f < N_ELEMENTS(files); f++) {
        struct nook_subid_entry *entries = NULL;
        size_t n = 0;
        if (nook_subid_file_read(files[f], &entries, &n, NULL) < 0)
            continue;
        for (size_t i = 0; i < n; i++)
            if (entries[i].start + entries[i].count > start)
                start = entries[i].start + entries[i].count;
        nook_subid_entries_free(entries, n);
    }
    return start;
}

static int user_ranges(struct nook_check_context *ctx, bool for_uids, struct nook_subid_range **out,
                       size_t *count, bool *from_library)
{
    struct nook_idmap_owner owner = {
        .uid = ctx->params->uid, .gid = ctx->params->gid, .name = ctx->params->user,
    };
    int r = nook_subid_ranges(for_uids, for_uids ? ctx->subuid_file : ctx->subgid_file, &owner, out,
                              count, from_library);
    if (r == -ENOMEM)
        ctx->out_of_memory = true;
    return r;
}

static void subid_check(struct nook_check_context *ctx, struct nook_check_result *r, bool for_uids)
{
    const char *kind = for_uids ? "uids" : "gids";
    const char *file = for_uids ? ctx->subuid_file : ctx->subgid_file;
    const char *add_flag = for_uids ? "--add-subuids" : "--add-subgids";
    const char *del_flag = for_uids ? "--del-subuids" : "--del-subgids";
    char user_buf[32];
    const char *user = hostcheck_user(ctx, user_buf, sizeof(user_buf));
    bool root = ctx->params->privileged;
    r->required = false;
    hostcheck_file(ctx, r, file);

    _cleanup_free_ struct nook_subid_range *ranges = NULL;
    size_t count = 0;
    bool from_library = false;
    int rc = user_ranges(ctx, for_uids, &ranges, &count, &from_library);
    const char *source = from_library ? "libsubid (the subid service of /etc/nsswitch.conf)" : file;
    if (rc < 0) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "cannot read the subordinate %s of %s from %s: %s", kind, user, source,
                        strerror(-rc));
        hostcheck_fix(ctx, r, "ls -l %s   (it must be readable by everyone: sudo chmod 0644 %s)", file, file);
        hostcheck_impact(ctx, r, "containers run with a single mapping (see below)");
        return;
    }

    struct nook_subid_entry *entries = NULL;
    size_t n_entries = 0, invalid = 0;
    if (!from_library && nook_subid_file_read(file, &entries, &n_entries, &invalid) == -ENOMEM)
        ctx->out_of_memory = true;
    _cleanup_free_ char *overlaps = NULL;
    if (nook_check_subid_overlaps(entries, n_entries, ctx->params->user, ctx->params->uid, &overlaps) < 0)
        ctx->out_of_memory = true;
    nook_subid_entries_free(entries, n_entries);
    char invalid_note[96] = "";
    if (invalid > 0)
        snprintf(invalid_note, sizeof(invalid_note), " (%zu malformed line%s in the file ignored)",
                 invalid, invalid == 1 ? "" : "s");

    if (count == 0) {
        if (root) {
            hostcheck_status(r, NOOK_CHECK_OK);
            hostcheck_found(ctx, r,
                            "root has no subordinate %s in %s: as root that is fine (root's containers use config.json's mappings as they are)%s",
                            kind, source, invalid_note);
            return;
        }
        unsigned long start = free_start(ctx);
        unsigned long end = start + PROPOSED_COUNT - 1;
        /* One command for both files when both lack the user. */
        _cleanup_free_ struct nook_subid_range *other = NULL;
        size_t other_count = 0;
        (void)user_ranges(ctx, !for_uids, &other, &other_count, NULL);
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "no subordinate %s for %s in %s%s", kind, user, source, invalid_note);
        if (other_count == 0)
            hostcheck_fix(ctx, r, "sudo usermod --add-subuids %lu-%lu --add-subgids %lu-%lu %s", start,
                          end, start, end, user);
        else
            hostcheck_fix(ctx, r, "sudo usermod %s %lu-%lu %s", add_flag, start, end, user);
        hostcheck_impact(ctx, r,
                         "containers run with a single mapping: only %s 0 exists inside, so files of other %s in an image, chown, useradd and package managers in the container fail",
                         for_uids ? "uid" : "gid", kind);
        return;
    }

    /* "100000-165535 (65536 ids)", for every range. */
    char listed[512] = "";
    unsigned long total = 0;
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        total += ranges[i].count;
        if (used < sizeof(listed))
            used += (size_t)snprintf(listed + used, sizeof(listed) - used, "%s%lu-%lu", i ? ", " : "",
                                     ranges[i].start,
                                     ranges[i].start + (ranges[i].count ? ranges[i].count - 1 : 0));
    }
    if (overlaps) {
        unsigned long start = free_start(ctx);
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "%s: %s in %s, overlapping %s%s", user, listed, source, overlaps,
                        invalid_note);
        hostcheck_fix(ctx, r, "sudo usermod %s %lu-%lu %s %lu-%lu %s", del_flag, ranges[0].start,
                      ranges[0].start + ranges[0].count - 1, add_flag, start, start + PROPOSED_COUNT - 1,
                      user);
        hostcheck_impact(ctx, r,
                         "containers of both users share those %s: each can read and change the other's container files and signal its processes",
                         kind);
        return;
    }
    if (total < PROPOSED_COUNT && !root) {
        unsigned long start = free_start(ctx);
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "%s: %s in %s: only %lu %s%s", user, listed, source, total, kind,
                        invalid_note);
        hostcheck_fix(ctx, r, "sudo usermod %s %lu-%lu %s", add_flag, start, start + PROPOSED_COUNT - 1,
                      user);
        hostcheck_impact(ctx, r,
                         "container %s from %lu up are unmapped: files an image gives them cannot be used (65534, nobody, is common)",
                         kind, total + 1);
        return;
    }
    hostcheck_status(r, NOOK_CHECK_OK);
    hostcheck_found(ctx, r, "%s: %s (%lu %s) in %s%s%s", user, listed, total, kind, source,
                    root ? "; root's containers do not use them" : "", invalid_note);
}

void hostcheck_subid_uid(struct nook_check_context *ctx, struct nook_check_result *r)
{
    subid_check(ctx, r, true);
}

void hostcheck_subid_gid(struct nook_check_context *ctx, struct nook_check_result *r)
{
    subid_check(ctx, r, false);
}

/* ---- newuidmap.setuid ---- */

struct helper {
    const char *name;           /* "newuidmap" */
    int capability;             /* CAP_SETUID */
    char *path;                 /* found, NULL when not */
    bool in_path;               /* found in $PATH, not only in the fallback */
    enum nook_check_helper_privilege privilege;
    char how[128];              /* "setuid root", "cap_setuid+ep", or what is wrong */
};

static void helper_clear(struct helper *h)
{
    free(h->path);
    h->path = NULL;
}

static void helper_look(struct nook_check_context *ctx, struct helper *h)
{
    h->path = nook_find_in_path(h->name, ctx->params->path);
    h->in_path = h->path != NULL;
    if (!h->path)
        h->path = nook_find_in_path(h->name, NOOK_PROGRAM_FALLBACK_PATH);
    h->privilege = NOOK_HELPER_NONE;
    if (!h->path)
        return;
    struct stat st;
    struct statvfs vfs;
    if (stat(h->path, &st) < 0) {
        snprintf(h->how, sizeof(h->how), "cannot stat it: %s", strerror(errno));
        return;
    }
    bool nosuid = statvfs(h->path, &vfs) == 0 && (vfs.f_flag & ST_NOSUID);
    unsigned char caps[64];
    ssize_t n = getxattr(h->path, "security.capability", caps, sizeof(caps));
    h->privilege = nook_check_helper_privilege(st.st_mode, st.st_uid, nosuid, n > 0 ? caps : NULL,
                                               n > 0 ? (size_t)n : 0, h->capability);
    const char *cap_name = h->capability == CAP_SETUID ? "cap_setuid" : "cap_setgid";
    switch (h->privilege) {
    case NOOK_HELPER_SETUID_ROOT:
        snprintf(h->how, sizeof(h->how), "setuid root");
        break;
    case NOOK_HELPER_FILE_CAPS:
        snprintf(h->how, sizeof(h->how), "%s+ep", cap_name);
        break;
    case NOOK_HELPER_NONE:
        if ((st.st_mode & S_ISUID) && st.st_uid == 0 && nosuid)
            snprintf(h->how, sizeof(h->how), "setuid root, but on a nosuid mount");
        else
            snprintf(h->how, sizeof(h->how), "neither setuid root (mode %04o, owner uid %u) nor %s+ep",
                     (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, cap_name);
        break;
    }
}

/* "0 1000 1\n1 100000 65536\n" -> "0 1000 1,1 100000 65536". */
static void one_line(char *map_text)
{
    for (char *c = map_text; c && *c; c++)
        if (*c == '\n')
            *c = c[1] ? ',' : '\0';
}

/* The trial: a child unshares a user namespace and waits; nook writes its
 * maps with the helpers, exactly as create does (idmap.c). */
static int map_trial(struct nook_check_context *ctx, const struct helper *uid_helper,
                     const struct helper *gid_helper, const struct nook_subid_range *uid_ranges,
                     size_t uid_count, const struct nook_subid_range *gid_ranges, size_t gid_count,
                     char **maps_text, struct nook_error *err)
{
    struct nook_idmaps maps = { 0 };
    struct nook_idmap_owner owner = {
        .uid = ctx->params->uid, .gid = ctx->params->gid, .name = ctx->params->user,
    };
    int r = nook_idmap_add_subordinate(&maps.uid, owner.uid, uid_ranges, uid_count);
    if (r == 0)
        r = nook_idmap_add_subordinate(&maps.gid, owner.gid, gid_ranges, gid_count);
    maps.newuidmap = strdup(uid_helper->path);
    maps.newgidmap = strdup(gid_helper->path);
    if (r < 0 || !maps.newuidmap || !maps.newgidmap) {
        nook_idmaps_clear(&maps);
        ctx->out_of_memory = true;
        return -ENOMEM;
    }
    _cleanup_free_ char *uid_text = nook_idmap_format(&maps.uid);
    _cleanup_free_ char *gid_text = nook_idmap_format(&maps.gid);
    one_line(uid_text);
    one_line(gid_text);
    if (asprintf(maps_text, "uid \"%s\", gid \"%s\"", str_or(uid_text, ""), str_or(gid_text, "")) < 0)
        *maps_text = NULL;

    int ready[2], go[2];
    if (pipe2(ready, O_CLOEXEC) < 0) {
        nook_idmaps_clear(&maps);
        return nook_error_set_errno(err, errno, "pipe");
    }
    if (pipe2(go, O_CLOEXEC) < 0) {
        int saved = errno;
        close(ready[0]);
        close(ready[1]);
        nook_idmaps_clear(&maps);
        return nook_error_set_errno(err, saved, "pipe");
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        close(go[1]);
        char byte = unshare(CLONE_NEWUSER) == 0 ? 0 : (char)errno;
        if (write(ready[1], &byte, 1) != 1)
            _exit(1);
        /* Wait for nook to be done with the maps (the pipe closes). */
        while (read(go[0], &byte, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    int saved = errno;
    close(ready[1]);
    close(go[0]);
    _cleanup_close_ int ready_fd = ready[0];
    _cleanup_close_ int go_fd = go[1];
    if (pid < 0) {
        nook_idmaps_clear(&maps);
        return nook_error_set_errno(err, saved, "fork");
    }
    char byte = 0;
    ssize_t n;
    while ((n = read(ready_fd, &byte, 1)) < 0 && errno == EINTR)
        ;
    if (n != 1)
        r = nook_error_set(err, ECHILD, "the trial's child exited before it had a user namespace");
    else if (byte != 0)
        r = nook_error_set_errno(err, (unsigned char)byte, "unshare(CLONE_NEWUSER) in the trial's child");
    else
        r = nook_idmaps_write(pid, &maps, &owner, err);
    closep(&go_fd);
    go_fd = -1;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    nook_idmaps_clear(&maps);
    return r;
}

static void judge_helpers(struct nook_check_context *ctx, struct nook_check_result *r,
                          struct helper *uid_helper_p, struct helper *gid_helper_p);

void hostcheck_newuidmap(struct nook_check_context *ctx, struct nook_check_result *r)
{
    r->required = !ctx->params->privileged;
    struct helper uid_helper = { .name = "newuidmap", .capability = CAP_SETUID };
    struct helper gid_helper = { .name = "newgidmap", .capability = CAP_SETGID };
    helper_look(ctx, &uid_helper);
    helper_look(ctx, &gid_helper);
    judge_helpers(ctx, r, &uid_helper, &gid_helper);
    helper_clear(&uid_helper);
    helper_clear(&gid_helper);
}

static void judge_helpers(struct nook_check_context *ctx, struct nook_check_result *r,
                          struct helper *uid_helper_p, struct helper *gid_helper_p)
{
    bool root = ctx->params->privileged;
    struct helper uid_helper = *uid_helper_p;
    struct helper gid_helper = *gid_helper_p;
    struct helper *helpers[] = { &uid_helper, &gid_helper };

    _cleanup_free_ struct nook_subid_range *uid_ranges = NULL;
    _cleanup_free_ struct nook_subid_range *gid_ranges = NULL;
    size_t uid_count = 0, gid_count = 0;
    (void)user_ranges(ctx, true, &uid_ranges, &uid_count, NULL);
    (void)user_ranges(ctx, false, &gid_ranges, &gid_count, NULL);
    bool has_ranges = uid_count > 0 && gid_count > 0;
    char user_buf[32];
    const char *user = hostcheck_user(ctx, user_buf, sizeof(user_buf));

    /* "/usr/bin/newuidmap (setuid root); /usr/bin/newgidmap (setuid root)" */
    char described[600] = "";
    size_t used = 0;
    for (size_t i = 0; i < N_ELEMENTS(helpers) && used < sizeof(described); i++) {
        const struct helper *h = helpers[i];
        if (h->path)
            used += (size_t)snprintf(described + used, sizeof(described) - used, "%s%s (%s)",
                                     i ? "; " : "", h->path, h->how);
        else
            used += (size_t)snprintf(described + used, sizeof(described) - used, "%s%s: not found",
                                     i ? "; " : "", h->name);
    }

    if (root) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, "%s; as root nook writes the maps itself and does not use them", described);
        return;
    }

    /* Not found at all: nook falls back to a single mapping. */
    struct helper *missing = !uid_helper.path ? &uid_helper : !gid_helper.path ? &gid_helper : NULL;
    if (missing) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "%s (searched $PATH and %s)", described, NOOK_PROGRAM_FALLBACK_PATH);
        _cleanup_free_ char *install = hostcheck_install(ctx, &uidmap_packages);
        hostcheck_fix(ctx, r, "%s", str_or(install, ""));
        if (has_ranges)
            hostcheck_impact(ctx, r,
                             "containers run with a single mapping (only uid and gid 0 inside), although %s has subordinate ranges",
                             user);
        else
            hostcheck_impact(ctx, r, "containers run with a single mapping (only uid and gid 0 inside)");
        return;
    }

    /* Found but without the privilege: create fails once ranges exist. */
    struct helper *weak = uid_helper.privilege == NOOK_HELPER_NONE ? &uid_helper
                          : gid_helper.privilege == NOOK_HELPER_NONE ? &gid_helper : NULL;
    if (weak) {
        hostcheck_status(r, has_ranges ? NOOK_CHECK_FAIL : NOOK_CHECK_WARN);
        hostcheck_file(ctx, r, weak->path);
        hostcheck_found(ctx, r, "%s", described);
        for (size_t i = 0; i < N_ELEMENTS(helpers); i++) {
            if (helpers[i]->privilege != NOOK_HELPER_NONE)
                continue;
            hostcheck_fix(ctx, r, "sudo chmod u+s %s   (or: sudo setcap %s+ep %s)", helpers[i]->path,
                          helpers[i]->capability == CAP_SETUID ? "cap_setuid" : "cap_setgid",
                          helpers[i]->path);
        }
        hostcheck_impact(ctx, r, "%s",
                         has_ranges ? "every rootless container fails to start: nook cannot write its id maps"
                                    : "nothing yet (without subordinate ranges nook writes a single mapping itself), but containers fail once ranges are added");
        return;
    }

    if (!has_ranges) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, "%s; not used: %s has no subordinate ranges (see subid.uid, subid.gid)",
                        described, user);
        return;
    }

    struct nook_error err = { 0 };
    _cleanup_free_ char *maps_text = NULL;
    int trial = map_trial(ctx, &uid_helper, &gid_helper, uid_ranges, uid_count, gid_ranges, gid_count,
                          &maps_text, &err);
    if (trial == -ENOMEM && ctx->out_of_memory)
        return;
    if (trial < 0) {
        hostcheck_strip_see(err.message);
        r->errnum = err.errnum;
        hostcheck_status(r, NOOK_CHECK_FAIL);
        hostcheck_found(ctx, r, "%s; writing the maps %s of a scratch user namespace failed: %s",
                        described, str_or(maps_text, ""), err.message);
        hostcheck_fix(ctx, r, "grep -H '^%s:' %s %s   (the ranges must be %s's; fix them with sudo usermod)",
                      user, ctx->subuid_file, ctx->subgid_file, user);
        hostcheck_impact(ctx, r, "every rootless container fails to start: nook cannot write its id maps");
        return;
    }
    if (!uid_helper.in_path || !gid_helper.in_path) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r,
                        "%s, not in $PATH (%s): nook found them in %s and wrote the maps %s of a scratch user namespace",
                        described, str_or(ctx->params->path, "unset"), NOOK_PROGRAM_FALLBACK_PATH,
                        str_or(maps_text, ""));
        char *slash = strrchr(uid_helper.in_path ? gid_helper.path : uid_helper.path, '/');
        if (slash)
            *slash = '\0';
        hostcheck_fix(ctx, r, "export PATH=\"$PATH:%s\"",
                      uid_helper.in_path ? gid_helper.path : uid_helper.path);
        hostcheck_impact(ctx, r,
                         "nook itself works; tools that run newuidmap from $PATH (podman, buildah, unshare --map-auto) do not");
        return;
    }
    hostcheck_status(r, NOOK_CHECK_OK);
    hostcheck_found(ctx, r, "%s; wrote the maps %s of a scratch user namespace", described,
                    str_or(maps_text, ""));
}
