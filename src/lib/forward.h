/* forward.h: how `run` waits for its container in the foreground: signals
 * sent to nook go to the container's init, orphans are reaped, and the
 * container's exit becomes nook's exit code. */
#pragma once

#include <signal.h>

#include "container.h"

/* Block the signals that will be forwarded (all but the synchronous ones);
 * call before creating the container, so that none is lost in between.
 * The init core unblocks them again in the child. */
int nook_forward_block(sigset_t *old_mask, struct nook_error *err);

/* Forward signals to created->pid until it exits (with a terminal,
 * created->console_fd >= 0: relay it to stdio meanwhile, stdin in raw mode
 * and SIGWINCH resizing the pty instead of being forwarded); *exit_code is its exit
 * status, or 128 + the signal that killed it. */
int nook_forward_wait(const struct nook_created *created, int *exit_code, struct nook_error *err);
