// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sink_socket: the unix stream socket that fans records out to subscribers and answers requests. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "sink_socket.h"

#define LISTENER_TAG 0
#define READ_BUDGET 16 /* reads per client per service call: one chatty client cannot starve */
#define QUEUE_KEEP (64 << 10) /* queue memory kept once a backlog drains */

static int unix_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

/* An existing socket file: is an agent behind it (-EADDRINUSE), or is it stale (removed, 0)? */
static int clear_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, err = 0;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (const struct sockaddr *)sa, sizeof(*sa)))
		err = -EADDRINUSE;
	else if (errno == ECONNREFUSED)
		err = unlink(path) ? -errno : 0;
	else
		err = -errno;
	close(fd);
	return err;
}

static void set_interest(struct sock_sink *s, unsigned int i)
{
	struct sock_client *c = &s->clients[i];
	struct epoll_event ev = { .data.u64 = i + 1 };
	int want_out = c->len > 0;

	if (want_out == c->want_out)
		return;
	ev.events = (c->eof ? 0 : EPOLLIN) | (want_out ? EPOLLOUT : 0);
	epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev);
	c->want_out = want_out;
}

static void drop_client(struct sock_sink *s, unsigned int i)
{
	struct sock_client *c = &s->clients[i];

	epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->q);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	s->n_clients--;
}

static int queue_append(struct sock_client *c, const char *data, size_t len)
{
	if (c->head + c->len + len > c->cap && c->head) {
		memmove(c->q, c->q + c->head, c->len);
		c->head = 0;
	}
	if (c->len + len > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		char *q;

		while (cap < c->len + len)
			cap *= 2;
		q = realloc(c->q, cap);
		if (!q)
			return -ENOMEM;
		c->q = q;
		c->cap = cap;
	}
	memcpy(c->q + c->head + c->len, data, len);
	c->len += len;
	return 0;
}

static int send_some(int fd, const char *data, size_t len, size_t *sent)
{
	ssize_t n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	*sent = 0;
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	*sent = n;
	return 0;
}

static void emit(struct sock_sink *s, unsigned int i, const char *data, size_t len, size_t limit);

/* Tells a client how many records it missed, once its backlog has room for the notice. */
static void emit_lost(struct sock_sink *s, unsigned int i)
{
	struct sock_client *c = &s->clients[i];
	unsigned long long n = c->dropped;
	struct record r;
	struct json j;

	json_init(&j);
	json_record_begin(&j, "lost");
	json_uint(&j, "count", n);
	json_string(&j, "where", "socket");
	json_string(&j, "cause", "subscriber_backlog_full");
	if (!json_record_end(&j, &r) && r.len + c->len <= s->backlog) {
		c->dropped = 0;
		emit(s, i, r.line, r.len, s->backlog);
	}
	json_free(&j);
}

/* Sends what the client's backlog holds; returns -errno when the client is gone. */
static int flush(struct sock_sink *s, unsigned int i)
{
	struct sock_client *c = &s->clients[i];
	size_t sent;
	int err;

	while (c->len) {
		err = send_some(c->fd, c->q + c->head, c->len, &sent);
		if (err)
			return err;
		if (!sent)
			break;
		c->head += sent;
		c->len -= sent;
	}
	if (!c->len) {
		c->head = 0;
		if (c->cap > QUEUE_KEEP) {
			free(c->q);
			c->q = NULL;
			c->cap = 0;
		}
	}
	return 0;
}

/* Sends or queues one whole line; a line that does not fit in the backlog is dropped whole, so
 * the client always reads complete records. */
static void emit(struct sock_sink *s, unsigned int i, const char *data, size_t len, size_t limit)
{
	struct sock_client *c = &s->clients[i];
	size_t sent = 0;

	if (c->dropped)
		emit_lost(s, i); /* clears dropped first: no recursion */
	if (c->fd < 0)
		return;
	if (!c->len && send_some(c->fd, data, len, &sent)) {
		drop_client(s, i);
		return;
	}
	if (sent == len)
		return;
	/* the rest of a line already begun must follow it, whatever the limit */
	if (!sent && c->len + len > limit) {
		c->dropped++;
		c->dropped_total++;
		s->dropped_total++;
		return;
	}
	if (queue_append(c, data + sent, len - sent)) {
		drop_client(s, i); /* its stream would now be corrupt */
		return;
	}
	set_interest(s, i);
}

static void emit_json(struct sock_sink *s, unsigned int i, struct json *j, size_t limit)
{
	struct record r;

	if (!json_record_end(j, &r))
		emit(s, i, r.line, r.len, limit);
}

static void reply_error(struct sock_sink *s, unsigned int i, const char *msg)
{
	struct json j;

	json_init(&j);
	json_record_begin(&j, "error");
	json_string(&j, "message", msg);
	emit_json(s, i, &j, 2 * s->backlog);
	json_free(&j);
}

static void handle_request(struct sock_sink *s, unsigned int i, char *line)
{
	size_t n = strlen(line);
	struct json j;

	while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = 0;
	if (!n)
		return;
	if (strcmp(line, "status")) {
		char msg[SOCKET_MAX_REQUEST + 64];

		snprintf(msg, sizeof(msg), "unknown request '%s' (expected: status)", line);
		reply_error(s, i, msg);
		return;
	}
	json_init(&j);
	json_record_begin(&j, "status");
	if (s->status_fn)
		s->status_fn(s->status_ctx, &j);
	/* a reply may exceed the backlog, up to twice: a client cannot grow it without bound */
	emit_json(s, i, &j, 2 * s->backlog);
	json_free(&j);
}

static void read_requests(struct sock_sink *s, unsigned int i)
{
	struct sock_client *c = &s->clients[i];
	char buf[512];
	int round;

	for (round = 0; round < READ_BUDGET && c->fd >= 0 && !c->eof; round++) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		ssize_t k;

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n < 0) {
			drop_client(s, i);
			return;
		}
		if (n == 0) {
			/* it stopped sending (shutdown, `< /dev/null`) but may still read */
			struct epoll_event ev = { .events = c->want_out ? EPOLLOUT : 0,
						  .data.u64 = i + 1 };

			c->eof = 1;
			epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev);
			return;
		}
		for (k = 0; k < n && c->fd >= 0; k++) {
			if (buf[k] != '\n') {
				if (c->req_len < sizeof(c->req) - 1)
					c->req[c->req_len++] = buf[k];
				else
					c->req_overlong = 1;
				continue;
			}
			c->req[c->req_len] = 0;
			if (c->req_overlong)
				reply_error(s, i, "request too long (expected: status)");
			else
				handle_request(s, i, c->req);
			c->req_len = 0;
			c->req_overlong = 0;
		}
	}
}

static void accept_clients(struct sock_sink *s)
{
	for (;;) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = { .events = EPOLLIN };
		unsigned int i;

		if (fd < 0)
			return;
		for (i = 0; i < SOCKET_MAX_CLIENTS && s->clients[i].fd >= 0; i++)
			;
		if (i == SOCKET_MAX_CLIENTS) {
			struct record r;
			struct json j;

			json_init(&j);
			json_record_begin(&j, "error");
			json_string(&j, "message", "too many clients; try again later");
			json_uint(&j, "max_clients", SOCKET_MAX_CLIENTS);
			if (!json_record_end(&j, &r))
				send(fd, r.line, r.len, MSG_NOSIGNAL | MSG_DONTWAIT);
			json_free(&j);
			close(fd);
			s->refused++;
			continue;
		}
		ev.data.u64 = i + 1;
		if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			continue;
		}
		s->clients[i].fd = fd;
		s->n_clients++;
	}
}

int sock_sink_open(struct sock_sink *s, const char *path, size_t backlog)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = LISTENER_TAG };
	struct sockaddr_un sa;
	struct stat st;
	mode_t old_mask;
	unsigned int i;
	int err;

	memset(s, 0, sizeof(*s));
	s->listen_fd = s->ep = -1;
	for (i = 0; i < SOCKET_MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
	s->backlog = backlog;
	s->path = strdup(path);
	if (!s->path)
		return -ENOMEM;
	err = unix_addr(path, &sa);
	if (err) {
		fprintf(stderr,
			"idsentry: socket path '%s' is too long (at most %zu bytes); "
			"choose a shorter --socket\n",
			path, sizeof(sa.sun_path) - 1);
		goto out;
	}
	err = clear_stale(path, &sa);
	if (err == -EADDRINUSE) {
		fprintf(stderr,
			"idsentry: another agent is listening on '%s'; stop it or give this "
			"one another --socket\n",
			path);
		goto out;
	}
	if (err == -EEXIST) {
		fprintf(stderr,
			"idsentry: '%s' exists and is not a socket; remove it or choose "
			"another --socket\n",
			path);
		goto out;
	}
	if (err)
		goto fail;
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0)
		goto fail_errno;
	/* 0600: the stream carries command lines and identifier values */
	old_mask = umask(0177);
	err = bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old_mask);
	if (err)
		goto fail;
	if (!stat(path, &st)) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
	}
	if (listen(s->listen_fd, 16))
		goto fail_errno;
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	if (s->ep < 0 || epoll_ctl(s->ep, EPOLL_CTL_ADD, s->listen_fd, &ev))
		goto fail_errno;
	return 0;
fail_errno:
	err = -errno;
fail:
	fprintf(stderr,
		"idsentry: cannot listen on socket '%s': %s (check that its directory exists "
		"and is writable, or choose another --socket)\n",
		path, strerror(-err));
out:
	sock_sink_close(s);
	return err;
}

int sock_sink_fd(const struct sock_sink *s)
{
	return s->ep;
}

void sock_sink_service(struct sock_sink *s)
{
	struct epoll_event evs[16];
	int n, k;

	n = epoll_wait(s->ep, evs, 16, 0);
	for (k = 0; k < n; k++) {
		unsigned int i;
		struct sock_client *c;

		if (evs[k].data.u64 == LISTENER_TAG) {
			accept_clients(s);
			continue;
		}
		i = evs[k].data.u64 - 1;
		if (i >= SOCKET_MAX_CLIENTS || s->clients[i].fd < 0)
			continue;
		c = &s->clients[i];
		if (evs[k].events & EPOLLIN)
			read_requests(s, i);
		if (c->fd >= 0 && (evs[k].events & (EPOLLHUP | EPOLLERR))) {
			drop_client(s, i);
			continue;
		}
		if (c->fd >= 0 && (evs[k].events & EPOLLOUT)) {
			if (flush(s, i)) {
				drop_client(s, i);
				continue;
			}
			if (!c->len && c->dropped)
				emit_lost(s, i);
			if (c->fd >= 0)
				set_interest(s, i);
		}
	}
}

void sock_sink_write(struct sock_sink *s, const struct record *r)
{
	unsigned int i;

	for (i = 0; i < SOCKET_MAX_CLIENTS; i++)
		if (s->clients[i].fd >= 0)
			emit(s, i, r->line, r->len, s->backlog);
}

void sock_sink_close(struct sock_sink *s)
{
	struct stat st;
	unsigned int i;

	for (i = 0; i < SOCKET_MAX_CLIENTS; i++)
		if (s->clients[i].fd >= 0)
			drop_client(s, i);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		/* unlink only the socket we bound: another agent may have replaced it since */
		if (s->path && !stat(s->path, &st) && st.st_dev == s->dev && st.st_ino == s->ino)
			unlink(s->path);
	}
	if (s->ep >= 0)
		close(s->ep);
	free(s->path);
	memset(s, 0, sizeof(*s));
	s->listen_fd = s->ep = -1;
}
