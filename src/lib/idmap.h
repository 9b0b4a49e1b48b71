/* idmap.h: the user namespace's uid and gid maps: where they come from
 * (config.json, or the caller's subordinate ranges through libsubid, or a
 * single mapping as the fallback) and how they are written (newuidmap and
 * newgidmap, or /proc/PID/{uid,gid}_map directly when that is allowed). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct nook_id_range {
    uint32_t container_id;
    uint32_t host_id;
    uint32_t size;
};

struct nook_idmap {
    struct nook_id_range *ranges;
    size_t count;
};

/* Subordinate ids given to a container at most, beyond the caller's own. */
#define NOOK_IDMAP_SUBORDINATE_MAX 65536u

struct nook_idmaps {
    struct nook_idmap uid;
    struct nook_idmap gid;
    /* Set when the maps fell back to a single mapping: why, and the fix.
     * The caller prints it once. */
    char *warning;
    /* Paths of newuidmap/newgidmap when the maps need them, else NULL. */
    char *newuidmap;
    char *newgidmap;
};

/* Who the maps are for. */
struct nook_idmap_owner {
    uid_t uid;
    gid_t gid;
    const char *name;        /* user name, for libsubid; NULL if unknown */
    bool privileged;         /* euid 0: any map can be written directly */
};

/* Build the maps. config_uid/config_gid are config.json's mappings (count
 * 0 when it has none): used as they are. Without them an unprivileged
 * caller gets container 0 → itself and 1..N → its subordinate ranges (all
 * of them, in order, at most NOOK_IDMAP_SUBORDINATE_MAX ids), or the single
 * mapping with a warning when it has none or newuidmap is missing; a
 * privileged caller without mappings is an error, as in runc. */
int nook_idmaps_resolve(const struct nook_idmap *config_uid, const struct nook_idmap *config_gid,
                        const struct nook_idmap_owner *owner, struct nook_idmaps *out,
                        struct nook_error *err);

/* Write the maps of process pid (which must be in a new user namespace
 * and not yet have maps). */
int nook_idmaps_write(pid_t pid, const struct nook_idmaps *maps, const struct nook_idmap_owner *owner,
                      struct nook_error *err);

void nook_idmaps_clear(struct nook_idmaps *maps);

/* Whether this process runs in a user namespace other than the initial one
 * (its uid_map is not the identity): euid 0 there is root of that namespace
 * only, as in podman's rootless namespace or `podman unshare`. nook then
 * acts as root for the container (no user namespace of its own, maps
 * written directly) but keeps to the user's state directory and cgroup
 * delegation, and binds device nodes instead of making them, as runc and
 * crun do there. */
bool nook_idmap_in_user_namespace(void);

/* Map a container id to its host id; returns -1 (as uid_t) when unmapped. */
int64_t nook_idmap_to_host(const struct nook_idmap *map, uint32_t container_id);

/* "0 1000 1\n1 100000 65536\n": the text of /proc/PID/uid_map for map. */
char *nook_idmap_format(const struct nook_idmap *map);

/* ---- subordinate ids and the map helpers, for `nook check` too ---- */

#define NOOK_SUBUID_FILE "/etc/subuid"
#define NOOK_SUBGID_FILE "/etc/subgid"
/* Searched after $PATH for newuidmap and newgidmap. */
#define NOOK_PROGRAM_FALLBACK_PATH "/usr/bin:/usr/sbin:/bin:/sbin"

/* One line "owner:start:count" of a subid file; owner is a name or a uid. */
struct nook_subid_entry {
    char *owner;
    unsigned long start;
    unsigned long count;
};

struct nook_subid_range {
    unsigned long start;
    unsigned long count;
};

/* Every well-formed line of a subid file, in order; *invalid (may be
 * NULL) counts the lines that are not. A missing file is no entries. */
int nook_subid_file_read(const char *file, struct nook_subid_entry **out, size_t *count,
                         size_t *invalid);
void nook_subid_entries_free(struct nook_subid_entry *entries, size_t count);
/* Whether the entry names the user, by name or by uid. */
bool nook_subid_entry_is_for(const struct nook_subid_entry *entry, const char *name, uid_t uid);

/* The owner's subordinate uid (for_uids) or gid ranges as nook's own maps
 * use them: through libsubid when /etc/nsswitch.conf names a subid service
 * other than the files (*from_library, may be NULL, is then true), else
 * from file (NULL: /etc/subuid or /etc/subgid). */
int nook_subid_ranges(bool for_uids, const char *file, const struct nook_idmap_owner *owner,
                      struct nook_subid_range **out, size_t *count, bool *from_library);

/* container 0 -> own_id, then 1.. the ranges in order, at most
 * NOOK_IDMAP_SUBORDINATE_MAX ids: the map nook gives a rootless container. */
int nook_idmap_add_subordinate(struct nook_idmap *map, uint32_t own_id,
                               const struct nook_subid_range *ranges, size_t count);

/* The first regular executable file `name` in the absolute directories of
 * path (colon-separated; relative entries are skipped); NULL when none. */
char *nook_find_in_path(const char *name, const char *path);
/* nook_find_in_path() in path, then in NOOK_PROGRAM_FALLBACK_PATH: how
 * nook finds newuidmap and newgidmap. */
char *nook_find_program(const char *name, const char *path);
