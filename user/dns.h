/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* dns: reads DNS messages (RFC 1035): query names of outbound queries, addresses in answers. */
#ifndef IDSENTRY_DNS_H
#define IDSENTRY_DNS_H

#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_MAX 256

/* The first question's name of a DNS message, dotted ("a.b.example"; a NUL byte in a label shows
 * as '?'), into name. Returns its length, or -1 when msg is not a well-formed DNS message with a question. */
int dns_question_name(const uint8_t *msg, size_t len, char *name, size_t size);

/* Calls fn for every A/AAAA record in the answer section of a response, with the name that was
 * asked (the question), the family (AF_INET/AF_INET6) and the address. Returns the number of
 * addresses, or -1 when msg is not a well-formed response. */
int dns_answers(const uint8_t *msg, size_t len,
		void (*fn)(const char *name, int family, const uint8_t *addr, void *ctx), void *ctx);

#define HOSTCACHE_SIZE 4096

struct host_entry {
	int family;
	uint8_t addr[16];
	char name[DNS_NAME_MAX];
	uint64_t seen;
};

/* Address → the name a process asked for it, learnt from DNS answers; oldest entries give way. */
struct hostcache {
	struct host_entry entries[HOSTCACHE_SIZE];
	size_t n;
	uint64_t clock;
};

void hostcache_add(struct hostcache *c, const char *name, int family, const uint8_t *addr);
const char *hostcache_lookup(const struct hostcache *c, int family, const uint8_t *addr);

#endif
