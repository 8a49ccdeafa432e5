// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ioctl: tells the kernel which ioctls' replies carry identifiers, and turns replies into values. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "idsentry.skel.h"
#include "idsentry.h"
#include "ioctl.h"
#include "policy.h"

#define IFNAMSIZ_BYTES 16
#define HWADDR_OFFSET 18 /* ifr_hwaddr.sa_data: after the name and sa_family */
#define MAC_BYTES 6

/* Policy names → commands; NVMe has a 64-bit-result twin that returns the same data. */
static const struct {
	const char *name;
	uint32_t cmd;
} commands[] = {
	{ "SIOCGIFHWADDR", IOCTL_SIOCGIFHWADDR },
	{ "HDIO_GET_IDENTITY", IOCTL_HDIO_GET_IDENTITY },
	{ "NVME_IOCTL_ADMIN_CMD", IOCTL_NVME_ADMIN_CMD },
	{ "NVME_IOCTL_ADMIN_CMD", IOCTL_NVME_ADMIN64_CMD },
	{ "SG_IO", IOCTL_SG_IO },
	{ "SIOCETHTOOL", IOCTL_SIOCETHTOOL },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

int ioctl_apply(struct idsentry_bpf *skel, const struct policy *p)
{
	const struct bpf_map *m = skel->maps.ioctl_cmds;
	uint64_t masks[N_COMMANDS] = {};
	size_t i, j, k;
	int n = 0;

	for (i = 0; i < p->n_idents; i++)
		for (j = 0; j < p->idents[i].ioctls.n; j++)
			for (k = 0; k < N_COMMANDS; k++)
				if (!strcmp(p->idents[i].ioctls.items[j], commands[k].name))
					masks[k] |= 1ULL << p->idents[i].bit;
	for (k = 0; k < N_COMMANDS; k++) {
		__u32 cmd = commands[k].cmd;
		int err;

		/* a reload may drop a command the previous policy named */
		if (!masks[k]) {
			bpf_map__delete_elem(m, &cmd, sizeof(cmd), 0);
			continue;
		}
		err = bpf_map__update_elem(m, &cmd, sizeof(cmd), &masks[k], sizeof(masks[k]), 0);
		if (err)
			return err;
		n++;
	}
	return n;
}

static const char *command_name(uint32_t cmd)
{
	size_t k;

	for (k = 0; k < N_COMMANDS; k++)
		if (commands[k].cmd == cmd)
			return commands[k].name;
	return "ioctl";
}

/* Copies a space- or NUL-padded serial, trimmed. */
static size_t trimmed(const uint8_t *s, size_t len, char *value, size_t size)
{
	size_t start = 0, n;

	while (len && (s[len - 1] == ' ' || s[len - 1] == 0))
		len--;
	while (start < len && s[start] == ' ')
		start++;
	n = len - start;
	if (n >= size)
		n = size - 1;
	memcpy(value, s + start, n);
	value[n] = 0;
	return strlen(value); /* a NUL inside ends it */
}

size_t ioctl_value(uint32_t cmd, const uint8_t *data, size_t len, char *value, size_t value_size,
		   char *origin, size_t origin_size)
{
	const char *name = command_name(cmd);

	value[0] = 0;
	snprintf(origin, origin_size, "%s", name);
	switch (cmd) {
	case IOCTL_SIOCGIFHWADDR: {
		const uint8_t *a = data + HWADDR_OFFSET;
		char ifname[IFNAMSIZ_BYTES + 1];

		if (len < HWADDR_OFFSET + MAC_BYTES || value_size < 18)
			return 0;
		memcpy(ifname, data, IFNAMSIZ_BYTES);
		ifname[IFNAMSIZ_BYTES] = 0;
		snprintf(origin, origin_size, "%s %s", name, ifname);
		/* the text form, as sysfs writes it: the encodings derive the rest from it */
		snprintf(value, value_size, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3],
			 a[4], a[5]);
		return 17;
	}
	case IOCTL_SIOCETHTOOL: {
		/* struct ethtool_perm_addr: cmd, size, then the address (6 bytes for Ethernet) */
		const uint8_t *a = data + 8;
		uint32_t size;

		if (len < 8 + MAC_BYTES || value_size < 18)
			return 0;
		memcpy(&size, data + 4, sizeof(size));
		snprintf(origin, origin_size, "%s ETHTOOL_GPERMADDR", name);
		/* no permanent address (virtual devices): zeros, which are no identifier */
		if (size != MAC_BYTES || !(a[0] | a[1] | a[2] | a[3] | a[4] | a[5]))
			return 0;
		snprintf(value, value_size, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3],
			 a[4], a[5]);
		return 17;
	}
	case IOCTL_SG_IO: {
		size_t n;

		/* unit serial number VPD page: byte 3 is the length of what follows the header */
		if (len < 4)
			return 0;
		n = data[3];
		if (n > len - 4)
			n = len - 4;
		return trimmed(data + 4, n, value, value_size);
	}
	case IOCTL_HDIO_GET_IDENTITY:
	case IOCTL_NVME_ADMIN_CMD:
	case IOCTL_NVME_ADMIN64_CMD:
		return trimmed(data, len, value, value_size);
	}
	return 0;
}
