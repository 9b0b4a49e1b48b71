/* system.c: hostname, domainname and sysctls of the container (see
 * system.h). A sysctl is written only when it belongs to a namespace the
 * container has, so that a config.json can never change the host's. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "system.h"

/* Namespaced by the IPC namespace (ipc/ipc_sysctl.c, ipc/mq_sysctl.c). */
static const char *const ipc_sysctls[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",        "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

static bool has_namespace(const struct nook_spec *spec, enum nook_ns_type type)
{
    return nook_spec_find_namespace(spec, type) != NULL;
}

/* Components separated by sep; none empty, "." or "..". */
static bool valid_components(const char *key, char sep)
{
    const char *start = key;
    for (;;) {
        const char *end = strchrnul(start, sep);
        size_t len = (size_t)(end - start);
        if (len == 0 || (len == 1 && start[0] == '.') ||
            (len == 2 && start[0] == '.' && start[1] == '.'))
            return false;
        if (*end == '\0')
            return true;
        start = end + 1;
    }
}

int nook_sysctl_path(const char *key, char **out)
{
    bool slashes = strchr(key, '/') != NULL;
    if (!valid_components(key, slashes ? '/' : '.'))
        return -EINVAL;
    char *path = NULL;
    if (asprintf(&path, "/proc/sys/%s", key) < 0)
        return -ENOMEM;
    if (!slashes)
        for (char *c = path + strlen("/proc/sys/"); *c; c++)
            if (*c == '.')
                *c = '/';
    *out = path;
    return 0;
}

int nook_sysctl_check(const struct nook_spec *spec, const char *key, struct nook_error *err)
{
    _cleanup_free_ char *path = NULL;
    int r = nook_sysctl_path(key, &path);
    if (r == -ENOMEM)
        return nook_error_set(err, ENOMEM, "linux.sysctl: out of memory");
    if (r < 0)
        return nook_error_set(err, EINVAL, "linux.sysctl \"%s\": not a sysctl key (expected "
                              "dotted names like \"net.ipv4.ip_forward\")", key);

    /* Classify by the dotted spelling whichever way the key was written. */
    _cleanup_free_ char *dotted = strdup(key);
    if (!dotted)
        return nook_error_set(err, ENOMEM, "linux.sysctl: out of memory");
    if (strchr(dotted, '/'))
        for (char *c = dotted; *c; c++)
            if (*c == '/')
                *c = '.';

    bool ipc = strncmp(dotted, "fs.mqueue.", strlen("fs.mqueue.")) == 0;
    for (size_t i = 0; !ipc && i < N_ELEMENTS(ipc_sysctls); i++)
        ipc = strcmp(dotted, ipc_sysctls[i]) == 0;
    if (ipc) {
        if (has_namespace(spec, NOOK_NS_IPC))
            return 0;
        return nook_error_set(err, EPERM, "linux.sysctl \"%s\": the container shares the host's "
                              "IPC namespace; add {\"type\": \"ipc\"} to linux.namespaces", key);
    }
    if (strncmp(dotted, "net.", strlen("net.")) == 0) {
        if (has_namespace(spec, NOOK_NS_NETWORK))
            return 0;
        return nook_error_set(err, EPERM, "linux.sysctl \"%s\": the container shares the host's "
                              "network namespace; add {\"type\": \"network\"} to linux.namespaces",
                              key);
    }
    if (strcmp(dotted, "kernel.domainname") == 0) {
        if (has_namespace(spec, NOOK_NS_UTS))
            return 0;
        return nook_error_set(err, EPERM, "linux.sysctl \"%s\": the container shares the host's "
                              "UTS namespace; add {\"type\": \"uts\"} to linux.namespaces", key);
    }
    if (strcmp(dotted, "kernel.hostname") == 0)
        return nook_error_set(err, EINVAL, "linux.sysctl \"%s\": set the hostname with the "
                              "\"hostname\" field of config.json instead", key);
    return nook_error_set(err, EPERM, "linux.sysctl \"%s\": not in a namespace of the container's "
                          "own: setting it would change the host", key);
}

static int write_sysctl(const char *key, const char *value, struct nook_error *err)
{
    _cleanup_free_ char *path = NULL;
    int r = nook_sysctl_path(key, &path);
    if (r < 0)
        return nook_error_set_errno(err, -r, "linux.sysctl \"%s\"", key);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT)
        return nook_error_set(err, ENOENT, "linux.sysctl \"%s\": this kernel has no such sysctl "
                              "(%s does not exist)", key, path);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "linux.sysctl \"%s\": open %s", key, path);
    size_t len = strlen(value);
    ssize_t n;
    do
        n = write(fd, value, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return nook_error_set_errno(err, errno, "linux.sysctl \"%s\": write \"%s\" to %s", key,
                                    value, path);
    if ((size_t)n != len)
        return nook_error_set(err, EIO, "linux.sysctl \"%s\": short write of \"%s\" to %s", key,
                              value, path);
    return 0;
}

static int set_names(const struct nook_spec *spec, struct nook_error *err)
{
    bool uts = has_namespace(spec, NOOK_NS_UTS);
    if (spec->hostname && spec->hostname[0]) {
        if (!uts)
            return nook_error_set(err, EINVAL, "hostname \"%s\": setting a hostname needs a UTS "
                                  "namespace of the container's own; add {\"type\": \"uts\"} to "
                                  "linux.namespaces", spec->hostname);
        if (sethostname(spec->hostname, strlen(spec->hostname)) < 0)
            return nook_error_set_errno(err, errno, "set hostname \"%s\"", spec->hostname);
    }
    if (spec->domainname && spec->domainname[0]) {
        if (!uts)
            return nook_error_set(err, EINVAL, "domainname \"%s\": setting a domainname needs a "
                                  "UTS namespace of the container's own; add {\"type\": \"uts\"} "
                                  "to linux.namespaces", spec->domainname);
        if (setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
            return nook_error_set_errno(err, errno, "set domainname \"%s\"", spec->domainname);
    }
    return 0;
}

int nook_system_setup(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    const struct nook_spec *spec = ctx->spec;
    int r = set_names(spec, err);
    if (r < 0)
        return r;
    if (!spec->linux_config)
        return 0;
    const struct nook_spec_map *sysctl = &spec->linux_config->sysctl;
    for (size_t i = 0; i < sysctl->count; i++) {
        r = nook_sysctl_check(spec, sysctl->items[i].key, err);
        if (r < 0)
            return r;
        r = write_sysctl(sysctl->items[i].key, sysctl->items[i].value, err);
        if (r < 0)
            return r;
    }
    return 0;
}
