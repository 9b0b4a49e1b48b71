/* seccomp-notify.h: hand a container process's seccomp notify listener to
 * the agent at .linux.seccomp.listenerPath, as the runtime-spec says: one
 * message on a connected UNIX stream socket carrying the container process
 * state as JSON and the listener fd (SCM_RIGHTS). */
#pragma once

#include <sys/types.h>

#include "error.h"
#include "state.h"

struct nook_spec_seccomp;

/* The JSON sent: {"ociVersion", "fds": ["seccompFd"], "pid", "metadata",
 * "state": {ociVersion, id, status, pid, bundle, annotations}}. */
int nook_seccomp_state_json(const struct nook_spec_seccomp *seccomp, const struct nook_state *state,
                            enum nook_status status, pid_t pid, char **out, struct nook_error *err);

/* Connect to listenerPath and send the state with listener_fd. An agent
 * that is not listening is an error naming the path. */
int nook_seccomp_send_listener(const struct nook_spec_seccomp *seccomp,
                               const struct nook_state *state, enum nook_status status, pid_t pid,
                               int listener_fd, struct nook_error *err);
