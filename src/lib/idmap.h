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

/* Map a container id to its host id; returns -1 (as uid_t) when unmapped. */
int64_t nook_idmap_to_host(const struct nook_idmap *map, uint32_t container_id);

/* "0 1000 1\n1 100000 65536\n": the text of /proc/PID/uid_map for map. */
char *nook_idmap_format(const struct nook_idmap *map);
