/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* report: the `report` command: reads record files (rotated, gzip'd) and prints their summary. */
#ifndef IDSENTRY_REPORT_H
#define IDSENTRY_REPORT_H

/* argv[0] is "report". Returns the exit status. */
int cmd_report(int argc, char **argv);

#endif
