/* nook-slirp-filter.h: the helper's seccomp allow-list as libseccomp
 * rules, for the build-time generator (nook-slirp-filter-gen.c) that
 * compiles it into the BPF program the helper loads. The default action
 * is the caller's (SCMP_ACT_TRAP: nook-slirp-confine.c). */
#pragma once

#include <seccomp.h>

/* Add the rules to ctx: 0, or libseccomp's negative errno. */
int nook_slirp_filter_rules(scmp_filter_ctx ctx);
