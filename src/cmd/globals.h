/* globals.h: the global options of the nook command line, parsed once in
 * main() and handed read-only to every subcommand. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "../lib/error.h"

enum nook_log_format {
    NOOK_LOG_TEXT,
    NOOK_LOG_JSON,
};

enum nook_cgroup_choice {
    NOOK_CGROUP_AUTO,
    NOOK_CGROUP_SYSTEMD,
    NOOK_CGROUP_CGROUPFS,
    NOOK_CGROUP_DISABLED,
};

enum nook_rootless_choice {
    NOOK_ROOTLESS_AUTO,
    NOOK_ROOTLESS_TRUE,
    NOOK_ROOTLESS_FALSE,
};

struct nook_globals {
    const char *root;            /* --root, or NULL for the default */
    const char *log_path;        /* --log, or NULL */
    FILE *log_file;              /* opened --log, or NULL */
    enum nook_log_format log_format;
    bool debug;
    enum nook_cgroup_choice cgroup_manager;
    enum nook_rootless_choice rootless;
};
