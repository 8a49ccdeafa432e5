// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* mmsg_leak: sends two UDP datagrams to ADDR:PORT with one sendmmsg: a benign one, then the
 * machine-id (as resolvers send their A and AAAA queries together). Prints its pid. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char value[64] = "id=", benign[] = "hello, nothing to see";
	struct mmsghdr msgs[2] = {};
	struct iovec iov[2];
	int fd, s, n;

	if (argc != 3 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 2;
	sa.sin_port = htons(atoi(argv[2]));
	fd = open("/etc/machine-id", O_RDONLY);
	n = fd < 0 ? -1 : read(fd, value + 3, sizeof(value) - 4);
	if (n <= 0)
		return 3;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	iov[0].iov_base = benign;
	iov[0].iov_len = strlen(benign);
	iov[1].iov_base = value;
	iov[1].iov_len = 3 + n;
	for (int i = 0; i < 2; i++) {
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &sa;
		msgs[i].msg_hdr.msg_namelen = sizeof(sa);
	}
	if (sendmmsg(s, msgs, 2, 0) != 2)
		return 4;
	printf("%d\n", getpid());
	return 0;
}
