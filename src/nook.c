/* nook.c: main(): the global options, the command table and dispatch. */
#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/report.h"
#include "lib/build-info.h"
#include "lib/sealed-exe.h"

static const struct nook_command *const commands[] = {
    &nook_cmd_check,  &nook_cmd_create, &nook_cmd_delete, &nook_cmd_events, &nook_cmd_exec,
    &nook_cmd_features, &nook_cmd_kill, &nook_cmd_list,   &nook_cmd_pause,  &nook_cmd_ps,
    &nook_cmd_resume, &nook_cmd_run,    &nook_cmd_spec,   &nook_cmd_start,  &nook_cmd_state,
    &nook_cmd_update,
};

enum {
    OPT_ROOT = 256,
    OPT_LOG,
    OPT_LOG_FORMAT,
    OPT_DEBUG,
    OPT_SYSTEMD_CGROUP,
    OPT_CGROUP_MANAGER,
    OPT_ROOTLESS,
};

static const struct option global_options[] = {
    { "root", required_argument, NULL, OPT_ROOT },
    { "log", required_argument, NULL, OPT_LOG },
    { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
    { "debug", no_argument, NULL, OPT_DEBUG },
    { "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP },
    { "cgroup-manager", required_argument, NULL, OPT_CGROUP_MANAGER },
    { "rootless", required_argument, NULL, OPT_ROOTLESS },
    { "version", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static void print_usage(FILE *out)
{
    fputs("Usage: nook [global flags] <command> [flags] [arguments]\n\n"
          "nook runs OCI containers as an unprivileged user.\n\n"
          "Global flags:\n"
          "  --root DIR                     state directory (default: $XDG_RUNTIME_DIR/nook, /run/nook for root)\n"
          "  --log FILE                     also write log messages to FILE\n"
          "  --log-format text|json         format of the --log messages (default: text)\n"
          "  --debug                        print debug messages\n"
          "  --systemd-cgroup               same as --cgroup-manager systemd\n"
          "  --cgroup-manager MANAGER       systemd, cgroupfs or disabled (default: chosen automatically)\n"
          "  --rootless true|false|auto     run as an unprivileged user (default: auto)\n"
          "  -v, --version                  print the version and the compiled-in features\n"
          "  -h, --help                     show this help\n\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < N_ELEMENTS(commands); i++)
        fprintf(out, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
    fputs("\nRun 'nook <command> --help' for the flags of a command.\n", out);
}

static void print_version(void)
{
    printf("nook version %s\ncommit: %s\nspec: %s\n", nook_version(), nook_commit(),
           nook_spec_version());
    const char *sep = "";
    for (const struct nook_build_feature *f = nook_build_features(); f->name; f++) {
        printf("%s%c%s", sep, f->enabled ? '+' : '-', f->name);
        sep = " ";
    }
    putchar('\n');
}

static int usage_error(const char *fmt, ...) _printf_(1, 2);

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("nook: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (see 'nook --help')\n", stderr);
    va_end(ap);
    return 2;
}

static int parse_globals(int argc, char **argv, struct nook_globals *g, bool *done, int *exit_code)
{
    bool systemd_flag = false;
    bool manager_flag = false;
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, "+:vh", global_options, NULL);
        if (c == -1)
            break;
        switch (c) {
        case OPT_ROOT:
            g->root = optarg;
            break;
        case OPT_LOG:
            g->log_path = optarg;
            break;
        case OPT_LOG_FORMAT:
            if (strcmp(optarg, "text") == 0)
                g->log_format = NOOK_LOG_TEXT;
            else if (strcmp(optarg, "json") == 0)
                g->log_format = NOOK_LOG_JSON;
            else
                return usage_error("--log-format takes text or json, not \"%s\"", optarg);
            break;
        case OPT_DEBUG:
            g->debug = true;
            break;
        case OPT_SYSTEMD_CGROUP:
            systemd_flag = true;
            break;
        case OPT_CGROUP_MANAGER:
            manager_flag = true;
            if (strcmp(optarg, "systemd") == 0)
                g->cgroup_manager = NOOK_CGROUP_SYSTEMD;
            else if (strcmp(optarg, "cgroupfs") == 0)
                g->cgroup_manager = NOOK_CGROUP_CGROUPFS;
            else if (strcmp(optarg, "disabled") == 0)
                g->cgroup_manager = NOOK_CGROUP_DISABLED;
            else
                return usage_error("--cgroup-manager takes systemd, cgroupfs or disabled, not \"%s\"",
                                   optarg);
            break;
        case OPT_ROOTLESS:
            if (strcmp(optarg, "true") == 0)
                g->rootless = NOOK_ROOTLESS_TRUE;
            else if (strcmp(optarg, "false") == 0)
                g->rootless = NOOK_ROOTLESS_FALSE;
            else if (strcmp(optarg, "auto") == 0)
                g->rootless = NOOK_ROOTLESS_AUTO;
            else
                return usage_error("--rootless takes true, false or auto, not \"%s\"", optarg);
            break;
        case 'v':
            print_version();
            *done = true;
            *exit_code = 0;
            return 0;
        case 'h':
            print_usage(stdout);
            *done = true;
            *exit_code = 0;
            return 0;
        case ':':
            return usage_error("flag \"%s\" needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown global flag \"%s\"", argv[optind - 1]);
        }
    }
    if (systemd_flag) {
        if (manager_flag && g->cgroup_manager != NOOK_CGROUP_SYSTEMD)
            return usage_error("--systemd-cgroup conflicts with --cgroup-manager");
        g->cgroup_manager = NOOK_CGROUP_SYSTEMD;
    }
    return 0;
}

static const struct nook_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_ELEMENTS(commands); i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    struct nook_globals globals = { 0 };
    bool done = false;
    int exit_code = 0;
    int r = parse_globals(argc, argv, &globals, &done, &exit_code);
    if (r != 0)
        return r;
    if (done)
        return exit_code;
    if (optind >= argc) {
        print_usage(stderr);
        return 2;
    }

    const char *name = argv[optind];
    const struct nook_command *command = find_command(name);
    if (!command)
        return usage_error("unknown command \"%s\"", name);

    /* The commands that work inside containers' namespaces run from a
     * sealed copy of nook when its binary is writable (sealed-exe.h). */
    if (command == &nook_cmd_create || command == &nook_cmd_run || command == &nook_cmd_exec) {
        struct nook_error sealed_err = { 0 };
        if (nook_sealed_exe_reexec(argv, &sealed_err) < 0) {
            nook_report_error(&globals, &sealed_err);
            return 1;
        }
    }

    _cleanup_fclose_ FILE *log_file = NULL;
    if (globals.log_path) {
        log_file = fopen(globals.log_path, "ae");
        if (!log_file) {
            fprintf(stderr, "nook: open log file \"%s\": %s\n", globals.log_path, strerror(errno));
            return 1;
        }
        globals.log_file = log_file;
    }

    struct nook_parsed parsed;
    struct nook_error err = { 0 };
    r = nook_args_parse(command, argc - optind, argv + optind, &parsed, &err);
    if (r < 0) {
        nook_report_error(&globals, &err);
        nook_parsed_free(&parsed);
        return 2;
    }
    if (parsed.help) {
        nook_command_print_help(command, stdout);
        nook_parsed_free(&parsed);
        return 0;
    }
    exit_code = command->run(&globals, &parsed);
    nook_parsed_free(&parsed);
    return exit_code;
}
