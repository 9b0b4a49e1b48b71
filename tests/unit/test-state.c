/* test-state.c: the state store: container ids, the root directory, atomic
 * save and load, status derivation on real processes, locking, removal,
 * delete, and runc-shaped output. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "lib/container-id.h"
#include "lib/proc.h"
#include "lib/state-output.h"
#include "lib/state.h"
#include "tap.h"

static char *make_temp_dir(void)
{
    char *path = strdup("/tmp/nook-test-state-XXXXXX");
    if (!path || !mkdtemp(path)) {
        perror("mkdtemp");
        exit(99);
    }
    return path;
}

static bool path_exists(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    struct stat st;
    return lstat(path, &st) == 0;
}

/* A child that does nothing until killed. */
static pid_t spawn_sleeper(void)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(99);
    }
    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

static void kill_and_reap(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* A state for a container around pid (0: none), not creating. */
static void fake_state(struct nook_state *s, const char *id, pid_t pid)
{
    struct nook_error err = { 0 };
    if (nook_state_init(s, id, "1.2.0", "/bundle", "rootfs", &err) < 0 ||
        (pid > 0 && nook_state_set_init(s, pid, &err) < 0)) {
        fprintf(stderr, "fake_state: %s\n", err.message);
        exit(99);
    }
    s->creating = false;
}

static void test_container_ids(struct tap *t)
{
    struct nook_error err = { 0 };
    const char *good[] = { "a", "Z", "0", "abc", "a.b", "my_container-1.2", "9.-_" };
    for (size_t i = 0; i < N_ELEMENTS(good); i++) {
        char what[128];
        snprintf(what, sizeof(what), "id \"%s\" is valid", good[i]);
        CHECK(t, nook_container_id_validate(good[i], &err) == 0, what);
    }
    const char *bad[] = { "", ".", "..", "../x", "-a", "_a", ".hidden", "a/b", "a b", "a\nb", "é",
                          "a:b" };
    for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
        char what[128];
        snprintf(what, sizeof(what), "id #%zu is rejected with EINVAL", i);
        CHECK(t, nook_container_id_validate(bad[i], &err) == -EINVAL, what);
    }
    nook_container_id_validate("../x", &err);
    const char *prefix = "invalid container id \"../x\": ";
    CHECK(t, strncmp(err.message, prefix, strlen(prefix)) == 0,
          "the error quotes the id");
    CHECK(t, strstr(err.message, "letter or digit") != NULL, "the error says what is allowed");
    nook_container_id_validate("a\nb", &err);
    CHECK(t, strchr(err.message, '\n') == NULL, "a newline in an id cannot split the message");

    char longest[NOOK_CONTAINER_ID_MAX + 2];
    memset(longest, 'x', sizeof(longest));
    longest[NOOK_CONTAINER_ID_MAX] = '\0';
    CHECK(t, nook_container_id_validate(longest, &err) == 0, "a 1024-byte id is valid");
    longest[NOOK_CONTAINER_ID_MAX] = 'x';
    longest[NOOK_CONTAINER_ID_MAX + 1] = '\0';
    CHECK(t, nook_container_id_validate(longest, &err) == -EINVAL, "a 1025-byte id is rejected");
    CHECK(t, strstr(err.message, "longer than 1024 bytes") != NULL, "the length limit is named");
    CHECK(t, strlen(err.message) < 400, "a long id is shortened in the message");
}

static void test_root(struct tap *t)
{
    struct nook_error err = { 0 };
    char *root = NULL;
    uid_t me = geteuid();

    CHECK(t, nook_state_root_resolve("/some/where", 1000, NULL, &root, &err) == 0, "--root is used");
    CHECK_STR(t, root, "/some/where", "--root as given");
    free(root);
    root = NULL;
    char cwd[4096];
    CHECK(t, getcwd(cwd, sizeof(cwd)) != NULL, "getcwd");
    char want[4200];
    snprintf(want, sizeof(want), "%s/rel", cwd);
    CHECK(t, nook_state_root_resolve("rel", 1000, NULL, &root, &err) == 0, "relative --root");
    CHECK_STR(t, root, want, "a relative --root is made absolute");
    free(root);
    root = NULL;

    CHECK(t, nook_state_root_resolve(NULL, 0, "/nope", &root, &err) == 0, "root's default");
    CHECK_STR(t, root, "/run/nook", "euid 0 uses /run/nook");
    free(root);
    root = NULL;

    CHECK(t, nook_state_root_resolve(NULL, 1000, NULL, &root, &err) < 0, "XDG_RUNTIME_DIR unset fails");
    CHECK_STR(t, err.message,
              "XDG_RUNTIME_DIR is not set; log in through a session manager (pam_systemd) or pass "
              "--root DIR (see: nook check runtime-dir)",
              "unset XDG_RUNTIME_DIR names the fix");
    CHECK(t, nook_state_root_resolve(NULL, 1000, "", &root, &err) < 0, "empty XDG_RUNTIME_DIR fails");
    CHECK(t, nook_state_root_resolve(NULL, 1000, "run/user", &root, &err) < 0 &&
                 strstr(err.message, "not an absolute path") != NULL,
          "relative XDG_RUNTIME_DIR fails");

    _cleanup_free_ char *xdg = make_temp_dir();
    CHECK(t, nook_state_root_resolve(NULL, me == 0 ? 4242 : me + 1, xdg, &root, &err) == -EPERM,
          "XDG_RUNTIME_DIR owned by someone else fails");
    CHECK(t, strstr(err.message, "not to you") != NULL && strstr(err.message, "--root DIR") != NULL,
          "the ownership error names the fix");
    CHECK(t, strstr(err.message, "(see: nook check runtime-dir)") != NULL,
          "the ownership error points at nook check");
    char missing[4200];
    snprintf(missing, sizeof(missing), "%s/missing", xdg);
    CHECK(t, nook_state_root_resolve(NULL, me ? me : 4242, missing, &root, &err) < 0 &&
                 strstr(err.message, "No such file") != NULL,
          "a missing XDG_RUNTIME_DIR fails");
    char file[4200];
    snprintf(file, sizeof(file), "%s/file", xdg);
    int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    close(fd);
    CHECK(t, nook_state_root_resolve(NULL, me ? me : 4242, file, &root, &err) == -ENOTDIR,
          "an XDG_RUNTIME_DIR that is a file fails");
    if (me != 0) {
        CHECK(t, nook_state_root_resolve(NULL, me, xdg, &root, &err) == 0, "own XDG_RUNTIME_DIR works");
        snprintf(want, sizeof(want), "%s/nook", xdg);
        CHECK_STR(t, root, want, "the root is $XDG_RUNTIME_DIR/nook");
        free(root);
        root = NULL;
    } else {
        /* As root, chown the directory to the uid passed as euid. */
        CHECK(t, chown(xdg, 4242, 4242) == 0, "chown the runtime dir");
        CHECK(t, nook_state_root_resolve(NULL, 4242, xdg, &root, &err) == 0, "own XDG_RUNTIME_DIR works");
        snprintf(want, sizeof(want), "%s/nook", xdg);
        CHECK_STR(t, root, want, "the root is $XDG_RUNTIME_DIR/nook");
        free(root);
        root = NULL;
    }

    char nested[4200];
    snprintf(nested, sizeof(nested), "%s/a/b/nook", xdg);
    CHECK(t, nook_state_root_ensure(nested, &err) == 0, "root_ensure creates missing parents");
    struct stat st;
    CHECK(t, stat(nested, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700,
          "the root is created 0700");
    CHECK(t, nook_state_root_ensure(nested, &err) == 0, "root_ensure on an existing root is fine");
    CHECK(t, nook_state_root_ensure(file, &err) == -ENOTDIR, "root_ensure on a file fails");

    char cmd[4300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", xdg);
    CHECK(t, system(cmd) == 0, "clean up");
}

static void test_absolute_path(struct tap *t)
{
    const char *cases[][3] = {
        { NULL, "/a//b/./c/../d/", "/a/b/d" },
        { NULL, "/..", "/" },
        { NULL, "/", "/" },
        { "/base", "x/../y", "/base/y" },
        { "/base/", "./rootfs", "/base/rootfs" },
        { "/base", "../../..", "/" },
    };
    for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
        _cleanup_free_ char *out = NULL;
        char what[128];
        snprintf(what, sizeof(what), "absolute path of \"%s\" in \"%s\"", cases[i][1],
                 str_or(cases[i][0], "(cwd)"));
        CHECK(t, nook_state_absolute_path(cases[i][0], cases[i][1], &out) == 0, what);
        CHECK_STR(t, out, cases[i][2], what);
    }
}

static void test_time_format(struct tap *t)
{
    char buf[64];
    nook_format_rfc3339nano(&(struct timespec){ 0, 0 }, buf, sizeof(buf));
    CHECK_STR(t, buf, "1970-01-01T00:00:00Z", "whole seconds have no fraction");
    nook_format_rfc3339nano(&(struct timespec){ 1700000000, 123000000 }, buf, sizeof(buf));
    CHECK_STR(t, buf, "2023-11-14T22:13:20.123Z", "trailing zeros of the fraction are dropped");
    nook_format_rfc3339nano(&(struct timespec){ 1700000000, 1 }, buf, sizeof(buf));
    CHECK_STR(t, buf, "2023-11-14T22:13:20.000000001Z", "nanoseconds are kept");
}

static void test_save_load(struct tap *t)
{
    struct nook_error err = { 0 };
    _cleanup_free_ char *root = make_temp_dir();
    _cleanup_(nook_state_clear) struct nook_state s = { 0 };
    CHECK(t, nook_state_init(&s, "c1", "1.2.0", "/b/./x/../bundle", "rootfs", &err) == 0, "state_init");
    CHECK_STR(t, s.bundle, "/b/bundle", "the bundle is cleaned");
    CHECK_STR(t, s.rootfs, "/b/bundle/rootfs", "a relative rootfs is under the bundle");
    CHECK(t, s.creating && s.creator_pid == getpid(), "a fresh state is creating, by this process");
    CHECK(t, s.owner && s.owner[0] != '\0', "the owner is recorded");
    CHECK(t, s.created && strlen(s.created) >= 20 && s.created[strlen(s.created) - 1] == 'Z',
          "created is an RFC 3339 UTC time");
    nook_state_set_annotation(&s, "z.last", "1", &err);
    nook_state_set_annotation(&s, "a.first", "quote \" and \\ and \n", &err);
    nook_state_set_annotation(&s, "m.mid", "x", &err);
    nook_state_set_annotation(&s, "m.mid", "replaced", &err);
    CHECK(t, s.n_annotations == 3 && strcmp(s.annotations[0].key, "a.first") == 0 &&
                 strcmp(s.annotations[2].key, "z.last") == 0,
          "annotations are kept sorted and unique");

    _cleanup_container_dir_ struct nook_container_dir *dir = NULL;
    CHECK(t, nook_container_dir_create(root, &s, &dir, &err) == 0, "create the container directory");
    CHECK(t, dir && dir->locked, "a created directory is locked");
    CHECK(t, path_exists(root, "c1/state.json"), "state.json is written at creation");

    _cleanup_(nook_state_clear) struct nook_state loaded = { 0 };
    CHECK(t, nook_state_load(dir, &loaded, &err) == 0, "load");
    CHECK(t, loaded.version == NOOK_STATE_VERSION, "version round trip");
    CHECK_STR(t, loaded.id, "c1", "id round trip");
    CHECK_STR(t, loaded.bundle, s.bundle, "bundle round trip");
    CHECK_STR(t, loaded.rootfs, s.rootfs, "rootfs round trip");
    CHECK_STR(t, loaded.created, s.created, "created round trip");
    CHECK_STR(t, loaded.owner, s.owner, "owner round trip");
    CHECK(t, loaded.creating && loaded.creator_pid == s.creator_pid &&
                 loaded.creator_start_time == s.creator_start_time,
          "creator round trip");
    CHECK(t, loaded.n_annotations == 3, "annotations round trip");
    CHECK_STR(t, loaded.annotations[0].value, "quote \" and \\ and \n", "escaped value round trip");
    CHECK_STR(t, loaded.annotations[1].value, "replaced", "replaced annotation round trip");

    pid_t child = spawn_sleeper();
    CHECK(t, nook_state_set_init(&s, child, &err) == 0, "set_init on a live child");
    CHECK(t, !s.creating && s.init_start_time > 0, "set_init records the start time");
    CHECK(t, nook_state_save(dir, &s, &err) == 0, "save over the old state");
    nook_state_clear(&loaded);
    CHECK(t, nook_state_load(dir, &loaded, &err) == 0, "load again");
    CHECK(t, loaded.init_pid == child && loaded.init_start_time == s.init_start_time &&
                 !loaded.creating,
          "the init process round trip");
    CHECK(t, !path_exists(root, "c1/.state.json.tmp"), "no temporary file is left behind");
    kill_and_reap(child);

    /* Whether create made the cgroup: recorded with it, both ways; a
     * state.json from before the field has it unrecorded. */
    CHECK(t, loaded.cgroup_origin == NOOK_STATE_CGROUP_UNRECORDED && !loaded.cgroup_manager,
          "without a cgroup nothing is recorded of its origin");
    const enum nook_state_cgroup_origin origins[] = { NOOK_STATE_CGROUP_MADE, NOOK_STATE_CGROUP_FOUND };
    for (size_t i = 0; i < N_ELEMENTS(origins); i++) {
        s.cgroup_manager = strdup("cgroupfs");
        s.cgroup_path = strdup("/nook/c1");
        s.cgroup_origin = origins[i];
        CHECK(t, nook_state_save(dir, &s, &err) == 0, "save with a cgroup");
        nook_state_clear(&loaded);
        CHECK(t, nook_state_load(dir, &loaded, &err) == 0 && loaded.cgroup_origin == origins[i],
              origins[i] == NOOK_STATE_CGROUP_MADE ? "a cgroup create made round trip"
                                                   : "a cgroup create found round trip");
        free(steal_pointer(&s.cgroup_manager));
        free(steal_pointer(&s.cgroup_path));
    }
    s.cgroup_origin = NOOK_STATE_CGROUP_UNRECORDED;
    static const char older[] =
        "{\"version\": 1, \"id\": \"c1\", \"oci_version\": \"1.2.0\", \"creating\": false, "
        "\"creator_pid\": 1, \"creator_start_time\": 1, \"init_pid\": 1, \"init_start_time\": 1, "
        "\"bundle\": \"/b\", \"rootfs\": \"/b/r\", \"created\": \"x\", \"owner\": \"u\", "
        "\"cgroup_manager\": \"cgroupfs\", \"cgroup_path\": \"/nook/c1\"}";
    nook_state_clear(&loaded);
    CHECK(t, nook_state_from_json(older, strlen(older), &loaded, &err) == 0 &&
                 loaded.cgroup_origin == NOOK_STATE_CGROUP_UNRECORDED,
          "an older state.json's cgroup has no recorded origin");
    static const char mistyped[] =
        "{\"version\": 1, \"id\": \"c1\", \"oci_version\": \"1.2.0\", \"creating\": false, "
        "\"creator_pid\": 1, \"creator_start_time\": 1, \"init_pid\": 1, \"init_start_time\": 1, "
        "\"bundle\": \"/b\", \"rootfs\": \"/b/r\", \"created\": \"x\", \"owner\": \"u\", "
        "\"cgroup_made\": \"yes\"}";
    nook_state_clear(&loaded);
    CHECK(t, nook_state_from_json(mistyped, strlen(mistyped), &loaded, &err) == -EBADMSG &&
                 strstr(err.message, "cgroup_made") != NULL,
          "a cgroup_made that is not true or false is an error naming it");

    _cleanup_strv_ char **ids = NULL;
    CHECK(t, nook_state_list_ids(root, &ids, &err) == 0 && ids[0] && strcmp(ids[0], "c1") == 0 &&
                 !ids[1],
          "list_ids sees exactly the container (no temporary directory)");

    _cleanup_container_dir_ struct nook_container_dir *again = NULL;
    CHECK(t, nook_container_dir_create(root, &s, &again, &err) == -EEXIST, "creating it twice fails");
    CHECK_STR(t, err.message, "container \"c1\" already exists", "the exists error");
    strv_free(ids);
    ids = NULL;
    CHECK(t, nook_state_list_ids(root, &ids, &err) == 0 && ids[0] && !ids[1],
          "a failed create leaves nothing behind");

    /* A broken file names itself and what is wrong. */
    nook_state_clear(&loaded);
    int fd = openat(dir->fd, "state.json", O_WRONLY | O_TRUNC | O_CLOEXEC);
    CHECK(t, fd >= 0 && write(fd, "{\"version\": 1}", 14) == 14, "write a broken state.json");
    close(fd);
    CHECK(t, nook_state_load(dir, &loaded, &err) == -EBADMSG, "an incomplete state is rejected");
    CHECK(t, strstr(err.message, "field \"id\" is missing") != NULL &&
                 strstr(err.message, "c1/state.json") != NULL,
          "the error names the file and the field");
    CHECK(t, nook_state_from_json("{\"version\": 99}", 15, &loaded, &err) == -EPROTONOSUPPORT,
          "a newer format is rejected");
    CHECK(t, strstr(err.message, "newer nook") != NULL, "the newer-format error says so");
    CHECK(t, nook_state_from_json("nope", 4, &loaded, &err) == -EBADMSG, "garbage is rejected");

    nook_container_dir_free(steal_pointer(&dir));
    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    CHECK(t, system(cmd) == 0, "clean up");
}

static enum nook_status status_of(const struct nook_container_dir *dir, const struct nook_state *s)
{
    struct nook_error err = { 0 };
    enum nook_status status = (enum nook_status)-1;
    if (nook_container_status(dir, s, &status, &err) < 0)
        printf("# status: %s\n", err.message);
    return status;
}

static void test_status(struct tap *t)
{
    struct nook_error err = { 0 };
    _cleanup_free_ char *root = make_temp_dir();
    pid_t child = spawn_sleeper();
    _cleanup_(nook_state_clear) struct nook_state s = { 0 };
    fake_state(&s, "st", child);
    _cleanup_container_dir_ struct nook_container_dir *dir = NULL;
    CHECK(t, nook_container_dir_create(root, &s, &dir, &err) == 0, "create");

    CHECK(t, status_of(dir, &s) == NOOK_STATUS_RUNNING, "a live init without exec.fifo is running");
    CHECK(t, mkfifoat(dir->fd, NOOK_STATE_EXEC_FIFO, 0600) == 0, "make exec.fifo");
    CHECK(t, status_of(dir, &s) == NOOK_STATUS_CREATED, "a live init with exec.fifo is created");
    CHECK_STR(t, nook_status_name(NOOK_STATUS_CREATED), "created", "status names");

    struct nook_state other = s;
    other.init_start_time = s.init_start_time + 1;
    CHECK(t, status_of(dir, &other) == NOOK_STATUS_STOPPED,
          "a live pid with another start time is stopped (a recycled pid)");
    CHECK(t, nook_container_signal_init(&other, SIGKILL, 0, &err) == 0,
          "signalling a recycled pid is a no-op");
    CHECK(t, nook_proc_is_alive(child, s.init_start_time), "and did not touch the process");
    other.init_pid = 0;
    CHECK(t, status_of(dir, &other) == NOOK_STATUS_STOPPED, "no init pid is stopped");

    other = s;
    other.creating = true;
    other.creator_pid = getpid();
    struct nook_proc_stat self;
    nook_proc_read_stat(getpid(), &self);
    other.creator_start_time = self.start_time;
    CHECK(t, status_of(dir, &other) == NOOK_STATUS_CREATING, "creating with a live creator");
    other.creator_start_time++;
    CHECK(t, status_of(dir, &other) == NOOK_STATUS_STOPPED, "creating with a dead creator is stopped");

    CHECK(t, kill(child, SIGKILL) == 0, "kill the init");
    siginfo_t info;
    CHECK(t, waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT) == 0, "wait without reaping");
    struct nook_proc_stat st;
    CHECK(t, nook_proc_read_stat(child, &st) == 0 && st.state == 'Z', "the init is a zombie");
    CHECK(t, status_of(dir, &s) == NOOK_STATUS_STOPPED, "a zombie init is stopped");
    waitpid(child, NULL, 0);
    CHECK(t, status_of(dir, &s) == NOOK_STATUS_STOPPED, "a reaped init is stopped");
    CHECK(t, nook_proc_read_stat(child, &st) == -ESRCH, "read_stat of a gone pid is -ESRCH");

    nook_container_dir_free(steal_pointer(&dir));
    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    CHECK(t, system(cmd) == 0, "clean up");
}

static void test_locking_and_removal(struct tap *t)
{
    struct nook_error err = { 0 };
    _cleanup_free_ char *root = make_temp_dir();
    _cleanup_(nook_state_clear) struct nook_state s = { 0 };
    fake_state(&s, "lk", 0);
    _cleanup_container_dir_ struct nook_container_dir *first = NULL;
    CHECK(t, nook_container_dir_create(root, &s, &first, &err) == 0, "create");

    _cleanup_container_dir_ struct nook_container_dir *second = NULL;
    CHECK(t, nook_container_dir_open(root, "lk", NOOK_LOCK_EXCLUSIVE, 0, &second, &err) == -EBUSY,
          "a second exclusive lock fails at once with timeout 0");
    CHECK(t, strstr(err.message, "container \"lk\" is busy") != NULL, "the busy error names the id");
    CHECK(t, nook_container_dir_open(root, "lk", NOOK_LOCK_EXCLUSIVE, 100, &second, &err) == -EBUSY,
          "and after waiting 100 ms");
    CHECK(t, nook_container_dir_open(root, "lk", NOOK_LOCK_NONE, 0, &second, &err) == 0,
          "opening without a lock works while it is held");
    CHECK(t, nook_state_save(second, &s, &err) == -ENOLCK, "but saving needs the lock");
    nook_container_dir_free(steal_pointer(&second));

    /* A holder in another process that lets go after a while: the waiter
     * gets the lock then. */
    nook_container_dir_free(steal_pointer(&first));
    int ready[2];
    CHECK(t, pipe2(ready, O_CLOEXEC) == 0, "pipe");
    pid_t holder = fork();
    if (holder == 0) {
        struct nook_container_dir *held = NULL;
        if (nook_container_dir_open(root, "lk", NOOK_LOCK_EXCLUSIVE, 0, &held, NULL) < 0)
            _exit(1);
        if (write(ready[1], "x", 1) != 1)
            _exit(1);
        usleep(300 * 1000);
        _exit(0);
    }
    char c;
    CHECK(t, read(ready[0], &c, 1) == 1, "the other process holds the lock");
    CHECK(t, nook_container_dir_open(root, "lk", NOOK_LOCK_EXCLUSIVE, 0, &second, &err) == -EBUSY,
          "held by another process: busy");
    CHECK(t, nook_container_dir_open(root, "lk", NOOK_LOCK_EXCLUSIVE, 10000, &second, &err) == 0,
          "a waiting lock is granted when the holder exits");
    int wstatus = 0;
    waitpid(holder, &wstatus, 0);
    CHECK(t, WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0, "the holder ran as planned");
    close(ready[0]);
    close(ready[1]);

    /* Removal takes everything, and whoever waited for the lock meanwhile
     * learns that the container is gone. */
    CHECK(t, mkdirat(second->fd, "sub", 0700) == 0, "make a subdirectory");
    int fd = openat(second->fd, "sub/file", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    CHECK(t, fd >= 0, "and a file in it");
    close(fd);
    CHECK(t, symlinkat("/etc/passwd", second->fd, "link") == 0, "and a symlink out");
    CHECK(t, nook_container_dir_remove(second, &err) == 0, "remove the directory");
    CHECK(t, !path_exists(root, "lk"), "the directory is gone");
    CHECK(t, path_exists("/etc", "passwd"), "the symlink target is untouched");
    nook_container_dir_free(steal_pointer(&second));
    CHECK(t, nook_container_dir_open(root, "lk", NOOK_LOCK_EXCLUSIVE, 0, &second, &err) == -ENOENT,
          "opening a removed container fails");
    CHECK_STR(t, err.message, "container \"lk\" does not exist", "the does-not-exist error");
    CHECK(t, nook_container_dir_open(root, "../etc", NOOK_LOCK_NONE, 0, &second, &err) == -EINVAL,
          "opening an invalid id fails before any path is built");

    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    CHECK(t, system(cmd) == 0, "clean up");
}

static void test_delete(struct tap *t)
{
    struct nook_error err = { 0 };
    _cleanup_free_ char *root = make_temp_dir();

    pid_t child = spawn_sleeper();
    _cleanup_(nook_state_clear) struct nook_state s = { 0 };
    fake_state(&s, "run1", child);
    struct nook_container_dir *dir = NULL;
    CHECK(t, nook_container_dir_create(root, &s, &dir, &err) == 0, "record a running container");
    nook_container_dir_free(dir);
    CHECK(t, nook_container_delete(root, "run1", false, &err) == -EBUSY, "delete of running fails");
    CHECK_STR(t, err.message, "cannot delete container run1 that is not stopped: running",
              "runc's words");
    CHECK(t, path_exists(root, "run1") && nook_proc_is_alive(child, s.init_start_time),
          "and nothing was touched");
    CHECK(t, nook_container_delete(root, "run1", true, &err) == 0, "delete --force of running works");
    int wstatus = 0;
    pid_t reaped = waitpid(child, &wstatus, WNOHANG);
    CHECK(t, reaped == child && WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL,
          "the init was SIGKILLed");
    if (reaped != child)
        kill_and_reap(child);
    CHECK(t, !path_exists(root, "run1"), "its directory is gone");

    child = spawn_sleeper();
    nook_state_clear(&s);
    fake_state(&s, "created1", child);
    CHECK(t, nook_container_dir_create(root, &s, &dir, &err) == 0, "record a created container");
    CHECK(t, mkfifoat(dir->fd, NOOK_STATE_EXEC_FIFO, 0600) == 0, "with its exec.fifo");
    nook_container_dir_free(dir);
    CHECK(t, nook_container_delete(root, "created1", false, &err) == 0,
          "delete of created works without --force, as in runc");
    reaped = waitpid(child, &wstatus, WNOHANG);
    CHECK(t, reaped == child, "the created init was killed");
    if (reaped != child)
        kill_and_reap(child);
    CHECK(t, !path_exists(root, "created1"), "its directory is gone");

    nook_state_clear(&s);
    fake_state(&s, "stopped1", 0);
    CHECK(t, nook_container_dir_create(root, &s, &dir, &err) == 0, "record a stopped container");
    nook_container_dir_free(dir);
    CHECK(t, nook_container_delete(root, "stopped1", false, &err) == 0, "delete of stopped works");
    CHECK(t, !path_exists(root, "stopped1"), "its directory is gone");

    CHECK(t, nook_container_delete(root, "nosuch", false, &err) == -ENOENT, "delete of nothing fails");
    CHECK_STR(t, err.message, "container \"nosuch\" does not exist", "and says so");
    CHECK(t, nook_container_delete(root, "nosuch", true, &err) == 0, "delete --force of nothing works");
    CHECK(t, nook_container_delete(root, "../x", true, &err) == -EINVAL, "an invalid id fails, even forced");

    char leftover[4200];
    snprintf(leftover, sizeof(leftover), "%s/half", root);
    CHECK(t, mkdir(leftover, 0700) == 0, "a directory without state.json");
    CHECK(t, nook_container_delete(root, "half", false, &err) == 0, "delete removes it");
    CHECK(t, !path_exists(root, "half"), "it is gone");

    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    CHECK(t, system(cmd) == 0, "clean up");
}

static void test_output(struct tap *t)
{
    struct nook_error err = { 0 };
    struct nook_state s = { 0 };
    s.id = "c1";
    s.oci_version = "1.0.2";
    s.init_pid = 42;
    s.bundle = "/b";
    s.rootfs = "/b/rootfs";
    s.created = "2023-11-14T22:13:20.123Z";
    s.owner = "alice";
    struct nook_container_view view = { &s, NOOK_STATUS_RUNNING };
    _cleanup_free_ char *json = NULL;
    CHECK(t, nook_runc_state_json(&view, &json, &err) == 0, "render state");
    CHECK_STR(t, json,
              "{\n  \"ociVersion\": \"1.0.2\",\n  \"id\": \"c1\",\n  \"pid\": 42,\n"
              "  \"status\": \"running\",\n  \"bundle\": \"/b\",\n  \"rootfs\": \"/b/rootfs\",\n"
              "  \"created\": \"2023-11-14T22:13:20.123Z\",\n  \"owner\": \"alice\"\n}",
              "runc's state without annotations");

    struct nook_annotation ann[] = { { "a", "<&>" }, { "b", "\xe2\x80\xa8 \x01 \xff" } };
    s.annotations = ann;
    s.n_annotations = 2;
    view.status = NOOK_STATUS_STOPPED;
    free(json);
    json = NULL;
    CHECK(t, nook_runc_state_json(&view, &json, &err) == 0, "render state with annotations");
    CHECK_STR(t, json,
              "{\n  \"ociVersion\": \"1.0.2\",\n  \"id\": \"c1\",\n  \"pid\": 0,\n"
              "  \"status\": \"stopped\",\n  \"bundle\": \"/b\",\n  \"rootfs\": \"/b/rootfs\",\n"
              "  \"created\": \"2023-11-14T22:13:20.123Z\",\n  \"annotations\": {\n"
              "    \"a\": \"\\u003c\\u0026\\u003e\",\n    \"b\": \"\\u2028 \\u0001 \\ufffd\"\n  },\n"
              "  \"owner\": \"alice\"\n}",
              "stopped shows pid 0; annotations before owner, escaped as Go does");

    free(json);
    json = NULL;
    CHECK(t, nook_runc_list_json(NULL, 0, &json, &err) == 0, "render an empty list");
    CHECK_STR(t, json, "null\n", "an empty list is null, as Go encodes it");
    free(json);
    json = NULL;
    s.n_annotations = 0;
    struct nook_container_view views[] = { { &s, NOOK_STATUS_CREATED }, { &s, NOOK_STATUS_STOPPED } };
    CHECK(t, nook_runc_list_json(views, 2, &json, &err) == 0, "render a list");
    CHECK_STR(t, json,
              "[{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"pid\":42,\"status\":\"created\","
              "\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\",\"created\":\"2023-11-14T22:13:20.123Z\","
              "\"owner\":\"alice\"},{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"pid\":0,"
              "\"status\":\"stopped\",\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\","
              "\"created\":\"2023-11-14T22:13:20.123Z\",\"owner\":\"alice\"}]\n",
              "a list is one compact line");
    CHECK(t, nook_text_width("h\xc3\xa9llo") == 5, "text width counts characters");
}

int main(void)
{
    struct tap t = { 0 };
    test_container_ids(&t);
    test_root(&t);
    test_absolute_path(&t);
    test_time_format(&t);
    test_save_load(&t);
    test_status(&t);
    test_locking_and_removal(&t);
    test_delete(&t);
    test_output(&t);
    return tap_done(&t);
}
