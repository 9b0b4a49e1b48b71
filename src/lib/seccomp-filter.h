/* seccomp-filter.h: .linux.seccomp turned into a BPF program through libseccomp.
 *
 * The program is compiled by create (or exec) in the host process, before
 * the clone: libseccomp allocates, reads /proc and may fail in ways that
 * deserve a full error message, none of which belongs in the child. The
 * child only hands the finished program to seccomp(2), as late as it can:
 * right before the exec barrier, after no_new_privs. */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>

#include "error.h"

struct nook_spec_seccomp;

struct nook_seccomp_program {
    struct sock_filter *filter;   /* malloc'd */
    unsigned short length;        /* instructions */
    unsigned int flags;           /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
    bool notify;                  /* a rule uses SCMP_ACT_NOTIFY: loading yields a listener fd */
};

/* Build the program. Syscall names this libseccomp does not know are
 * skipped (as runc does: profiles list syscalls of newer kernels); a rule
 * whose action is the default action adds nothing; several conditions on
 * one argument become one rule each (any of them matches), otherwise the
 * conditions of a rule must all match. An unknown architecture or a rule
 * libseccomp refuses is an error naming the JSON path. */
int nook_seccomp_compile(const struct nook_spec_seccomp *spec, struct nook_seccomp_program *out,
                         struct nook_error *err);

/* How long nook_seccomp_compile() lets libseccomp work: real profiles (the
 * default one of `nook spec`, Docker's) take a few milliseconds. */
#define NOOK_SECCOMP_COMPILE_LIMIT_MS 5000

/* nook_seccomp_compile() is this with NOOK_SECCOMP_COMPILE_LIMIT_MS:
 * libseccomp runs in a forked child (seccomp-compile-bounded.c says why),
 * stopped with an ETIMEDOUT error naming .linux.seccomp when it takes
 * longer than limit_ms. */
int nook_seccomp_compile_within(const struct nook_spec_seccomp *spec, struct nook_seccomp_program *out,
                                unsigned int limit_ms, struct nook_error *err);

/* The same in this process, with no limit: what the child runs. */
int nook_seccomp_compile_here(const struct nook_spec_seccomp *spec, struct nook_seccomp_program *out,
                              struct nook_error *err);

void nook_seccomp_program_clear(struct nook_seccomp_program *program);

/* In the container's process: install the program. With notify, returns
 * the listener fd (>= 0); otherwise 0; a negative errno on failure. Makes
 * no allocation. */
int nook_seccomp_install(const struct nook_seccomp_program *program);

/* For `nook features`: the names nook accepts, NULL-terminated. */
extern const char *const nook_seccomp_feature_actions[];
extern const char *const nook_seccomp_feature_operators[];
extern const char *const nook_seccomp_feature_flags[];
/* The seccomp part of the features document (oci-features.h). */
extern const struct nook_features_part nook_seccomp_features;
