// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* events: checks ring-buffer records and copies them into typed structs before anyone reads them. */
#include <errno.h>
#include <string.h>
#include "events.h"

/* The layouts are the kernel ABI: a change here must be a change there too. */
_Static_assert(sizeof(struct event_header) == 40, "event_header layout");
_Static_assert(sizeof(struct ident_read_event) == 88 + MAX_VALUE_BYTES, "ident_read_event layout");
_Static_assert(offsetof(struct send_event, sample) == 128, "send_event layout");
_Static_assert(sizeof(struct proc_info_event) ==
		       56 + EXE_PATH_PARTS * EXE_PART_BYTES + CMDLINE_BYTES,
	       "proc_info_event layout");
_Static_assert(sizeof(struct proc_exit_event) == 48, "proc_exit_event layout");
_Static_assert(sizeof(struct proc_taint) == 48, "proc_taint layout");
_Static_assert(offsetof(struct flow_event, sample) == 80, "flow_event layout");
_Static_assert(sizeof(struct channel_taint) == 32, "channel_taint layout");
_Static_assert(sizeof(struct watched_fd) == 40, "watched_fd layout");
_Static_assert(offsetof(struct binder_tx_event, data) == 80, "binder_tx_event layout");
_Static_assert(sizeof(struct binder_method_key) == 8 + BINDER_NAME_BYTES, "binder_method_key");
_Static_assert(sizeof(struct binder_method) == 16, "binder_method layout");

int event_decode(const void *data, size_t size, union event *out)
{
	const struct event_header *h = data;

	if (size < sizeof(*h) || size > sizeof(*out))
		return -EINVAL;
	memcpy(out, data, size);
	memset((char *)out + size, 0, sizeof(*out) - size);
	switch (h->type) {
	case EVENT_IDENT_READ:
		if (size < offsetof(struct ident_read_event, data) || out->read.len > MAX_VALUE_BYTES ||
		    out->read.len > size - offsetof(struct ident_read_event, data))
			return -EINVAL;
		break;
	case EVENT_SEND:
	case EVENT_RECV:
		if (size < offsetof(struct send_event, sample) || out->send.sample_len > MAX_SAMPLE_BYTES ||
		    out->send.sample_len > size - offsetof(struct send_event, sample))
			return -EINVAL;
		break;
	case EVENT_PROC_INFO:
		if (size != sizeof(struct proc_info_event) || out->info.cmdline_len > CMDLINE_BYTES)
			return -EINVAL;
		/* the kernel copied at most EXE_PART_BYTES with a NUL; do not trust it did */
		for (int i = 0; i < EXE_PATH_PARTS; i++)
			out->info.exe_parts[i][EXE_PART_BYTES - 1] = 0;
		break;
	case EVENT_PROC_EXIT:
		if (size < sizeof(struct proc_exit_event))
			return -EINVAL;
		break;
	case EVENT_PROC_FORK:
		if (size < sizeof(struct proc_fork_event))
			return -EINVAL;
		break;
	case EVENT_FLOW:
	case EVENT_TTY_WRITE:
		if (size < offsetof(struct flow_event, sample) || out->flow.sample_len > MAX_SAMPLE_BYTES ||
		    out->flow.sample_len > size - offsetof(struct flow_event, sample) ||
		    (out->flow.direction != FLOW_WRITE && out->flow.direction != FLOW_READ))
			return -EINVAL;
		break;
	case EVENT_BINDER_TX:
		if (size < offsetof(struct binder_tx_event, data) || out->tx.len > BINDER_TX_BYTES ||
		    out->tx.len > size - offsetof(struct binder_tx_event, data))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	out->hdr.comm[TASK_COMM_BYTES - 1] = 0;
	return h->type;
}
