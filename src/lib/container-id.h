/* container-id.h: what a container id may look like. Ids become directory
 * names under the state root, so they are checked before any path is built
 * from them. */
#pragma once

#include "error.h"

#define NOOK_CONTAINER_ID_MAX 1024

/* 0 when id is `[A-Za-z0-9][A-Za-z0-9_.-]*` and at most
 * NOOK_CONTAINER_ID_MAX bytes; otherwise -EINVAL and an error saying what is
 * allowed. "." and ".." can never pass, as they do not start with a letter or
 * a digit. */
int nook_container_id_validate(const char *id, struct nook_error *err);
