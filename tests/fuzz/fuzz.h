/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* fuzz: the invariant check of the libFuzzer targets; a broken one aborts, saving the input. */
#ifndef IDSENTRY_FUZZ_H
#define IDSENTRY_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

/* libFuzzer reports an abort as a crash and writes the input under -artifact_prefix. A coverage
 * build (FUZZ_REPORT_ONLY) replays a whole corpus, so there a broken invariant is only printed. */
#ifdef FUZZ_REPORT_ONLY
#define FUZZ_FAIL() ((void)0)
#else
#define FUZZ_FAIL() abort()
#endif

#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant '%s' broken: ", __FILE__, __LINE__,      \
				#cond);                                                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			FUZZ_FAIL();                                                               \
		}                                                                                  \
	} while (0)

#endif
