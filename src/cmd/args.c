/* args.c: parse a subcommand's argv against its declarative flag table and
 * print the --help text generated from that table. */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

#define HELP_INDEX (-1)
#define LONG_BASE 256

static size_t option_count(const struct nook_command *command)
{
    size_t n = 0;
    while (command->options && command->options[n].name)
        n++;
    return n;
}

static int option_index_by_short(const struct nook_command *command, int c)
{
    for (size_t i = 0; i < option_count(command); i++)
        if (command->options[i].short_name == c)
            return (int)i;
    return -2;
}

static int option_index(const struct nook_command *command, const char *name)
{
    for (size_t i = 0; i < option_count(command); i++)
        if (strcmp(command->options[i].name, name) == 0)
            return (int)i;
    fprintf(stderr, "nook: internal error: command %s has no flag --%s\n", command->name, name);
    abort();
}

static int parse_bool(const char *text, bool *out)
{
    if (!text || strcmp(text, "true") == 0 || strcmp(text, "1") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0) {
        *out = false;
        return 0;
    }
    return -EINVAL;
}

static int list_append(char ***list, const char *value)
{
    size_t n = 0;
    while (*list && (*list)[n])
        n++;
    char **grown = realloc(*list, (n + 2) * sizeof(char *));
    if (!grown)
        return -ENOMEM;
    grown[n] = strdup(value);
    if (!grown[n]) {
        grown[n] = NULL;
        *list = grown;
        return -ENOMEM;
    }
    grown[n + 1] = NULL;
    *list = grown;
    return 0;
}

static int store_option(const struct nook_command *command, struct nook_parsed *parsed, int index,
                        const char *arg, struct nook_error *err)
{
    const struct nook_option *opt = &command->options[index];
    switch (opt->kind) {
    case NOOK_OPT_BOOL: {
        bool v;
        if (parse_bool(arg, &v) < 0)
            return nook_error_set(err, EINVAL, "%s: flag --%s takes true or false, not \"%s\"",
                                  command->name, opt->name, arg);
        free(parsed->values[index]);
        parsed->values[index] = strdup(v ? "true" : "false");
        break;
    }
    case NOOK_OPT_VALUE:
        free(parsed->values[index]);
        parsed->values[index] = strdup(arg);
        break;
    case NOOK_OPT_LIST:
        if (list_append(&parsed->lists[index], arg) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
        return 0;
    }
    if (!parsed->values[index])
        return nook_error_set(err, ENOMEM, "out of memory");
    return 0;
}

int nook_args_parse(const struct nook_command *command, int argc, char **argv,
                    struct nook_parsed *parsed, struct nook_error *err)
{
    size_t n = option_count(command);
    memset(parsed, 0, sizeof(*parsed));
    parsed->command = command;
    parsed->values = calloc(n + 1, sizeof(char *));
    parsed->lists = calloc(n + 1, sizeof(char **));
    _cleanup_free_ struct option *longopts = calloc(n + 2, sizeof(struct option));
    /* "+" stops at the first positional argument, as runc does, so that
     * `exec ID sh -c ...` passes "-c" to the container. ":" reports a
     * missing value distinctly from an unknown flag. */
    _cleanup_free_ char *shortopts = calloc(3 * n + 4, 1);
    if (!parsed->values || !parsed->lists || !longopts || !shortopts)
        return nook_error_set(err, ENOMEM, "out of memory");

    char *s = shortopts;
    *s++ = '+';
    *s++ = ':';
    *s++ = 'h';
    for (size_t i = 0; i < n; i++) {
        const struct nook_option *opt = &command->options[i];
        longopts[i].name = opt->name;
        longopts[i].has_arg = opt->kind == NOOK_OPT_BOOL ? optional_argument : required_argument;
        longopts[i].val = LONG_BASE + (int)i;
        if (opt->short_name) {
            *s++ = opt->short_name;
            if (opt->kind != NOOK_OPT_BOOL)
                *s++ = ':';
        }
    }
    longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };

    opterr = 0;
    optind = 0;  /* glibc: 0 re-initialises the scanner completely */
    for (;;) {
        int c = getopt_long(argc, argv, shortopts, longopts, NULL);
        if (c == -1)
            break;
        if (c == 'h') {
            parsed->help = true;
            continue;
        }
        if (c == '?' || c == ':') {
            const char *bad = argv[optind - 1];
            char shortname[3] = { '-', (char)optopt, '\0' };
            if (optopt && optopt < LONG_BASE && strncmp(bad, "--", 2) != 0)
                bad = shortname;
            if (c == ':')
                return nook_error_set(err, EINVAL, "%s: flag \"%s\" needs a value", command->name,
                                      bad);
            return nook_error_set(err, EINVAL, "%s: unknown flag \"%s\" (see 'nook %s --help')",
                                  command->name, bad, command->name);
        }
        int index = c >= LONG_BASE ? c - LONG_BASE : option_index_by_short(command, c);
        if (index < 0)
            return nook_error_set(err, EINVAL, "%s: unknown flag \"-%c\"", command->name, c);
        int r = store_option(command, parsed, index, optarg, err);
        if (r < 0)
            return r;
    }
    parsed->argc = argc - optind;
    parsed->argv = argv + optind;
    if (parsed->help)
        return 0;
    if (parsed->argc < command->min_args || (command->max_args >= 0 && parsed->argc > command->max_args)) {
        const char *what = parsed->argc < command->min_args ? "too few" : "too many";
        return nook_error_set(err, EINVAL, "%s: %s arguments; usage: nook %s [flags]%s%s",
                              command->name, what, command->name,
                              command->args_usage[0] ? " " : "", command->args_usage);
    }
    return 0;
}

void nook_parsed_free(struct nook_parsed *parsed)
{
    if (!parsed->command || !parsed->values || !parsed->lists) {
        free(parsed->values);
        free(parsed->lists);
        parsed->values = NULL;
        parsed->lists = NULL;
        return;
    }
    size_t n = option_count(parsed->command);
    for (size_t i = 0; i < n; i++) {
        free(parsed->values[i]);
        strv_free(parsed->lists[i]);
    }
    free(parsed->values);
    free(parsed->lists);
    parsed->values = NULL;
    parsed->lists = NULL;
}

const char *nook_parsed_value(const struct nook_parsed *parsed, const char *name)
{
    return parsed->values[option_index(parsed->command, name)];
}

bool nook_parsed_bool(const struct nook_parsed *parsed, const char *name)
{
    const char *v = nook_parsed_value(parsed, name);
    return v && strcmp(v, "true") == 0;
}

char *const *nook_parsed_list(const struct nook_parsed *parsed, const char *name)
{
    static char *const empty[] = { NULL };
    char **list = parsed->lists[option_index(parsed->command, name)];
    return list ? list : empty;
}

int nook_parsed_uint(const struct nook_parsed *parsed, const char *name, unsigned long def,
                     unsigned long *out, struct nook_error *err)
{
    const char *v = nook_parsed_value(parsed, name);
    if (!v) {
        *out = def;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || !end || *end || v[0] == '\0' || v[0] == '-')
        return nook_error_set(err, EINVAL, "%s: flag --%s takes a non-negative number, not \"%s\"",
                              parsed->command->name, name, v);
    *out = n;
    return 0;
}

void nook_command_print_help(const struct nook_command *command, FILE *out)
{
    fprintf(out, "Usage: nook %s [flags]%s%s\n\n%s\n\nFlags:\n", command->name,
            command->args_usage[0] ? " " : "", command->args_usage, command->summary);
    for (size_t i = 0; i < option_count(command); i++) {
        const struct nook_option *opt = &command->options[i];
        char left[64];
        char shortpart[5] = "    ";
        if (opt->short_name)
            snprintf(shortpart, sizeof(shortpart), "-%c, ", opt->short_name);
        snprintf(left, sizeof(left), "%s--%s%s%s", shortpart, opt->name,
                 opt->value_name ? " " : "", opt->value_name ? opt->value_name : "");
        fprintf(out, "  %-30s %s%s\n", left, opt->help,
                opt->kind == NOOK_OPT_LIST ? " (repeatable)" : "");
    }
    fprintf(out, "  %-30s %s\n", "-h, --help", "show this help");
}
