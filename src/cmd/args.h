/* args.h: declarative flag tables for subcommands, the parser that reads
 * argv against them, and the --help text generated from the same tables
 * (so help, man pages and completions are checked against one source). */
#pragma once

#include <stdbool.h>

#include "globals.h"

enum nook_opt_kind {
    NOOK_OPT_BOOL,   /* --detach, also --detach=true|false */
    NOOK_OPT_VALUE,  /* --bundle DIR; the last one given wins */
    NOOK_OPT_LIST,   /* --env K=V, may be repeated; all are kept in order */
};

struct nook_option {
    const char *name;        /* long name without the leading "--" */
    char short_name;         /* 0 when it has none */
    enum nook_opt_kind kind;
    const char *value_name;  /* "DIR", "PATH", ...; NULL for bools */
    const char *help;
};

struct nook_parsed;

struct nook_command {
    const char *name;
    const char *args_usage;  /* "<container-id>", shown after "[flags]" */
    const char *summary;     /* one line */
    const struct nook_option *options; /* terminated by an entry with name NULL */
    int min_args;
    int max_args;            /* -1: no upper bound */
    int (*run)(const struct nook_globals *globals, const struct nook_parsed *parsed);
};

/* The outcome of parsing one subcommand's argv. */
struct nook_parsed {
    const struct nook_command *command;
    char **values;       /* one slot per option: last value, "true"/"false" for bools */
    char ***lists;       /* one NULL-terminated array per NOOK_OPT_LIST option */
    int argc;            /* positional arguments */
    char **argv;
    bool help;           /* -h/--help was given */
};

/* Parse argv (argv[0] is the subcommand name). On a usage error, fills
 * err and returns -EINVAL; the caller prints it and exits 2. */
int nook_args_parse(const struct nook_command *command, int argc, char **argv,
                    struct nook_parsed *parsed, struct nook_error *err);
void nook_parsed_free(struct nook_parsed *parsed);

/* Accessors; asking for an option the command does not declare aborts
 * (it is a programming error, caught by the tests). */
const char *nook_parsed_value(const struct nook_parsed *parsed, const char *name);
bool nook_parsed_bool(const struct nook_parsed *parsed, const char *name);
char *const *nook_parsed_list(const struct nook_parsed *parsed, const char *name);

/* Parse a non-negative integer flag value; errors name the flag. */
int nook_parsed_uint(const struct nook_parsed *parsed, const char *name, unsigned long def,
                     unsigned long *out, struct nook_error *err);

void nook_command_print_help(const struct nook_command *command, FILE *out);
