// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* servicemanager: the Android VM's /system/bin/servicemanager: the Binder context manager
 * (handle 0), serving IServiceManager getService, checkService and addService (Android 14). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "telephony.h"
#include "util.h"

#define MAX_SERVICES 32
#define NAME_BYTES 128

struct service {
	char name[NAME_BYTES];
	uint32_t handle;
	uid_t owner;
};

struct registry {
	struct service s[MAX_SERVICES];
	size_t n;
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static struct service *find(struct registry *reg, const char *name)
{
	size_t i;

	for (i = 0; i < reg->n; i++)
		if (!strcmp(reg->s[i].name, name))
			return &reg->s[i];
	return NULL;
}

static int handle(void *ctx, struct binder *b, const struct binder_txn *t, struct parcel_view *in,
		  struct parcel *reply)
{
	struct registry *reg = ctx;
	char name[NAME_BYTES];
	struct service *s;
	uint32_t h;
	int32_t dump;
	int allow_isolated, is_null;

	if (t->code != ISERVICEMANAGER_GET_SERVICE && t->code != ISERVICEMANAGER_CHECK_SERVICE &&
	    t->code != ISERVICEMANAGER_ADD_SERVICE) {
		printf("servicemanager: code %u from pid %d: not served\n", t->code, t->sender_pid);
		return STATUS_UNKNOWN_TRANSACTION;
	}
	if (parcel_check_token(in, ISERVICEMANAGER_DESCRIPTOR) ||
	    parcel_get_string16(in, name, sizeof(name), &is_null) || is_null) {
		printf("servicemanager: code %u from pid %d: bad token or name\n", t->code,
		       t->sender_pid);
		return STATUS_BAD_TYPE;
	}
	if (t->code != ISERVICEMANAGER_ADD_SERVICE) {
		s = find(reg, name);
		printf("servicemanager: %s('%s') from pid %d uid %u: %s\n",
		       t->code == ISERVICEMANAGER_GET_SERVICE ? "getService" : "checkService", name,
		       t->sender_pid, (unsigned int)t->sender_euid, s ? "found" : "not found");
		parcel_put_no_exception(reply);
		if (s)
			parcel_put_handle(reply, s->handle);
		else
			parcel_put_binder(reply, NULL);
		return 0;
	}
	if (parcel_get_handle(in, &h, &is_null) || is_null ||
	    parcel_get_bool(in, &allow_isolated) || parcel_get_int32(in, &dump)) {
		printf("servicemanager: addService('%s') from pid %d: bad arguments\n", name,
		       t->sender_pid);
		return STATUS_BAD_VALUE;
	}
	s = find(reg, name);
	if (!s && reg->n == MAX_SERVICES) {
		printf("servicemanager: addService('%s'): registry full\n", name);
		return -ENOSPC;
	}
	if (!s) {
		s = &reg->s[reg->n++];
		snprintf(s->name, sizeof(s->name), "%s", name);
	}
	/* The transaction buffer holds the only reference to the new handle: take one of our own
	 * before the buffer is freed, or the handle dies with it. */
	binder_acquire(b, h);
	s->handle = h;
	s->owner = t->sender_euid;
	printf("servicemanager: addService('%s') from pid %d uid %u: handle %u\n", name,
	       t->sender_pid, (unsigned int)t->sender_euid, h);
	parcel_put_no_exception(reply);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "uid", required_argument, NULL, 'u' },
		{ "lifetime", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct registry reg;
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long uid = 0, lifetime = 600;
	int has_uid = 0, opt, err, tries;
	struct binder b;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'u':
			if (parse_uint(optarg, 0xfffffffe, &uid)) {
				fprintf(stderr, "servicemanager: bad uid '%s'\n", optarg);
				return 2;
			}
			has_uid = 1;
			break;
		case 't':
			if (parse_uint(optarg, 86400, &lifetime) || !lifetime) {
				fprintf(stderr, "servicemanager: bad lifetime '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			printf("usage: servicemanager [--uid UID] [--lifetime SECONDS]\n"
			       "Serves getService/checkService/addService on /dev/binder handle 0\n"
			       "until SIGTERM or the lifetime (default 600 s) ends.\n"
			       "EXAMPLES\n  servicemanager --uid 1000 &\n");
			return 0;
		default:
			fprintf(stderr, "usage: servicemanager [--uid UID] [--lifetime SECONDS]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Android runs it as the system user */
	if (has_uid && drop_to_uid("servicemanager", uid))
		return 1;
	if (binder_open(&b, "/dev/binder", "servicemanager"))
		return 1;
	/* a previous context manager's node goes in the driver's deferred work: wait for it */
	for (tries = 0; tries < 50; tries++) {
		err = binder_become_context_manager(&b);
		if (err != -EBUSY)
			break;
		usleep(100 * 1000);
	}
	if (!err) {
		printf("servicemanager: context manager on /dev/binder (pid %d uid %u)\n", getpid(),
		       (unsigned int)getuid());
		err = binder_serve(&b, handle, &reg, lifetime, &exiting);
		if (err)
			fprintf(stderr, "servicemanager: serve loop: %s\n", strerror(-err));
	}
	binder_close(&b);
	printf("servicemanager: exiting (%zu services)\n", reg.n);
	return err != 0;
}
