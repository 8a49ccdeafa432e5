// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fuzz_filevalues: table files (filevalues.c) from arbitrary bytes. The first byte chooses the
 * table (the ARP table, an SMBIOS table, a udev database entry, a /dev/disk/by-id listing, SCSI
 * VPD pages 0x80 and 0x83), the rest is its text. Every value is a non-empty run of the input's
 * own bytes (the DMI UUID and a VPD page's binary names are written out, so only their form is
 * checked); a udev value is a whole line's "E:KEY=" tail,
 * NUL- and newline-free, of a key that names a serial, and never a cut line's; a by-id value lies
 * within one name, after its kind's dash. */
#include <stdint.h>
#include <string.h>

#include "filevalues.h"
#include "fuzz.h"

struct seen {
	const uint8_t *text;
	size_t len;
	int udev, by_id;
	size_t count;
};

static void check_value(void *ctx, const char *field, const uint8_t *v, size_t n)
{
	struct seen *s = ctx;
	int inside = v >= s->text && v + n <= s->text + s->len;

	s->count++;
	FUZZ_CHECK(n > 0, "an empty value from field %s", field ? field : "(none)");
	if (field && !strcmp(field, "product_uuid")) {
		FUZZ_CHECK(n == 36 && v[8] == '-' && v[13] == '-' && v[18] == '-' && v[23] == '-',
			   "a UUID of %zu bytes", n);
		return;
	}
	if (field && !strcmp(field, "vpd_pg83") && !inside) {
		size_t i = n > 2 && v[0] == '0' && v[1] == 'x' ? 2 : 0;

		FUZZ_CHECK(n - i == 16 || n - i == 24 || n - i == 32, "a VPD name of %zu bytes", n);
		for (; i < n; i++)
			FUZZ_CHECK((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f'),
				   "a VPD name not in hex");
		return;
	}
	FUZZ_CHECK(inside, "a value of %zu bytes outside the %zu-byte input", n, s->len);
	if (s->by_id && inside) {
		FUZZ_CHECK(field && !strcmp(field, "by-id") && !memchr(v, '\n', n),
			   "a by-id value spanning names");
		FUZZ_CHECK(v > s->text && v[-1] != '\n', "a by-id value with its name's kind");
	}
	if (!s->udev || !inside)
		return;
	FUZZ_CHECK(field && !memchr(v, '\n', n), "a udev value spanning lines");
	FUZZ_CHECK(v + n < s->text + s->len && v[n] == '\n', "a udev value not ended by its newline");
	FUZZ_CHECK(v - s->text >= (long)strlen(field) + 3 && v[-1] == '=' &&
			   !memcmp(v - 1 - strlen(field), field, strlen(field)) &&
			   v[-3 - (long)strlen(field)] == 'E' && v[-2 - (long)strlen(field)] == ':' &&
			   (v - 3 - (long)strlen(field) == s->text ||
			    v[-4 - (long)strlen(field)] == '\n'),
		   "a udev value not on an E:%s= line", field);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "/proc/net/arp", "/sys/firmware/dmi/tables/DMI",
					     "/run/udev/data/b8:0", "/dev/disk/by-id",
					     "/sys/block/sda/device/vpd_pg80",
					     "/sys/block/sda/device/vpd_pg83" };
	struct seen s;
	size_t n;

	if (size < 1)
		return 0;
	s.text = data + 1;
	s.len = size - 1;
	s.udev = data[0] % 6 == 2;
	s.by_id = data[0] % 6 == 3;
	s.count = 0;
	n = filevalues_each(paths[data[0] % 6], s.text, s.len, check_value, &s);
	FUZZ_CHECK(n == s.count, "%zu values returned, %zu given", n, s.count);
	return 0;
}
