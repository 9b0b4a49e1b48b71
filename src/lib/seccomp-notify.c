/* seccomp-notify.c: the container process state and the seccomp listener
 * fd, sent to the agent at .linux.seccomp.listenerPath. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "json-text.h"
#include "seccomp-notify.h"
#include "spec.h"
#include "util.h"

int nook_seccomp_state_json(const struct nook_spec_seccomp *seccomp, const struct nook_state *state,
                            enum nook_status status, pid_t pid, char **out, struct nook_error *err)
{
    _cleanup_free_ char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return nook_error_set(err, ENOMEM, "out of memory");
    struct nook_json_writer w;
    nook_json_writer_init(&w, f, 0, 0);
    nook_json_writer_begin_object(&w);
    nook_json_writer_name(&w, "ociVersion");
    nook_json_writer_string(&w, NOOK_OCI_VERSION);
    nook_json_writer_name(&w, "fds");
    nook_json_writer_begin_array(&w);
    nook_json_writer_string(&w, "seccompFd");
    nook_json_writer_end_array(&w);
    nook_json_writer_name(&w, "pid");
    nook_json_writer_int(&w, pid);
    if (seccomp->listener_metadata && seccomp->listener_metadata[0]) {
        nook_json_writer_name(&w, "metadata");
        nook_json_writer_string(&w, seccomp->listener_metadata);
    }
    nook_json_writer_name(&w, "state");
    nook_json_writer_begin_object(&w);
    nook_json_writer_name(&w, "ociVersion");
    nook_json_writer_string(&w, state->oci_version ? state->oci_version : NOOK_OCI_VERSION);
    nook_json_writer_name(&w, "id");
    nook_json_writer_string(&w, state->id);
    nook_json_writer_name(&w, "status");
    nook_json_writer_string(&w, nook_status_name(status));
    nook_json_writer_name(&w, "pid");
    nook_json_writer_int(&w, pid);
    nook_json_writer_name(&w, "bundle");
    nook_json_writer_string(&w, state->bundle);
    if (state->n_annotations) {
        nook_json_writer_name(&w, "annotations");
        nook_json_writer_begin_object(&w);
        for (size_t i = 0; i < state->n_annotations; i++) {
            nook_json_writer_name(&w, state->annotations[i].key);
            nook_json_writer_string(&w, state->annotations[i].value);
        }
        nook_json_writer_end_object(&w);
    }
    nook_json_writer_end_object(&w);
    nook_json_writer_end_object(&w);
    int r = nook_json_writer_finish(&w);
    if (fclose(f) != 0 && r == 0)
        r = -ENOMEM;
    if (r < 0)
        return nook_error_set_errno(err, -r, "build the seccomp agent's message");
    *out = steal_pointer(&buf);
    return 0;
}

int nook_seccomp_send_listener(const struct nook_spec_seccomp *seccomp,
                               const struct nook_state *state, enum nook_status status, pid_t pid,
                               int listener_fd, struct nook_error *err)
{
    const char *path = seccomp->listener_path;
    _cleanup_free_ char *json = NULL;
    int r = nook_seccomp_state_json(seccomp, state, status, pid, &json, err);
    if (r < 0)
        return r;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(addr.sun_path))
        return nook_error_set(err, ENAMETOOLONG,
                              "config.json: .linux.seccomp.listenerPath: \"%s\" is too long for a socket address",
                              path);
    memcpy(addr.sun_path, path, strlen(path) + 1);
    _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return nook_error_set_errno(err, errno, "seccomp agent: socket");
    if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        return nook_error_set_errno(err, errno,
                                    "config.json: .linux.seccomp.listenerPath: connect to the seccomp agent at \"%s\"",
                                    path);
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof(control));
    struct iovec iov = { .iov_base = json, .iov_len = strlen(json) };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                          .msg_controllen = sizeof(control) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &listener_fd, sizeof(int));
    ssize_t n;
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0 || (size_t)n != iov.iov_len)
        return nook_error_set_errno(err, n < 0 ? errno : EIO,
                                    "send the seccomp listener to the agent at \"%s\"", path);
    return 0;
}
