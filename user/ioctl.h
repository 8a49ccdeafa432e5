/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ioctl: tells the kernel which ioctls' replies carry identifiers, and turns replies into values. */
#ifndef IDSENTRY_IOCTL_H
#define IDSENTRY_IOCTL_H

#include <stddef.h>
#include <stdint.h>

struct idsentry_bpf;
struct policy;

/* Fills the kernel's ioctl command map from the policy's `ioctls` keys. Returns the number of
 * commands watched, or a negative errno. */
int ioctl_apply(struct idsentry_bpf *skel, const struct policy *p);
/* The identifier value in an ioctl reply the kernel copied: "aa:bb:cc:dd:ee:ff" for
 * SIOCGIFHWADDR, the trimmed serial number for the disk ioctls. Writes the value (NUL-terminated)
 * to value and where it came from ("SIOCGIFHWADDR eth0") to origin. Returns the value's length,
 * 0 when the reply holds none. */
size_t ioctl_value(uint32_t cmd, const uint8_t *data, size_t len, char *value, size_t value_size,
		   char *origin, size_t origin_size);

#endif
