/* system.h: the container's view of the system that is not a file or a
 * process attribute: hostname, domainname and sysctls. Run by the init core
 * after pivot_root (so /proc is the container's), before the process's own
 * setup, and before readonlyPaths make /proc/sys read-only. */
#pragma once

#include "../error.h"
#include "../spec.h"
#include "init.h"

/* Set hostname and domainname (each needs a UTS namespace of the
 * container's own: an error otherwise) and write every linux.sysctl entry
 * to /proc/sys. Errors name the field or the sysctl key. */
int nook_system_setup(const struct nook_init_ctx *ctx, struct nook_error *err);

/* Whether the container may set sysctl key: only namespaced sysctls of a
 * namespace the container has (IPC: kernel.shm*, kernel.msg*, kernel.sem,
 * fs.mqueue.*; network: net.*; UTS: kernel.domainname), never one that
 * would change the host. Also checks the key's syntax. The front end may
 * call this before cloning, so that a bad key fails early. */
int nook_sysctl_check(const struct nook_spec *spec, const char *key, struct nook_error *err);

/* The file under /proc/sys that holds key: "net.ipv4.ip_forward" →
 * "/proc/sys/net/ipv4/ip_forward". A key written with slashes
 * ("net/ipv4/conf/eth0.100/forwarding", as sysctl(8) accepts) keeps its
 * dots. *out is malloc'd. -EINVAL for a key that is empty or has an empty,
 * "." or ".." component; -ENOMEM. */
int nook_sysctl_path(const char *key, char **out);
