// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dns: reads DNS messages (RFC 1035): query names of outbound queries, addresses in answers. */
#include <string.h>
#include <sys/socket.h>
#include "dns.h"

#define DNS_HEADER_BYTES 12
#define MAX_POINTER_HOPS 16

/* Reads the (possibly compressed) name at *off into out (dotted) and moves *off past it in the
 * message. Returns the name's length or -1. */
static int read_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t size)
{
	size_t pos = *off, n = 0;
	int hops = 0, jumped = 0;

	for (;;) {
		uint8_t l;

		if (pos >= len)
			return -1;
		l = msg[pos];
		if (l == 0) {
			if (!jumped)
				*off = pos + 1;
			break;
		}
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 >= len || ++hops > MAX_POINTER_HOPS)
				return -1;
			if (!jumped)
				*off = pos + 2;
			jumped = 1;
			pos = ((size_t)(l & 0x3f) << 8) | msg[pos + 1];
			continue;
		}
		if (l & 0xc0)
			return -1; /* reserved label types */
		if (pos + 1 + l > len || n + l + 2 > size)
			return -1;
		if (n)
			out[n++] = '.';
		memcpy(out + n, msg + pos + 1, l);
		/* a NUL in a label would cut the name short for C string users: make it visible */
		for (size_t k = n; k < n + l; k++)
			if (out[k] == 0)
				out[k] = '?';
		n += l;
		pos += 1 + l;
	}
	if (n >= size)
		return -1;
	out[n] = 0;
	return n;
}

static unsigned int be16(const uint8_t *p)
{
	return (p[0] << 8) | p[1];
}

int dns_question_name(const uint8_t *msg, size_t len, char *name, size_t size)
{
	size_t off = DNS_HEADER_BYTES;

	if (len < DNS_HEADER_BYTES || be16(msg + 4) == 0)
		return -1;
	return read_name(msg, len, &off, name, size);
}

int dns_answers(const uint8_t *msg, size_t len,
		void (*fn)(const char *name, int family, const uint8_t *addr, void *ctx), void *ctx)
{
	char qname[DNS_NAME_MAX], rname[DNS_NAME_MAX];
	size_t off = DNS_HEADER_BYTES;
	unsigned int qd, an, i;
	int found = 0;

	/* a response (QR set) with one question, as resolvers send */
	if (len < DNS_HEADER_BYTES || !(msg[2] & 0x80))
		return -1;
	qd = be16(msg + 4);
	an = be16(msg + 6);
	if (qd != 1 || read_name(msg, len, &off, qname, sizeof(qname)) < 0 || off + 4 > len)
		return -1;
	off += 4;
	for (i = 0; i < an; i++) {
		unsigned int type, rdlen;

		if (read_name(msg, len, &off, rname, sizeof(rname)) < 0 || off + 10 > len)
			return -1;
		type = be16(msg + off);
		rdlen = be16(msg + off + 8);
		off += 10;
		if (off + rdlen > len)
			return -1;
		/* CNAME chains end in the addresses of the name that was asked */
		if (type == 1 && rdlen == 4) {
			fn(qname, AF_INET, msg + off, ctx);
			found++;
		} else if (type == 28 && rdlen == 16) {
			fn(qname, AF_INET6, msg + off, ctx);
			found++;
		}
		off += rdlen;
	}
	return found;
}

void hostcache_add(struct hostcache *c, const char *name, int family, const uint8_t *addr)
{
	size_t alen = family == AF_INET6 ? 16 : 4, i, victim = 0;
	struct host_entry *e;

	for (i = 0; i < c->n; i++) {
		e = &c->entries[i];
		if (e->family == family && !memcmp(e->addr, addr, alen))
			goto fill;
		if (e->seen < c->entries[victim].seen)
			victim = i;
	}
	if (c->n < HOSTCACHE_SIZE)
		victim = c->n++;
	e = &c->entries[victim];
fill:
	memset(e, 0, sizeof(*e));
	e->family = family;
	memcpy(e->addr, addr, alen);
	strncpy(e->name, name, sizeof(e->name) - 1);
	e->seen = ++c->clock;
}

const char *hostcache_lookup(const struct hostcache *c, int family, const uint8_t *addr)
{
	size_t alen = family == AF_INET6 ? 16 : 4, i;

	for (i = 0; i < c->n; i++)
		if (c->entries[i].family == family && !memcmp(c->entries[i].addr, addr, alen))
			return c->entries[i].name;
	return NULL;
}
