/* network.h: user-mode networking for a container. A container whose
 * config.json asks for a new network namespace and carries the annotation
 * "nook.network": "slirp" gets a tap device wired to libslirp by the helper
 * program nook-slirp, which create starts beside the container and which
 * lives exactly as long as the container's init.
 *
 * The rooms: network-options.c reads and checks the nook.network*
 * annotations and turns them into the helper's command line;
 * network-locate.c finds the helper binary; network.c starts it from
 * create and waits for its ready line, and writes the container's
 * resolv.conf; network-state.c tells `state` and `delete` whether the
 * helper still runs. The helper's side of the contract is in
 * helpers/nook-slirp*.c; man/nook-network.7.scd documents the whole. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "oci-features.h"
#include "spec.h"
#include "state.h"

#define NOOK_NETWORK_ANNOTATION "nook.network"
/* Not a config.json annotation: `state` adds it, "running" or "exited". */
#define NOOK_NETWORK_HELPER_ANNOTATION "nook.network.helper"
/* The helper's record in the state directory (helper-procs.h). */
#define NOOK_NETWORK_HELPER_RECORD "slirp"
#define NOOK_NETWORK_HELPER_EXE "nook-slirp"
/* In the container's state directory. */
#define NOOK_NETWORK_LOG_FILE "network.log"
#define NOOK_NETWORK_RESOLV_CONF_FILE "resolv.conf"

#define NOOK_NETWORK_MTU_MIN 576
#define NOOK_NETWORK_MTU_MAX 65520

enum nook_network_proto {
    NOOK_NETWORK_TCP,
    NOOK_NETWORK_UDP,
};

/* One entry of nook.network.ports. */
struct nook_network_port {
    char host_addr[48];         /* dotted IPv4, "0.0.0.0" when not given; or IPv6 in brackets, "[::1]" */
    uint16_t host_port;
    uint16_t container_port;
    enum nook_network_proto proto;
};

/* The nook.network* annotations, checked. */
struct nook_network_options {
    bool enabled;               /* nook.network is "slirp" */
    unsigned int mtu;           /* 0: the helper's default (65520) */
    bool ipv6;
    bool host_loopback;
    bool resolv_conf;           /* true unless nook.network.resolv-conf is "false" */
    /* nook.network.dns as the helper takes it ("10.0.0.1:53",
     * "[fd00::1]:53"); NULL: the host's nameservers. */
    char **dns;
    struct nook_network_port *ports;
    size_t n_ports;
    /* nook.network.port-handler "slirp": libslirp carries the TCP
     * forwards (the container sees 10.0.2.2); by default, "relay", the
     * helper relays them from inside the container's network namespace
     * (the container sees 10.0.2.100). */
    bool ports_through_slirp;
};

/* ---- options (network-options.c) ---- */

/* Read the nook.network* annotations of spec: unknown keys, bad values
 * and network options without "nook.network": "slirp" are errors naming
 * the annotation (`config.json: .annotations["nook.network.mtu"]: ...`),
 * and so is slirp networking without a new network namespace of the
 * container's own. opts->enabled is false when there are none. */
int nook_network_options_from_spec(const struct nook_spec *spec, struct nook_network_options *out,
                                   struct nook_error *err);

/* Free what opts owns and zero it. */
void nook_network_options_clear(struct nook_network_options *opts);

/* Refuse a forwarded host port below unprivileged_port_start (the value
 * of /proc/sys/net/ipv4/ip_unprivileged_port_start), which only a
 * privileged caller may bind; the error names the port, the sysctl and
 * its value. */
int nook_network_check_ports(const struct nook_network_options *opts, int unprivileged_port_start,
                             struct nook_error *err);

/* The helper's command line (argv[0] is helper), NULL-terminated and
 * malloc'd (strv_free()): the container's init is pid; ready_fd, pidfd
 * and tap_fd are the numbers the helper finds its ready pipe, the init's
 * pidfd and the tap at. */
int nook_network_helper_argv(const struct nook_network_options *opts, const char *helper, pid_t pid, int ready_fd,
                             int pidfd, int tap_fd, const char *log_path, char ***out, struct nook_error *err);

/* The container's resolv.conf: the slirp DNS address (and its IPv6 one
 * with ipv6), and the search domains of host_text (the host's
 * /etc/resolv.conf; may be NULL). malloc'd, NULL when out of memory. */
char *nook_network_resolv_conf_text(const struct nook_network_options *opts, const char *host_text);

/* Whether config.json mounts something on /etc/resolv.conf itself. */
bool nook_network_spec_mounts_resolv_conf(const struct nook_spec *spec);

/* The nook.network* annotations and the values they take, for
 * `nook features`. */
extern const struct nook_features_part nook_network_features;

/* ---- the helper binary (network-locate.c) ---- */

/* Where nook-slirp is: beside the nook executable (the original one when
 * running from its sealed copy), else in the install directory compiled
 * in; never through PATH. The file must be a regular executable file
 * owned by root or by the owner of the nook executable and not writable
 * by others. Missing: `network "slirp" needs nook-slirp, which is not
 * installed (looked in A and B)`. */
int nook_network_find_helper(char **out, struct nook_error *err);

/* ---- from create (network.c) ---- */

/* What create holds of the network while it builds the container. */
struct nook_network;

/* Read the options (nook_network_options_from_spec()); when slirp
 * networking is asked for, refuse ports the caller may not bind or that
 * are taken (each is bound for a moment), find the helper, write the
 * container's resolv.conf into its state directory and add its bind
 * mount to spec's mounts (unless opted out or config.json mounts one),
 * and make the helper's ready pipe. The helper runs only once the
 * container is set up (nook_network_start()): create pays for starting
 * a held child alone (held-exec.h), not for the helper's exec and setup,
 * which go on once create is done; the init waits for its ready line at the exec barrier, so the
 * container's process starts with the network up. *out is NULL when the
 * container has no slirp networking. */
int nook_network_prepare(struct nook_spec *spec, const struct nook_container_dir *dir,
                         struct nook_network **out, struct nook_error *err);

/* 1 + the index in the spec's mounts of the generated resolv.conf's bind
 * mount, which the init opens before it becomes the container's root
 * (init.h: early_bind_mount); 0: none (net NULL, opted out, or config.json
 * mounts its own). */
size_t nook_network_resolv_conf_mount(const struct nook_network *net);

/* Whether the init makes a tap (net not NULL), and its MTU and IPv6. */
bool nook_network_wants_tap(const struct nook_network *net, unsigned *mtu, bool *ipv6);

/* The read end of the helper's ready pipe, for the init (init.h:
 * network_ready_fd); -1 when net is NULL. */
int nook_network_ready_reader(const struct nook_network *net);

/* The tap the init made and sent (NOOK_SYNC_TAP): net takes *tap_fd. */
int nook_network_take_tap(struct nook_network *net, int *tap_fd, struct nook_error *err);

/* Start the helper on the init's tap (pid, and init_pidfd, which pins
 * it), record it in the state directory (helper-procs.h) and return
 * without waiting for it: its ready line is the init's to read. It is a
 * held child (held-exec.h) that shares this process's memory and execs
 * the helper once create is done (nook_network_free() releases it). Does nothing when net is NULL. */
int nook_network_start(struct nook_network *net, const struct nook_container_dir *dir, pid_t pid,
                       int init_pidfd, struct nook_error *err);

/* Release net (NULL is fine); reaps the helper if it has already exited,
 * never signals it. */
void nook_network_free(struct nook_network *net);

/* ---- state and delete (network-state.c) ---- */

/* For a container with slirp networking, whether its helper runs:
 * "running" or "exited"; NULL for a container without (or while create
 * has not started the helper yet). When the helper is gone while the
 * container is not stopped, fill warning (may be NULL) with one line
 * saying the container has no network any more, and note it once in the
 * helper's log (which the helper, killed, could not do). */
const char *nook_network_helper_state(const struct nook_container_dir *dir,
                                     const struct nook_state *state, enum nook_status status,
                                     struct nook_error *warning);

/* For `state`: the same, added to state's annotations as
 * nook.network.helper. */
int nook_network_annotate_state(const struct nook_container_dir *dir, struct nook_state *state,
                                enum nook_status status, struct nook_error *warning,
                                struct nook_error *err);
