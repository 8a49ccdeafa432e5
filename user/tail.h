/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tail: the `tail` command: follows the agent's socket (or a record file) and prints alerts. */
#ifndef IDSENTRY_TAIL_H
#define IDSENTRY_TAIL_H

/* argv[0] is "tail". Returns the exit status. */
int cmd_tail(int argc, char **argv);

#endif
