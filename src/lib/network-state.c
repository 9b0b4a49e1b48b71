/* network-state.c: what `state` and `delete` say of a container's network
 * helper (network.h): whether it still runs, and a warning when it died
 * before the container did, which left the container without a network. */
#include <fcntl.h>
#include <string.h>
#include <time.h>

#include "helper-procs.h"
#include "network.h"

/* How nook's own line in the helper's log begins; written once. */
#define LOST_NOTE "nook: the network helper is gone"

static const char *state_annotation(const struct nook_state *state, const char *key)
{
    for (size_t i = 0; i < state->n_annotations; i++)
        if (strcmp(state->annotations[i].key, key) == 0)
            return state->annotations[i].value;
    return NULL;
}

/* Append the note to the helper's log unless it is there already: the
 * helper cannot write it itself when it was killed. Best effort: the log
 * is for people, and `state` must not fail over it. */
static void note_lost_helper(const struct nook_container_dir *dir, enum nook_status status)
{
    _cleanup_close_ int fd = openat(dir->fd, NOOK_NETWORK_LOG_FILE,
                                    O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    char buf[4096];
    size_t carry = 0;
    for (;;) {
        ssize_t n = read(fd, buf + carry, sizeof(buf) - 1 - carry);
        if (n <= 0)
            break;
        size_t len = carry + (size_t)n;
        buf[len] = '\0';
        if (strstr(buf, LOST_NOTE))
            return;
        /* Keep the tail, in case the note straddles two reads. */
        carry = len < sizeof(LOST_NOTE) ? len : sizeof(LOST_NOTE);
        memmove(buf, buf + len - carry, carry);
    }
    /* The helper's own time format: UTC, milliseconds. */
    char when[64] = "";
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    if (gmtime_r(&now.tv_sec, &tm))
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    dprintf(fd, "%s.%03ldZ " LOST_NOTE " while the container is %s: it has no network any more\n", when,
            now.tv_nsec / 1000000, nook_status_name(status));
}

const char *nook_network_helper_state(const struct nook_container_dir *dir,
                                     const struct nook_state *state, enum nook_status status,
                                     struct nook_error *warning)
{
    const char *network = state_annotation(state, NOOK_NETWORK_ANNOTATION);
    if (!network || strcmp(network, "slirp") != 0)
        return NULL;
    int r = nook_helper_running(dir->fd, NOOK_NETWORK_HELPER_RECORD, NULL);
    /* Not started yet: create is still on its way to it. */
    if (r == -ENOENT && status == NOOK_STATUS_CREATING)
        return NULL;
    /* Once the init has exited, so has the helper: that is its life. */
    if (r == 1 || status == NOOK_STATUS_STOPPED)
        return r == 1 ? "running" : "exited";
    note_lost_helper(dir, status);
    if (warning)
        nook_error_set(warning, ENETDOWN,
                       "container %s: its network helper " NOOK_NETWORK_HELPER_EXE
                       " has exited, so the container has no network any more (see %s/"
                       NOOK_NETWORK_LOG_FILE ")",
                       state->id ? state->id : "", dir->path);
    return "exited";
}

int nook_network_annotate_state(const struct nook_container_dir *dir, struct nook_state *state,
                                enum nook_status status, struct nook_error *warning,
                                struct nook_error *err)
{
    const char *helper = nook_network_helper_state(dir, state, status, warning);
    if (!helper)
        return 0;
    return nook_state_set_annotation(state, NOOK_NETWORK_HELPER_ANNOTATION, helper, err);
}
