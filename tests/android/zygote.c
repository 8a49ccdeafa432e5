// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* zygote: the Android VM's /system/bin/app_process64: reads a property while "preloading", then
 * forks the apps named on its command line without exec, each under its uid and package name,
 * and waits for them, a time bound on all. Defines bionic's __system_property_get, so that the
 * agent's property uprobes (policy `property_libraries`) find it in this binary. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "apps.h"
#include "util.h"

#define BUILD_PROP "/system/build.prop"
#define MAX_APPS 8
/* lines of build.prop a lookup reads at most */
#define PROP_MAX_LINES 4096

struct app {
	char *package;
	char *kind;
	app_main_fn main;
	uid_t uid;
	pid_t pid;
	int status;
	int done;
};

/* No clone or inlined copy may stand in for the symbol the uprobes are placed on: GCC's noipa
 * forbids both (noinline alone lets it clone the function for this file's constant arguments). */
#ifdef __clang__
#define PROBED_FUNCTION __attribute__((used, noinline))
#else
#define PROBED_FUNCTION __attribute__((used, noinline, noipa))
#endif

/*
 * bionic's int __system_property_get(const char *name, char *value): value gets at most
 * PROP_VALUE_MAX bytes, NUL included; returns the value's length, 0 (and "") when unset.
 * Here properties are the key=value lines of /system/build.prop.
 */
PROBED_FUNCTION int __system_property_get(const char *name, char *value)
{
	char line[512];
	size_t nlen = strlen(name);
	int len = 0, i;
	FILE *f;

	value[0] = 0;
	f = fopen(BUILD_PROP, "re");
	if (!f)
		return 0;
	for (i = 0; i < PROP_MAX_LINES && fgets(line, sizeof(line), f); i++) {
		size_t n;

		if (strncmp(line, name, nlen) || line[nlen] != '=')
			continue;
		n = strcspn(line + nlen + 1, "\r\n");
		if (n > PROP_VALUE_MAX - 1)
			n = PROP_VALUE_MAX - 1;
		memcpy(value, line + nlen + 1, n);
		value[n] = 0;
		len = (int)n;
		break;
	}
	fclose(f);
	return len;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* PKG:UID:KIND */
static int parse_app(const char *spec, struct app *a)
{
	char *copy = strdup(spec), *uid_s, *kind;
	unsigned long uid;

	if (!copy)
		return -ENOMEM;
	uid_s = strchr(copy, ':');
	kind = uid_s ? strchr(uid_s + 1, ':') : NULL;
	if (!kind) {
		free(copy);
		return -EINVAL;
	}
	*uid_s++ = 0;
	*kind++ = 0;
	if (!copy[0] || parse_uint(uid_s, 0xfffffffe, &uid) || !(a->main = app_find(kind))) {
		free(copy);
		return -EINVAL;
	}
	a->package = copy;
	a->kind = kind;
	a->uid = uid;
	return 0;
}

/* The forked app: becomes its uid and package, opens Binder itself, runs. Never returns. */
static void run_app(const struct app *a, const struct app_env *tmpl, char *argv0, size_t area)
{
	struct app_env env = *tmpl;
	struct binder b;
	int rc;

	env.package = a->package;
	env.uid = a->uid;
	if (drop_to_uid(a->package, a->uid))
		_exit(126);
	set_process_name(a->package, argv0, area);
	if (binder_open(&b, "/dev/binder", a->kind))
		_exit(125);
	rc = a->main(&env, &b);
	binder_close(&b);
	fflush(stdout);
	_exit(rc);
}

static void report(const struct app *a)
{
	if (!a->done)
		printf("zygote: %s (uid %u, pid %d): timed out, killed\n", a->package,
		       (unsigned int)a->uid, a->pid);
	else if (WIFEXITED(a->status))
		printf("zygote: %s (uid %u, pid %d): exited %d\n", a->package, (unsigned int)a->uid,
		       a->pid, WEXITSTATUS(a->status));
	else if (WIFSIGNALED(a->status))
		printf("zygote: %s (uid %u, pid %d): killed by signal %d\n", a->package,
		       (unsigned int)a->uid, a->pid, WTERMSIG(a->status));
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: app_process64 --app PKG:UID:KIND... [--port N] [--sms-to NUMBER]\n"
		"                     [--client-no N] [--pubkey PEM] [--timeout SECONDS]\n"
		"Forks each app (KIND sts, weather or imeicheck) as uid UID named PKG, and waits\n"
		"for all of them up to the timeout (default 60 s).\n"
		"EXAMPLES\n"
		"  app_process64 --app com.tinno.sts:10100:sts \\\n"
		"      --app com.example.weather:10101:weather --port 8080\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "app", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "sms-to", required_argument, NULL, 's' },
		{ "client-no", required_argument, NULL, 'c' },
		{ "pubkey", required_argument, NULL, 'k' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct app apps[MAX_APPS];
	struct app_env env = {
		.port = 8080,
		.sms_to = "+33700000001",
		.client_no = "0123456789",
		.pubkey = "/system/etc/sts_report_pubkey.pem",
	};
	size_t n_apps = 0, left, i, area = argv_area(argc, argv);
	unsigned long v, timeout = 60;
	char serial[PROP_VALUE_MAX];
	long long deadline;
	int opt, failed = 0;

	/* option strings are copied: the children write their package names over argv */
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			if (n_apps == MAX_APPS || parse_app(optarg, &apps[n_apps])) {
				fprintf(stderr, "zygote: bad or too many --app '%s'\n", optarg);
				return 2;
			}
			n_apps++;
			break;
		case 'p':
			if (parse_uint(optarg, 65535, &v) || !v) {
				fprintf(stderr, "zygote: bad port '%s'\n", optarg);
				return 2;
			}
			env.port = v;
			break;
		case 's':
			env.sms_to = strdup(optarg);
			break;
		case 'c':
			env.client_no = strdup(optarg);
			break;
		case 'k':
			env.pubkey = strdup(optarg);
			break;
		case 't':
			if (parse_uint(optarg, 3600, &timeout) || !timeout) {
				fprintf(stderr, "zygote: bad timeout '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!n_apps || optind != argc || !env.sms_to || !env.client_no || !env.pubkey) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	set_process_name("zygote64", argv[0], area);

	/* ZygoteInit.preload() reads build properties: the zygote holds the serial before any
	 * app does */
	v = __system_property_get("ro.serialno", serial);
	printf("zygote: preloaded (pid %d); ro.serialno has %lu characters\n", getpid(), v);

	for (i = 0; i < n_apps; i++) {
		fflush(stdout);
		apps[i].pid = fork();
		if (apps[i].pid < 0) {
			fprintf(stderr, "zygote: fork for %s: %s\n", apps[i].package,
				strerror(errno));
			apps[i].done = 1;
			apps[i].status = 127 << 8;
			continue;
		}
		if (apps[i].pid == 0)
			run_app(&apps[i], &env, argv[0], area);
		printf("zygote: forked %s as pid %d (uid %u)\n", apps[i].package, apps[i].pid,
		       (unsigned int)apps[i].uid);
	}

	deadline = now_ms() + timeout * 1000LL;
	for (left = n_apps; left && now_ms() < deadline;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid <= 0) {
			if (pid < 0 && errno == ECHILD)
				break;
			usleep(50 * 1000);
			continue;
		}
		for (i = 0; i < n_apps; i++)
			if (apps[i].pid == pid && !apps[i].done) {
				apps[i].done = 1;
				apps[i].status = status;
				left--;
				report(&apps[i]);
			}
	}
	for (i = 0; i < n_apps; i++) {
		if (!apps[i].done && apps[i].pid > 0) {
			kill(apps[i].pid, SIGKILL);
			waitpid(apps[i].pid, NULL, 0);
			report(&apps[i]);
		}
		if (!apps[i].done || !WIFEXITED(apps[i].status) || WEXITSTATUS(apps[i].status))
			failed++;
	}
	printf("zygote: %zu apps, %d failed\n", n_apps, failed);
	return failed ? 1 : 0;
}
