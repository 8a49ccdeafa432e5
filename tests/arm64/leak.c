// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* leak: the arm64 VM's misbehaving "app": reads an identifier file and posts it to a server on
 * 127.0.0.1 that it runs itself, optionally as an app uid. With -r RPORT it posts through a helper
 * process it forks first (before reading anything), which listens on 127.0.0.1:RPORT and
 * forwards what it gets to the server: a local relay, for the loopback channel on kernels
 * without the socket-layer tracepoints. Usage: leak [-u UID] [-r RPORT] FILE PORT */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "leak: %s: %s\n", what, strerror(errno));
	return 1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || *out > max ? -1 : 0;
}

/* The helper: accepts one connection on lsn, reads one request, sends it on to 127.0.0.1:port. */
static int relay(int lsn, unsigned long port)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	char buf[512];
	int conn, out, n;

	conn = accept(lsn, NULL, NULL);
	if (conn < 0)
		return fail("relay accept");
	n = recv(conn, buf, sizeof(buf), 0);
	if (n <= 0)
		return fail("relay recv");
	to.sin_port = htons(port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	out = socket(AF_INET, SOCK_STREAM, 0);
	if (out < 0 || connect(out, (struct sockaddr *)&to, sizeof(to)))
		return fail("relay connect");
	if (send(out, buf, n, 0) != n)
		return fail("relay send");
	printf("leak: relay pid %d forwarded %d bytes to 127.0.0.1:%lu\n", (int)getpid(), n, port);
	fflush(stdout);
	close(out);
	close(conn);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	unsigned long uid = 0, port, rport = 0;
	char value[128], body[256], req[512], reply[512];
	int fd, srv, cli, conn, len, n, opt, has_uid = 0, lsn = -1;
	pid_t helper = 0;

	while ((opt = getopt(argc, argv, "u:r:")) != -1) {
		if (opt == 'u' && !parse_uint(optarg, 0xfffffffe, &uid)) {
			has_uid = 1;
		} else if (opt != 'r' || parse_uint(optarg, 65535, &rport) || !rport) {
			fprintf(stderr, "usage: leak [-u UID] [-r RPORT] FILE PORT\n");
			return 2;
		}
	}
	if (argc - optind != 2 || parse_uint(argv[optind + 1], 65535, &port) || !port) {
		fprintf(stderr, "usage: leak [-u UID] [-r RPORT] FILE PORT\n");
		return 2;
	}
	/* the helper is forked untainted: only the loopback connection can taint it */
	if (rport) {
		addr.sin_port = htons(rport);
		addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		lsn = socket(AF_INET, SOCK_STREAM, 0);
		opt = 1;
		if (lsn < 0 || setsockopt(lsn, SOL_SOCKET, SO_REUSEADDR, &opt, sizeof(opt)) ||
		    bind(lsn, (struct sockaddr *)&addr, sizeof(addr)) || listen(lsn, 1))
			return fail("relay listen");
		helper = fork();
		if (helper < 0)
			return fail("fork");
		if (!helper) {
			_exit(relay(lsn, port));
		}
	}
	/* become the app before touching the identifier, as an Android app process would be */
	if (has_uid && (setgid(uid) || setuid(uid)))
		return fail("setuid");

	fd = open(argv[optind], O_RDONLY);
	if (fd < 0)
		return fail(argv[optind]);
	n = read(fd, value, sizeof(value) - 1);
	if (n < 0)
		return fail("read");
	close(fd);
	while (n > 0 && (value[n - 1] == '\n' || value[n - 1] == '\r'))
		n--;
	value[n] = 0;

	/* the "collection server", on loopback so the VM needs no NIC */
	addr.sin_port = htons(port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv = socket(AF_INET, SOCK_STREAM, 0);
	opt = 1;
	if (srv < 0 || setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &opt, sizeof(opt)) ||
	    bind(srv, (struct sockaddr *)&addr, sizeof(addr)) || listen(srv, 1))
		return fail("listen");
	cli = socket(AF_INET, SOCK_STREAM, 0);
	if (rport)
		addr.sin_port = htons(rport);
	if (cli < 0 || connect(cli, (struct sockaddr *)&addr, sizeof(addr)))
		return fail("connect");

	len = snprintf(body, sizeof(body), "{\"event\":\"daily\",\"wifi_mac\":\"%s\"}", value);
	len = snprintf(req, sizeof(req),
		       "POST /v1/collect HTTP/1.1\r\nHost: 127.0.0.1:%lu\r\n"
		       "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		       port, len, body);
	if (send(cli, req, len, 0) != len)
		return fail("send");

	conn = accept(srv, NULL, NULL);
	if (conn < 0)
		return fail("accept");
	n = recv(conn, reply, sizeof(reply), 0);
	printf("leak: uid %u sent %d bytes from %s to 127.0.0.1:%lu (server got %d)\n",
	       (unsigned int)getuid(), len, argv[optind], rport ? rport : port, n);
	close(conn);
	close(cli);
	close(srv);
	if (helper) {
		int status = 0;

		close(lsn);
		if (waitpid(helper, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			return 1;
	}
	return n == len ? 0 : 1;
}
