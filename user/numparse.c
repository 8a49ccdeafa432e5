// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* numparse: command-line numbers and sizes parsed whole, with range checks. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include "numparse.h"

int parse_ulong_range(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_size(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		mult = 1ULL << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1ULL << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1ULL << 30;
		end++;
		break;
	}
	if (*end == 'i' && mult > 1 && end[1] == 'B')
		end += 2; /* KiB, MiB, GiB */
	else if (*end == 'B' && mult > 1)
		end++;
	if (*end || v > hi / mult || v * mult < lo || v * mult > hi)
		return -EINVAL;
	*out = v * mult;
	return 0;
}
