// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* filevalues: the values in identifier files that are tables (/proc/net/arp, the SMBIOS table,
 * udev's database entries of block devices, the /dev/disk/by-id directory, SCSI VPD pages). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "filevalues.h"

/* /proc/net/arp, or a process's own view of it (/proc/PID/net/arp, /proc/self/net/arp). */
static int is_arp_table(const char *path)
{
	size_t n = strlen(path);

	return !strncmp(path, "/proc/", 6) && n >= 8 && !strcmp(path + n - 8, "/net/arp");
}

/* The kernel's raw SMBIOS table, or a dump of one (dmidecode --dump-bin) named DMI or *.dmi. */
static int is_dmi_table(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	return !strcmp(base, "DMI") || (n > 4 && !strcmp(base + n - 4, ".dmi"));
}

/* udev's database entry of a block device: <dir>/udev/data/b<major>:<minor> (/run/udev/data,
 * or the same tree under another root), what libudev reads for lsblk, udisks and the like. */
static int is_udev_block_entry(const char *path)
{
	static const char dir[] = "/udev/data/b";
	const char *base = strrchr(path, '/'), *p;
	size_t n = strlen(path), d = sizeof(dir) - 1;
	int colons = 0, digits = 0;

	if (!base || (size_t)(base + 2 - path) < d || strncmp(base + 2 - d, dir, d))
		return 0;
	for (p = base + 2; p < path + n; p++) {
		if (*p == ':' && digits && !colons)
			colons = 1, digits = 0;
		else if (*p >= '0' && *p <= '9')
			digits++;
		else
			return 0;
	}
	return colons && digits;
}

/* The directory of persistent disk names that udev's rules make from each disk's serial and WWN
 * (/dev/disk/by-id, or the same tree under another root): a listing of it holds them. */
static int is_by_id_dir(const char *path)
{
	static const char dir[] = "/disk/by-id";
	size_t n = strlen(path), d = sizeof(dir) - 1;

	while (n > 1 && path[n - 1] == '/')
		n--;
	return n >= d && !strncmp(path + n - d, dir, d);
}

/* A SCSI device's Vital Product Data page in sysfs (/sys/block/sda/device/vpd_pg80: the unit
 * serial number; vpd_pg83: the device identification, its WWN among them), as the kernel keeps
 * it from the INQUIRY reply: 0x80 or 0x83, or 0. */
static int vpd_page_of(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strcmp(base, "vpd_pg80") ? 0x80 : !strcmp(base, "vpd_pg83") ? 0x83 : 0;
}

int filevalues_is_table(const char *path)
{
	return path && (is_arp_table(path) || is_dmi_table(path) || is_udev_block_entry(path) ||
			is_by_id_dir(path) || vpd_page_of(path));
}

static int is_mac(const char *s, size_t n)
{
	size_t i;

	if (n != 17)
		return 0;
	for (i = 0; i < n; i++) {
		int hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
			  (s[i] >= 'A' && s[i] <= 'F');

		if (i % 3 == 2 ? s[i] != ':' : !hex)
			return 0;
	}
	return strncmp(s, "00:00:00:00:00:00", 17) != 0;
}

/* "IP address  HW type  Flags  HW address  Mask  Device": the fourth column of each line after
 * the header; incomplete entries (all zeros) are skipped. */
static size_t arp_values(const uint8_t *text, size_t len, filevalue_fn fn, void *ctx)
{
	const char *s = (const char *)text, *end = s + len, *line, *eol;
	size_t found = 0;

	for (line = s; line < end; line = eol + 1) {
		const char *p = line, *word = NULL;
		int col;

		eol = memchr(line, '\n', (size_t)(end - line));
		if (!eol)
			eol = end;
		if (line == s)
			continue; /* the header */
		for (col = 0; col < 4 && p < eol; col++) {
			while (p < eol && (*p == ' ' || *p == '\t'))
				p++;
			word = p;
			while (p < eol && *p != ' ' && *p != '\t')
				p++;
		}
		if (col == 4 && word && is_mac(word, (size_t)(p - word))) {
			fn(ctx, NULL, (const uint8_t *)word, (size_t)(p - word));
			found++;
		}
	}
	return found;
}

/* SMBIOS structures: type, length of the formatted part, handle, the formatted part, then its
 * strings (each NUL-ended, a second NUL ending the set), numbered from 1. */
#define DMI_SYSTEM 1
#define DMI_BOARD 2
#define DMI_CHASSIS 3
#define DMI_END 127
#define DMI_SERIAL_AT 0x07 /* the serial's string number, in all three */
#define DMI_UUID_AT 0x08   /* the system UUID, 16 bytes (SMBIOS 2.1+) */
#define DMI_DUMP_TABLE_AT 32 /* dmidecode --dump-bin: the entry point, then the table at 0x20 */

/* String number k (1-based) of the structure whose strings start at s; NULL if none. */
static const char *dmi_string(const uint8_t *s, const uint8_t *end, unsigned int k, size_t *len)
{
	const uint8_t *p = s;

	if (!k)
		return NULL;
	while (p < end && *p) {
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));

		if (!nul)
			return NULL;
		if (--k == 0) {
			*len = (size_t)(nul - p);
			return (const char *)p;
		}
		p = nul + 1;
	}
	return NULL;
}

/* Vendors' placeholders are no identifier of anything. */
static int dmi_placeholder(const char *v, size_t n)
{
	static const char *const words[] = {
		"Not Specified", "To Be Filled By O.E.M.", "Default string", "None", "System Serial Number",
		"Chassis Serial Number", "Not Applicable", "0123456789", "N/A", NULL,
	};
	size_t i;

	while (n && v[n - 1] == ' ')
		n--;
	if (n < 4)
		return 1;
	for (i = 0; words[i]; i++)
		if (strlen(words[i]) == n && !strncasecmp(v, words[i], n))
			return 1;
	return 0;
}

/* The UUID as the kernel's product_uuid shows it: the first three fields little-endian (SMBIOS
 * 2.6 and later), lower case; all zeros or all ones mean none. */
static size_t dmi_uuid(const uint8_t *u, char *out)
{
	static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	int zeros = 1, ones = 1, i, n = 0;

	for (i = 0; i < 16; i++) {
		zeros &= u[i] == 0;
		ones &= u[i] == 0xff;
	}
	if (zeros || ones)
		return 0;
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[n++] = '-';
		n += snprintf(out + n, 3, "%02x", u[order[i]]);
	}
	return (size_t)n;
}

static size_t dmi_values(const uint8_t *t, size_t len, filevalue_fn fn, void *ctx)
{
	size_t off = 0, found = 0, guard;

	if (len >= DMI_DUMP_TABLE_AT && (!memcmp(t, "_SM3_", 5) || !memcmp(t, "_SM_", 4)))
		off = DMI_DUMP_TABLE_AT;
	for (guard = 0; off + 4 <= len && guard < 4096; guard++) {
		unsigned int type = t[off], flen = t[off + 1];
		const uint8_t *strings = t + off + flen, *end = t + len, *next;
		const char *serial = NULL, *field = NULL;
		size_t n = 0;
		char uuid[40];

		if (flen < 4 || off + flen > len)
			break;
		/* the strings end at the first double NUL */
		for (next = strings; next + 1 < end && (next[0] || next[1]); next++)
			;
		if (next + 1 >= end)
			break;
		if (type == DMI_SYSTEM || type == DMI_BOARD || type == DMI_CHASSIS) {
			if (flen > DMI_SERIAL_AT)
				serial = dmi_string(strings, next + 1, t[off + DMI_SERIAL_AT], &n);
			field = type == DMI_SYSTEM ? "product_serial"
				: type == DMI_BOARD ? "board_serial" : "chassis_serial";
			if (serial && !dmi_placeholder(serial, n)) {
				fn(ctx, field, (const uint8_t *)serial, n);
				found++;
			}
		}
		if (type == DMI_SYSTEM && flen >= DMI_UUID_AT + 16 && (n = dmi_uuid(t + off + DMI_UUID_AT, uuid))) {
			fn(ctx, "product_uuid", (const uint8_t *)uuid, n);
			found++;
		}
		if (type == DMI_END)
			break;
		off = (size_t)(next + 2 - t);
	}
	return found;
}

/* The properties of a udev database entry that identify the disk itself: what the
 * persistent-storage rules and their helpers (ata_id, scsi_id, the NVMe and virtio attributes)
 * import, what lsblk shows as SERIAL and WWN and /dev/disk/by-id names are made of. Model, vendor,
 * path and filesystem properties are no disk's serial. */
static const char *const udev_serial_keys[] = {
	"ID_SERIAL", "ID_SERIAL_SHORT", "ID_SCSI_SERIAL", "ID_WWN", "ID_WWN_WITH_EXTENSION",
	"ID_USB_SERIAL", "ID_USB_SERIAL_SHORT", "SCSI_IDENT_SERIAL", NULL,
};

/* A value too short, or only zeros (an unset WWN: 0x0000000000000000), identifies nothing. */
static int udev_value_is_blank(const char *v, size_t n)
{
	size_t i;

	if (n >= 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		v += 2, n -= 2;
	if (n < 4)
		return 1;
	for (i = 0; i < n; i++)
		if (v[i] != '0' && v[i] != ' ' && v[i] != '_' && v[i] != '-' && v[i] != '.')
			return 0;
	return 1;
}

/* One entry per line, "<kind>:<data>"; properties are "E:KEY=VALUE" (udev's device_write_db).
 * A line without its newline may have been cut (the file was longer than what was read, or was
 * being replaced): a prefix of a serial is no value, so it is skipped. */
static size_t udev_values(const uint8_t *text, size_t len, filevalue_fn fn, void *ctx)
{
	const char *s = (const char *)text, *end = s + len, *line, *eol;
	size_t found = 0, k;

	for (line = s; line < end; line = eol + 1) {
		const char *eq, *key = line + 2;

		eol = memchr(line, '\n', (size_t)(end - line));
		if (!eol)
			break;
		if (eol - line < 4 || line[0] != 'E' || line[1] != ':')
			continue;
		eq = memchr(key, '=', (size_t)(eol - key));
		if (!eq)
			continue;
		for (k = 0; udev_serial_keys[k]; k++)
			if (strlen(udev_serial_keys[k]) == (size_t)(eq - key) &&
			    !memcmp(key, udev_serial_keys[k], (size_t)(eq - key)))
				break;
		if (!udev_serial_keys[k] || udev_value_is_blank(eq + 1, (size_t)(eol - eq - 1)))
			continue;
		fn(ctx, udev_serial_keys[k], (const uint8_t *)eq + 1, (size_t)(eol - eq - 1));
		found++;
	}
	return found;
}

/* The name kinds of udev's persistent-storage rules whose rest is a disk's own serial or WWN:
 * <bus>-<ID_SERIAL> (ata-, nvme-, scsi-, usb-, virtio-, mmc-…), wwn-<ID_WWN_WITH_EXTENSION>,
 * nvme-eui.<EUI-64>. Device-mapper, LVM and RAID names (dm-, lvm-pv-uuid-, md-uuid-) hold
 * identifiers software made, and edd- a BIOS drive number: no disk's. */
static const char *const by_id_kinds[] = {
	"ata-", "nvme-", "scsi-", "usb-", "virtio-", "mmc-", "ieee1394-", "memstick-", "wwn-",
	"cciss-", "ccw-", NULL,
};

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* Where the last word of v[0..len) after a separator sep starts (v when there is none). */
static const char *last_word(const char *v, size_t len, char sep)
{
	const char *w = v + len;

	while (w > v && w[-1] != sep)
		w--;
	return w;
}

/* One name of the directory: the serial it is made of, without the partition (-part2), the USB
 * LUN (-0:0) or the NVMe namespace (_1) after it; then the serial's last "_" word alone, when the
 * name is vendor_model_serial (ATA, NVMe, USB: the word ID_SERIAL_SHORT holds). */
static size_t by_id_name_values(const char *name, size_t n, filevalue_fn fn, void *ctx)
{
	const char *v, *w, *colon;
	size_t k, kind_len = 0, len, wlen, found = 0;

	for (k = 0; by_id_kinds[k]; k++) {
		kind_len = strlen(by_id_kinds[k]);
		if (n > kind_len && !strncmp(name, by_id_kinds[k], kind_len))
			break;
	}
	if (!by_id_kinds[k])
		return 0;
	v = name + kind_len;
	len = n - kind_len;
	w = last_word(v, len, '-');
	if (w > v + 1 && (size_t)(v + len - w) > 4 && !strncmp(w, "part", 4) &&
	    all_digits(w + 4, (size_t)(v + len - w - 4)))
		len = (size_t)(w - 1 - v);
	w = last_word(v, len, '-');
	colon = memchr(w, ':', (size_t)(v + len - w));
	if (!strcmp(by_id_kinds[k], "usb-") && w > v + 1 && colon &&
	    all_digits(w, (size_t)(colon - w)) && all_digits(colon + 1, (size_t)(v + len - colon - 1)))
		len = (size_t)(w - 1 - v);
	if (!strcmp(by_id_kinds[k], "nvme-")) {
		/* the namespace: nvme-<ID_SERIAL>_1; the EUI-64 as hex: nvme-eui.0025388b91b2c3d4 */
		w = last_word(v, len, '_');
		if (w > v + 1 && (size_t)(v + len - w) <= 3 && all_digits(w, (size_t)(v + len - w)))
			len = (size_t)(w - 1 - v);
		if (len > 4 && !strncmp(v, "eui.", 4))
			v += 4, len -= 4;
	}
	if (udev_value_is_blank(v, len))
		return 0;
	fn(ctx, "by-id", (const uint8_t *)v, len);
	found++;
	/* the serial alone, after the vendor and model */
	w = last_word(v, len, '_');
	wlen = (size_t)(v + len - w);
	if (w > v && wlen >= 6 && !udev_value_is_blank(w, wlen)) {
		fn(ctx, "by-id", (const uint8_t *)w, wlen);
		found++;
	}
	return found;
}

/* A listing of the directory, one name a line (as filevalues_read writes it). */
static size_t by_id_values(const uint8_t *text, size_t len, filevalue_fn fn, void *ctx)
{
	const char *s = (const char *)text, *end = s + len, *line, *eol;
	size_t found = 0;

	for (line = s; line < end; line = eol + 1) {
		eol = memchr(line, '\n', (size_t)(end - line));
		if (!eol)
			eol = end;
		found += by_id_name_values(line, (size_t)(eol - line), fn, ctx);
	}
	return found;
}

/* A designator's bytes in hex, "0x"-prefixed as udev writes a WWN (ID_WWN) when prefix is set; 0
 * when they are all zeros. */
static size_t vpd_hex(const uint8_t *d, size_t n, int prefix, char *out)
{
	size_t i, at = 0, zeros = 1;

	for (i = 0; i < n; i++)
		zeros &= d[i] == 0;
	if (zeros)
		return 0;
	if (prefix)
		out[at++] = '0', out[at++] = 'x';
	for (i = 0; i < n; i++)
		at += (size_t)snprintf(out + at, 3, "%02x", d[i]);
	return at;
}

/* Page 0x80: header (device type, page code, length), then the serial, space-padded. Page 0x83:
 * designation descriptors (code set, association and type, length, designator): an NAA name of
 * the disk itself (association 0) is its WWN, written as udev's ID_WWN and, for a 16-byte one,
 * ID_WWN_WITH_EXTENSION; an EUI-64 in hex; a T10 vendor identification ends with the serial
 * (vendor, product, serial, as ATA disks behind libata give it). SPC-4, 7.8.6 and 7.8.16. */
static size_t vpd_values(const uint8_t *t, size_t len, int page, filevalue_fn fn, void *ctx)
{
	size_t end, off, found = 0;
	char hex[2 + 32 + 1];

	if (len < 4 || t[1] != page)
		return 0;
	end = 4 + ((size_t)t[2] << 8 | t[3]);
	/* a page cut short: its serial may be a prefix, no value */
	if (end > len && page == 0x80)
		return 0;
	if (end > len)
		end = len;
	if (page == 0x80) {
		const uint8_t *v = t + 4, *e = t + end;

		while (v < e && (*v == ' ' || *v == 0))
			v++;
		while (e > v && (e[-1] == ' ' || e[-1] == 0))
			e--;
		if (!udev_value_is_blank((const char *)v, (size_t)(e - v))) {
			fn(ctx, "vpd_pg80", v, (size_t)(e - v));
			found++;
		}
		return found;
	}
	for (off = 4; off + 4 <= end; off += 4 + t[off + 3]) {
		unsigned int codeset = t[off] & 0xf, type = t[off + 1] & 0xf;
		unsigned int assoc = (t[off + 1] >> 4) & 3, dl = t[off + 3];
		const uint8_t *d = t + off + 4;
		size_t n;

		if (off + 4 + dl > end)
			break;
		if (type == 3 && codeset == 1 && assoc == 0 && (dl == 8 || dl == 16)) {
			if ((n = vpd_hex(d, 8, 1, hex))) {
				fn(ctx, "vpd_pg83", (const uint8_t *)hex, n);
				found++;
			}
			if (dl == 16 && (n = vpd_hex(d, 16, 1, hex))) {
				fn(ctx, "vpd_pg83", (const uint8_t *)hex, n);
				found++;
			}
		} else if (type == 2 && codeset == 1 && assoc == 0 && (dl == 8 || dl == 12 || dl == 16)) {
			if ((n = vpd_hex(d, dl, 0, hex))) {
				fn(ctx, "vpd_pg83", (const uint8_t *)hex, n);
				found++;
			}
		} else if (type == 1 && codeset == 2 && assoc == 0) {
			const uint8_t *e = d + dl, *w;

			while (e > d && (e[-1] == ' ' || e[-1] == 0))
				e--;
			for (w = e; w > d && w[-1] != ' '; w--)
				;
			/* the serial after vendor and product, not a vendor name alone */
			if (w > d && e - w >= 6 && !udev_value_is_blank((const char *)w, (size_t)(e - w))) {
				fn(ctx, "vpd_pg83", w, (size_t)(e - w));
				found++;
			}
		}
	}
	return found;
}

size_t filevalues_each(const char *path, const uint8_t *text, size_t len, filevalue_fn fn,
		       void *ctx)
{
	if (!path)
		return 0;
	if (is_arp_table(path))
		return arp_values(text, len, fn, ctx);
	if (is_udev_block_entry(path))
		return udev_values(text, len, fn, ctx);
	if (is_by_id_dir(path))
		return by_id_values(text, len, fn, ctx);
	if (vpd_page_of(path))
		return vpd_values(text, len, vpd_page_of(path), fn, ctx);
	return is_dmi_table(path) ? dmi_values(text, len, fn, ctx) : 0;
}

int filevalues_field_is(const char *field, const char *name, char *const *files, size_t n)
{
	static const char *const fields[] = { "product_serial", "product_uuid", "board_serial",
					      "chassis_serial", NULL };
	size_t i, k, flen;
	int any = 0;

	if (!field)
		return 1;
	/* a field of another kind of table (a udev property) belongs to whoever watches its file */
	for (k = 0; fields[k] && strcmp(fields[k], field); k++)
		;
	if (!fields[k])
		return 1;
	for (k = 0; fields[k]; k++) {
		int named = 1;

		flen = strlen(fields[k]);
		for (i = 0; name && (name[i] || i < flen); i++)
			if (i >= flen || !name[i] || (name[i] == '-' ? '_' : name[i]) != fields[k][i]) {
				named = 0;
				break;
			}
		for (i = 0; !named && i < n; i++) {
			size_t len = strlen(files[i]);

			named = len > flen && files[i][len - flen - 1] == '/' &&
				!strcmp(files[i] + len - flen, fields[k]);
		}
		if (named && !strcmp(fields[k], field))
			return 1;
		any |= named;
	}
	return !any;
}

/* The names in a directory, one a line, as much of them as fits in buf; -errno when it cannot be
 * listed. */
static long list_dir(const char *path, uint8_t *buf, size_t size)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t have = 0, n;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		n = strlen(e->d_name);
		if (e->d_name[0] == '.' || have + n + 1 > size)
			continue;
		memcpy(buf + have, e->d_name, n);
		buf[have + n] = '\n';
		have += n + 1;
	}
	closedir(d);
	return (long)have;
}

long filevalues_read(const char *path, filevalue_fn fn, void *ctx)
{
	uint8_t *buf = malloc(FILEVALUES_MAX_BYTES);
	size_t have = 0;
	ssize_t n = 0;
	long found;
	int fd;

	if (!buf)
		return -ENOMEM;
	if (is_by_id_dir(path)) {
		found = list_dir(path, buf, FILEVALUES_MAX_BYTES);
		if (found >= 0)
			found = (long)filevalues_each(path, buf, (size_t)found, fn, ctx);
		free(buf);
		return found;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		found = -errno;
		free(buf);
		return found;
	}
	/* procfs gives a table a page or so per read */
	while (have < FILEVALUES_MAX_BYTES &&
	       (n = read(fd, buf + have, FILEVALUES_MAX_BYTES - have)) > 0)
		have += (size_t)n;
	found = n < 0 ? -errno : (long)filevalues_each(path, buf, have, fn, ctx);
	close(fd);
	free(buf);
	return found;
}
