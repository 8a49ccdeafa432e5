/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* testlib: assertion helpers for kernel-free unit tests; prints file:line on failure and a summary. */
#ifndef IDSENTRY_TESTLIB_H
#define IDSENTRY_TESTLIB_H

#include <stdio.h>
#include <string.h>

static int tl_passed, tl_failed;

#define EXPECT(cond)                                                                               \
	do {                                                                                       \
		if (cond) {                                                                        \
			tl_passed++;                                                               \
		} else {                                                                           \
			tl_failed++;                                                               \
			fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond);        \
		}                                                                                  \
	} while (0)

#define EXPECT_INT(expected, got)                                                                  \
	do {                                                                                       \
		long long _e = (long long)(expected), _g = (long long)(got);                       \
		if (_e == _g) {                                                                    \
			tl_passed++;                                                               \
		} else {                                                                           \
			tl_failed++;                                                               \
			fprintf(stderr, "%s:%d: expected %s == %lld, got %lld\n", __FILE__,        \
				__LINE__, #got, _e, _g);                                           \
		}                                                                                  \
	} while (0)

#define EXPECT_STR(expected, got)                                                                  \
	do {                                                                                       \
		const char *_e = (expected), *_g = (got);                                          \
		if (_g && strcmp(_e, _g) == 0) {                                                   \
			tl_passed++;                                                               \
		} else {                                                                           \
			tl_failed++;                                                               \
			fprintf(stderr, "%s:%d: expected %s == \"%s\", got \"%s\"\n", __FILE__,    \
				__LINE__, #got, _e, _g ? _g : "(null)");                           \
		}                                                                                  \
	} while (0)

#define EXPECT_CONTAINS(haystack, needle)                                                          \
	do {                                                                                       \
		const char *_h = (haystack), *_n = (needle);                                       \
		if (_h && strstr(_h, _n)) {                                                        \
			tl_passed++;                                                               \
		} else {                                                                           \
			tl_failed++;                                                               \
			fprintf(stderr, "%s:%d: expected \"%s\" in %s, got \"%s\"\n", __FILE__,    \
				__LINE__, _n, #haystack, _h ? _h : "(null)");                      \
		}                                                                                  \
	} while (0)

/* Prints the closing line and returns the process exit status. */
static inline int tl_summary(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, tl_passed, tl_failed);
	return tl_failed != 0;
}

#endif
