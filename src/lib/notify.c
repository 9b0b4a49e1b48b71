/* notify.c: socket activation and readiness notification passed through
 * to the container (see notify.h). Activation fds need no work here: they
 * are fds 3.., which create keeps open as it does --preserve-fds; only the
 * environment that names them changes. */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "notify.h"
#include "proc.h"
#include "state.h"

unsigned nook_listen_fds_parse(const char *listen_fds, const char *listen_pid, pid_t pid)
{
    if (!listen_fds || !listen_pid || !*listen_fds || !*listen_pid)
        return 0;
    char *end = NULL;
    errno = 0;
    long owner = strtol(listen_pid, &end, 10);
    if (errno || *end || owner != (long)pid)
        return 0;
    errno = 0;
    unsigned long n = strtoul(listen_fds, &end, 10);
    if (errno || *end || listen_fds[0] == '-' || n > 4096)
        return 0;
    return (unsigned)n;
}

unsigned nook_listen_fds_from_environ(void)
{
    return nook_listen_fds_parse(getenv("LISTEN_FDS"), getenv("LISTEN_PID"), getpid());
}

/* Set NAME=value in the process's environment, replacing every NAME=. */
static int env_set(struct nook_spec_process *process, const char *name, const char *value,
                   struct nook_error *err)
{
    size_t len = strlen(name), count = 0;
    for (size_t i = 0; process->env && process->env[i]; i++) {
        if (strncmp(process->env[i], name, len) == 0 && process->env[i][len] == '=')
            free(process->env[i]);
        else
            process->env[count++] = process->env[i];
    }
    char **env = realloc(process->env, (count + 2) * sizeof(char *));
    if (!env)
        return nook_error_set(err, ENOMEM, "out of memory");
    process->env = env;
    env[count] = NULL;
    char *entry = NULL;
    if (asprintf(&entry, "%s=%s", name, value) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    env[count] = entry;
    env[count + 1] = NULL;
    return 0;
}

int nook_listen_fds_set_env(struct nook_spec_process *process, unsigned n, struct nook_error *err)
{
    char count[16];
    snprintf(count, sizeof(count), "%u", n);
    int r = env_set(process, "LISTEN_FDS", count, err);
    return r < 0 ? r : env_set(process, "LISTEN_PID", "1", err);
}

/* --- NOTIFY_SOCKET ------------------------------------------------------- */

static int add_bind_mount(struct nook_spec *spec, const char *source, struct nook_error *err)
{
    struct nook_spec_mount *mounts = realloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*mounts));
    if (!mounts)
        return nook_error_set(err, ENOMEM, "out of memory");
    spec->mounts = mounts;
    struct nook_spec_mount *m = &mounts[spec->n_mounts];
    *m = (struct nook_spec_mount){ 0 };
    m->destination = strdup(NOOK_NOTIFY_CONTAINER_DIR);
    m->type = strdup("bind");
    m->source = strdup(source);
    m->options = calloc(2, sizeof(char *));
    if (m->options)
        m->options[0] = strdup("rbind");
    /* Counted even when half made, so that nook_spec_free() frees it. */
    spec->n_mounts++;
    if (!m->destination || !m->type || !m->source || !m->options || !m->options[0])
        return nook_error_set(err, ENOMEM, "out of memory");
    return 0;
}

int nook_notify_prepare(struct nook_spec *spec, const char *state_dir, const char *host_socket,
                        struct nook_error *err)
{
    if (!host_socket || !*host_socket || !spec->process)
        return 0;
    _cleanup_free_ char *dir = NULL;
    if (asprintf(&dir, "%s/%s", state_dir, NOOK_NOTIFY_STATE_DIR) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    /* 0777: the container's process may run as any of its users. */
    if (mkdir(dir, 0777) < 0 || chmod(dir, 0777) < 0)
        return nook_error_set_errno(err, errno, "NOTIFY_SOCKET: create \"%s\"", dir);
    int r = add_bind_mount(spec, dir, err);
    if (r == 0)
        r = env_set(spec->process, "NOTIFY_SOCKET", NOOK_NOTIFY_CONTAINER_SOCKET, err);
    return r;
}

void nook_notify_clear(struct nook_notify *notify)
{
    closep(&notify->socket);
    closep(&notify->pidfd);
    notify->socket = notify->pidfd = -1;
    free(notify->host_socket);
    notify->host_socket = NULL;
}

/* Bind the container's socket through an fd of its directory: the state
 * directory's path may be longer than sun_path holds. */
static int bind_container_socket(const char *dir, int *out, struct nook_error *err)
{
    _cleanup_close_ int dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0)
        return nook_error_set_errno(err, errno, "NOTIFY_SOCKET: open \"%s\"", dir);
    (void)unlinkat(dir_fd, "notify.sock", 0);
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "NOTIFY_SOCKET: socket");
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/notify.sock", dir_fd);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        return nook_error_set_errno(err, errno, "NOTIFY_SOCKET: bind \"%s/notify.sock\"", dir);
    /* The container's process may run as any of its users. */
    if (fchmodat(dir_fd, "notify.sock", 0777, 0) < 0)
        return nook_error_set_errno(err, errno, "NOTIFY_SOCKET: chmod \"%s/notify.sock\"", dir);
    *out = steal_fd(&fd);
    return 0;
}

int nook_notify_listen(const char *root, const char *id, const char *host_socket,
                       struct nook_notify *notify, struct nook_error *err)
{
    if (!host_socket || !*host_socket)
        return 0;
    _cleanup_container_dir_ struct nook_container_dir *dir = NULL;
    _cleanup_(nook_state_clear) struct nook_state state = { 0 };
    int r = nook_container_dir_open(root, id, NOOK_LOCK_NONE, 0, &dir, err);
    if (r == 0)
        r = nook_state_load(dir, &state, err);
    if (r < 0)
        return r;
    _cleanup_free_ char *notify_dir = NULL;
    if (asprintf(&notify_dir, "%s/%s", dir->path, NOOK_NOTIFY_STATE_DIR) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    struct stat st;
    if (stat(notify_dir, &st) < 0)
        return 0; /* created without NOTIFY_SOCKET: nothing to relay */
    notify->host_socket = strdup(host_socket);
    if (!notify->host_socket)
        return nook_error_set(err, ENOMEM, "out of memory");
    notify->pid = state.init_pid;
    r = nook_proc_open_pidfd(state.init_pid, state.init_start_time, &notify->pidfd);
    if (r < 0)
        return nook_error_set_errno(err, -r, "NOTIFY_SOCKET: the container's init");
    return bind_container_socket(notify_dir, &notify->socket, err);
}

/* Send one datagram to the caller's socket: a path, or "@name" for the
 * abstract namespace. */
static int send_to_host(const char *host_socket, const char *data, size_t len,
                        struct nook_error *err)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    size_t n = strlen(host_socket);
    if (n >= sizeof(addr.sun_path))
        return nook_error_set(err, ENAMETOOLONG, "NOTIFY_SOCKET \"%s\": path too long", host_socket);
    memcpy(addr.sun_path, host_socket, n);
    if (addr.sun_path[0] == '@')
        addr.sun_path[0] = '\0';
    socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "NOTIFY_SOCKET: socket");
    if (sendto(fd, data, len, MSG_NOSIGNAL, (struct sockaddr *)&addr, addr_len) < 0)
        return nook_error_set_errno(err, errno, "NOTIFY_SOCKET: send to \"%s\"", host_socket);
    return 0;
}

static bool says_ready(const char *data)
{
    for (const char *line = data; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
        if (strncmp(line, "READY=1", 7) == 0 && (line[7] == '\n' || line[7] == '\0'))
            return true;
    return false;
}

int nook_notify_relay(struct nook_notify *notify, struct nook_error *err)
{
    if (notify->socket < 0)
        return 0;
    struct pollfd fds[2] = { { .fd = notify->socket, .events = POLLIN },
                             { .fd = notify->pidfd, .events = POLLIN } };
    for (;;) {
        int n = poll(fds, 2, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nook_error_set_errno(err, errno, "NOTIFY_SOCKET: wait for the container");
        if (fds[0].revents & POLLIN) {
            char data[4096];
            ssize_t got = recv(notify->socket, data, sizeof(data) - 1, MSG_DONTWAIT);
            if (got < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            if (got < 0)
                return nook_error_set_errno(err, errno, "NOTIFY_SOCKET: receive");
            data[got] = '\0';
            int r = send_to_host(notify->host_socket, data, (size_t)got, err);
            if (r < 0)
                return r;
            if (says_ready(data)) {
                char main_pid[32];
                int len = snprintf(main_pid, sizeof(main_pid), "MAINPID=%d", (int)notify->pid);
                return send_to_host(notify->host_socket, main_pid, (size_t)len, err);
            }
            continue;
        }
        /* The init is gone without saying READY=1: nothing more will come. */
        if (fds[1].revents & POLLIN)
            return 0;
    }
}
