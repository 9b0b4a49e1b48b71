/* mount-idmap.h: idmapped mounts, config.json's mounts with uidMappings
 * and gidMappings or the options "idmap" / "ridmap". Each is made by the
 * host side of create, before the clone: a detached copy of its bind
 * source (open_tree with OPEN_TREE_CLONE) given MOUNT_ATTR_IDMAP with a
 * user namespace that carries the mount's mappings; the init moves it into
 * place at its turn among the mounts (move_mount). The host side makes it
 * because the kernel lets only a process with CAP_SYS_ADMIN over the
 * source's file system idmap a mount of it: root on the host, never the
 * init once it is in a user namespace of its own, and never a rootless
 * caller (whose files are on the host's file systems).
 *
 * The mappings read as runc and crun read them: a file that the file
 * system says belongs to containerID is seen through the mount as
 * belonging to hostID (each uidMappings entry is a line of the user
 * namespace's uid_map). "idmap" without mappings takes the container's
 * own user namespace mappings, so that its root sees the image's root's
 * files as its own. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct nook_spec;
struct nook_spec_mount;
struct nook_idmaps;

struct nook_idmapped_mounts {
    int *fds;          /* one per spec->mounts[] entry: the detached mount; -1: none */
    size_t count;
};

/* Whether the mount asks for an id mapping (mappings, idmap or ridmap). */
bool nook_mount_wants_idmap(const struct nook_spec_mount *mount);

/* Make the idmapped mounts of spec (bind sources relative to bundle).
 * container_maps: the container's user namespace maps, for "idmap"
 * without mappings of its own (NULL: the container has no user namespace,
 * and such a mount is an error). privileged false: any idmapped mount is
 * an error that says why. *out is empty (count 0) when there are none. */
int nook_idmapped_mounts_prepare(const struct nook_spec *spec, const char *bundle, bool privileged,
                                 const struct nook_idmaps *container_maps,
                                 struct nook_idmapped_mounts *out, struct nook_error *err);

/* Close the fds (a detached mount nobody moved goes with its fd). */
void nook_idmapped_mounts_clear(struct nook_idmapped_mounts *mounts);
