/* fake-container.c: a test-only program that records a container in a state
 * root around an existing process, through the state library, so the
 * integration tests can check `state`, `list` and `delete` on real
 * processes before nook can create real containers.
 *
 * Usage: fake-container --root DIR --id ID [--pid PID] [--bundle DIR]
 *          [--rootfs DIR] [--exec-fifo] [--creator-pid PID]
 *          [--start-time N] [--annotation KEY=VALUE]...
 *   --pid          the init process to record (default: none, pid 0)
 *   --exec-fifo    also make the exec barrier, so the container is "created"
 *   --creator-pid  leave it "creating", with PID as the creating nook
 *   --start-time   record this start time instead of the real one */
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/proc.h"
#include "lib/state.h"

enum {
    OPT_ROOT = 256,
    OPT_ID,
    OPT_PID,
    OPT_BUNDLE,
    OPT_ROOTFS,
    OPT_EXEC_FIFO,
    OPT_CREATOR_PID,
    OPT_START_TIME,
    OPT_ANNOTATION,
};

static const struct option options[] = {
    { "root", required_argument, NULL, OPT_ROOT },
    { "id", required_argument, NULL, OPT_ID },
    { "pid", required_argument, NULL, OPT_PID },
    { "bundle", required_argument, NULL, OPT_BUNDLE },
    { "rootfs", required_argument, NULL, OPT_ROOTFS },
    { "exec-fifo", no_argument, NULL, OPT_EXEC_FIFO },
    { "creator-pid", required_argument, NULL, OPT_CREATOR_PID },
    { "start-time", required_argument, NULL, OPT_START_TIME },
    { "annotation", required_argument, NULL, OPT_ANNOTATION },
    { NULL, 0, NULL, 0 },
};

static int fail(const struct nook_error *err)
{
    fprintf(stderr, "fake-container: %s\n", err->message);
    return 1;
}

static int usage(const char *why)
{
    fprintf(stderr, "fake-container: %s\n", why);
    return 2;
}

int main(int argc, char **argv)
{
    const char *root = NULL, *id = NULL, *bundle = ".", *rootfs = "rootfs";
    const char *start_time = NULL;
    long pid = 0, creator_pid = 0;
    bool exec_fifo = false;
    _cleanup_free_ char **annotations = calloc((size_t)argc + 1, sizeof(char *));
    size_t n_annotations = 0;
    if (!annotations)
        return usage("out of memory");

    for (;;) {
        int c = getopt_long(argc, argv, "", options, NULL);
        if (c == -1)
            break;
        switch (c) {
        case OPT_ROOT:
            root = optarg;
            break;
        case OPT_ID:
            id = optarg;
            break;
        case OPT_PID:
            pid = strtol(optarg, NULL, 10);
            break;
        case OPT_BUNDLE:
            bundle = optarg;
            break;
        case OPT_ROOTFS:
            rootfs = optarg;
            break;
        case OPT_EXEC_FIFO:
            exec_fifo = true;
            break;
        case OPT_CREATOR_PID:
            creator_pid = strtol(optarg, NULL, 10);
            break;
        case OPT_START_TIME:
            start_time = optarg;
            break;
        case OPT_ANNOTATION:
            annotations[n_annotations++] = optarg;
            break;
        default:
            return usage("unknown option; see the comment at the top of fake-container.c");
        }
    }
    if (!root || !id)
        return usage("--root and --id are required");

    struct nook_error err = { 0 };
    _cleanup_(nook_state_clear) struct nook_state state = { 0 };
    if (nook_state_init(&state, id, "1.2.0", bundle, rootfs, &err) < 0)
        return fail(&err);
    if (pid > 0 && nook_state_set_init(&state, (pid_t)pid, &err) < 0)
        return fail(&err);
    if (pid == 0)
        state.creating = false;
    if (creator_pid > 0) {
        struct nook_proc_stat st;
        if (nook_proc_read_stat((pid_t)creator_pid, &st) < 0)
            return usage("--creator-pid names no process");
        state.creating = true;
        state.creator_pid = (pid_t)creator_pid;
        state.creator_start_time = st.start_time;
    }
    if (start_time)
        state.init_start_time = strtoull(start_time, NULL, 10);
    for (size_t i = 0; i < n_annotations; i++) {
        char *eq = strchr(annotations[i], '=');
        if (!eq)
            return usage("--annotation takes KEY=VALUE");
        *eq = '\0';
        if (nook_state_set_annotation(&state, annotations[i], eq + 1, &err) < 0)
            return fail(&err);
    }

    _cleanup_container_dir_ struct nook_container_dir *dir = NULL;
    if (nook_container_dir_create(root, &state, &dir, &err) < 0)
        return fail(&err);
    if (exec_fifo && mkfifoat(dir->fd, NOOK_STATE_EXEC_FIFO, 0600) < 0) {
        nook_error_set_errno(&err, errno, "mkfifo %s/%s", dir->path, NOOK_STATE_EXEC_FIFO);
        return fail(&err);
    }
    return 0;
}
