/* idmap.c: resolve and write user namespace id maps (see idmap.h). */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "config.h"
#include "idmap.h"

#if HAVE_SUBID
#include <dlfcn.h>
#include <shadow/subid.h>
#endif

extern char **environ;

static int idmap_append(struct nook_idmap *map, uint32_t container_id, uint32_t host_id,
                        uint32_t size)
{
    struct nook_id_range *grown = realloc(map->ranges, (map->count + 1) * sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    grown[map->count++] = (struct nook_id_range){ container_id, host_id, size };
    map->ranges = grown;
    return 0;
}

static int idmap_copy(struct nook_idmap *dst, const struct nook_idmap *src)
{
    for (size_t i = 0; i < src->count; i++) {
        int r = idmap_append(dst, src->ranges[i].container_id, src->ranges[i].host_id,
                             src->ranges[i].size);
        if (r < 0)
            return r;
    }
    return 0;
}

char *nook_find_in_path(const char *name, const char *path)
{
    if (!path || !*path)
        return NULL;
    _cleanup_free_ char *dirs = strdup(path);
    if (!dirs)
        return NULL;
    char *save = NULL;
    for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        /* A relative entry would depend on the current directory. */
        if (dir[0] != '/')
            continue;
        char *candidate = NULL;
        if (asprintf(&candidate, "%s/%s", dir, name) < 0)
            return NULL;
        struct stat st;
        if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0)
            return candidate;
        free(candidate);
    }
    return NULL;
}

/* PATH is often minimal under engines: the usual system directories are
 * searched after it. */
char *nook_find_program(const char *name, const char *path)
{
    char *found = nook_find_in_path(name, path);
    return found ? found : nook_find_in_path(name, NOOK_PROGRAM_FALLBACK_PATH);
}

static char *find_program(const char *name)
{
    return nook_find_program(name, getenv("PATH"));
}

void nook_subid_entries_free(struct nook_subid_entry *entries, size_t count)
{
    for (size_t i = 0; entries && i < count; i++)
        free(entries[i].owner);
    free(entries);
}

/* A decimal number that fills the whole field. */
static bool parse_ulong(const char *text, unsigned long *out)
{
    if (!text || !*text || text[0] == '-' || text[0] == '+')
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || !end || *end)
        return false;
    *out = v;
    return true;
}

int nook_subid_file_read(const char *file, struct nook_subid_entry **out, size_t *count,
                         size_t *invalid)
{
    *out = NULL;
    *count = 0;
    if (invalid)
        *invalid = 0;
    _cleanup_fclose_ FILE *f = fopen(file, "re");
    if (!f)
        return errno == ENOENT ? 0 : -errno;
    struct nook_subid_entry *entries = NULL;
    size_t n = 0;
    _cleanup_free_ char *line = NULL;
    size_t size = 0;
    ssize_t len;
    while ((len = getline(&line, &size, f)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        char *save = NULL;
        char *owner = strtok_r(line, ":", &save);
        char *start = strtok_r(NULL, ":", &save);
        char *length = strtok_r(NULL, ":", &save);
        char *extra = strtok_r(NULL, ":", &save);
        unsigned long start_value, length_value;
        if (!owner || extra || !parse_ulong(start, &start_value) ||
            !parse_ulong(length, &length_value)) {
            if (invalid)
                (*invalid)++;
            continue;
        }
        struct nook_subid_entry *grown = realloc(entries, (n + 1) * sizeof(*grown));
        if (!grown) {
            nook_subid_entries_free(entries, n);
            return -ENOMEM;
        }
        entries = grown;
        entries[n].owner = strdup(owner);
        if (!entries[n].owner) {
            nook_subid_entries_free(entries, n);
            return -ENOMEM;
        }
        entries[n].start = start_value;
        entries[n].count = length_value;
        n++;
    }
    *out = entries;
    *count = n;
    return 0;
}

bool nook_subid_entry_is_for(const struct nook_subid_entry *entry, const char *name, uid_t uid)
{
    char uid_text[32];
    snprintf(uid_text, sizeof(uid_text), "%u", (unsigned)uid);
    return (name && strcmp(entry->owner, name) == 0) || strcmp(entry->owner, uid_text) == 0;
}

/* The owner's ranges of a subid file, in the file's order: nook reads the
 * files itself unless another source is configured (see below). */
static int read_subid_file(const char *file, const char *name, uid_t uid,
                           struct nook_subid_range **out, size_t *count)
{
    struct nook_subid_entry *entries = NULL;
    size_t n = 0;
    *out = NULL;
    *count = 0;
    int r = nook_subid_file_read(file, &entries, &n, NULL);
    if (r < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        if (!nook_subid_entry_is_for(&entries[i], name, uid))
            continue;
        struct nook_subid_range *grown = realloc(*out, (*count + 1) * sizeof(*grown));
        if (!grown) {
            nook_subid_entries_free(entries, n);
            free(*out);
            *out = NULL;
            *count = 0;
            return -ENOMEM;
        }
        *out = grown;
        grown[(*count)++] = (struct nook_subid_range){ entries[i].start, entries[i].count };
    }
    nook_subid_entries_free(entries, n);
    return 0;
}

#if HAVE_SUBID
/* Whether /etc/nsswitch.conf sends subordinate ids to a service other
 * than the files (sss, an LDAP module). libsubid pulls PAM, libsemanage
 * and libaudit into the process, about 1 MiB of memory in every nook
 * command; so nook reads /etc/subuid itself, as libsubid's "files" source
 * does, and loads libsubid only when another source is configured. */
static bool subid_service_configured(void)
{
    _cleanup_fclose_ FILE *f = fopen("/etc/nsswitch.conf", "re");
    if (!f)
        return false;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        char *p = line + strspn(line, " \t");
        if (strncmp(p, "subid:", 6) != 0)
            continue;
        char *save = NULL;
        for (char *word = strtok_r(p + 6, " \t\n", &save); word; word = strtok_r(NULL, " \t\n", &save))
            if (word[0] != '#' && strcmp(word, "files") != 0)
                return true;
        return false;
    }
    return false;
}

/* Ask libsubid, loaded now. Returns the count or a negative errno. */
static int subid_library_ranges(bool for_uids, const char *owner, struct nook_subid_range **out,
                                 size_t *count)
{
    void *lib = dlopen("libsubid.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return -ENOENT;
    __typeof__(subid_get_uid_ranges) *get =
        dlsym(lib, for_uids ? "subid_get_uid_ranges" : "subid_get_gid_ranges");
    if (!get) {
        dlclose(lib);
        return -ENOENT;
    }
    struct subid_range *ranges = NULL;
    int n = get(owner, &ranges);
    int r = 0;
    if (n > 0) {
        *out = calloc((size_t)n, sizeof(**out));
        if (*out) {
            for (int i = 0; i < n; i++)
                (*out)[i] = (struct nook_subid_range){ ranges[i].start, ranges[i].count };
            *count = (size_t)n;
        } else {
            r = -ENOMEM;
        }
    }
    free(ranges);
    dlclose(lib);
    return r;
}
#endif

int nook_subid_ranges(bool for_uids, const char *file, const struct nook_idmap_owner *owner,
                      struct nook_subid_range **out, size_t *count, bool *from_library)
{
    *out = NULL;
    *count = 0;
    if (from_library)
        *from_library = false;
#if HAVE_SUBID
    if (owner->name && subid_service_configured()) {
        int r = subid_library_ranges(for_uids, owner->name, out, count);
        if (r != -ENOENT) {
            if (from_library)
                *from_library = true;
            return r;
        }
        /* libsubid is not installed: fall back to the files. */
    }
#endif
    if (!file)
        file = for_uids ? NOOK_SUBUID_FILE : NOOK_SUBGID_FILE;
    return read_subid_file(file, owner->name, owner->uid, out, count);
}

static int subordinate_ranges(bool for_uids, const struct nook_idmap_owner *owner,
                              struct nook_subid_range **out, size_t *count)
{
    return nook_subid_ranges(for_uids, NULL, owner, out, count, NULL);
}

int nook_idmap_add_subordinate(struct nook_idmap *map, uint32_t own_id,
                               const struct nook_subid_range *ranges, size_t count)
{
    int r = idmap_append(map, 0, own_id, 1);
    uint32_t next = 1;
    uint64_t left = NOOK_IDMAP_SUBORDINATE_MAX;
    for (size_t i = 0; r == 0 && i < count && left > 0; i++) {
        if (ranges[i].count == 0 || ranges[i].start > UINT32_MAX)
            continue;
        uint64_t size = ranges[i].count < left ? ranges[i].count : left;
        r = idmap_append(map, next, (uint32_t)ranges[i].start, (uint32_t)size);
        next += (uint32_t)size;
        left -= size;
    }
    return r;
}

static int resolve_unprivileged(const struct nook_idmap_owner *owner, struct nook_idmaps *out,
                                struct nook_error *err)
{
    _cleanup_free_ struct nook_subid_range *uid_ranges = NULL;
    _cleanup_free_ struct nook_subid_range *gid_ranges = NULL;
    size_t uid_count = 0, gid_count = 0;
    int r = subordinate_ranges(true, owner, &uid_ranges, &uid_count);
    if (r == 0)
        r = subordinate_ranges(false, owner, &gid_ranges, &gid_count);
    if (r < 0)
        return nook_error_set_errno(err, -r, "read subordinate id ranges");

    out->newuidmap = find_program("newuidmap");
    out->newgidmap = find_program("newgidmap");
    const char *who = owner->name ? owner->name : "this user";
    /* What is missing, then the fix, which ends with the check of `nook
     * check` that explains it. */
    const char *missing = NULL;
    char what[256];
    char fix[512];
    if (uid_count == 0) {
        snprintf(what, sizeof(what), "no subordinate uids for \"%s\" in /etc/subuid", who);
        snprintf(fix, sizeof(fix),
                 "add a range with `sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s` (see: nook check subid.uid)",
                 who);
        missing = what;
    } else if (gid_count == 0) {
        snprintf(what, sizeof(what), "no subordinate gids for \"%s\" in /etc/subgid", who);
        snprintf(fix, sizeof(fix),
                 "add a range with `sudo usermod --add-subgids 100000-165535 %s` (see: nook check subid.gid)",
                 who);
        missing = what;
    } else if (!out->newuidmap || !out->newgidmap) {
        missing = "newuidmap/newgidmap not found";
        snprintf(fix, sizeof(fix),
                 "install them (`sudo apt-get install uidmap`) (see: nook check newuidmap.setuid)");
    }
    if (missing) {
        free(steal_pointer(&out->newuidmap));
        free(steal_pointer(&out->newgidmap));
        if (asprintf(&out->warning, "%s; running with a single mapping (container 0 = uid %u); %s",
                     missing, (unsigned)owner->uid, fix) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
        r = idmap_append(&out->uid, 0, owner->uid, 1);
        if (r == 0)
            r = idmap_append(&out->gid, 0, owner->gid, 1);
        return r < 0 ? nook_error_set(err, -r, "out of memory") : 0;
    }
    r = nook_idmap_add_subordinate(&out->uid, owner->uid, uid_ranges, uid_count);
    if (r == 0)
        r = nook_idmap_add_subordinate(&out->gid, owner->gid, gid_ranges, gid_count);
    return r < 0 ? nook_error_set(err, -r, "out of memory") : 0;
}

int nook_idmaps_resolve(const struct nook_idmap *config_uid, const struct nook_idmap *config_gid,
                        const struct nook_idmap_owner *owner, struct nook_idmaps *out,
                        struct nook_error *err)
{
    memset(out, 0, sizeof(*out));
    bool have_uid = config_uid && config_uid->count > 0;
    bool have_gid = config_gid && config_gid->count > 0;
    if (have_uid != have_gid)
        return nook_error_set(err, EINVAL,
                              "config.json: .linux: uidMappings and gidMappings must be given together");
    if (have_uid) {
        int r = idmap_copy(&out->uid, config_uid);
        if (r == 0)
            r = idmap_copy(&out->gid, config_gid);
        if (r < 0)
            return nook_error_set(err, -r, "out of memory");
        if (!owner->privileged) {
            out->newuidmap = find_program("newuidmap");
            out->newgidmap = find_program("newgidmap");
        }
        return 0;
    }
    if (owner->privileged)
        return nook_error_set(err, EINVAL,
                              "config.json: .linux: a user namespace without uidMappings and gidMappings; add them (root gets no automatic mapping)");
    return resolve_unprivileged(owner, out, err);
}

char *nook_idmap_format(const struct nook_idmap *map)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return NULL;
    for (size_t i = 0; i < map->count; i++)
        fprintf(f, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", map->ranges[i].container_id,
                map->ranges[i].host_id, map->ranges[i].size);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

int64_t nook_idmap_to_host(const struct nook_idmap *map, uint32_t container_id)
{
    for (size_t i = 0; i < map->count; i++) {
        const struct nook_id_range *r = &map->ranges[i];
        if (container_id >= r->container_id && container_id - r->container_id < r->size)
            return (int64_t)r->host_id + (container_id - r->container_id);
    }
    return -1;
}

static int write_file_at_pid(pid_t pid, const char *name, const char *text, struct nook_error *err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "open %s", path);
    ssize_t n = write(fd, text, strlen(text));
    if (n < 0)
        return nook_error_set_errno(err, errno, "write %s", path);
    if ((size_t)n != strlen(text))
        return nook_error_set(err, EIO, "write %s: short write", path);
    return 0;
}

/* Whether a map may be written without newuidmap: by a privileged caller,
 * or a single mapping of the caller's own id. */
static bool writable_directly(const struct nook_idmap *map, uint32_t own_id, bool privileged)
{
    return privileged || (map->count == 1 && map->ranges[0].size == 1 && map->ranges[0].host_id == own_id);
}

static const char *helper_failure_hint(const char *helper_path, const char *who)
{
    struct stat st;
    if (stat(helper_path, &st) == 0 && !(st.st_mode & S_ISUID) &&
        getxattr(helper_path, "security.capability", NULL, 0) < 0)
        return "it is neither setuid root nor has file capabilities; reinstall it (`sudo apt-get install --reinstall uidmap`) (see: nook check newuidmap.setuid)";
    (void)who;
    return "the ranges must belong to the user in /etc/subuid and /etc/subgid (see: nook check newuidmap.setuid)";
}

/* Run newuidmap/newgidmap PID c h s ...; on failure the error carries its
 * stderr and the likely cause. */
static int run_map_helper(const char *helper, pid_t pid, const struct nook_idmap *map,
                          const char *who, struct nook_error *err)
{
    size_t argc = 2 + 3 * map->count + 1;
    _cleanup_free_ char **argv = calloc(argc, sizeof(char *));
    _cleanup_free_ char *numbers = calloc(argc, 16);
    if (!argv || !numbers)
        return nook_error_set(err, ENOMEM, "out of memory");
    size_t i = 0;
    argv[i++] = (char *)helper;
    char *slot = numbers;
    snprintf(slot, 16, "%d", (int)pid);
    argv[i++] = slot;
    slot += 16;
    for (size_t k = 0; k < map->count; k++) {
        uint32_t values[3] = { map->ranges[k].container_id, map->ranges[k].host_id, map->ranges[k].size };
        for (int v = 0; v < 3; v++) {
            snprintf(slot, 16, "%" PRIu32, values[v]);
            argv[i++] = slot;
            slot += 16;
        }
    }
    argv[i] = NULL;

    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return nook_error_set_errno(err, errno, "pipe");
    _cleanup_close_ int out_read = pipefd[0];
    _cleanup_close_ int out_write = pipefd[1];
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_write, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_write, STDERR_FILENO);
    pid_t child;
    int r = posix_spawn(&child, helper, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (r != 0)
        return nook_error_set_errno(err, r, "run %s", helper);
    closep(&out_write);
    out_write = -1;

    char output[512] = "";
    size_t used = 0;
    for (;;) {
        ssize_t n = read(out_read, output + used, sizeof(output) - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        used += (size_t)n;
        if (used == sizeof(output) - 1)
            break;
    }
    output[used] = '\0';
    while (used > 0 && (output[used - 1] == '\n' || output[used - 1] == ' '))
        output[--used] = '\0';

    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            return nook_error_set_errno(err, errno, "wait for %s", helper);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    _cleanup_free_ char *mapping = nook_idmap_format(map);
    for (char *c = mapping; c && *c; c++)
        if (*c == '\n')
            *c = c[1] ? ',' : '\0';
    return nook_error_set(err, EPERM, "%s failed for the mapping \"%s\": %s; %s", helper,
                          mapping ? mapping : "", used ? output : "(no output)",
                          helper_failure_hint(helper, who));
}

int nook_idmaps_write(pid_t pid, const struct nook_idmaps *maps, const struct nook_idmap_owner *owner,
                      struct nook_error *err)
{
    const char *who = owner->name ? owner->name : "this user";
    int r;
    if (writable_directly(&maps->uid, owner->uid, owner->privileged)) {
        _cleanup_free_ char *text = nook_idmap_format(&maps->uid);
        if (!text)
            return nook_error_set(err, ENOMEM, "out of memory");
        r = write_file_at_pid(pid, "uid_map", text, err);
    } else if (maps->newuidmap) {
        r = run_map_helper(maps->newuidmap, pid, &maps->uid, who, err);
    } else {
        r = nook_error_set(err, EPERM,
                           "the uid mapping needs newuidmap, which was not found; install it (`sudo apt-get install uidmap`) (see: nook check newuidmap.setuid)");
    }
    if (r < 0)
        return r;

    if (writable_directly(&maps->gid, owner->gid, owner->privileged)) {
        /* An unprivileged process may write a gid map only after giving up
         * setgroups(2) in the namespace. */
        if (!owner->privileged) {
            r = write_file_at_pid(pid, "setgroups", "deny", err);
            if (r < 0)
                return r;
        }
        _cleanup_free_ char *text = nook_idmap_format(&maps->gid);
        if (!text)
            return nook_error_set(err, ENOMEM, "out of memory");
        return write_file_at_pid(pid, "gid_map", text, err);
    }
    if (maps->newgidmap)
        return run_map_helper(maps->newgidmap, pid, &maps->gid, who, err);
    return nook_error_set(err, EPERM,
                          "the gid mapping needs newgidmap, which was not found; install it (`sudo apt-get install uidmap`) (see: nook check newuidmap.setuid)");
}

void nook_idmaps_clear(struct nook_idmaps *maps)
{
    free(maps->uid.ranges);
    free(maps->gid.ranges);
    free(maps->warning);
    free(maps->newuidmap);
    free(maps->newgidmap);
    memset(maps, 0, sizeof(*maps));
}

bool nook_idmap_in_user_namespace(void)
{
    _cleanup_close_ int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char text[256];
    ssize_t n = read(fd, text, sizeof(text) - 1);
    if (n <= 0)
        return false;
    text[n] = '\0';
    /* The initial namespace maps every id to itself in one line. */
    unsigned long inside = 1, outside = 1, count = 0;
    int fields = sscanf(text, "%lu %lu %lu", &inside, &outside, &count);
    return !(fields == 3 && inside == 0 && outside == 0 && count == 4294967295UL);
}
