/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* filevalues: identifier files that hold a table of values rather than one value: the kernel's
 * ARP table (/proc/net/arp lists the neighbours' MACs, the router's among them) and the raw
 * SMBIOS/DMI table (/sys/firmware/dmi/tables/DMI, or a dmidecode --dump-bin file named DMI or
 * *.dmi, which dmidecode reads: the system, board and chassis serials and the system UUID), and
 * udev's database entry of a block device (/run/udev/data/b<major>:<minor>, which libudev reads
 * for lsblk: its serial and WWN properties, not its model or paths), and the /dev/disk/by-id
 * directory (the names udev makes of each disk's serial and WWN: a listing of it holds them; its
 * text is the names, one a line), and a SCSI disk's VPD pages in sysfs (vpd_pg80: its serial;
 * vpd_pg83: its WWN and other names, binary).
 * Which files they are, and the values in them, each with the field it came from. */
#ifndef IDSENTRY_FILEVALUES_H
#define IDSENTRY_FILEVALUES_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of a table file read for its values (the ARP table of a busy router fits). */
#define FILEVALUES_MAX_BYTES (64u << 10)

/* field: where in the table the value was ("product_serial", "product_uuid", "board_serial",
 * "chassis_serial": the names of the sysfs files that hold them; the property's name in a udev
 * entry: "ID_SERIAL_SHORT", "ID_WWN"…; "by-id" for a name in /dev/disk/by-id; "vpd_pg80",
 * "vpd_pg83"), NULL when the table has one kind of value (the ARP table). */
typedef void (*filevalue_fn)(void *ctx, const char *field, const uint8_t *value, size_t len);

/* Whether path names a table file (its values come from filevalues_each, not the whole text). */
int filevalues_is_table(const char *path);
/* Calls fn for each value in a table file's text; returns how many. */
size_t filevalues_each(const char *path, const uint8_t *text, size_t len, filevalue_fn fn,
		       void *ctx);
/* Whether a value from 'field' belongs to the identifier named 'name' whose files are files[n]:
 * any value when field is NULL; else the identifier named for the field (product-serial) or
 * watching the sysfs file of that name (/sys/class/dmi/id/product_serial); an identifier that is
 * none of the fields' (a policy's own "dmi" identifier) takes every value; a udev property's value
 * belongs to every identifier watching the file. */
int filevalues_field_is(const char *field, const char *name, char *const *files, size_t n);
/* Reads a table file (at most FILEVALUES_MAX_BYTES; a directory's names) and calls fn for each
 * value; returns how many, or -errno when it cannot be read. */
long filevalues_read(const char *path, filevalue_fn fn, void *ctx);

#endif
