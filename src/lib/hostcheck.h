/* hostcheck.h: the checks behind `nook check`: whether this host can run
 * rootless containers, and what exactly to do when it cannot.
 *
 * Every check has a stable id ("userns.trial") and answers ok, warn or
 * fail with what it found (the file it read, the value, the errno of a real
 * trial: a user namespace is created, a map written, an overlay and a proc
 * mounted in scratch namespaces), and for warn and fail the exact command
 * that fixes it and what breaks until then. `required` says whether a
 * default rootless container needs the check to be ok.
 *
 * Nothing here reads the environment or the caller's identity: every input
 * a test may vary is in struct nook_check_params, which the command fills
 * from the real environment. The checks change nothing on the host; the
 * trials run in forked children, in namespaces that die with them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "idmap.h"

enum nook_check_status {
    NOOK_CHECK_OK,
    NOOK_CHECK_WARN,
    NOOK_CHECK_FAIL,
};

/* "ok", "warn", "fail". */
const char *nook_check_status_name(enum nook_check_status status);

struct nook_check_params {
    uid_t uid;                  /* whom the checks are for: the caller */
    gid_t gid;
    const char *user;           /* its name; NULL when it has none */
    bool privileged;            /* euid 0: root's containers need no rootless setup */
    const char *runtime_dir;    /* $XDG_RUNTIME_DIR, NULL when unset */
    const char *bus_address;    /* $DBUS_SESSION_BUS_ADDRESS, NULL when unset */
    const char *path;           /* $PATH, NULL when unset */
    const char *exe_path;       /* the running nook (helpers are looked for beside it) */
    /* Where things are read; the command leaves them NULL (the real
     * ones), the unit tests point them at fixtures. */
    const char *proc_sys;       /* "/proc/sys" */
    const char *subuid_file;    /* "/etc/subuid" */
    const char *subgid_file;    /* "/etc/subgid" */
    const char *os_release;     /* "/etc/os-release": which package manager the fixes name */
    const char *mountinfo;      /* "/proc/self/mountinfo" */
    const char *dev_dir;        /* "/dev" */
};

struct nook_check_result {
    const char *id;             /* static */
    enum nook_check_status status;
    bool required;              /* a default rootless container needs it ok */
    char *found;                /* one line for people: what was found */
    char *file;                 /* the file read or tried; NULL when none */
    char *value;                /* the value read there; NULL when none */
    int errnum;                 /* errno of the real trial that failed; 0 when none */
    char *fix;                  /* the exact commands, one per line; NULL when ok */
    char *impact;               /* what breaks until it is fixed; NULL when ok */
};

void nook_check_result_clear(struct nook_check_result *result);

struct nook_check_info {
    const char *id;
    const char *summary;        /* what it checks, one line */
};

/* Every check, in the order `nook check` runs them; *count gets their
 * number. */
const struct nook_check_info *nook_check_list(size_t *count);

/* Whether `selector` picks the check `id`: the id itself, or its area
 * (the part before the dot: "cgroup" picks "cgroup.v2" and the others). */
bool nook_check_selects(const char *selector, const char *id);

struct nook_check_context;

/* A context holds the parameters (which must outlive it) and what several
 * checks share (the subordinate ranges, the outcome of the overlay trial). */
int nook_check_context_new(const struct nook_check_params *params, struct nook_check_context **out);
void nook_check_context_free(struct nook_check_context *ctx);
static inline void nook_check_context_freep(struct nook_check_context **ctx)
{
    if (*ctx)
        nook_check_context_free(*ctx);
}

/* Run one check by id into *out (cleared first). -ENOENT for an unknown
 * id; -ENOMEM; otherwise 0, whatever the check's status. */
int nook_check_run(struct nook_check_context *ctx, const char *id, struct nook_check_result *out);

/* ---- the pure parts, for the unit tests ---- */

/* The value of a sysctl ("user.max_user_namespaces") read under proc_sys
 * (NULL: /proc/sys), trailing newline removed, in *value; *file (may be
 * NULL) gets the path. -ENOENT when the kernel has no such sysctl. */
int nook_check_sysctl_read(const char *proc_sys, const char *name, char **value, char **file);

/* "1\t0" (net.ipv4.ping_group_range): whether gid is inside the range.
 * -EINVAL when the text is not two numbers. */
int nook_check_ping_range_covers(const char *text, gid_t gid, bool *covers);

/* How a newuidmap/newgidmap file gets its privilege. */
enum nook_check_helper_privilege {
    NOOK_HELPER_SETUID_ROOT,    /* setuid and owned by root */
    NOOK_HELPER_FILE_CAPS,      /* security.capability grants the capability */
    NOOK_HELPER_NONE,           /* neither: it cannot write other ids' maps */
};

/* Judge from the file's mode and owner and the raw security.capability
 * xattr (caps NULL, caps_size 0 when there is none) whether a helper can
 * do its work; capability is CAP_SETUID for newuidmap, CAP_SETGID for
 * newgidmap. A setuid bit on a nosuid mount does not count. */
enum nook_check_helper_privilege nook_check_helper_privilege(mode_t mode, uid_t owner, bool nosuid,
                                                             const void *caps, size_t caps_size,
                                                             int capability);

/* Where another user's range overlaps one of the user's: for each entry of
 * the file that is not the user's and overlaps one that is, the text
 * "OWNER's START-END" joined by ", " in *out (NULL when none). */
int nook_check_subid_overlaps(const struct nook_subid_entry *entries, size_t count, const char *name,
                              uid_t uid, char **out);

/* The problems with a runtime directory's stat: NULL when it is fine
 * (a directory, owned by uid, mode 0700), else a malloc'd phrase. *fatal
 * says whether nook cannot use it at all (not a directory, someone else's,
 * not writable) or it is only looser than it should be. */
char *nook_check_runtime_dir_problem(mode_t mode, uid_t owner, uid_t uid, bool *fatal);

/* The mount points below /proc in a mountinfo text (the masks a container
 * engine puts over /proc/kcore, /proc/sys, ...), as a NULL-terminated
 * list; an empty list when there are none. */
int nook_check_proc_overmounts(const char *mountinfo, char ***out);

/* The command that installs a package on the distribution the os-release
 * text describes ("sudo apt-get install uidmap"), from the package's name
 * in each family; for an unknown distribution, the names per family. */
struct nook_check_packages {
    const char *debian;
    const char *fedora;
    const char *suse;
    const char *arch;
    const char *alpine;
};
char *nook_check_install_command(const char *os_release_text, const struct nook_check_packages *pkg);
