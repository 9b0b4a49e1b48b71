/* exec.c: `nook exec`: its flags (runc's set), turning them into the
 * process to run (and the sub-cgroup it runs in), and waiting for it in
 * the foreground. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "lib/forward.h"
#include "lib/init/sync.h"
#include "lib/spec.h"
#include "lifecycle.h"
#include "report.h"

static const struct nook_option exec_options[] = {
    { "console-socket", 0, NOOK_OPT_VALUE, "PATH", "unix socket that receives the pty master when --tty is used" },
    { "cwd", 0, NOOK_OPT_VALUE, "DIR", "working directory inside the container" },
    { "env", 'e', NOOK_OPT_LIST, "KEY=VALUE", "set an environment variable" },
    { "tty", 't', NOOK_OPT_BOOL, NULL, "allocate a pseudo-terminal" },
    { "user", 'u', NOOK_OPT_VALUE, "UID[:GID]", "run as this user inside the container" },
    { "additional-gids", 'g', NOOK_OPT_LIST, "GID", "add a supplementary group" },
    { "process", 'p', NOOK_OPT_VALUE, "FILE", "read the process from a process.json file" },
    { "detach", 'd', NOOK_OPT_BOOL, NULL, "do not wait for the process to exit" },
    { "pid-file", 0, NOOK_OPT_VALUE, "PATH", "write the process id to PATH" },
    { "process-label", 0, NOOK_OPT_VALUE, "LABEL", "SELinux label of the process" },
    { "apparmor", 0, NOOK_OPT_VALUE, "PROFILE", "AppArmor profile of the process" },
    { "no-new-privs", 0, NOOK_OPT_BOOL, NULL, "set no_new_privs for the process" },
    { "cap", 'c', NOOK_OPT_LIST, "CAP", "add a capability to the process" },
    { "preserve-fds", 0, NOOK_OPT_VALUE, "N", "pass N extra file descriptors (from fd 3) to the process" },
    { "cgroup", 0, NOOK_OPT_LIST, "PATH", "run in this sub-cgroup of the container (controller:path or path)" },
    { "ignore-paused", 0, NOOK_OPT_BOOL, NULL, "allow exec into a paused container" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

static void relay_log(void *data, int level, const char *message)
{
    const struct nook_globals *globals = data;
    nook_report(globals, level == NOOK_SYNC_LEVEL_WARNING ? NOOK_LEVEL_WARNING : NOOK_LEVEL_DEBUG,
                "%s", message);
}

static int parse_id(const char *text, const char *what, uint32_t *out, struct nook_error *err)
{
    char *end = NULL;
    errno = 0;
    unsigned long long n = text && *text != '-' ? strtoull(text, &end, 10) : 0;
    if (!text || !*text || *text == '-' || !end || *end || errno || n > UINT32_MAX - 1)
        return nook_error_set(err, EINVAL, "%s: \"%s\" is not a numeric id", what, str_or(text, ""));
    *out = (uint32_t)n;
    return 0;
}

/* --user UID[:GID], numbers only, as runc takes them. */
static int parse_user(const char *text, struct nook_exec_overrides *o, struct nook_error *err)
{
    _cleanup_free_ char *copy = strdup(text);
    if (!copy)
        return nook_error_set(err, ENOMEM, "out of memory");
    char *colon = strchr(copy, ':');
    if (colon)
        *colon = '\0';
    int r = parse_id(copy, "--user", &o->uid, err);
    if (r == 0 && colon)
        r = parse_id(colon + 1, "--user", &o->gid, err);
    o->has_user = true;
    o->has_gid = colon != NULL;
    return r;
}

static int read_process(const char *path, struct nook_spec_process **out, struct nook_error *err)
{
    return nook_spec_load_process(path, out, err);
}

/* --cgroup, runc's form: one "PATH", or "CONTROLLER[,...]:PATH" items.
 * cgroup v2 has one hierarchy, so every item must name the same PATH: a
 * sub-cgroup of the container's cgroup (NULL: the cgroup itself). */
static int parse_cgroup(char *const *items, char **out, struct nook_error *err)
{
    *out = NULL;
    const char *path = NULL;
    size_t n = 0;
    while (items[n])
        n++;
    for (size_t i = 0; i < n; i++) {
        const char *item = items[i], *colon = strchr(item, ':');
        const char *this_path = colon ? colon + 1 : item;
        if (!colon && n > 1)
            return nook_error_set(err, EINVAL, "--cgroup \"%s\": with several --cgroup, each "
                                  "needs its <controller>: prefix", item);
        if (colon) {
            _cleanup_free_ char *controllers = strndup(item, (size_t)(colon - item));
            if (!controllers)
                return nook_error_set(err, ENOMEM, "out of memory");
            if (!*controllers || strstr(controllers, ",,") || controllers[0] == ',' ||
                controllers[strlen(controllers) - 1] == ',')
                return nook_error_set(err, EINVAL, "--cgroup \"%s\": empty <controller> "
                                      "prefix", item);
        }
        if (path && strcmp(path, this_path) != 0)
            return nook_error_set(err, EINVAL, "--cgroup \"%s\": cgroup v2 has one hierarchy, "
                                  "so every --cgroup must name the same sub-cgroup (\"%s\" was "
                                  "given before)", item, path);
        path = this_path;
    }
    if (!path)
        return 0;
    while (*path == '/')
        path++;
    for (const char *part = path; *part; part += strcspn(part, "/"), part += *part == '/') {
        size_t len = strcspn(part, "/");
        if ((len == 1 && part[0] == '.') || (len == 2 && part[0] == '.' && part[1] == '.'))
            return nook_error_set(err, EINVAL, "--cgroup \"%s\": must name a sub-cgroup of the "
                                  "container's cgroup, without \".\" or \"..\"", path);
    }
    if (!*path)
        return 0;
    *out = strdup(path);
    return *out ? 0 : nook_error_set(err, ENOMEM, "out of memory");
}

/* Everything the flags say, checked before anything is started. */
static int exec_flags(const struct nook_parsed *parsed, struct nook_exec_overrides *o,
                      uint32_t **gids, struct nook_spec_process **process, unsigned long *preserve,
                      struct nook_error *err)
{
    if (nook_parsed_value(parsed, "apparmor"))
        return nook_error_set(err, ENOTSUP, "--apparmor: nook does not support AppArmor");
    if (nook_parsed_value(parsed, "process-label"))
        return nook_error_set(err, ENOTSUP, "--process-label: nook does not support SELinux labels");
    int r = nook_parsed_uint(parsed, "preserve-fds", 0, preserve, err);
    if (r < 0)
        return r;
    const char *process_path = nook_parsed_value(parsed, "process");
    if (process_path) {
        if (parsed->argc > 1)
            return nook_error_set(err, EINVAL, "--process %s and a command \"%s\" both given; "
                                  "give one of them", process_path, parsed->argv[1]);
        return read_process(process_path, process, err);
    }
    if (parsed->argc < 2)
        return nook_error_set(err, EINVAL, "no command given; usage: nook exec [flags] "
                              "<container-id> <command> [args...], or --process FILE");
    *o = (struct nook_exec_overrides){
        .args = parsed->argv + 1,
        .cwd = nook_parsed_value(parsed, "cwd"),
        .env = nook_parsed_list(parsed, "env"),
        .caps = nook_parsed_list(parsed, "cap"),
        .no_new_privs = nook_parsed_bool(parsed, "no-new-privs"),
        .tty = nook_parsed_bool(parsed, "tty"),
    };
    if (o->cwd && o->cwd[0] != '/')
        return nook_error_set(err, EINVAL, "--cwd \"%s\": must be an absolute path", o->cwd);
    for (char *const *e = o->env; *e; e++)
        if (!strchr(*e, '=') || **e == '=')
            return nook_error_set(err, EINVAL, "--env \"%s\": must be KEY=VALUE", *e);
    const char *user = nook_parsed_value(parsed, "user");
    if (user && (r = parse_user(user, o, err)) < 0)
        return r;
    char *const *gid_texts = nook_parsed_list(parsed, "additional-gids");
    size_t n = 0;
    while (gid_texts[n])
        n++;
    *gids = calloc(n + 1, sizeof(**gids));
    if (!*gids)
        return nook_error_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if ((r = parse_id(gid_texts[i], "--additional-gids", &(*gids)[i], err)) < 0)
            return r;
    o->additional_gids = *gids;
    o->n_additional_gids = n;
    return 0;
}

static int exec_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    struct nook_error err = { 0 };
    _cleanup_free_ char *root = NULL;
    _cleanup_free_ uint32_t *gids = NULL;
    _cleanup_(nook_spec_process_freep) struct nook_spec_process *process = NULL;
    struct nook_exec_overrides overrides = { 0 };
    unsigned long preserve = 0;
    bool detach = nook_parsed_bool(parsed, "detach");
    bool rootless = globals->rootless == NOOK_ROOTLESS_TRUE ||
                    (globals->rootless == NOOK_ROOTLESS_AUTO && geteuid() != 0);
    _cleanup_free_ char *cgroup = NULL;
    int r = nook_cmd_state_root(globals, &root, &err);
    if (r == 0)
        r = parse_cgroup(nook_parsed_list(parsed, "cgroup"), &cgroup, &err);
    if (r == 0)
        r = exec_flags(parsed, &overrides, &gids, &process, &preserve, &err);
    sigset_t old_mask;
    if (r == 0 && !detach)
        r = nook_forward_block(&old_mask, &err);
    if (r < 0) {
        nook_error_prefix(&err, "exec");
        return nook_report_error(globals, &err);
    }

    struct nook_exec_opts opts = {
        .root = root,
        .id = parsed->argv[0],
        .process = process,
        .overrides = &overrides,
        .pid_file = nook_parsed_value(parsed, "pid-file"),
        .ignore_paused = nook_parsed_bool(parsed, "ignore-paused"),
        .cgroup = cgroup,
        .rootless = rootless,
        .preserve_fds = (unsigned)preserve,
        .console_socket = nook_parsed_value(parsed, "console-socket"),
        .relay_terminal = !detach,
        .log = relay_log,
        .log_data = (void *)globals,
    };
    struct nook_created started = { .pid = 0, .pidfd = -1, .console_fd = -1 };
    r = nook_container_exec(&opts, &started, &err);
    _cleanup_close_ int pidfd = started.pidfd;
    _cleanup_close_ int console_fd = started.console_fd;
    int exit_code = 0;
    if (r == 0 && !detach)
        r = nook_forward_wait(&started, &exit_code, &err);
    if (!detach)
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
    if (r < 0) {
        /* The process's own exec error already reads "exec: ...". */
        if (strncmp(err.message, "exec: ", 6) != 0)
            nook_error_prefix(&err, "exec");
        return nook_report_error(globals, &err);
    }
    return exit_code;
}

const struct nook_command nook_cmd_exec = {
    .name = "exec",
    .args_usage = "<container-id> <command> [args...]",
    .summary = "run another process inside a running container",
    .options = exec_options,
    .min_args = 1,
    .max_args = -1,
    .run = exec_run,
};
