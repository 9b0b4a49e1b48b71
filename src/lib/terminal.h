/* terminal.h: terminals for a container's process, runc's way: the pty is
 * allocated inside the container (its own devpts) by the init core, the
 * slave becomes the process's stdio and controlling terminal, and the
 * master travels to the parent over the setup socket. The parent either
 * hands it on to a console socket (SCM_RIGHTS, one message, the fd and a
 * name) or relays it to its own terminal (`nook run`). */
#pragma once

#include <stdbool.h>
#include <termios.h>

#include "error.h"
#include "spec.h"

/* --- in the child (the init core; create, run and exec) ------------------ */

/* Open /dev/ptmx (after pivot_root: the container's devpts), set the
 * window size from process.consoleSize, bind the slave on /dev/console
 * when mount_console (create/run; not exec), send the master to the
 * parent as NOOK_SYNC_CONSOLE over sync_fd, then make the slave fds 0-2
 * and the controlling terminal of a new session. The child keeps no copy
 * of the master. */
int nook_terminal_setup_child(int sync_fd, const struct nook_spec_process *process, bool mount_console,
                              struct nook_error *err);

/* --- in the parent --------------------------------------------------------- */

/* Check the terminal flags the way runc does: a terminal needs a console
 * socket unless nook stays attached to relay it (relay), and a console
 * socket is only for a terminal that nook does not relay. */
int nook_terminal_check(bool terminal, const char *console_socket, bool relay, struct nook_error *err);

/* Connect to the unix socket at path (before anything is made, so that a
 * wrong path leaves nothing behind). */
int nook_terminal_connect(const char *path, int *sock, struct nook_error *err);

/* Send master over sock with SCM_RIGHTS, name as the message data. */
int nook_terminal_send_master(int sock, int master, const char *name, struct nook_error *err);

/* Receive a master sent that way (nook-recvtty). *name may be NULL; when
 * not, it is malloc'd. */
int nook_terminal_recv_master(int sock, int *master, char **name, struct nook_error *err);

/* Copy the window size of the terminal on from to the pty on to; a no-op
 * when from is not a terminal. */
int nook_terminal_copy_size(int from, int to);

/* Relaying a master to this process's stdio: stdin → master, master →
 * stdout. When stdin is a terminal it is put in raw mode (restored by
 * nook_terminal_relay_end) and its window size is copied to the pty. */
struct nook_terminal_relay {
    int master;                /* borrowed; -1: no relay */
    int in, out;
    bool in_open;              /* stdin has not hit end of file */
    bool master_open;          /* the pty still has a writer */
    bool raw;                  /* in's settings were changed; saved holds the old */
    struct termios saved;
};

#define NOOK_TERMINAL_RELAY_INIT { .master = -1, .in = -1, .out = -1 }

int nook_terminal_relay_begin(struct nook_terminal_relay *relay, int master, struct nook_error *err);

/* Move data both ways until wake_fd is readable or the pty has no writer
 * left (then return 0), or fail. With no relay it returns at once; wake_fd
 * may be -1. */
int nook_terminal_relay_pump(struct nook_terminal_relay *relay, int wake_fd, struct nook_error *err);

/* After the process exited: copy what is left in the pty to stdout. */
void nook_terminal_relay_drain(struct nook_terminal_relay *relay);

/* Restore stdin's terminal settings; safe to call twice. */
void nook_terminal_relay_end(struct nook_terminal_relay *relay);

/* A pty master received from the init core: sent on to console_socket
 * (when >= 0; then closed here, as runc does) or kept in *keep_fd for the
 * caller to relay, with the caller's window size. */
int nook_terminal_take_master(int console_socket, int master, int *keep_fd, struct nook_error *err);
