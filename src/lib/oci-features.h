/* oci-features.h: the runtime-spec "features" document that `nook features`
 * prints, assembled from what each room of nook says it implements.
 * (Not "features.h": src/lib is on the include path, and that name would
 * shadow glibc's <features.h>.)
 *
 * The document must claim only what nook really does, so nothing in it is
 * written down here: every list and every boolean comes from a "part" that
 * the room implementing it exports. How a room adds itself:
 *
 *   1. next to the code that handles the names (so a name is listed only
 *      where it is implemented), define one part, e.g. in mount.c
 *
 *        static const char *const mount_option_names[] = { "bind", "ro", ..., NULL };
 *        const struct nook_features_part nook_mount_features = {
 *            .name = "mount",
 *            .lists[NOOK_FEATURE_MOUNT_OPTIONS] = mount_option_names,
 *            .flags[NOOK_FEATURE_IDMAP_MOUNTS] = true,
 *        };
 *
 *   2. declare it in the room's header
 *      (`extern const struct nook_features_part nook_mount_features;`);
 *
 *   3. add `&nook_mount_features` to the parts list in oci-features.c.
 *
 * Several parts may feed the same list (the union is printed, each name
 * once, in the order the parts and their lists give); a flag is true when
 * any part sets it. Lists nobody feeds are printed empty: nook recognises
 * none of those names yet (an absent list would mean "unknown"). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* json-glib's node type, declared here (as json-glib does) so that the
 * rooms defining parts need not include json-glib: only the json-glib
 * module (nook-json.so) and the unit tests call nook_features_build(). */
typedef struct _JsonNode JsonNode;

/* Lists of recognised names. */
enum nook_feature_list {
    NOOK_FEATURE_HOOKS,                    /* hooks: "prestart", "createRuntime", ... */
    NOOK_FEATURE_MOUNT_OPTIONS,            /* mountOptions: "ro", "rbind", ... */
    NOOK_FEATURE_NAMESPACES,               /* linux.namespaces: "pid", "user", ... */
    NOOK_FEATURE_CAPABILITIES,             /* linux.capabilities: "CAP_KILL", ... */
    NOOK_FEATURE_SECCOMP_ACTIONS,          /* linux.seccomp.actions */
    NOOK_FEATURE_SECCOMP_OPERATORS,        /* linux.seccomp.operators */
    NOOK_FEATURE_SECCOMP_ARCHS,            /* linux.seccomp.archs */
    NOOK_FEATURE_SECCOMP_KNOWN_FLAGS,      /* linux.seccomp.knownFlags */
    NOOK_FEATURE_SECCOMP_SUPPORTED_FLAGS,  /* linux.seccomp.supportedFlags (see .supported) */
    NOOK_FEATURE_LIST_COUNT,
};

/* Booleans: whether support is built in (not whether the host has it). */
enum nook_feature_flag {
    NOOK_FEATURE_CGROUP_V1,       /* linux.cgroup.v1 */
    NOOK_FEATURE_CGROUP_V2,       /* linux.cgroup.v2 */
    NOOK_FEATURE_CGROUP_SYSTEMD,  /* linux.cgroup.systemd (the system manager) */
    NOOK_FEATURE_CGROUP_SYSTEMD_USER, /* linux.cgroup.systemdUser */
    NOOK_FEATURE_CGROUP_RDMA,     /* linux.cgroup.rdma */
    NOOK_FEATURE_SECCOMP,         /* linux.seccomp.enabled */
    NOOK_FEATURE_APPARMOR,        /* linux.apparmor.enabled */
    NOOK_FEATURE_SELINUX,         /* linux.selinux.enabled */
    NOOK_FEATURE_INTEL_RDT,       /* linux.intelRdt.enabled */
    NOOK_FEATURE_IDMAP_MOUNTS,    /* linux.mountExtensions.idmap.enabled */
    NOOK_FEATURE_FLAG_COUNT,
};

/* What one room of nook implements. */
struct nook_features_part {
    const char *name;  /* the room, e.g. "mount"; for readers and tests */
    /* NULL-terminated name arrays; NULL where the part adds nothing. */
    const char *const *lists[NOOK_FEATURE_LIST_COUNT];
    bool flags[NOOK_FEATURE_FLAG_COUNT];
    /* The annotations of config.json the room reads, as key, value pairs
     * (the value says what it takes: "true|false"), NULL-terminated;
     * NULL where the part reads none. Printed in the document's
     * "annotations", sorted by key. */
    const char *const *annotations;
    /* Optional: for the few lists that depend on the host rather than on
     * the build (seccomp's supportedFlags depends on the kernel and
     * libseccomp), return false to leave a name of this part's list out. */
    bool (*supported)(enum nook_feature_list list, const char *name);
};

/* The parts compiled into this nook; NULL-terminated. */
const struct nook_features_part *const *nook_features_parts(void);

/* The features document built from parts (NULL-terminated), with
 * ociVersionMin/Max and the annotations (version, commit, build features,
 * libseccomp's version). Transfer full: json_node_unref(). Not in the nook
 * executable, which does not link json-glib: it has only the text. */
JsonNode *nook_features_build(const struct nook_features_part *const *parts);

/* The same, pretty-printed with a trailing newline; malloc'd (free()),
 * NULL when out of memory. In the nook executable this loads the json-glib
 * module, and NULL also means that failed (nook_json_module_check() in
 * json-module.h says why). */
char *nook_features_text(const struct nook_features_part *const *parts);
