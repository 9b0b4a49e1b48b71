/* capabilities.h: Linux capabilities by name and number, which of them the
 * running kernel knows, and the raw system calls (capget/capset, prctl)
 * that read and change the calling thread's five capability sets. No
 * libcap: the init core needs only these few calls. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "spec.h"

/* The highest capability nook has a name for (CAP_CHECKPOINT_RESTORE). */
#define NOOK_CAP_LAST_KNOWN 40

/* The five sets as bit masks: bit n is capability n. */
struct nook_cap_sets {
    uint64_t bounding;
    uint64_t effective;
    uint64_t permitted;
    uint64_t inheritable;
    uint64_t ambient;
};

/* "CAP_SYS_ADMIN" → 21. Case does not matter; the CAP_ prefix is
 * required. -ENOENT for a name nook does not know. */
int nook_cap_from_name(const char *name);

/* 21 → "CAP_SYS_ADMIN"; NULL for a number nook has no name for. */
const char *nook_cap_name(int cap);

/* The highest capability the running kernel knows: read from
 * /proc/sys/kernel/cap_last_cap and confirmed with PR_CAPBSET_READ, or
 * probed with PR_CAPBSET_READ alone when the file is missing or wrong (a
 * container without a proc mount). */
int nook_cap_last_cap(int *out, struct nook_error *err);

/* Called once for every name a set of config.json lists that cannot be
 * applied: unknown to nook (known_name false), or known but above the
 * running kernel's last capability. */
typedef void (*nook_cap_skip_fn)(void *data, const char *set, const char *name, bool known_name);

/* config.json's name lists → masks, keeping only capabilities up to
 * last_cap; the rest are reported to skip (which may be NULL) and left out,
 * as runc does. caps NULL (no "capabilities" object) gives empty sets. */
void nook_cap_sets_from_spec(const struct nook_spec_capabilities *caps, int last_cap,
                             struct nook_cap_sets *out, nook_cap_skip_fn skip, void *data);

/* The calling thread's sets (bounding and ambient up to last_cap). */
int nook_cap_get_current(int last_cap, struct nook_cap_sets *out, struct nook_error *err);

/* Drop every capability up to last_cap that keep does not have from the
 * bounding set. Needs CAP_SETPCAP in the effective set. */
int nook_cap_drop_bounding(uint64_t keep, int last_cap, struct nook_error *err);

/* capset(2): effective, permitted and inheritable from sets. */
int nook_cap_set(const struct nook_cap_sets *sets, struct nook_error *err);

/* Empty the ambient set. */
int nook_cap_clear_ambient(struct nook_error *err);

/* Raise one capability into the ambient set; it must be in both the
 * permitted and the inheritable set already. */
int nook_cap_raise_ambient(int cap, struct nook_error *err);

/* "CAP_CHOWN, CAP_KILL" (or "none") for a mask, into buf. Returns buf. */
char *nook_cap_format(uint64_t mask, char *buf, size_t size);

/* For `nook features`: every capability name nook knows. */
struct nook_features_part;
extern const struct nook_features_part nook_capabilities_features;
