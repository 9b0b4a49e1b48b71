/* process.h: the container process's own setup in the init core, after
 * the filesystem is in place (after pivot_root): what to exec, limits,
 * keyring, identity, capabilities, no_new_privs, working directory, and
 * the environment execve passes on. */
#pragma once

#include "../error.h"
#include "init.h"

/* The PATH a process gets when its env has none (runc's and crun's). */
#define NOOK_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Find what execve should run: args[0] as a path when it has a slash
 * (relative to process.cwd), otherwise searched in the PATH of process.env
 * (NOOK_DEFAULT_PATH when none); it must be an executable regular file.
 * Also checks that process.cwd is a directory. Call after pivot_root, as
 * the container's root. *exec_path is malloc'd. Errors read like
 *     exec: "nosuch": executable file not found in $PATH
 *     process.cwd "/nope": No such file or directory */
int nook_process_resolve(const struct nook_init_ctx *ctx, char **exec_path, struct nook_error *err);

/* Everything else about the process, in this order: rlimits, oomScoreAdj,
 * personality, umask, a new session keyring (unless no_new_keyring),
 * the bounding set, then user and groups (keeping capabilities across the
 * switch), the capability sets and ambient ones, no_new_privs, and chdir
 * to process.cwd. Capability names that nook or the kernel does not know
 * are skipped with a warning (nook_init_log), as runc does. */
int nook_process_setup(const struct nook_init_ctx *ctx, struct nook_error *err);

/* The environment for execve: process.env, plus PATH=NOOK_DEFAULT_PATH
 * when it has no PATH, and HOME from the container's /etc/passwd entry of
 * process.user.uid ("/" when it has none) when it has no HOME. A
 * malloc'd NULL-terminated vector (strv_free), NULL when out of memory. */
char **nook_process_environ(const struct nook_init_ctx *ctx);
