/* network.c: slirp networking from create's side (network.h): check the
 * options against the host, write the container's resolv.conf, make the
 * helper's ready pipe, and start the helper nook-slirp on the tap the
 * init made once the container is set up. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "held-exec.h"
#include "helper-procs.h"
#include "network.h"
#include "spec-model.h"

/* The helper finds these open in itself (the contract's --ready-fd,
 * --pidfd and --tap-fd); stdin, stdout and stderr are /dev/null. */
#define HELPER_READY_FD 3
#define HELPER_PIDFD 4
#define HELPER_TAP_FD 5

#define UNPRIVILEGED_PORT_START "/proc/sys/net/ipv4/ip_unprivileged_port_start"

struct nook_network {
    struct nook_network_options opts;
    char *helper;               /* the nook-slirp binary */
    char *log_path;             /* <state dir>/network.log */
    pid_t pid;                  /* the helper, 0 until started */
    int ready_r;                /* the read end of its ready pipe, the init's to read */
    int ready_w;                /* the write end, the helper's; -1 once it has it */
    int tap_fd;                 /* the tap the init made, -1 until it is sent */
    int hold_w;                 /* the helper's child execs it when this is closed */
    size_t resolv_conf_mount;   /* 1 + its index in the spec's mounts; 0: none */
};

/* The sysctl, or the kernel's default when it cannot be read. */
static int unprivileged_port_start(void)
{
    _cleanup_fclose_ FILE *f = fopen(UNPRIVILEGED_PORT_START, "re");
    int value = 1024;
    if (!f || fscanf(f, "%d", &value) != 1)
        return 1024;
    return value;
}

/* Bind each forwarded host port for a moment, with the options the
 * helper's sockets have (SO_REUSEADDR on TCP; IPv6 addresses IPv6 only):
 * a port that is taken fails create now, with the error the helper's own
 * bind would give, before anything of the container exists. The helper,
 * started once the container is set up, binds them for good. */
static int probe_port(const struct nook_network_port *p, struct nook_error *err)
{
    const char *proto = p->proto == NOOK_NETWORK_UDP ? "udp" : "tcp";
    struct sockaddr_storage addr = { 0 };
    socklen_t len;
    if (p->host_addr[0] == '[') {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&addr;
        char text[sizeof(p->host_addr)];
        snprintf(text, sizeof(text), "%.*s", (int)strlen(p->host_addr) - 2, p->host_addr + 1);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(p->host_port);
        if (inet_pton(AF_INET6, text, &in6->sin6_addr) != 1)
            return nook_error_set(err, EINVAL, "network: forward port %u/%s on %s: not an address", p->host_port,
                                  proto, p->host_addr);
        len = sizeof(*in6);
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)&addr;
        in->sin_family = AF_INET;
        in->sin_port = htons(p->host_port);
        if (inet_pton(AF_INET, p->host_addr, &in->sin_addr) != 1)
            return nook_error_set(err, EINVAL, "network: forward port %u/%s on %s: not an address", p->host_port,
                                  proto, p->host_addr);
        len = sizeof(*in);
    }
    _cleanup_close_ int fd =
        socket(addr.ss_family, (p->proto == NOOK_NETWORK_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "network: forward port %u/%s on %s: socket", p->host_port, proto,
                                    p->host_addr);
    int on = 1;
    if (p->proto == NOOK_NETWORK_TCP)
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (addr.ss_family == AF_INET6)
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    if (bind(fd, (struct sockaddr *)&addr, len) == 0)
        return 0;
    int e = errno;
    if (e == EADDRINUSE)
        return nook_error_set(err, e, "network: forward port %u/%s on %s: %s (another program has it)",
                              p->host_port, proto, p->host_addr, strerror(e));
    if (e == EADDRNOTAVAIL && addr.ss_family == AF_INET6)
        return nook_error_set(err, e, "network: forward port %u/%s on %s: %s (is IPv6 enabled on the host?)",
                              p->host_port, proto, p->host_addr, strerror(e));
    return nook_error_set_errno(err, e, "network: forward port %u/%s on %s", p->host_port, proto, p->host_addr);
}

static int probe_ports(const struct nook_network_options *opts, struct nook_error *err)
{
    for (size_t i = 0; i < opts->n_ports; i++) {
        int r = probe_port(&opts->ports[i], err);
        if (r < 0)
            return r;
    }
    return 0;
}

static char *read_small_file(const char *path)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return NULL;
    size_t size = 64 * 1024;
    _cleanup_free_ char *text = malloc(size + 1);
    if (!text)
        return NULL;
    size_t used = 0;
    while (used < size) {
        ssize_t n = read(fd, text + used, size - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    text[used] = '\0';
    return steal_pointer(&text);
}

static int write_file_at(int dir_fd, const char *name, const char *text)
{
    _cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                    0644);
    if (fd < 0)
        return -errno;
    size_t length = strlen(text);
    while (length > 0) {
        ssize_t n = write(fd, text, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        text += n;
        length -= (size_t)n;
    }
    return close(steal_fd(&fd)) < 0 ? -errno : 0;
}

/* The generated resolv.conf, bound over the container's own: added to the
 * mounts the init makes, after those of config.json. No options but
 * "bind": a remount could only fail on flags a user namespace may not
 * clear on the state directory's file system. The init opens it before
 * it becomes the container's root (init.h: early_bind_mount), so a root
 * that is another host uid reaches it too. */
static int add_resolv_conf(struct nook_spec *spec, const struct nook_container_dir *dir,
                           const struct nook_network_options *opts, size_t *mount_index,
                           struct nook_error *err)
{
    _cleanup_free_ char *host = read_small_file("/etc/resolv.conf");
    _cleanup_free_ char *text = nook_network_resolv_conf_text(opts, host);
    if (!text)
        return nook_error_set(err, ENOMEM, "out of memory");
    int r = write_file_at(dir->fd, NOOK_NETWORK_RESOLV_CONF_FILE, text);
    if (r < 0)
        return nook_error_set_errno(err, -r, "network: write %s/" NOOK_NETWORK_RESOLV_CONF_FILE,
                                    dir->path);

    struct nook_spec_mount mount = { 0 };
    mount.destination = strdup("/etc/resolv.conf");
    mount.type = strdup("bind");
    mount.options = calloc(2, sizeof(char *));
    if (mount.options)
        mount.options[0] = strdup("bind");
    if (asprintf(&mount.source, "%s/" NOOK_NETWORK_RESOLV_CONF_FILE, dir->path) < 0)
        mount.source = NULL;
    struct nook_spec_mount *grown = NULL;
    if (mount.destination && mount.type && mount.options && mount.options[0] && mount.source)
        grown = realloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*grown));
    if (!grown) {
        spec_mount_clear(&mount);
        return nook_error_set(err, ENOMEM, "out of memory");
    }
    spec->mounts = grown;
    spec->mounts[spec->n_mounts++] = mount;
    *mount_index = spec->n_mounts;
    return 0;
}

void nook_network_free(struct nook_network *net)
{
    if (!net)
        return;
    /* Create is done: the helper may start. */
    closep(&net->hold_w);
    /* The helper is this process's child until this process exits: reap
     * it when a failed create has stopped it. */
    if (net->pid > 0)
        (void)waitpid(net->pid, NULL, WNOHANG);
    closep(&net->ready_r);
    closep(&net->ready_w);
    closep(&net->tap_fd);
    nook_network_options_clear(&net->opts);
    free(net->helper);
    free(net->log_path);
    free(net);
}

static void network_freep(struct nook_network **net)
{
    nook_network_free(*net);
}

size_t nook_network_resolv_conf_mount(const struct nook_network *net)
{
    return net ? net->resolv_conf_mount : 0;
}

/* Run the helper held (held-exec.h): a child with the helper's fds in
 * place, which execs it only once net->hold_w is closed, when create is
 * done (nook_network_free(), or this process's exit). Exec'ing the helper
 * and its start (libslirp, glib, the forwards) then take no CPU from the
 * create the caller waits for. An exec failure is the helper's error
 * line, which the init reads at the exec barrier and start reports. */
static int spawn_helper(struct nook_network *net, char **argv, int init_pidfd, pid_t *pid, struct nook_error *err)
{
    _cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0)
        return nook_error_set_errno(err, errno, "network: open /dev/null");
    const int fds[] = { devnull, devnull, devnull, net->ready_w, init_pidfd, net->tap_fd };
    _cleanup_free_ char *error_prefix = NULL;
    if (asprintf(&error_prefix, "error: run %s: ", net->helper) < 0) {
        error_prefix = NULL;
        return nook_error_set(err, ENOMEM, "out of memory");
    }
    const struct nook_held_exec req = {
        .path = net->helper,
        .argv = argv,
        .fds = fds,
        .n_fds = N_ELEMENTS(fds),
        .error_fd = HELPER_READY_FD,
        .error_prefix = error_prefix,
    };
    int r = nook_held_exec_start(&req, pid, &net->hold_w, err);
    return r < 0 ? nook_error_prefix(err, "network") : 0;
}

int nook_network_prepare(struct nook_spec *spec, const struct nook_container_dir *dir,
                         struct nook_network **out, struct nook_error *err)
{
    *out = NULL;
    _cleanup_(network_freep) struct nook_network *net = calloc(1, sizeof(*net));
    if (!net)
        return nook_error_set(err, ENOMEM, "out of memory");
    net->ready_r = net->ready_w = net->tap_fd = net->hold_w = -1;
    int r = nook_network_options_from_spec(spec, &net->opts, err);
    if (r < 0 || !net->opts.enabled)
        return r;
    /* Refused here, before anything runs, rather than by the helper's
     * bind() once the container exists. */
    if (geteuid() != 0) {
        r = nook_network_check_ports(&net->opts, unprivileged_port_start(), err);
        if (r < 0)
            return r;
    }
    r = probe_ports(&net->opts, err);
    if (r < 0)
        return r;
    r = nook_network_find_helper(&net->helper, err);
    if (r < 0)
        return r;
    if (asprintf(&net->log_path, "%s/" NOOK_NETWORK_LOG_FILE, dir->path) < 0) {
        net->log_path = NULL;
        return nook_error_set(err, ENOMEM, "out of memory");
    }
    if (net->opts.resolv_conf && !nook_network_spec_mounts_resolv_conf(spec)) {
        r = add_resolv_conf(spec, dir, &net->opts, &net->resolv_conf_mount, err);
        if (r < 0)
            return r;
    }
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0)
        return nook_error_set_errno(err, errno, "network: make the helper's ready pipe");
    net->ready_r = pipe_fds[0];
    net->ready_w = pipe_fds[1];
    *out = steal_pointer(&net);
    return 0;
}

bool nook_network_wants_tap(const struct nook_network *net, unsigned *mtu, bool *ipv6)
{
    if (!net)
        return false;
    *mtu = net->opts.mtu ? net->opts.mtu : NOOK_NETWORK_MTU_MAX;
    *ipv6 = net->opts.ipv6;
    return true;
}

int nook_network_ready_reader(const struct nook_network *net)
{
    return net ? net->ready_r : -1;
}

int nook_network_take_tap(struct nook_network *net, int *tap_fd, struct nook_error *err)
{
    if (!net)
        return nook_error_set(err, EPROTO, "setup socket: a tap came for a container without slirp networking");
    if (net->tap_fd >= 0)
        return nook_error_set(err, EPROTO, "setup socket: a second tap came");
    net->tap_fd = steal_fd(tap_fd);
    return 0;
}

int nook_network_start(struct nook_network *net, const struct nook_container_dir *dir, pid_t pid,
                       int init_pidfd, struct nook_error *err)
{
    if (!net)
        return 0;
    if (net->tap_fd < 0)
        return nook_error_set(err, EPROTO, "network: the container's init sent no tap");
    if (init_pidfd < 0)
        return nook_error_set(err, ENOSYS, "network: the helper needs a pidfd of the container's init");
    _cleanup_strv_ char **argv = NULL;
    int r = nook_network_helper_argv(&net->opts, net->helper, pid, HELPER_READY_FD, HELPER_PIDFD, HELPER_TAP_FD,
                                     net->log_path, &argv, err);
    if (r < 0)
        return r;
    pid_t child = 0;
    r = spawn_helper(net, argv, init_pidfd, &child, err);
    if (r < 0)
        return r;
    net->pid = child;
    /* The helper holds them now: the init sees the pipe's end when the
     * helper exits without its line, and the tap goes with the helper. */
    closep(&net->ready_w);
    closep(&net->tap_fd);
    net->ready_w = net->tap_fd = -1;
    r = nook_helper_record(dir->fd, NOOK_NETWORK_HELPER_RECORD, child, err);
    if (r < 0) {
        /* Unrecorded, nothing else would ever stop it. */
        kill(child, SIGKILL);
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
            ;
        net->pid = 0;
        return nook_error_prefix(err, "network");
    }
    return 0;
}
