/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* jsonread: parses one JSON record (a line of the stream) into a tree that tail and syslog read. */
#ifndef IDSENTRY_JSONREAD_H
#define IDSENTRY_JSONREAD_H

#include <stddef.h>

#define JSONREAD_MAX_DEPTH 64

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype type;
	/* J_STR: the decoded text (UTF-8, NUL-terminated); J_NUM: the number's source text */
	const char *str;
	const char *key; /* member name inside an object, else NULL */
	size_t len;      /* of str */
	int b;           /* J_BOOL */
	struct jval *child; /* first element or member of J_ARR/J_OBJ */
	struct jval *next;  /* next sibling */
};

struct jblock;

struct jdoc {
	struct jval *root;
	struct jblock *blocks; /* node storage */
	char *text;	       /* storage for decoded strings */
};

/* Parses s[0..n) (one value, whitespace around it allowed). Returns 0, -EINVAL on malformed
 * input or -ENOMEM; the document must be freed either way. */
int jdoc_parse(struct jdoc *d, const char *s, size_t n);
void jdoc_free(struct jdoc *d);

/* The value at a dotted path of member names ("process.pid"); NULL when absent. path "" is v. */
const struct jval *jget(const struct jval *v, const char *path);
/* The string at path, or NULL when absent or not a string. */
const char *jstr(const struct jval *v, const char *path);
/* Elements of an array (0 for NULL or anything else). */
size_t jlen(const struct jval *arr);
/* The integer at path: 0, or -1 when absent, not a number or not an integer in range. */
int jint(const struct jval *v, const char *path, long long *out);

#endif
