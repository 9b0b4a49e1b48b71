/* network.c: slirp networking from create's side (network.h): check the
 * options against the host, write the container's resolv.conf, start the
 * helper nook-slirp for the init and wait for its ready line. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper-procs.h"
#include "network.h"
#include "spec-model.h"

/* The helper finds these open in itself (the contract's --ready-fd and
 * --pidfd); stdin, stdout and stderr are /dev/null. */
#define HELPER_READY_FD 3
#define HELPER_PIDFD 4

#define UNPRIVILEGED_PORT_START "/proc/sys/net/ipv4/ip_unprivileged_port_start"

struct nook_network {
    struct nook_network_options opts;
    char *helper;               /* the nook-slirp binary */
    char *log_path;             /* <state dir>/network.log */
    pid_t pid;                  /* the helper, 0 until started */
    int ready_fd;               /* the read end of its ready pipe, -1 once read */
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
 * clear on the state directory's file system. */
static int add_resolv_conf(struct nook_spec *spec, const struct nook_container_dir *dir,
                           const struct nook_network_options *opts, struct nook_error *err)
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
    return 0;
}

/* The init mounts the generated resolv.conf as the container's root,
 * after it has become that user: a root-run container whose root is
 * another host uid cannot reach root's state directory (mode 0700). Said
 * here, before anything starts, rather than by a failing mount. */
static int check_resolv_conf_reachable(const struct nook_spec *spec, struct nook_error *err)
{
    const struct nook_spec_namespace *userns = nook_spec_find_namespace(spec, NOOK_NS_USER);
    const struct nook_spec_linux *lx = spec->linux_config;
    if (geteuid() != 0 || !userns || userns->path || !lx)
        return 0;
    for (size_t i = 0; i < lx->n_uid_mappings; i++) {
        const struct nook_spec_id_mapping *m = &lx->uid_mappings[i];
        if (m->container_id == 0 && m->size > 0 && m->host_id != 0)
            return nook_error_set(err, EACCES,
                                  "config.json: .annotations[\"nook.network.resolv-conf\"]: the "
                                  "generated resolv.conf is kept in root's state directory, which "
                                  "the container's root (host uid %u) cannot reach; set "
                                  "\"nook.network.resolv-conf\": \"false\", or mount a "
                                  "resolv.conf of your own on /etc/resolv.conf",
                                  m->host_id);
    }
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
    nook_network_options_clear(&net->opts);
    free(net->helper);
    free(net->log_path);
    free(net);
}

static void network_freep(struct nook_network **net)
{
    nook_network_free(*net);
}

int nook_network_prepare(struct nook_spec *spec, const struct nook_container_dir *dir,
                         struct nook_network **out, struct nook_error *err)
{
    *out = NULL;
    _cleanup_(network_freep) struct nook_network *net = calloc(1, sizeof(*net));
    if (!net)
        return nook_error_set(err, ENOMEM, "out of memory");
    net->ready_fd = -1;
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
        r = check_resolv_conf_reachable(spec, err);
        if (r == 0)
            r = add_resolv_conf(spec, dir, &net->opts, err);
        if (r < 0)
            return r;
    }
    *out = steal_pointer(&net);
    return 0;
}

/* In the forked child: the helper's fds and signal state, then exec.
 * Nothing here returns; a failure is reported on the ready pipe, as the
 * helper itself would. */
static _Noreturn void exec_helper(const struct nook_network *net, char **argv, int ready_w,
                                  int init_pidfd, int devnull)
{
    sigset_t none;
    sigemptyset(&none);
    /* `run` blocks every signal it forwards; the helper must not start
     * with them blocked, nor with any ignored. */
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++)
        signal(sig, SIG_DFL);
    /* Out of the way of the numbers they are moved to (dup2() onto the
     * fd itself would leave its O_CLOEXEC). */
    int ready = fcntl(ready_w, F_DUPFD, 10);
    int pidfd = init_pidfd >= 0 ? fcntl(init_pidfd, F_DUPFD, 10) : -1;
    int null = fcntl(devnull, F_DUPFD, 10);
    if (ready < 0 || null < 0 || (init_pidfd >= 0 && pidfd < 0))
        _exit(127);
    if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 ||
        dup2(ready, HELPER_READY_FD) < 0 || (pidfd >= 0 && dup2(pidfd, HELPER_PIDFD) < 0))
        _exit(127);
    /* Whatever the caller left open without O_CLOEXEC (the fds passed on
     * to the container) is not the helper's. */
    int first_closed = pidfd >= 0 ? HELPER_PIDFD + 1 : HELPER_READY_FD + 1;
    if (close_range((unsigned)first_closed, ~0U, 0) < 0)
        for (int fd = first_closed; fd < 1024; fd++)
            close(fd);
    extern char **environ;
    execve(net->helper, argv, environ);
    dprintf(HELPER_READY_FD, "error: run %s: %s\n", net->helper, strerror(errno));
    _exit(127);
}

int nook_network_start(struct nook_network *net, const struct nook_container_dir *dir, pid_t pid,
                       int init_pidfd, struct nook_error *err)
{
    if (!net)
        return 0;
    _cleanup_strv_ char **argv = NULL;
    int r = nook_network_helper_argv(&net->opts, net->helper, pid, HELPER_READY_FD,
                                     init_pidfd >= 0 ? HELPER_PIDFD : -1, net->log_path, &argv, err);
    if (r < 0)
        return r;
    _cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0)
        return nook_error_set_errno(err, errno, "network: open /dev/null");
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0)
        return nook_error_set_errno(err, errno, "network: make the helper's ready pipe");
    _cleanup_close_ int ready_r = pipe_fds[0];
    _cleanup_close_ int ready_w = pipe_fds[1];

    pid_t child = fork();
    if (child < 0)
        return nook_error_set_errno(err, errno, "network: fork for %s", net->helper);
    if (child == 0)
        exec_helper(net, argv, ready_w, init_pidfd, devnull);
    net->pid = child;
    closep(&ready_w);
    ready_w = -1;
    net->ready_fd = steal_fd(&ready_r);
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
