/* sealed-exe.h: run nook from a sealed copy of its own binary before it
 * goes near a container (the CVE-2019-5736 class of escapes).
 *
 * While nook works inside a container's namespaces (create's init before
 * its execve, exec's joiner), a process of the container may open
 * /proc/PID/exe of it, which is nook's binary on the host, and write to it
 * when its credentials allow: the next nook run by anybody would run the
 * container's code. nook is made non-dumpable where it can be (exec's
 * joiner), which closes /proc/PID/exe to the container; and when the
 * binary is writable by the caller (a nook built by the user, or root),
 * the commands that enter containers first re-execute nook from an
 * anonymous memfd copy sealed against writing: there is then nothing on
 * the host to overwrite. A binary the caller cannot write needs no copy:
 * the container's users are the caller's own uid or its subordinate ids,
 * and none of them can write it either. */
#pragma once

#include "error.h"

/* The path of the binary nook was started from, set for the sealed copy
 * (which finds its files, e.g. nook-json.so, next to the original). */
#define NOOK_ORIGINAL_EXE_ENV "NOOK_ORIGINAL_EXE"

/* Re-execute from a sealed copy when the binary is writable and this is
 * not already the copy. Returns 0 when no copy is needed; does not return
 * when the re-exec works; a negative errno with err otherwise. */
int nook_sealed_exe_reexec(char **argv, struct nook_error *err);

/* The directory of the running nook executable, where its helpers and
 * module lie in a build tree; for the sealed copy (a memfd) that of the
 * binary it was copied from (NOOK_ORIGINAL_EXE_ENV). *out is malloc'd. */
int nook_executable_dir(char **out, struct nook_error *err);
