/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* numparse: command-line numbers and sizes parsed whole, with range checks. */
#ifndef IDSENTRY_NUMPARSE_H
#define IDSENTRY_NUMPARSE_H

/* A decimal number in [lo, hi]; returns 0 or -EINVAL (no sign, no trailing text). */
int parse_ulong_range(const char *s, unsigned long lo, unsigned long hi, unsigned long *out);
/* A byte count with an optional K, M or G suffix (powers of 1024), in [lo, hi]; 0 or -EINVAL. */
int parse_size(const char *s, unsigned long long lo, unsigned long long hi,
	       unsigned long long *out);

#endif
