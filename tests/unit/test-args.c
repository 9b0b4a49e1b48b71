/* test-args.c: the subcommand flag parser: values, bools, lists, unknown
 * flags, missing values and argument counts. */
#include "cmd/args.h"
#include "cmd/commands.h"
#include "tap.h"

static int parse(const struct nook_command *cmd, struct nook_parsed *p, struct nook_error *err,
                 char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    return nook_args_parse(cmd, argc, argv, p, err);
}

int main(void)
{
    struct tap t = { 0 };
    struct nook_parsed p;
    struct nook_error err = { 0 };

    char *a1[] = { "create", "-b", "/tmp/b", "--pid-file=/tmp/p", "--no-pivot", "id1", NULL };
    CHECK(&t, parse(&nook_cmd_create, &p, &err, a1) == 0, "create flags parse");
    CHECK_STR(&t, nook_parsed_value(&p, "bundle"), "/tmp/b", "short -b value");
    CHECK_STR(&t, nook_parsed_value(&p, "pid-file"), "/tmp/p", "--flag=value form");
    CHECK(&t, nook_parsed_bool(&p, "no-pivot"), "bool flag set");
    CHECK(&t, !nook_parsed_bool(&p, "no-new-keyring"), "bool flag unset");
    CHECK(&t, p.argc == 1 && strcmp(p.argv[0], "id1") == 0, "one positional");
    nook_parsed_free(&p);

    char *a2[] = { "exec", "-e", "A=1", "--env", "B=2", "-t", "c1", "sh", "-c", "true", NULL };
    CHECK(&t, parse(&nook_cmd_exec, &p, &err, a2) == 0, "exec parses");
    char *const *env = nook_parsed_list(&p, "env");
    CHECK(&t, env[0] && env[1] && !env[2], "list flag keeps both values");
    CHECK_STR(&t, env[1], "B=2", "list order kept");
    CHECK(&t, nook_parsed_bool(&p, "tty"), "short bool");
    CHECK(&t, p.argc == 4 && strcmp(p.argv[2], "-c") == 0, "flags after the id belong to the command");
    nook_parsed_free(&p);

    char *a3[] = { "create", "--bogus", "x", NULL };
    CHECK(&t, parse(&nook_cmd_create, &p, &err, a3) == -EINVAL, "unknown flag rejected");
    CHECK(&t, strstr(err.message, "unknown flag \"--bogus\"") != NULL, "unknown flag named");
    nook_parsed_free(&p);

    char *a4[] = { "create", "--bundle", NULL };
    CHECK(&t, parse(&nook_cmd_create, &p, &err, a4) == -EINVAL, "missing value rejected");
    CHECK(&t, strstr(err.message, "needs a value") != NULL, "missing value explained");
    nook_parsed_free(&p);

    char *a5[] = { "kill", "c1", "TERM", "extra", NULL };
    CHECK(&t, parse(&nook_cmd_kill, &p, &err, a5) == -EINVAL, "too many arguments rejected");
    CHECK(&t, strstr(err.message, "too many arguments") != NULL, "too many explained");
    nook_parsed_free(&p);

    char *a6[] = { "start", NULL };
    CHECK(&t, parse(&nook_cmd_start, &p, &err, a6) == -EINVAL, "too few arguments rejected");
    nook_parsed_free(&p);

    char *a7[] = { "run", "--detach=false", "--keep=true", "c", NULL };
    CHECK(&t, parse(&nook_cmd_run, &p, &err, a7) == 0, "bool with =value");
    CHECK(&t, !nook_parsed_bool(&p, "detach") && nook_parsed_bool(&p, "keep"), "bool values read");
    nook_parsed_free(&p);

    char *a8[] = { "run", "--detach=maybe", "c", NULL };
    CHECK(&t, parse(&nook_cmd_run, &p, &err, a8) == -EINVAL, "bad bool value rejected");
    nook_parsed_free(&p);

    char *a9[] = { "create", "--preserve-fds", "x2", "c", NULL };
    unsigned long n = 0;
    CHECK(&t, parse(&nook_cmd_create, &p, &err, a9) == 0, "preserve-fds parses as text");
    CHECK(&t, nook_parsed_uint(&p, "preserve-fds", 0, &n, &err) == -EINVAL, "non-number rejected");
    nook_parsed_free(&p);

    char *a10[] = { "state", "--help", NULL };
    CHECK(&t, parse(&nook_cmd_state, &p, &err, a10) == 0 && p.help, "--help without arguments");
    nook_parsed_free(&p);

    return tap_done(&t);
}
