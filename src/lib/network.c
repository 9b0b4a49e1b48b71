/* network.c: slirp networking from create's side (network.h): check the
 * options against the host, write the container's resolv.conf, start the
 * helper nook-slirp for the init and wait for its ready line. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fd-pass.h"
#include "helper-procs.h"
#include "network.h"
#include "spec-model.h"

/* The helper finds these open in itself (the contract's --ready-fd and
 * --init-from); stdin, stdout and stderr are /dev/null. */
#define HELPER_READY_FD 3
#define HELPER_INIT_FD 4

#define UNPRIVILEGED_PORT_START "/proc/sys/net/ipv4/ip_unprivileged_port_start"

struct nook_network {
    struct nook_network_options opts;
    char *helper;               /* the nook-slirp binary */
    char *log_path;             /* <state dir>/network.log */
    pid_t pid;                  /* the helper, 0 until started */
    int ready_fd;               /* the read end of its ready pipe, -1 once read */
    int init_fd;                /* our end of its --init-from socket, -1 once the init is sent */
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
    /* The helper is this process's child until this process exits: reap
     * it when a failed create has stopped it. */
    if (net->pid > 0)
        (void)waitpid(net->pid, NULL, WNOHANG);
    closep(&net->ready_fd);
    closep(&net->init_fd);
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

/* An fd moved out of the way of the numbers the helper finds its fds at
 * (0..HELPER_INIT_FD), close-on-exec: the spawn's dup2() makes the copy
 * the helper keeps. */
static int fd_above_helpers(int fd)
{
    return fcntl(fd, F_DUPFD_CLOEXEC, HELPER_INIT_FD + 1);
}

/* Run the helper: stdin, stdout and stderr /dev/null, its ready pipe and
 * init socket at the contract's numbers, nothing else open, no signal
 * blocked or ignored (`run` blocks every signal it forwards). posix_spawn
 * borrows this process's memory instead of copying it, as fork would. */
static int spawn_helper(struct nook_network *net, char **argv, int ready_w, int init_theirs, pid_t *pid,
                        struct nook_error *err)
{
    _cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0)
        return nook_error_set_errno(err, errno, "network: open /dev/null");
    _cleanup_close_ int null = fd_above_helpers(devnull);
    _cleanup_close_ int ready = fd_above_helpers(ready_w);
    _cleanup_close_ int init = fd_above_helpers(init_theirs);
    if (null < 0 || ready < 0 || init < 0)
        return nook_error_set_errno(err, errno, "network: prepare the helper's fds");

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int r = posix_spawn_file_actions_init(&actions);
    if (r != 0)
        return nook_error_set_errno(err, r, "network: posix_spawn_file_actions_init");
    r = posix_spawnattr_init(&attr);
    if (r != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return nook_error_set_errno(err, r, "network: posix_spawnattr_init");
    }
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    int steps[] = {
        posix_spawn_file_actions_adddup2(&actions, null, 0),
        posix_spawn_file_actions_adddup2(&actions, null, 1),
        posix_spawn_file_actions_adddup2(&actions, null, 2),
        posix_spawn_file_actions_adddup2(&actions, ready, HELPER_READY_FD),
        posix_spawn_file_actions_adddup2(&actions, init, HELPER_INIT_FD),
        /* Whatever the caller left open without O_CLOEXEC (the fds passed
         * on to the container) is not the helper's. */
        posix_spawn_file_actions_addclosefrom_np(&actions, HELPER_INIT_FD + 1),
        posix_spawnattr_setsigmask(&attr, &none),
        posix_spawnattr_setsigdefault(&attr, &all),
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF),
    };
    for (size_t i = 0; i < N_ELEMENTS(steps) && r == 0; i++)
        r = steps[i];
    extern char **environ;
    if (r == 0)
        r = posix_spawn(pid, net->helper, &actions, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (r != 0)
        return nook_error_set_errno(err, r, "network: run %s", net->helper);
    return 0;
}

/* Start the helper ahead of the container (nook_network_prepare()). */
static int start_early(struct nook_network *net, const struct nook_container_dir *dir, struct nook_error *err)
{
    _cleanup_strv_ char **argv = NULL;
    int r = nook_network_helper_argv(&net->opts, net->helper, HELPER_READY_FD, HELPER_INIT_FD, net->log_path,
                                     &argv, err);
    if (r < 0)
        return r;
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0)
        return nook_error_set_errno(err, errno, "network: make the helper's ready pipe");
    _cleanup_close_ int ready_r = pipe_fds[0];
    _cleanup_close_ int ready_w = pipe_fds[1];
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
        return nook_error_set_errno(err, errno, "network: make the helper's socket");
    _cleanup_close_ int init_ours = pair[0];
    _cleanup_close_ int init_theirs = pair[1];

    pid_t child;
    r = spawn_helper(net, argv, ready_w, init_theirs, &child, err);
    if (r < 0)
        return r;
    net->pid = child;
    net->ready_fd = steal_fd(&ready_r);
    net->init_fd = steal_fd(&init_ours);
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

int nook_network_prepare(struct nook_spec *spec, const struct nook_container_dir *dir,
                         struct nook_network **out, struct nook_error *err)
{
    *out = NULL;
    _cleanup_(network_freep) struct nook_network *net = calloc(1, sizeof(*net));
    if (!net)
        return nook_error_set(err, ENOMEM, "out of memory");
    net->ready_fd = -1;
    net->init_fd = -1;
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
    r = start_early(net, dir, err);
    if (r < 0)
        return r;
    *out = steal_pointer(&net);
    return 0;
}

/* Whether the helper has already said something (or gone): a setup that
 * failed without the container (a port in use) ends create now. */
static bool helper_has_spoken(const struct nook_network *net)
{
    struct pollfd pfd = { .fd = net->ready_fd, .events = POLLIN };
    return net->ready_fd >= 0 && poll(&pfd, 1, 0) > 0;
}

int nook_network_start(struct nook_network *net, const struct nook_container_dir *dir, pid_t pid,
                       int init_pidfd, struct nook_error *err)
{
    (void)dir;
    if (!net || net->pid <= 0 || net->init_fd < 0)
        return 0;
    if (helper_has_spoken(net)) {
        int r = nook_network_wait_ready(net, err);
        if (r < 0)
            return r;
    }
    int32_t value = (int32_t)pid;
    ssize_t n = nook_fd_pass_send(net->init_fd, &value, sizeof(value), &init_pidfd, init_pidfd >= 0 ? 1 : 0);
    closep(&net->init_fd);
    net->init_fd = -1;
    if (n == (ssize_t)sizeof(value))
        return 0;
    /* The helper is gone: its ready line (or its silence) says why. */
    int r = nook_network_wait_ready(net, err);
    if (r < 0)
        return r;
    return nook_error_set_errno(err, n < 0 ? (int)-n : EIO, "network: hand the container's init to %s", net->helper);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The helper hung up without its line: say how it ended, if it did. */
static int silent_helper(struct nook_network *net, struct nook_error *err)
{
    for (int i = 0; i < 100; i++) {
        int status = 0;
        pid_t got = waitpid(net->pid, &status, WNOHANG);
        if (got == net->pid) {
            net->pid = 0;
            if (WIFSIGNALED(status))
                return nook_error_set(err, ECHILD,
                                      "network: %s was killed by signal %d during its setup",
                                      net->helper, WTERMSIG(status));
            return nook_error_set(err, ECHILD,
                                  "network: %s exited during its setup without saying why "
                                  "(status %d)",
                                  net->helper, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        }
        if (got < 0 && errno != EINTR)
            break;
        struct timespec pause = { 0, 10 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    return nook_error_set(err, EPROTO, "network: %s closed its ready pipe without a word",
                          net->helper);
}

int nook_network_wait_ready(struct nook_network *net, struct nook_error *err)
{
    if (!net || net->pid <= 0 || net->ready_fd < 0)
        return 0;
    _cleanup_close_ int fd = steal_fd(&net->ready_fd);
    char line[NOOK_ERROR_MAX];
    size_t used = 0;
    long long deadline = now_ms() + NOOK_NETWORK_READY_TIMEOUT_MS;
    for (;;) {
        char *newline = memchr(line, '\n', used);
        if (newline) {
            *newline = '\0';
            break;
        }
        if (used == sizeof(line) - 1) {
            line[used] = '\0';
            break;
        }
        long long left = deadline - now_ms();
        if (left <= 0)
            return nook_error_set(err, ETIMEDOUT,
                                  "network: %s did not set up the network within %d seconds",
                                  net->helper, NOOK_NETWORK_READY_TIMEOUT_MS / 1000);
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int n = poll(&pfd, 1, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nook_error_set_errno(err, errno, "network: wait for %s", net->helper);
        if (n == 0)
            continue;
        ssize_t got = read(fd, line + used, sizeof(line) - 1 - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return nook_error_set_errno(err, errno, "network: read the ready line of %s", net->helper);
        if (got == 0) {
            if (used == 0)
                return silent_helper(net, err);
            line[used] = '\0';
            break;
        }
        used += (size_t)got;
    }
    if (strcmp(line, "ok") == 0)
        return 0;
    if (strncmp(line, "error: ", 7) == 0)
        return nook_error_set(err, EIO, "network: %s", line + 7);
    return nook_error_set(err, EPROTO, "network: %s wrote \"%s\" instead of its ready line",
                          net->helper, line);
}
