/* nook-slirp-args.h: nook-slirp's command line, and the address forms it
 * takes (--port, --dns, the nameserver lines of resolv.conf). Pure code:
 * no system calls beyond if_nametoindex() for an IPv6 scope, so the unit
 * tests (tests/unit/test-slirp-args.c) reach every rule. */
#pragma once

#include "lib/error.h"
#include "nook-slirp.h"

/* The value of --ready-fd (or --ready-fd=N) if argv has a well-formed
 * one, else -1: looked up first, so that any other error in argv can be
 * reported there. */
int nook_slirp_find_ready_fd(int argc, char *const *argv);

/* Parse argv (argv[0] is the program) into o, which this initialises.
 * Unknown options, missing values, repeated single options and values out
 * of range are errors naming the option and the value. --ready-fd and
 * --pid are required; --tap-fd needs --pidfd. Free o with
 * nook_slirp_options_free() whatever this returns. */
int nook_slirp_parse_args(int argc, char *const *argv, struct nook_slirp_options *o,
                          struct nook_error *err);

void nook_slirp_options_free(struct nook_slirp_options *o);

/* "[HOSTADDR:]HOSTPORT:CPORT[/tcp|/udp]": HOSTADDR an IPv4 address
 * (default 0.0.0.0) or a bracketed IPv6 one ("[::1]", "[::]"), ports
 * 1..65535, protocol default tcp. */
int nook_slirp_parse_port(const char *spec, struct nook_slirp_port *port, struct nook_error *err);

/* "ADDR[:PORT]" with ADDR IPv4, or "[IPv6]:PORT", "[IPv6]" or a bare
 * IPv6 address; PORT default 53. */
int nook_slirp_parse_upstream(const char *spec, struct nook_slirp_upstream *upstream,
                              struct nook_error *err);

/* The nameservers of a resolv.conf text, in order, port 53, up to max;
 * lines that are not "nameserver ADDR" or whose ADDR does not parse are
 * skipped ("%IFACE" scopes of IPv6 link-local addresses are honoured). */
size_t nook_slirp_parse_resolv_conf(const char *text, struct nook_slirp_upstream *out, size_t max);

/* "1.2.3.4:53" or "[::1]:53", for messages. */
void nook_slirp_format_upstream(const struct nook_slirp_upstream *upstream, char *buf, size_t size);

/* A forward's host address, "127.0.0.1" or "[::1]", for messages. */
void nook_slirp_format_port_addr(const struct nook_slirp_port *port, char *buf, size_t size);
