// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* util: what the Android VM's programs share besides Binder: option numbers, and taking on the
 * identity (uid, process name) an Android process has. */
#ifndef UTIL_H
#define UTIL_H

#include <sys/types.h>

/* A decimal number in [0, max]: 0, or -1 when s is not one. */
int parse_uint(const char *s, unsigned long max, unsigned long *out);
/* setresgid/setresuid to uid (no supplementary groups): 0 or -errno, after a message. */
int drop_to_uid(const char *who, uid_t uid);
/* The process name Android gives: the comm is the name's last 15 characters (PR_SET_NAME), the
 * command line the whole name, written over argv (argv_area bytes from argv[0]). */
void set_process_name(const char *name, char *argv0, size_t argv_area);
/* Bytes argv's strings take, contiguous from argv[0]: what set_process_name may overwrite. */
size_t argv_area(int argc, char **argv);

#endif
