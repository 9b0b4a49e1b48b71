/* capabilities.c: capability names and numbers, the kernel's last
 * capability, and the raw capget/capset/prctl calls (see capabilities.h). */
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "capabilities.h"
#include "oci-features.h"

/* Indexed by capability number; the numbers are the kernel ABI, written
 * out here so that older kernel headers do not shorten the table. */
static const char *const cap_names[NOOK_CAP_LAST_KNOWN + 2] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
    NULL,
};

const struct nook_features_part nook_capabilities_features = {
    .name = "capabilities",
    .lists[NOOK_FEATURE_CAPABILITIES] = cap_names,
};

/* A 64-bit mask holds every capability the kernel can have (the
 * capget/capset ABI carries two 32-bit words). */
#define CAP_MASK_BITS 64

int nook_cap_from_name(const char *name)
{
    if (!name || strncasecmp(name, "CAP_", 4) != 0)
        return -ENOENT;
    for (int i = 0; i <= NOOK_CAP_LAST_KNOWN; i++)
        if (strcasecmp(cap_names[i], name) == 0)
            return i;
    return -ENOENT;
}

const char *nook_cap_name(int cap)
{
    return cap >= 0 && cap <= NOOK_CAP_LAST_KNOWN ? cap_names[cap] : NULL;
}

static int read_cap_last_cap_file(int *out)
{
    _cleanup_close_ int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char buf[32];
    ssize_t n;
    do
        n = read(fd, buf, sizeof(buf) - 1);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    char *end;
    errno = 0;
    long value = strtol(buf, &end, 10);
    if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') || value < 0 ||
        value >= CAP_MASK_BITS)
        return -EBADMSG;
    *out = (int)value;
    return 0;
}

/* Whether the kernel agrees that last is its last capability: the
 * bounding set answers for it and refuses the next one with EINVAL. */
static bool kernel_agrees(int last)
{
    if (prctl(PR_CAPBSET_READ, (unsigned long)last, 0, 0, 0) < 0)
        return false;
    return last + 1 >= CAP_MASK_BITS ||
           (prctl(PR_CAPBSET_READ, (unsigned long)(last + 1), 0, 0, 0) < 0 && errno == EINVAL);
}

int nook_cap_last_cap(int *out, struct nook_error *err)
{
    /* After pivot_root, /proc is whatever the container mounted there, or
     * a plain directory of its rootfs: a number read from it that the
     * kernel does not confirm would leave capabilities in the bounding
     * set, so it is only a hint. */
    int value = -1;
    int r = read_cap_last_cap_file(&value);
    if (r == 0 && kernel_agrees(value)) {
        *out = value;
        return 0;
    }
    int last = -1;
    while (last + 1 < CAP_MASK_BITS && prctl(PR_CAPBSET_READ, (unsigned long)(last + 1), 0, 0, 0) >= 0)
        last++;
    if (last < 0)
        return nook_error_set_errno(err, r < 0 ? -r : EIO, "read /proc/sys/kernel/cap_last_cap");
    *out = last;
    return 0;
}

static void names_to_mask(char **names, const char *set, int last_cap, uint64_t *mask,
                          nook_cap_skip_fn skip, void *data)
{
    for (size_t i = 0; names && names[i]; i++) {
        int cap = nook_cap_from_name(names[i]);
        if (cap < 0 || cap > last_cap) {
            if (skip)
                skip(data, set, names[i], cap >= 0);
            continue;
        }
        *mask |= UINT64_C(1) << cap;
    }
}

void nook_cap_sets_from_spec(const struct nook_spec_capabilities *caps, int last_cap,
                             struct nook_cap_sets *out, nook_cap_skip_fn skip, void *data)
{
    memset(out, 0, sizeof(*out));
    if (!caps)
        return;
    names_to_mask(caps->bounding, "bounding", last_cap, &out->bounding, skip, data);
    names_to_mask(caps->effective, "effective", last_cap, &out->effective, skip, data);
    names_to_mask(caps->permitted, "permitted", last_cap, &out->permitted, skip, data);
    names_to_mask(caps->inheritable, "inheritable", last_cap, &out->inheritable, skip, data);
    names_to_mask(caps->ambient, "ambient", last_cap, &out->ambient, skip, data);
}

static uint64_t join_words(uint32_t low, uint32_t high)
{
    return (uint64_t)low | ((uint64_t)high << 32);
}

int nook_cap_get_current(int last_cap, struct nook_cap_sets *out, struct nook_error *err)
{
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    memset(data, 0, sizeof(data));
    if (syscall(SYS_capget, &header, data) < 0)
        return nook_error_set_errno(err, errno, "capget");
    memset(out, 0, sizeof(*out));
    out->effective = join_words(data[0].effective, data[1].effective);
    out->permitted = join_words(data[0].permitted, data[1].permitted);
    out->inheritable = join_words(data[0].inheritable, data[1].inheritable);
    for (int cap = 0; cap <= last_cap && cap < CAP_MASK_BITS; cap++) {
        int in_bounding = prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);
        if (in_bounding < 0)
            return nook_error_set_errno(err, errno, "prctl(PR_CAPBSET_READ, %d)", cap);
        int in_ambient = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, (unsigned long)cap, 0, 0);
        if (in_ambient < 0)
            return nook_error_set_errno(err, errno, "prctl(PR_CAP_AMBIENT_IS_SET, %d)", cap);
        if (in_bounding)
            out->bounding |= UINT64_C(1) << cap;
        if (in_ambient)
            out->ambient |= UINT64_C(1) << cap;
    }
    return 0;
}

static const char *cap_label(int cap, char *buf, size_t size)
{
    const char *name = nook_cap_name(cap);
    if (name)
        return name;
    snprintf(buf, size, "capability %d", cap);
    return buf;
}

int nook_cap_drop_bounding(uint64_t keep, int last_cap, struct nook_error *err)
{
    for (int cap = 0; cap <= last_cap && cap < CAP_MASK_BITS; cap++) {
        if (keep & (UINT64_C(1) << cap))
            continue;
        int present = prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);
        if (present < 0) {
            char label[32];
            return nook_error_set_errno(err, errno, "read %s from the bounding set",
                                        cap_label(cap, label, sizeof(label)));
        }
        if (present && prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0) {
            char label[32];
            return nook_error_set_errno(err, errno, "drop %s from the bounding set",
                                        cap_label(cap, label, sizeof(label)));
        }
    }
    return 0;
}

int nook_cap_set(const struct nook_cap_sets *sets, struct nook_error *err)
{
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    memset(data, 0, sizeof(data));
    for (int word = 0; word < 2; word++) {
        unsigned shift = 32u * (unsigned)word;
        data[word].effective = (uint32_t)(sets->effective >> shift);
        data[word].permitted = (uint32_t)(sets->permitted >> shift);
        data[word].inheritable = (uint32_t)(sets->inheritable >> shift);
    }
    if (syscall(SYS_capset, &header, data) < 0)
        return nook_error_set_errno(err, errno, "capset");
    return 0;
}

int nook_cap_clear_ambient(struct nook_error *err)
{
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
        return nook_error_set_errno(err, errno, "prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
    return 0;
}

int nook_cap_raise_ambient(int cap, struct nook_error *err)
{
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) < 0) {
        char label[32];
        return nook_error_set_errno(err, errno, "raise %s into the ambient set",
                                    cap_label(cap, label, sizeof(label)));
    }
    return 0;
}

char *nook_cap_format(uint64_t mask, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (mask == 0) {
        snprintf(buf, size, "none");
        return buf;
    }
    size_t used = 0;
    for (int cap = 0; cap < CAP_MASK_BITS && used < size; cap++) {
        if (!(mask & (UINT64_C(1) << cap)))
            continue;
        char label[32];
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                         cap_label(cap, label, sizeof(label)));
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}
