/* ps.c: `nook ps`: the container's processes, either as ps(1) on the host
 * shows them (its header and the rows of the container's pids, ps's
 * arguments passed through, `-ef` by default, as runc does) or as the JSON
 * array of their pids. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "lib/container.h"
#include "lifecycle.h"
#include "report.h"

static const struct nook_option ps_options[] = {
    { "format", 'f', NOOK_OPT_VALUE, "table|json", "output format (default: table)" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

static void print_json(const pid_t *pids, size_t count)
{
    putchar('[');
    for (size_t i = 0; i < count; i++)
        printf("%s%d", i ? "," : "", (int)pids[i]);
    puts("]");
}

/* Run ps with args and read all it prints. */
static int run_ps(char *const *args, int nargs, char **output, struct nook_error *err)
{
    _cleanup_free_ char **argv = calloc((size_t)nargs + 2, sizeof(*argv));
    if (!argv)
        return nook_error_set(err, ENOMEM, "out of memory");
    argv[0] = (char *)"ps";
    if (nargs == 0)
        argv[1] = (char *)"-ef";
    for (int i = 0; i < nargs; i++)
        argv[i + 1] = args[i];

    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0)
        return nook_error_set_errno(err, errno, "pipe");
    _cleanup_close_ int read_end = pipe_fds[0];
    pid_t pid = fork();
    if (pid < 0) {
        close(pipe_fds[1]);
        return nook_error_set_errno(err, errno, "fork");
    }
    if (pid == 0) {
        if (dup2(pipe_fds[1], STDOUT_FILENO) < 0)
            _exit(127);
        execvp("ps", argv);
        fprintf(stderr, "nook: ps: exec ps: %s\n", strerror(errno));
        _exit(127);
    }
    close(pipe_fds[1]);
    _cleanup_fclose_ FILE *out = fdopen(read_end, "re");
    if (!out) {
        int saved = errno;
        waitpid(pid, NULL, 0);
        return nook_error_set_errno(err, saved, "read the output of ps");
    }
    steal_fd(&read_end);
    _cleanup_free_ char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    if (!mem) {
        waitpid(pid, NULL, 0);
        return nook_error_set(err, ENOMEM, "out of memory");
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), out)) > 0)
        fwrite(buf, 1, n, mem);
    fclose(mem);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return nook_error_set(err, EIO, "ps exited with %s %d; its arguments were wrong or it is "
                              "not installed", WIFSIGNALED(status) ? "signal" : "status",
                              WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    *output = steal_pointer(&text);
    return 0;
}

/* The index of the "PID" column in ps's header, or -1. */
static int pid_column(const char *header)
{
    _cleanup_free_ char *copy = strdup(header);
    if (!copy)
        return -1;
    char *save = NULL;
    int index = 0;
    for (char *field = strtok_r(copy, " \t", &save); field; field = strtok_r(NULL, " \t", &save), index++)
        if (strcmp(field, "PID") == 0)
            return index;
    return -1;
}

static bool pid_in(const pid_t *pids, size_t count, const char *line, int column)
{
    _cleanup_free_ char *copy = strdup(line);
    if (!copy)
        return false;
    char *save = NULL;
    char *field = strtok_r(copy, " \t", &save);
    for (int i = 0; field && i < column; i++)
        field = strtok_r(NULL, " \t", &save);
    if (!field)
        return false;
    char *end = NULL;
    long pid = strtol(field, &end, 10);
    if (!end || *end)
        return false;
    for (size_t i = 0; i < count; i++)
        if (pids[i] == (pid_t)pid)
            return true;
    return false;
}

static int print_table(const pid_t *pids, size_t count, char *const *args, int nargs,
                       struct nook_error *err)
{
    _cleanup_free_ char *text = NULL;
    int r = run_ps(args, nargs, &text, err);
    if (r < 0)
        return r;
    char *save = NULL;
    char *header = strtok_r(text, "\n", &save);
    if (!header)
        return nook_error_set(err, EIO, "ps printed nothing");
    int column = pid_column(header);
    if (column < 0)
        return nook_error_set(err, EINVAL, "ps printed no PID column; give it arguments that show "
                              "one (such as -f)");
    puts(header);
    for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (pid_in(pids, count, line, column))
            puts(line);
    return 0;
}

static int ps_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    struct nook_error err = { 0 };
    _cleanup_free_ char *root = NULL;
    _cleanup_free_ pid_t *pids = NULL;
    size_t count = 0;
    const char *format = str_or(nook_parsed_value(parsed, "format"), "table");
    bool json = strcmp(format, "json") == 0;
    int r = 0;
    if (!json && strcmp(format, "table") != 0)
        r = nook_error_set(&err, EINVAL, "--format \"%s\": must be table or json", format);
    if (r == 0 && json && parsed->argc > 1)
        r = nook_error_set(&err, EINVAL, "ps arguments (\"%s\") cannot be used with --format json",
                           parsed->argv[1]);
    if (r == 0)
        r = nook_cmd_state_root(globals, &root, &err);
    if (r == 0)
        r = nook_container_pids(root, parsed->argv[0], &pids, &count, &err);
    if (r == 0 && json)
        print_json(pids, count);
    else if (r == 0)
        r = print_table(pids, count, parsed->argv + 1, parsed->argc - 1, &err);
    if (r < 0) {
        nook_error_prefix(&err, "ps");
        return nook_report_error(globals, &err);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

const struct nook_command nook_cmd_ps = {
    .name = "ps",
    .args_usage = "<container-id> [ps-options...]",
    .summary = "list the processes running inside a container",
    .options = ps_options,
    .min_args = 1,
    .max_args = -1,
    .run = ps_run,
};
