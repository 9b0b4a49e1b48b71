/* not-available.c: the entry point of subcommands whose work is not built
 * yet. They parse their full flag set, then say so and exit 2. */
#include "commands.h"
#include "report.h"

int nook_cmd_not_available(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    nook_report(globals, NOOK_LEVEL_ERROR, "%s: not available yet", parsed->command->name);
    return 2;
}
