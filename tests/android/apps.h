// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* apps: the Android VM's apps, run in processes the zygote forked: sts (a 2017 preinstalled
 * tracker that reports IMEI, serial and cell id over HTTP and SMS), and two benign ones. */
#ifndef APPS_H
#define APPS_H

#include <sys/types.h>
#include "binder_lite.h"

/* bionic's property getter; the zygote's binary defines it (value: PROP_VALUE_MAX bytes). */
#define PROP_VALUE_MAX 92
int __system_property_get(const char *name, char *value);

struct app_env {
	const char *package;
	uid_t uid;
	unsigned int port;     /* the "collection server" on 127.0.0.1 */
	const char *sms_to;    /* where sts texts its report */
	const char *client_no; /* sts's client number, part of the report */
	const char *pubkey;    /* sts's RSA public key (PEM) */
};

/* An app's main: 0 when it did all it set out to do. */
typedef int (*app_main_fn)(const struct app_env *env, struct binder *b);

/* The app called `kind` (sts, weather, imeicheck), or NULL. */
app_main_fn app_find(const char *kind);

#endif
