/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* events: checks ring-buffer records and copies them into typed structs before anyone reads them. */
#ifndef IDSENTRY_EVENTS_H
#define IDSENTRY_EVENTS_H

#include <stddef.h>
#include "idsentry.h"

union event {
	struct event_header hdr;
	struct ident_read_event read;
	struct send_event send;
	struct proc_info_event info;
	struct proc_exit_event exit;
	struct flow_event flow;
	struct proc_fork_event fork;
	struct binder_tx_event tx;
};

/* Copies a record of 'size' bytes into *out (zero-filled past the record) after checking that its
 * type is known and its size and length fields agree. Returns the event type, or -EINVAL. */
int event_decode(const void *data, size_t size, union event *out);

#endif
