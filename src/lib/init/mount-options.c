/* mount-options.c: one table of every mount option word nook knows and
 * what it means to the kernel (see mount-options.h). The table is also
 * what `nook features` lists, so the two cannot drift apart. */
#include <string.h>
#include <sys/mount.h>

#include "mount-options.h"

enum option_kind {
    OPT_SET,         /* set MS_* */
    OPT_CLEAR,       /* clear MS_* */
    OPT_BIND,        /* bind */
    OPT_RBIND,       /* rbind */
    OPT_PROPAGATION, /* a propagation change after the mount */
    OPT_REC_SET,     /* set MOUNT_ATTR_* on the whole tree */
    OPT_REC_CLEAR,   /* clear MOUNT_ATTR_* on the whole tree */
    OPT_REC_ATIME,   /* replace the tree's atime mode with MOUNT_ATTR_* */
    OPT_COPYUP,      /* tmpcopyup */
    OPT_IDMAP,       /* idmap, ridmap: made by create (mount-idmap.h), nothing here */
};

struct option_word {
    const char *name;
    enum option_kind kind;
    unsigned long value;
};

static const struct option_word option_words[] = {
    { "defaults", OPT_SET, 0 },
    { "ro", OPT_SET, MS_RDONLY },
    { "rw", OPT_CLEAR, MS_RDONLY },
    { "suid", OPT_CLEAR, MS_NOSUID },
    { "nosuid", OPT_SET, MS_NOSUID },
    { "dev", OPT_CLEAR, MS_NODEV },
    { "nodev", OPT_SET, MS_NODEV },
    { "exec", OPT_CLEAR, MS_NOEXEC },
    { "noexec", OPT_SET, MS_NOEXEC },
    { "sync", OPT_SET, MS_SYNCHRONOUS },
    { "async", OPT_CLEAR, MS_SYNCHRONOUS },
    { "dirsync", OPT_SET, MS_DIRSYNC },
    { "remount", OPT_SET, MS_REMOUNT },
    { "mand", OPT_SET, MS_MANDLOCK },
    { "nomand", OPT_CLEAR, MS_MANDLOCK },
    /* mount(8) words the kernel would refuse as file system data. */
    { "lazytime", OPT_SET, MS_LAZYTIME },
    { "nolazytime", OPT_CLEAR, MS_LAZYTIME },
    { "iversion", OPT_SET, MS_I_VERSION },
    { "noiversion", OPT_CLEAR, MS_I_VERSION },
    { "silent", OPT_SET, MS_SILENT },
    { "loud", OPT_CLEAR, MS_SILENT },
    { "atime", OPT_CLEAR, MS_NOATIME },
    { "noatime", OPT_SET, MS_NOATIME },
    { "diratime", OPT_CLEAR, MS_NODIRATIME },
    { "nodiratime", OPT_SET, MS_NODIRATIME },
    { "relatime", OPT_SET, MS_RELATIME },
    { "norelatime", OPT_CLEAR, MS_RELATIME },
    { "strictatime", OPT_SET, MS_STRICTATIME },
    { "nostrictatime", OPT_CLEAR, MS_STRICTATIME },
    { "nosymfollow", OPT_SET, MS_NOSYMFOLLOW },
    { "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW },
    { "bind", OPT_BIND, 0 },
    { "rbind", OPT_RBIND, 0 },
    { "private", OPT_PROPAGATION, MS_PRIVATE },
    { "rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC },
    { "shared", OPT_PROPAGATION, MS_SHARED },
    { "rshared", OPT_PROPAGATION, MS_SHARED | MS_REC },
    { "slave", OPT_PROPAGATION, MS_SLAVE },
    { "rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC },
    { "unbindable", OPT_PROPAGATION, MS_UNBINDABLE },
    { "runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC },
    { "rro", OPT_REC_SET, MOUNT_ATTR_RDONLY },
    { "rrw", OPT_REC_CLEAR, MOUNT_ATTR_RDONLY },
    { "rnosuid", OPT_REC_SET, MOUNT_ATTR_NOSUID },
    { "rsuid", OPT_REC_CLEAR, MOUNT_ATTR_NOSUID },
    { "rnodev", OPT_REC_SET, MOUNT_ATTR_NODEV },
    { "rdev", OPT_REC_CLEAR, MOUNT_ATTR_NODEV },
    { "rnoexec", OPT_REC_SET, MOUNT_ATTR_NOEXEC },
    { "rexec", OPT_REC_CLEAR, MOUNT_ATTR_NOEXEC },
    { "rnodiratime", OPT_REC_SET, MOUNT_ATTR_NODIRATIME },
    { "rdiratime", OPT_REC_CLEAR, MOUNT_ATTR_NODIRATIME },
    { "rnosymfollow", OPT_REC_SET, MOUNT_ATTR_NOSYMFOLLOW },
    { "rsymfollow", OPT_REC_CLEAR, MOUNT_ATTR_NOSYMFOLLOW },
    /* The atime modes are one value, not bits: each of these replaces
     * the mode. Turning one mode off leaves the kernel's default,
     * relatime, except that "no relatime" can only mean strictatime. */
    { "rrelatime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME },
    { "rnorelatime", OPT_REC_ATIME, MOUNT_ATTR_STRICTATIME },
    { "rnoatime", OPT_REC_ATIME, MOUNT_ATTR_NOATIME },
    { "ratime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME },
    { "rstrictatime", OPT_REC_ATIME, MOUNT_ATTR_STRICTATIME },
    { "rnostrictatime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME },
    /* runc's extension, which podman asks for with --read-only: the
     * image's files under a tmpfs are copied into it. */
    { "tmpcopyup", OPT_COPYUP, 0 },
    /* The mapping is applied where create makes the mount (mount-idmap.h);
     * neither word goes to the file system. */
    { "idmap", OPT_IDMAP, 0 },
    { "ridmap", OPT_IDMAP, 0 },
};

#define ATIME_MODES (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

static const struct option_word *find_word(const char *name)
{
    for (size_t i = 0; i < N_ELEMENTS(option_words); i++)
        if (strcmp(option_words[i].name, name) == 0)
            return &option_words[i];
    return NULL;
}

unsigned long nook_mount_propagation_flags(const char *word)
{
    const struct option_word *w = word ? find_word(word) : NULL;
    return w && w->kind == OPT_PROPAGATION ? w->value : 0;
}

/* Append "word" to the comma-joined data string. */
static int data_append(char **data, const char *word)
{
    size_t old = *data ? strlen(*data) : 0;
    size_t add = strlen(word);
    char *grown = realloc(*data, old + add + 2);
    if (!grown)
        return -ENOMEM;
    if (old)
        grown[old++] = ',';
    memcpy(grown + old, word, add + 1);
    *data = grown;
    return 0;
}

int nook_mount_options_parse(char *const *options, struct nook_mount_options *out,
                             struct nook_error *err)
{
    *out = (struct nook_mount_options){ 0 };
    for (char *const *o = options; o && *o; o++) {
        const struct option_word *w = find_word(*o);
        if (!w) {
            if (data_append(&out->data, *o) < 0) {
                nook_mount_options_clear(out);
                return nook_error_set_errno(err, ENOMEM, "mount options");
            }
            continue;
        }
        switch (w->kind) {
        case OPT_SET:
            /* The atime modes exclude each other: the last one named wins
             * (the kernel would let noatime win whatever the order). */
            if (w->value & ATIME_MODES)
                out->flags &= ~(unsigned long)ATIME_MODES;
            out->flags |= w->value;
            out->cleared &= ~w->value;
            break;
        case OPT_CLEAR:
            out->flags &= ~w->value;
            out->cleared |= w->value;
            break;
        case OPT_BIND:
            out->bind = true;
            break;
        case OPT_RBIND:
            out->bind = true;
            out->recursive = true;
            break;
        case OPT_PROPAGATION:
            out->propagation = w->value;
            break;
        case OPT_REC_SET:
            out->attr_set |= w->value;
            out->attr_clr &= ~w->value;
            break;
        case OPT_REC_CLEAR:
            out->attr_clr |= w->value;
            out->attr_set &= ~w->value;
            break;
        case OPT_REC_ATIME:
            out->attr_set = (out->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | w->value;
            out->attr_clr |= MOUNT_ATTR__ATIME;
            break;
        case OPT_COPYUP:
            out->copy_up = true;
            break;
        case OPT_IDMAP:
            break;
        }
    }
    return 0;
}

void nook_mount_options_clear(struct nook_mount_options *opts)
{
    free(opts->data);
    opts->data = NULL;
}

/* Every word above, in table order. */
static const char *const feature_words[] = {
    "defaults", "ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync",
    "async", "dirsync", "remount", "mand", "nomand", "lazytime", "nolazytime", "iversion",
    "noiversion", "silent", "loud", "atime", "noatime", "diratime",
    "nodiratime", "relatime", "norelatime", "strictatime", "nostrictatime", "nosymfollow",
    "symfollow", "bind", "rbind", "private", "rprivate", "shared", "rshared", "slave",
    "rslave", "unbindable", "runbindable", "rro", "rrw", "rnosuid", "rsuid", "rnodev",
    "rdev", "rnoexec", "rexec", "rnodiratime", "rdiratime", "rnosymfollow", "rsymfollow",
    "rrelatime", "rnorelatime", "rnoatime", "ratime", "rstrictatime", "rnostrictatime",
    "tmpcopyup", "idmap", "ridmap", NULL,
};

const struct nook_features_part nook_mount_features = {
    .name = "mount",
    .lists[NOOK_FEATURE_MOUNT_OPTIONS] = feature_words,
    .flags[NOOK_FEATURE_IDMAP_MOUNTS] = true,
};
