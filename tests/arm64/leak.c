// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* leak: the arm64 VM's misbehaving "app": reads an identifier file and posts it to a server on
 * 127.0.0.1 that it runs itself, optionally as an app uid. Usage: leak [-u UID] FILE PORT */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	unsigned long uid = 0, port;
	char value[128], body[256], req[512], reply[512];
	int fd, srv, cli, conn, len, n, opt, has_uid = 0;

	while ((opt = getopt(argc, argv, "u:")) != -1) {
		if (opt != 'u' || parse_uint(optarg, 0xfffffffe, &uid)) {
			fprintf(stderr, "usage: leak [-u UID] FILE PORT\n");
			return 2;
		}
		has_uid = 1;
	}
	if (argc - optind != 2 || parse_uint(argv[optind + 1], 65535, &port) || !port) {
		fprintf(stderr, "usage: leak [-u UID] FILE PORT\n");
		return 2;
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
	       (unsigned int)getuid(), len, argv[optind], port, n);
	close(conn);
	close(cli);
	close(srv);
	return n == len ? 0 : 1;
}
