// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libtestprop: a stand-in for bionic's property getters (same symbols, same signatures) for tests. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PROP_VALUE_MAX 92

/* bionic's layout: serial, value, then the name; the probes read it at this layout. */
struct prop_info {
	uint32_t serial;
	char value[PROP_VALUE_MAX];
	char name[64];
};

static struct prop_info serialno = { .serial = 2, .name = "ro.serialno" };

/* The value comes from the environment so that each test run has its own. */
static const struct prop_info *lookup(const char *name)
{
	const char *v = getenv("TESTPROP_SERIALNO");

	if (strcmp(name, serialno.name) || !v)
		return NULL;
	strncpy(serialno.value, v, PROP_VALUE_MAX - 1);
	return &serialno;
}

__attribute__((noinline)) const struct prop_info *__system_property_find(const char *name)
{
	return lookup(name);
}

__attribute__((noinline)) int __system_property_get(const char *name, char *value)
{
	const struct prop_info *pi = lookup(name);

	value[0] = 0;
	if (!pi)
		return 0;
	strcpy(value, pi->value);
	return strlen(value);
}

__attribute__((noinline)) void
__system_property_read_callback(const struct prop_info *pi,
				void (*callback)(void *cookie, const char *name, const char *value,
						 uint32_t serial),
				void *cookie)
{
	callback(cookie, pi->name, pi->value, pi->serial);
}
