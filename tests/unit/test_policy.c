/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_policy: checks the policy parser's values and the exact position of every kind of error. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "policy.h"
#include "testlib.h"

static struct policy pol;
static struct diag_list dl;

static int load(const char *text)
{
	policy_free(&pol);
	diag_list_free(&dl);
	return policy_load_string(&pol, "t.yaml", text, &dl);
}

/* The formatted record i, or NULL when there are fewer records, so a missing error shows up as a
 * failed comparison rather than a crash. */
static const char *diag_at(size_t i)
{
	static char buf[512];
	char *s;

	if (i >= dl.n)
		return NULL;
	s = diag_format(&dl.items[i]);
	snprintf(buf, sizeof(buf), "%s", s ? s : "(oom)");
	free(s);
	return buf;
}

/* Loads a document expected to hold exactly one error and checks it. */
static void expect_one_error(const char *text, const char *expected)
{
	EXPECT_INT(1, load(text));
	EXPECT_INT(1, dl.n);
	EXPECT_STR(expected, diag_at(0));
}

/* A process by exe path and comm only (uid 1000, no package). */
static const struct proc_identity *ident(const char *exe, const char *comm)
{
	static struct proc_identity id;

	memset(&id, 0, sizeof(id));
	id.exe = exe;
	id.comm = comm;
	id.uid = 1000;
	return &id;
}

static int has_addr(const struct dest_filter *f, const char *s)
{
	uint8_t a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		return dest_filter_has_addr(f, AF_INET, a);
	if (inet_pton(AF_INET6, s, a) == 1)
		return dest_filter_has_addr(f, AF_INET6, a);
	return -1;
}

static void test_valid_policy(void)
{
	const char *text = "version: 1\n"
			   "identifiers:\n"
			   "  - name: a\n"
			   "    files: [/etc/a, \"/sys/*/x\"]\n"
			   "  - name: b\n"
			   "    ioctls: SIOCGIFHWADDR\n"
			   "  - name: c.2_x\n"
			   "    modem: [\"/dev/ttyUSB*\"]\n"
			   "    properties: [ro.serial]\n"
			   "    ioctls: [HDIO_GET_IDENTITY, NVME_IOCTL_ADMIN_CMD, SG_IO]\n"
			   "rules:\n"
			   "  - name: r1\n"
			   "    identifiers: [a, c.2_x]\n"
			   "    processes:\n"
			   "      except: [/usr/bin/ok, \"cron*\"]\n"
			   "    destinations:\n"
			   "      except: [10.1.2.3/8, \"2001:db8:ff80::1/33\", 192.168.1.1,\n"
			   "               \"::1\", 443, \"8000-8080\", unix, \"*.example.com\",\n"
			   "               0.0.0.0/0]\n"
			   "    window: 500ms\n"
			   "    action: block\n"
			   "    severity: low\n"
			   "  - name: r2\n"
			   "    identifiers: any\n"
			   "    window: 2d\n"
			   "    action: kill\n"
			   "    severity: critical\n"
			   "  - name: r3\n"
			   "    identifiers: [b, any]\n"
			   "    window: 45\n"
			   "  - name: r4\n"
			   "    window: 30s\n"
			   "  - {name: r5, window: 10m, identifiers: [b]}\n"
			   "  - {name: r6, window: 1h, severity: medium, action: alert}\n";
	const struct dest_filter *f;
	const struct rule_def *r;
	static const uint8_t net6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x80 };

	EXPECT_INT(0, load(text));
	/* "cron*" is a comm glob: valid, with a warning */
	EXPECT_INT(1, dl.n);
	EXPECT_INT(0, diag_errors(&dl));
	EXPECT_INT(3, pol.n_idents);
	EXPECT_INT(6, pol.n_rules);
	if (pol.n_idents != 3 || pol.n_rules != 6)
		return;
	EXPECT_INT(1, pol.files.n);
	EXPECT_STR("t.yaml", pol.files.items[0]);

	EXPECT_STR("a", pol.idents[0].name);
	EXPECT_INT(0, pol.idents[0].bit);
	EXPECT_INT(2, pol.idents[0].files.n);
	EXPECT_STR("/sys/*/x", pol.idents[0].files.items[1]);
	EXPECT_INT(1, pol.idents[1].bit);
	EXPECT_INT(1, pol.idents[1].ioctls.n);
	EXPECT_STR("SIOCGIFHWADDR", pol.idents[1].ioctls.items[0]);
	EXPECT_INT(2, pol.idents[2].bit);
	EXPECT_STR("/dev/ttyUSB*", pol.idents[2].modem.items[0]);
	EXPECT_STR("ro.serial", pol.idents[2].properties.items[0]);
	EXPECT_INT(3, pol.idents[2].ioctls.n);
	EXPECT_STR("SG_IO", pol.idents[2].ioctls.items[2]);
	EXPECT(policy_find_identifier(&pol, "c.2_x") == &pol.idents[2]);
	EXPECT(policy_find_identifier(&pol, "nope") == NULL);

	r = &pol.rules[0];
	EXPECT_STR("r1", r->name);
	EXPECT_INT(0x5, r->ident_mask);
	EXPECT_INT(500000000ULL, r->window_ns);
	EXPECT_INT(ACTION_BLOCK, r->action);
	EXPECT_STR("low", r->severity);
	EXPECT_INT(1, r->process_except.exes.n);
	EXPECT_INT(1, r->process_except.comms.n);
	EXPECT(rule_excepts_process(r, ident("/usr/bin/ok", "whatever")));
	EXPECT(!rule_excepts_process(r, ident("/usr/bin/ok2", "ok")));
	EXPECT(!rule_excepts_process(r, ident(NULL, "ok")));
	EXPECT(rule_excepts_process(r, ident("/usr/sbin/cron", "crond")));
	EXPECT(rule_excepts_process(r, ident(NULL, "cron")));
	EXPECT(!rule_excepts_process(r, ident("/usr/bin/curl", "curl")));

	f = &r->dest_except;
	EXPECT_INT(5, f->n_cidrs);
	EXPECT_INT(AF_INET, f->cidrs[0].family);
	EXPECT_INT(8, f->cidrs[0].prefix);
	EXPECT(!memcmp(f->cidrs[0].addr, "\x0a\x00\x00\x00", 4));
	EXPECT_INT(AF_INET6, f->cidrs[1].family);
	EXPECT_INT(33, f->cidrs[1].prefix);
	EXPECT(!memcmp(f->cidrs[1].addr, net6, 16));
	EXPECT_INT(32, f->cidrs[2].prefix);
	EXPECT_INT(AF_INET6, f->cidrs[3].family);
	EXPECT_INT(128, f->cidrs[3].prefix);
	EXPECT_INT(0, f->cidrs[4].prefix);
	EXPECT_INT(2, f->n_ports);
	EXPECT_INT(443, f->ports[0].lo);
	EXPECT_INT(443, f->ports[0].hi);
	EXPECT_INT(8000, f->ports[1].lo);
	EXPECT_INT(8080, f->ports[1].hi);
	EXPECT_INT(1, f->unix_sockets);
	EXPECT_INT(1, f->hosts.n);
	EXPECT_STR("*.example.com", f->hosts.items[0]);
	EXPECT(dest_filter_has_port(f, 443));
	EXPECT(dest_filter_has_port(f, 8000));
	EXPECT(dest_filter_has_port(f, 8080));
	EXPECT(!dest_filter_has_port(f, 8081));
	EXPECT(!dest_filter_has_port(f, 80));
	EXPECT_INT(1, has_addr(f, "10.200.3.4"));
	EXPECT_INT(1, has_addr(f, "1.2.3.4")); /* 0.0.0.0/0 */
	EXPECT_INT(1, has_addr(f, "2001:db8:8000::5"));
	EXPECT_INT(0, has_addr(f, "2001:db8:7fff::5"));
	EXPECT_INT(1, has_addr(f, "::1"));
	EXPECT_INT(0, has_addr(f, "::2"));
	EXPECT_INT(1, has_addr(f, "::ffff:10.9.9.9"));

	r = &pol.rules[1];
	EXPECT_INT(0x7, r->ident_mask);
	EXPECT_INT(2ULL * 86400 * 1000000000ULL, r->window_ns);
	EXPECT_INT(ACTION_KILL, r->action);
	EXPECT_STR("critical", r->severity);
	EXPECT_INT(0, r->dest_except.n_cidrs);
	EXPECT_INT(0, r->dest_except.unix_sockets);
	EXPECT(!rule_excepts_process(r, ident("/usr/bin/ok", "ok")));

	r = &pol.rules[2];
	EXPECT_INT(0x7, r->ident_mask);
	EXPECT_INT(45ULL * 1000000000ULL, r->window_ns);
	EXPECT_INT(ACTION_ALERT, r->action);
	EXPECT_STR("high", r->severity);

	r = &pol.rules[3];
	EXPECT_INT(0x7, r->ident_mask); /* no 'identifiers' means any */
	EXPECT_INT(30ULL * 1000000000ULL, r->window_ns);

	EXPECT_INT(0x2, pol.rules[4].ident_mask);
	EXPECT_INT(600ULL * 1000000000ULL, pol.rules[4].window_ns);
	EXPECT_INT(3600ULL * 1000000000ULL, pol.rules[5].window_ns);
	EXPECT_STR("medium", pol.rules[5].severity);

	EXPECT_STR("alert", rule_action_name(ACTION_ALERT));
	EXPECT_STR("block", rule_action_name(ACTION_BLOCK));
	EXPECT_STR("kill", rule_action_name(ACTION_KILL));
}

static void test_defaults_and_empty(void)
{
	EXPECT_INT(0, load(""));
	EXPECT_INT(0, pol.n_idents);
	EXPECT_INT(0, pol.n_rules);
	EXPECT_INT(0, load("# only a comment\n"));
	EXPECT_INT(0, load("---\n...\n"));
	EXPECT_INT(0, load("identifiers:\nrules: []\n"));
	EXPECT_INT(0, dl.n);

	EXPECT_INT(0, load("rules: [{name: r}]\n"));
	EXPECT_INT(1, pol.n_rules);
	EXPECT_INT(POLICY_DEFAULT_WINDOW_NS, pol.rules[0].window_ns);
	EXPECT_INT(ACTION_ALERT, pol.rules[0].action);
	EXPECT_STR("high", pol.rules[0].severity);
	EXPECT_INT(0, pol.rules[0].ident_mask);
}

static void test_syntax_error(void)
{
	expect_one_error("rules:\n"
			 "  - name: r\n"
			 "    action: alert: x\n"
			 "    bogus: 1\n",
			 "t.yaml:3:18: error: YAML syntax error: "
			 "mapping values are not allowed in this context");
	expect_one_error("identifiers: [a, b\n",
			 "t.yaml:2:1: error: YAML syntax error: did not find expected ',' or ']' "
			 "(while parsing a flow sequence at line 1, column 14)");
	expect_one_error("version: 1\n---\nversion: 1\n",
			 "t.yaml:3:1: error: a policy file must hold a single YAML document");
}

static void test_unknown_keys(void)
{
	expect_one_error("version: 1\n"
			 "ruls: []\n",
			 "t.yaml:2:1: error: unknown key 'ruls' in policy "
			 "(expected one of version, identifiers, rules, property_libraries, binder_sms, spawners, quiet, derived_files)");
	expect_one_error("rules:\n"
			 "  - name: r\n"
			 "    acton: alert\n",
			 "t.yaml:3:5: error: unknown key 'acton' in rule (expected one of name, "
			 "identifiers, processes, destinations, window, action, severity)");
	expect_one_error("identifiers:\n"
			 "  - name: x\n"
			 "    file: [/a]\n"
			 "    files: [/a]\n",
			 "t.yaml:3:5: error: unknown key 'file' in identifier "
			 "(expected one of name, files, ioctls, modem, properties, binder, netlink)");
	expect_one_error("rules:\n"
			 "  - name: r\n"
			 "    destinations:\n"
			 "      only: [10.0.0.0/8]\n",
			 "t.yaml:4:7: error: unknown key 'only' in destinations (expected except)");
	expect_one_error("rules:\n"
			 "  - name: r\n"
			 "    action: block\n"
			 "    action: kill\n",
			 "t.yaml:4:5: error: duplicate key 'action' in rule");
}

static void test_unknown_action_and_severity(void)
{
	expect_one_error("rules:\n"
			 "  - name: r\n"
			 "    window: 10m\n"
			 "    action: explode\n",
			 "t.yaml:4:13: error: unknown action 'explode' "
			 "(expected alert, block or kill)");
	expect_one_error("rules:\n"
			 "  - name: r\n"
			 "    severity: extreme\n",
			 "t.yaml:3:15: error: unknown severity 'extreme' "
			 "(expected low, medium, high or critical)");
}

static void test_unknown_identifier(void)
{
	expect_one_error("identifiers:\n"
			 "  - name: a\n"
			 "    files: [/a]\n"
			 "rules:\n"
			 "  - name: r\n"
			 "    identifiers: [a, nope]\n",
			 "t.yaml:6:22: error: unknown identifier 'nope'");
	expect_one_error("rules:\n"
			 "  - name: r\n"
			 "    identifiers: nope\n",
			 "t.yaml:3:18: error: unknown identifier 'nope'");
	expect_one_error("identifiers:\n"
			 "  - name: ioc\n"
			 "    ioctls: [SIOCGIFHWADDR, TIOCSTI]\n",
			 "t.yaml:3:29: error: unknown ioctl 'TIOCSTI' (expected one of "
			 "SIOCGIFHWADDR, SIOCETHTOOL, HDIO_GET_IDENTITY, NVME_IOCTL_ADMIN_CMD, SG_IO)");
	expect_one_error("identifiers:\n"
			 "  - name: a\n",
			 "t.yaml:2:11: error: identifier 'a' has no source "
			 "(expected at least one of files, ioctls, modem, properties, binder, netlink)");
	expect_one_error("identifiers:\n"
			 "  - name: a\n"
			 "    files: [/a]\n"
			 "  - name: a\n"
			 "    files: [/b]\n",
			 "t.yaml:4:11: error: duplicate identifier 'a'");
}

static void test_bad_destinations(void)
{
	expect_one_error("rules:\n"
			 "  - name: r\n"
			 "    destinations:\n"
			 "      except: [10.0.0.0/8, 10.0.0.0/33]\n",
			 "t.yaml:4:28: error: invalid CIDR '10.0.0.0/33'");
	expect_one_error("rules:\n"
			 "  - name: r\n"
			 "    destinations:\n"
			 "      except:\n"
			 "        - 300.1.2.0/8\n",
			 "t.yaml:5:11: error: invalid CIDR '300.1.2.0/8'");
	expect_one_error("rules:\n"
			 "  - name: r\n"
			 "    destinations: {except: [\"::1/129\"]}\n",
			 "t.yaml:3:29: error: invalid CIDR '::1/129'");

	EXPECT_INT(6, load("rules:\n"
			   "  - name: r\n"
			   "    destinations:\n"
			   "      except: [1.2.3, 0, 70000, 9000-80, bad_host, \"fe80::zz\"]\n"));
	EXPECT_STR("t.yaml:4:16: error: invalid address '1.2.3'", diag_at(0));
	EXPECT_STR("t.yaml:4:23: error: invalid port '0' (expected 1-65535)", diag_at(1));
	EXPECT_STR("t.yaml:4:26: error: invalid port '70000' (expected 1-65535)", diag_at(2));
	EXPECT_STR("t.yaml:4:33: error: invalid port range '9000-80' "
		   "(expected LO-HI within 1-65535)",
		   diag_at(3));
	EXPECT_STR("t.yaml:4:42: error: invalid host name 'bad_host'", diag_at(4));
	EXPECT_STR("t.yaml:4:52: error: invalid address 'fe80::zz'", diag_at(5));
}

static void test_bad_duration(void)
{
	static const char *const bad[] = { "10x", "0s", "-5s", "5 s", "99999999999999999999",
					   "300000000000d", "m", "1.5h" };
	char text[256], expected[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "rules:\n  - name: r\n    window: \"%s\"\n", bad[i]);
		snprintf(expected, sizeof(expected),
			 "t.yaml:3:13: error: invalid duration '%s' (expected e.g. 30s, 10m, 1h)",
			 bad[i]);
		expect_one_error(text, expected);
	}
}

static void test_wrong_types(void)
{
	expect_one_error("identifiers:\n"
			 "  - name: a\n"
			 "    files: {path: /a}\n",
			 "t.yaml:3:12: error: 'files' must be a list of strings");
	expect_one_error("identifiers:\n"
			 "  - name: a\n"
			 "    files: [/a, [/b]]\n",
			 "t.yaml:3:17: error: 'files' must be a list of strings");
	expect_one_error("rules:\n"
			 "  - name: r\n"
			 "    action: [alert]\n",
			 "t.yaml:3:13: error: 'action' must be a string");
	expect_one_error("rules:\n"
			 "  - name: r\n"
			 "    processes: [/bin/true]\n",
			 "t.yaml:3:16: error: 'processes' must be a mapping with an 'except' list");
	expect_one_error("rules:\n"
			 "  name: r\n",
			 "t.yaml:2:3: error: 'rules' must be a list of mappings");
	expect_one_error("- a\n- b\n",
			 "t.yaml:1:1: error: "
			 "a policy must be a mapping with keys version, identifiers, rules");
	expect_one_error("version: 2\n",
			 "t.yaml:1:10: error: unsupported policy version '2' (expected 1)");
	expect_one_error("rules:\n"
			 "  - action: kill\n",
			 "t.yaml:2:5: error: rule has no 'name'");
	expect_one_error("identifiers:\n"
			 "  - name: a b\n"
			 "    files: [/a]\n",
			 "t.yaml:2:11: error: invalid identifier name 'a b' "
			 "(allowed: letters, digits, '_', '.', '-')");
	expect_one_error("identifiers:\n"
			 "  - name: a\n"
			 "    modem: [ttyUSB0]\n",
			 "t.yaml:3:13: error: path 'ttyUSB0' in 'modem' must be absolute");
	expect_one_error("property_libraries: [libc.so]\n",
			 "t.yaml:1:22: error: path 'libc.so' in 'property_libraries' must be absolute");
	expect_one_error("identifiers:\n"
			 "  - name: a\n"
			 "    properties: [a.very.long.property.name.that.goes.on.and.on.and.on.and.on.forever]\n",
			 "t.yaml:3:18: error: property name "
			 "'a.very.long.property.name.that.goes.on.and.on.and.on.and.on.forever' is longer "
			 "than 63 characters");
	expect_one_error("rules:\n"
			 "  - name: r\n"
			 "    destinations: {except: [unix, \"\"]}\n",
			 "t.yaml:3:35: error: empty string in 'except'");
	expect_one_error("rules:\n"
			 "  - name: r\n"
			 "    identifiers: []\n",
			 "t.yaml:3:18: error: "
			 "'identifiers' must not be empty (use 'any' for every identifier)");
}

static void test_many_errors_collected(void)
{
	const char *text = "version: 1\n"
			   "colour: blue\n"
			   "identifiers:\n"
			   "  - name: a\n"
			   "    ioctls: [FOO]\n"
			   "rules:\n"
			   "  - name: r\n"
			   "    identifiers: [zz, a]\n"
			   "    window: forever\n"
			   "    action: explode\n"
			   "    destinations:\n"
			   "      except: [10.0.0.0/33]\n";

	EXPECT_INT(6, load(text));
	EXPECT_INT(6, dl.n);
	/* In file order even though rule references are resolved last. */
	EXPECT_STR("t.yaml:2:1: error: unknown key 'colour' in policy "
		   "(expected one of version, identifiers, rules, property_libraries, binder_sms, spawners, quiet, derived_files)",
		   diag_at(0));
	EXPECT_CONTAINS(diag_at(1), "t.yaml:5:14: error: unknown ioctl 'FOO'");
	EXPECT_STR("t.yaml:8:19: error: unknown identifier 'zz'", diag_at(2));
	EXPECT_STR("t.yaml:9:13: error: invalid duration 'forever' (expected e.g. 30s, 10m, 1h)",
		   diag_at(3));
	EXPECT_STR("t.yaml:10:13: error: unknown action 'explode' (expected alert, block or kill)",
		   diag_at(4));
	EXPECT_STR("t.yaml:12:16: error: invalid CIDR '10.0.0.0/33'", diag_at(5));
	if (dl.n > 2)
		EXPECT_STR("    identifiers: [zz, a]", dl.items[2].source);
}

static void test_too_many_identifiers(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int i;

	fputs("identifiers:\n", f);
	for (i = 0; i < POLICY_MAX_IDENTIFIERS + 2; i++)
		fprintf(f, "  - {name: id%d, files: [/x%d]}\n", i, i);
	fputs("rules:\n  - name: r\n    identifiers: [id0, id65]\n", f);
	fclose(f);
	/* One error, and none for the rule naming an identifier dropped by the limit. */
	expect_one_error(text, "t.yaml:66:12: error: too many identifiers (at most 64)");
	free(text);

	text = NULL;
	f = open_memstream(&text, &len);
	fputs("identifiers:\n", f);
	for (i = 0; i < POLICY_MAX_IDENTIFIERS; i++)
		fprintf(f, "  - {name: id%d, files: [/x%d]}\n", i, i);
	fputs("rules: [{name: r, identifiers: any}, {name: s, identifiers: id63}]\n", f);
	fclose(f);
	EXPECT_INT(0, load(text));
	EXPECT_INT(64, pol.n_idents);
	if (pol.n_rules == 2) {
		EXPECT(pol.rules[0].ident_mask == UINT64_MAX);
		EXPECT(pol.rules[1].ident_mask == 1ULL << 63);
	}
	free(text);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		EXPECT(f != NULL);
		return;
	}
	fputs(text, f);
	fclose(f);
}

static void test_two_files(void)
{
	char dir[] = "/tmp/test_policy.XXXXXX", a[64], b[64], missing[80];
	char *files[3] = { a, b, missing };
	char expected[256];

	if (!mkdtemp(dir)) {
		EXPECT(0);
		return;
	}
	snprintf(a, sizeof(a), "%s/a.yaml", dir);
	snprintf(b, sizeof(b), "%s/b.yaml", dir);
	snprintf(missing, sizeof(missing), "%s/missing.yaml", dir);
	write_file(a, "rules:\n"
		      "  - name: r\n"
		      "    identifiers: [later, typo]\n");
	write_file(b, "identifiers:\n"
		      "  - name: first\n"
		      "    files: [/first]\n"
		      "  - name: later\n"
		      "    files: [/later]\n");

	policy_free(&pol);
	diag_list_free(&dl);
	EXPECT_INT(1, policy_load_files(&pol, files, 2, &dl));
	snprintf(expected, sizeof(expected), "%s:3:26: error: unknown identifier 'typo'", a);
	EXPECT_STR(expected, diag_at(0));
	EXPECT_INT(2, pol.files.n);
	EXPECT_INT(2, pol.n_idents);
	EXPECT_INT(1, pol.n_idents ? pol.idents[1].bit : 0);
	if (pol.n_rules == 1)
		EXPECT_INT(0x2, pol.rules[0].ident_mask);

	write_file(a, "rules:\n"
		      "  - name: r\n"
		      "    identifiers: [later]\n");
	policy_free(&pol);
	diag_list_free(&dl);
	EXPECT_INT(0, policy_load_files(&pol, files, 2, &dl));
	if (pol.n_rules == 1)
		EXPECT_INT(0x2, pol.rules[0].ident_mask);

	/* An unreadable file does not hide the errors of the others. */
	write_file(a, "rules: [{name: r, action: nuke}]\n");
	policy_free(&pol);
	diag_list_free(&dl);
	EXPECT_INT(2, policy_load_files(&pol, files, 3, &dl));
	snprintf(expected, sizeof(expected),
		 "%s:1:27: error: unknown action 'nuke' (expected alert, block or kill)", a);
	EXPECT_STR(expected, diag_at(0));
	snprintf(expected, sizeof(expected),
		 "%s: error: cannot read policy file: No such file or directory", missing);
	EXPECT_STR(expected, diag_at(1));
	EXPECT_INT(0, dl.n > 1 ? dl.items[1].line : -1);

	/* Rule names are unique across files too. */
	write_file(b, "rules: [{name: r}]\n");
	policy_free(&pol);
	diag_list_free(&dl);
	EXPECT_INT(1, policy_load_files(&pol, (char *[]){ b, b }, 2, &dl));
	snprintf(expected, sizeof(expected), "%s:1:16: error: duplicate rule 'r'", b);
	EXPECT_STR(expected, diag_at(0));

	unlink(a);
	unlink(b);
	rmdir(dir);
}

static void test_shipped_policies(void)
{
	char *def[] = { "policies/default.yaml" };
	char *ex[] = { "policies/example.yaml" };
	char *both[] = { "policies/default.yaml", "policies/example.yaml" };
	const struct rule_def *r;

	policy_free(&pol);
	diag_list_free(&dl);
	EXPECT_INT(0, policy_load_files(&pol, def, 1, &dl));
	diag_print(&dl, stderr);
	EXPECT_INT(8, pol.n_idents);
	EXPECT_INT(1, pol.n_rules);
	EXPECT(policy_find_identifier(&pol, "machine-id") != NULL);
	EXPECT(policy_find_identifier(&pol, "disk-serial") != NULL);
	if (pol.n_rules == 1) {
		r = &pol.rules[0];
		EXPECT_STR("identifier-exfiltration", r->name);
		EXPECT_INT(0xff, r->ident_mask);
		EXPECT_INT(1, r->dest_except.unix_sockets);
		EXPECT_INT(1, has_addr(&r->dest_except, "127.0.0.53"));
		EXPECT_INT(1, has_addr(&r->dest_except, "::1"));
		EXPECT_INT(0, has_addr(&r->dest_except, "10.0.0.1"));
		EXPECT_INT(ACTION_ALERT, r->action);
		EXPECT_INT(POLICY_DEFAULT_WINDOW_NS, r->window_ns);
	}

	policy_free(&pol);
	diag_list_free(&dl);
	EXPECT_INT(0, policy_load_files(&pol, ex, 1, &dl));
	diag_print(&dl, stderr);
	EXPECT(pol.n_rules >= 2);

	/* Both together clash on names, which is what a user stacking them would need to hear. */
	policy_free(&pol);
	diag_list_free(&dl);
	EXPECT(policy_load_files(&pol, both, 2, &dl) > 0);
	EXPECT_CONTAINS(diag_at(0), "policies/example.yaml:");
	EXPECT_CONTAINS(diag_at(0), "duplicate identifier 'machine-id'");
}

static void test_binder(void)
{
	const struct identifier_def *imei;

	EXPECT_INT(0, load("version: 1\n"
			   "spawners: [zygote64, /system/bin/app_process64]\n"
			   "identifiers:\n"
			   "  - name: imei\n"
			   "    binder:\n"
			   "      - interface: com.android.internal.telephony.IPhoneSubInfo\n"
			   "        codes: [1, 0x4]\n"
			   "      - {interface: a.ITelephony, codes: [31], reply: \"int value=int\"}\n"
			   "binder_sms:\n"
			   "  - interface: com.android.internal.telephony.ISms\n"
			   "    codes: [5]\n"
			   "    args: \"int str str to=str str text=str\"\n"
			   "rules:\n"
			   "  - name: r\n"
			   "    identifiers: any\n"));
	imei = policy_find_identifier(&pol, "imei");
	EXPECT(imei != NULL);
	if (imei) {
		EXPECT_INT(2, imei->n_binder);
		EXPECT_STR("com.android.internal.telephony.IPhoneSubInfo", imei->binder[0].interface);
		EXPECT_INT(2, imei->binder[0].n_codes);
		EXPECT_INT(4, imei->binder[0].codes[1]);
		EXPECT_STR("value=str", imei->binder[0].layout);
		EXPECT_STR("int value=int", imei->binder[1].layout);
	}
	EXPECT_INT(1, pol.n_binder_sms);
	EXPECT_INT(5, pol.binder_sms[0].codes[0]);
	EXPECT(policy_is_spawner(&pol, "/system/bin/app_process64", "x"));
	EXPECT(policy_is_spawner(&pol, NULL, "zygote64"));
	EXPECT(!policy_is_spawner(&pol, "/system/bin/app_process32", "com.tinno.sts"));

	expect_one_error("version: 1\n"
			 "identifiers:\n"
			 "  - name: imei\n"
			 "    binder:\n"
			 "      - interface: a.B\n"
			 "        codes: [1, -2]\n",
			 "t.yaml:6:20: error: invalid transaction code '-2' (expected a number from "
			 "1 to 16777215)");
	expect_one_error("version: 1\n"
			 "identifiers:\n"
			 "  - name: imei\n"
			 "    binder:\n"
			 "      - interface: a.B\n"
			 "        codes: [1]\n"
			 "        reply: \"str value=float\"\n",
			 "t.yaml:7:16: error: reply: unknown layout item 'value=float' (expected int, "
			 "long, bool, str, bytes, strs or intent, optionally after value=, to= or "
			 "text=)");
	expect_one_error("version: 1\n"
			 "identifiers:\n"
			 "  - name: imei\n"
			 "    binder: {interface: a.B}\n",
			 "t.yaml:4:13: error: 'binder' must be a list of {interface, codes, reply} "
			 "mappings");
	expect_one_error("version: 1\n"
			 "binder_sms:\n"
			 "  - interface: \"a b\"\n"
			 "    codes: [5]\n"
			 "    args: \"to=str text=str\"\n",
			 "t.yaml:3:16: error: invalid interface descriptor 'a b' (a Java name of at "
			 "most 64 characters, e.g. com.android.internal.telephony.IPhoneSubInfo)");
	expect_one_error("version: 1\n"
			 "binder_sms:\n"
			 "  - interface: a.ISms\n"
			 "    codes: [5]\n",
			 "t.yaml:3:5: error: binder_sms entry has no 'args' (the argument layout of "
			 "the call, e.g. \"int str str to=str str text=str intent intent bool long\")");
	expect_one_error("version: 1\n"
			 "identifiers:\n"
			 "  - name: imei\n"
			 "    binder:\n"
			 "      - interface: a.B\n"
			 "        codes: [1]\n"
			 "        args: \"to=str text=str\"\n",
			 "t.yaml:7:9: error: unknown key 'args' in binder entry (expected one of "
			 "interface, codes, reply)");
}

static const char *package_of(void *ctx, uint32_t uid)
{
	(void)ctx;
	return uid == 1001 ? "com.android.phone" : uid == 10100 ? "com.tinno.sts" : NULL;
}

static void test_process_exceptions(void)
{
	struct proc_identity id = { .comm = "m.android.phone", .uid = 10100,
				    .package_of = package_of };
	const struct rule_def *r;
	struct stat st;

	EXPECT_INT(0, load("version: 1\n"
			   "identifiers:\n"
			   "  - name: a\n"
			   "    files: [/etc/a]\n"
			   "rules:\n"
			   "  - name: r\n"
			   "    identifiers: any\n"
			   "    processes:\n"
			   "      except:\n"
			   "        - /bin/sh\n"
			   "        - {uid: [1002, 1010]}\n"
			   "        - {package: com.android.phone}\n"
			   "        - {exe: /no/such/daemon}\n"
			   "        - {comm: \"m.android.phone\"}\n"
			   "        - system_server\n"));
	/* comm is spoofable: both forms warn, and only the bare one says how to keep it */
	EXPECT_INT(2, dl.n);
	EXPECT_STR("t.yaml:14:18: warning: 'm.android.phone' matches the process name (comm), "
		   "which any process can set with prctl(PR_SET_NAME): prefer an exe path, {uid: N} "
		   "or {package: NAME}", diag_at(0));
	EXPECT_CONTAINS(diag_at(1), "t.yaml:15:11: warning: 'system_server' matches the process "
				    "name (comm)");
	EXPECT_CONTAINS(diag_at(1), "(write {comm: ...} to keep a name on purpose)");
	r = &pol.rules[0];
	/* the app renamed itself like the phone process: only the explicit comm entry lets it by */
	EXPECT(rule_excepts_process(r, &id));
	id.comm = "com.tinno.sts";
	EXPECT(!rule_excepts_process(r, &id));
	/* the phone process by package, Wi-Fi by uid */
	id.uid = 1001;
	EXPECT(rule_excepts_process(r, &id));
	id.uid = 1010;
	EXPECT(rule_excepts_process(r, &id));
	id.uid = 10100;
	/* /bin/sh by inode: another path to the same file matches, the same path to another
	 * file (a mount namespace's) does not */
	if (!stat("/bin/sh", &st)) {
		id.exe = "/somewhere/else/sh";
		id.exe_dev = st.st_dev;
		id.exe_ino = st.st_ino;
		EXPECT(rule_excepts_process(r, &id));
		id.exe = "/bin/sh";
		id.exe_ino = st.st_ino + 1;
		EXPECT(!rule_excepts_process(r, &id));
	}
	/* a path not on this machine is compared as a path */
	id.exe = "/no/such/daemon";
	EXPECT(rule_excepts_process(r, &id));

	expect_one_error("version: 1\n"
			 "identifiers:\n"
			 "  - name: a\n"
			 "    files: [/etc/a]\n"
			 "rules:\n"
			 "  - name: r\n"
			 "    identifiers: any\n"
			 "    processes:\n"
			 "      except: [{uid: -3}]\n",
			 "t.yaml:9:22: error: invalid uid '-3' (expected a number)");
	expect_one_error("version: 1\n"
			 "identifiers:\n"
			 "  - name: a\n"
			 "    files: [/etc/a]\n"
			 "rules:\n"
			 "  - name: r\n"
			 "    identifiers: any\n"
			 "    processes:\n"
			 "      except: [{user: 3}]\n",
			 "t.yaml:9:17: error: unknown key 'user' in process exception (expected one "
			 "of exe, uid, package, comm)");
}

static void test_diag_print(void)
{
	struct diag_list d = { 0 };
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	EXPECT_INT(1, load("rules:\n"
			   "  - name: r\n"
			   "    action: explode\n"));
	f = open_memstream(&out, &len);
	diag_print(&dl, f);
	fclose(f);
	EXPECT_STR("t.yaml:3:13: error: unknown action 'explode' (expected alert, block or kill)\n"
		   "      action: explode\n"
		   "              ^\n"
		   "1 error\n",
		   out);
	free(out);

	/* Tabs are kept so the caret lines up; a whole-file error has no position. */
	EXPECT_INT(0, diag_add(&d, "x.yaml", 2, 5, "bad %s", "thing"));
	d.items[0].source = strdup("\tab\tcd");
	EXPECT_INT(0, diag_add(&d, "y.yaml", 0, 0, "cannot read policy file: %s", "denied"));
	EXPECT_INT(0, diag_add(&d, "z.yaml", 1, 3, "multibyte"));
	d.items[2].source = strdup("\xc3\xa9\xc3\xa9x");
	out = NULL;
	f = open_memstream(&out, &len);
	diag_print(&d, f);
	fclose(f);
	EXPECT_STR("x.yaml:2:5: error: bad thing\n"
		   "  \tab\tcd\n"
		   "  \t  \t^\n"
		   "y.yaml: error: cannot read policy file: denied\n"
		   "z.yaml:1:3: error: multibyte\n"
		   "  \xc3\xa9\xc3\xa9x\n"
		   "    ^\n"
		   "3 errors\n",
		   out);
	free(out);
	diag_list_free(&d);

	out = NULL;
	f = open_memstream(&out, &len);
	diag_print(&d, f);
	fclose(f);
	EXPECT_STR("", out);
	free(out);
}

/* quiet entries: the protocol, the identifiers (a later file's too), why; each missing part named. */
static void test_quiet(void)
{
	EXPECT_INT(0, load("version: 1\n"
			   "quiet:\n"
			   "  - name: dhcp-client\n"
			   "    protocol: dhcp\n"
			   "    identifiers: [mac, other]\n"
			   "    exe: [/usr/sbin/dhclient]\n"
			   "    why: chaddr carries the MAC\n"
			   "identifiers:\n"
			   "  - {name: other, files: [/b]}\n"
			   "  - {name: mac, files: [/a]}\n"));
	EXPECT_INT(1, pol.n_quiet);
	if (pol.n_quiet) {
		EXPECT_INT(QUIET_DHCP, pol.quiet[0].protocol);
		EXPECT_INT(3, pol.quiet[0].ident_mask);
		EXPECT_STR("chaddr carries the MAC", pol.quiet[0].why);
		EXPECT(quiet_applies_to(&pol.quiet[0], "/usr/sbin/dhclient"));
		EXPECT(!quiet_applies_to(&pol.quiet[0], "/tmp/dhclient"));
		EXPECT(!quiet_applies_to(&pol.quiet[0], NULL));
	}
	EXPECT_INT(4, load("version: 1\n"
			   "identifiers: [{name: mac, files: [/a]}]\n"
			   "quiet:\n"
			   "  - {name: a, protocol: dns, identifiers: [mac], why: x}\n"
			   "  - {name: b, protocol: arp, identifiers: [nope], why: x}\n"
			   "  - {name: c, protocol: arp, identifiers: [mac]}\n"
			   "  - {name: d, protocol: arp, identifiers: [mac], why: x, exe: [rel]}\n"));
	EXPECT_CONTAINS(diag_at(0), "unknown quiet protocol 'dns' (expected one of dhcp, dhcpv6, "
				    "arp, ndp, lldp)");
	EXPECT_CONTAINS(diag_at(1), "unknown identifier 'nope'");
	EXPECT_CONTAINS(diag_at(2), "quiet entry has no 'why'");
	EXPECT_CONTAINS(diag_at(3), "path 'rel' in 'exe' must be absolute");
}

/* derived_files.expire: a duration; anything else is named. */
static void test_derived_files(void)
{
	EXPECT_INT(0, load("version: 1\nderived_files:\n  expire: 30d\n"));
	EXPECT_INT(30ULL * 86400 * 1000000000ULL, pol.derived_expire_ns);
	EXPECT_INT(0, load("version: 1\n"));
	EXPECT_INT(0, pol.derived_expire_ns);
	expect_one_error("version: 1\nderived_files:\n  expire: soon\n",
			 "t.yaml:3:11: error: invalid duration 'soon' for derived_files.expire "
			 "(expected e.g. 12h, 30d)");
	expect_one_error("version: 1\nderived_files: 30d\n",
			 "t.yaml:2:16: error: 'derived_files' must be a mapping (e.g. expire: 30d)");
	expect_one_error("version: 1\nderived_files:\n  expiry: 30d\n",
			 "t.yaml:3:3: error: unknown key 'expiry' in derived_files (expected expire)");
}

int main(void)
{
	test_derived_files();
	test_quiet();
	test_binder();
	test_process_exceptions();
	test_valid_policy();
	test_defaults_and_empty();
	test_syntax_error();
	test_unknown_keys();
	test_unknown_action_and_severity();
	test_unknown_identifier();
	test_bad_destinations();
	test_bad_duration();
	test_wrong_types();
	test_many_errors_collected();
	test_too_many_identifiers();
	test_two_files();
	test_shipped_policies();
	test_diag_print();
	policy_free(&pol);
	diag_list_free(&dl);
	return tl_summary("test_policy");
}
