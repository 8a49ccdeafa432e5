/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sink_socket: the unix stream socket that fans records out to subscribers and answers requests.
 *
 * Protocol: a client that connects is a subscriber: every record written after its connection is
 * accepted arrives as one line. Lines it sends are requests: "status" queues one status record to
 * it (in stream order); anything else gets an "error" record. A subscriber that does not read
 * keeps at most `backlog` bytes queued; later records are dropped for it alone, and once there is
 * room again it gets a "lost" record (where "socket") with the count. */
#ifndef IDSENTRY_SINK_SOCKET_H
#define IDSENTRY_SINK_SOCKET_H

#include <stddef.h>
#include "json.h"

#define SOCKET_DEFAULT_PATH "/run/idsentry.sock"
#define SOCKET_DEFAULT_BACKLOG (1ULL << 20)
#define SOCKET_MIN_BACKLOG 4096ULL
#define SOCKET_MAX_BACKLOG (256ULL << 20)
#define SOCKET_MAX_CLIENTS 64
#define SOCKET_MAX_REQUEST 256

/* Fills the members of a status record for a client that asked. */
typedef void (*sock_status_fn)(void *ctx, struct json *j);

struct sock_client {
	int fd;	 /* -1: free slot */
	char *q; /* queued bytes not yet sent: q[head .. head+len) */
	size_t head, len, cap;
	unsigned long long dropped; /* records dropped since the last lost record sent */
	unsigned long long dropped_total;
	char req[SOCKET_MAX_REQUEST]; /* a request line being read */
	size_t req_len;
	int req_overlong;
	int want_out; /* EPOLLOUT registered */
	int eof;      /* it stopped sending: no more requests */
};

struct sock_sink {
	int listen_fd;
	int ep;
	char *path;
	unsigned long long dev, ino; /* of the socket file we bound, to unlink only our own */
	size_t backlog;
	struct sock_client clients[SOCKET_MAX_CLIENTS];
	unsigned int n_clients;
	unsigned long long dropped_total, refused;
	sock_status_fn status_fn;
	void *status_ctx;
};

/* Listens on path (a stale socket file left by a dead agent is replaced). Returns 0 or -errno after
 * printing why; -EADDRINUSE when another agent is listening there. */
int sock_sink_open(struct sock_sink *s, const char *path, size_t backlog);
/* One fd covering the listener and every client, readable when service is needed. */
int sock_sink_fd(const struct sock_sink *s);
/* Accepts clients, reads requests, flushes backlogs, drops closed clients. Never blocks. */
void sock_sink_service(struct sock_sink *s);
/* Queues the record's line to every client. Never blocks. */
void sock_sink_write(struct sock_sink *s, const struct record *r);
void sock_sink_close(struct sock_sink *s);

#endif
