/* seccomp-default.h: the data of the seccomp profile `nook spec` writes
 * (seccomp-default.c says what it allows and why). */
#pragma once

/* Syscalls allowed without condition; NULL-terminated. */
extern const char *const nook_seccomp_default_allowed[];
/* personality(2) arguments allowed, one rule each. */
extern const unsigned long nook_seccomp_default_personalities[];
extern const unsigned nook_seccomp_default_n_personalities;
/* clone(2) is allowed when (flags & mask) == 0. */
extern const unsigned long nook_seccomp_default_clone_ns_mask;
