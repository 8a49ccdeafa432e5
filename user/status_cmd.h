/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* status_cmd: the `status` command: asks a running agent for its state and prints it. */
#ifndef IDSENTRY_STATUS_CMD_H
#define IDSENTRY_STATUS_CMD_H

#include "jsonread.h"
#include "strbuf.h"

/* argv[0] is "status". Returns the exit status. */
int cmd_status(int argc, char **argv);
/* The readable report of a status record, lines ending in '\n'. */
void status_format(struct strbuf *out, const struct jval *st);

#endif
