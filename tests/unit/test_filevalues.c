/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_filevalues: the MACs of an ARP table as /proc/net/arp prints it (incomplete entries,
 * tabs, a line cut short), the serials and UUID of an SMBIOS table, the serial properties of a
 * udev database entry, the names of /dev/disk/by-id, SCSI VPD pages, and paths that are not
 * tables. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "filevalues.h"
#include "testlib.h"

static char got[8][48];
static int n_got;

static const char *fields[8];

static void collect(void *ctx, const char *field, const uint8_t *v, size_t len)
{
	(void)ctx;
	fields[n_got < 8 ? n_got : 7] = field;
	if (n_got < 8 && len < sizeof(got[0])) {
		memcpy(got[n_got], v, len);
		got[n_got][len] = 0;
		n_got++;
	}
}

/* dir (a mkdtemp template) made, with dir/a/b in it. */
static void scratch_tree(char *dir, const char *a, const char *b)
{
	char path[160];

	EXPECT(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/%s", dir, a);
	EXPECT_INT(0, mkdir(path, 0700));
	snprintf(path, sizeof(path), "%s/%s/%s", dir, a, b);
	EXPECT_INT(0, mkdir(path, 0700));
}

/* Removes what scratch_tree made (emptied by the caller). */
static void scratch_tree_remove(const char *dir, const char *a, const char *b)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s/%s", dir, a, b);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/%s", dir, a);
	rmdir(path);
	rmdir(dir);
}

/* An SMBIOS table as dmidecode --dump-bin writes it (entry point, table at 0x20): a system
 * structure with a serial and a UUID, a board with a placeholder serial, a chassis, the end. The
 * layout follows the DMTF's SMBIOS reference specification (DSP0134). */
static void test_dmi(void)
{
	static const uint8_t table[] = {
		'_', 'S', 'M', '3', '_', 0, 0x18, 3, 2, 0, 1, 0, 0, 0, 0, 0, 32, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
		/* type 1, length 0x1b, handle 0x100: strings 1-4, the UUID, wake-up, SKU, family */
		1, 0x1b, 0x00, 0x01, 1, 2, 3, 4,
		0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
		0x1e, 0x1f, 6, 0, 0,
		'A', 'c', 'm', 'e', 0, 'B', 'o', 'x', 0, '1', 0, 'S', 'N', '-', 'B', 'O', 'X', '-', '7',
		0, 0,
		/* type 2: the serial is a vendor's placeholder */
		2, 8, 0x00, 0x02, 1, 2, 3, 1,
		'T', 'o', ' ', 'B', 'e', ' ', 'F', 'i', 'l', 'l', 'e', 'd', ' ', 'B', 'y', ' ', 'O', '.',
		'E', '.', 'M', '.', 0, 0,
		/* type 3: the serial is string 1 */
		3, 9, 0x00, 0x03, 1, 3, 1, 1, 0,
		'C', 'H', 'S', '-', '4', '4', '1', '0', 0, 0,
		127, 4, 0x00, 0x7f, 0, 0,
	};

	n_got = 0;
	EXPECT(filevalues_is_table("/sys/firmware/dmi/tables/DMI"));
	EXPECT(filevalues_is_table("/tmp/x/laptop.dmi"));
	EXPECT(!filevalues_is_table("/tmp/x/DMI.txt"));
	EXPECT_INT(3, filevalues_each("/tmp/DMI", table, sizeof(table), collect, NULL));
	EXPECT_STR("SN-BOX-7", got[0]);
	EXPECT_STR("product_serial", fields[0]);
	EXPECT_STR("13121110-1514-1716-1819-1a1b1c1d1e1f", got[1]);
	EXPECT_STR("product_uuid", fields[1]);
	EXPECT_STR("CHS-4410", got[2]);
	EXPECT_STR("chassis_serial", fields[2]);
	/* the raw table (sysfs) has no entry point; a table cut anywhere ends the walk cleanly */
	for (size_t cut = 0; cut < sizeof(table); cut++) {
		n_got = 0;
		filevalues_each("/tmp/DMI", table, cut, collect, NULL);
		EXPECT(n_got <= 3);
	}
	n_got = 0;
	EXPECT_INT(3, filevalues_each("/tmp/DMI", table + 32, sizeof(table) - 32, collect, NULL));

	/* which identifier a field's value is */
	{
		char *sysfs[] = { "/sys/class/dmi/id/board_serial" }, *dmi[] = { "/sys/firmware/dmi/tables/DMI" };

		EXPECT(filevalues_field_is("product_serial", "product-serial", dmi, 1));
		EXPECT(!filevalues_field_is("product_uuid", "product-serial", dmi, 1));
		EXPECT(filevalues_field_is("board_serial", "mainboard", sysfs, 1));
		EXPECT(!filevalues_field_is("chassis_serial", "mainboard", sysfs, 1));
		EXPECT(filevalues_field_is("chassis_serial", "dmi", dmi, 1));
		EXPECT(filevalues_field_is(NULL, "router-mac", dmi, 1));
	}
}

/* A SATA disk's entry as systemd-udevd 252 writes it (device_write_db: symlinks, then I:, then
 * E: properties, tags), with the serial properties among model, path, partition-table and
 * encoded ones, an unset WWN, and a line cut short at the end. */
static void test_udev(void)
{
	static const char entry[] =
		"S:disk/by-id/ata-Acme_SSD_860_S3Z9NB0K123456X\n"
		"S:disk/by-path/pci-0000:00:17.0-ata-1\n"
		"W:3\n"
		"I:5108722\n"
		"E:ID_ATA=1\n"
		"E:ID_TYPE=disk\n"
		"E:ID_BUS=ata\n"
		"E:ID_MODEL=Acme_SSD_860\n"
		"E:ID_MODEL_ENC=Acme\\x20SSD\\x20860\n"
		"E:ID_REVISION=RVT01B6Q\n"
		"E:ID_SERIAL=Acme_SSD_860_S3Z9NB0K123456X\n"
		"E:ID_SERIAL_SHORT=S3Z9NB0K123456X\n"
		"E:ID_WWN=0x5002538e40a1b2c3\n"
		"E:ID_WWN_VENDOR_EXTENSION=0x0000000000000000\n"
		"E:ID_PATH=pci-0000:00:17.0-ata-1\n"
		"E:ID_PART_TABLE_UUID=8d1c3a52-0b7e-4b43-9b5c-2f5a3c0e1d11\n"
		"E:ID_SERIAL_SHORTER=not-a-key-we-know\n"
		"E:ID_SCSI_SERIAL=\n"
		"E:ID_USB_SERIAL_SHORT=00\n"
		"E:SCSI_IDENT_SERIAL 5X\n"
		"X\n"
		"G:systemd\n"
		"Q:systemd\n"
		"V:1\n"
		"E:ID_WWN_WITH_EXTENSION=0x5002538e40a1b2c3";
	const uint8_t *t = (const uint8_t *)entry;

	EXPECT(filevalues_is_table("/run/udev/data/b8:0"));
	EXPECT(filevalues_is_table("/run/udev/data/b259:1"));
	EXPECT(filevalues_is_table("/mnt/root/run/udev/data/b7:12"));
	EXPECT(!filevalues_is_table("/run/udev/data/c4:64"));
	EXPECT(!filevalues_is_table("/run/udev/data/n2"));
	EXPECT(!filevalues_is_table("/run/udev/data/+block:loop0"));
	EXPECT(!filevalues_is_table("/run/udev/data/b8:"));
	EXPECT(!filevalues_is_table("/run/udev/data/b:0"));
	EXPECT(!filevalues_is_table("/run/udev/data/b8:0:1"));
	EXPECT(!filevalues_is_table("/run/udev/data/b8:0.tmp"));
	EXPECT(!filevalues_is_table("/tmp/b8:0"));
	EXPECT(!filevalues_is_table("udev/data/b8:0"));

	n_got = 0;
	EXPECT_INT(3, filevalues_each("/run/udev/data/b8:0", t, strlen(entry), collect, NULL));
	EXPECT_STR("Acme_SSD_860_S3Z9NB0K123456X", got[0]);
	EXPECT_STR("ID_SERIAL", fields[0]);
	EXPECT_STR("S3Z9NB0K123456X", got[1]);
	EXPECT_STR("ID_SERIAL_SHORT", fields[1]);
	EXPECT_STR("0x5002538e40a1b2c3", got[2]);
	EXPECT_STR("ID_WWN", fields[2]);
	/* with its newline the last line is whole */
	{
		char whole[sizeof(entry)];

		memcpy(whole, entry, sizeof(entry) - 1);
		whole[sizeof(entry) - 1] = '\n';
		n_got = 0;
		EXPECT_INT(4, filevalues_each("/run/udev/data/b8:0", (const uint8_t *)whole,
					      sizeof(whole), collect, NULL));
		EXPECT_STR("ID_WWN_WITH_EXTENSION", fields[3]);
	}
	/* cut anywhere: never a value that is not one of the file's, never a prefix of one */
	for (size_t cut = 0; cut < strlen(entry); cut++) {
		n_got = 0;
		filevalues_each("/run/udev/data/b8:0", t, cut, collect, NULL);
		EXPECT(n_got <= 3);
		for (int i = 0; i < n_got; i++)
			EXPECT(!strcmp(got[i], "Acme_SSD_860_S3Z9NB0K123456X") ||
			       !strcmp(got[i], "S3Z9NB0K123456X") ||
			       !strcmp(got[i], "0x5002538e40a1b2c3"));
	}
	/* the same text under another name is not an entry */
	EXPECT_INT(0, filevalues_each("/run/udev/data/c8:0", t, strlen(entry), collect, NULL));
	/* a value belongs to whichever identifier watches the entry, whatever it is named */
	{
		char *udev[] = { "/run/udev/data/b*" }, *dmi[] = { "/sys/class/dmi/id/product_serial" };

		EXPECT(filevalues_field_is("ID_SERIAL_SHORT", "disk-serial", udev, 1));
		EXPECT(filevalues_field_is("ID_WWN", "product-serial", dmi, 1));
	}
	/* read from a file of that name */
	{
		char dir[] = "/tmp/test_filevalues.XXXXXX", path[96];
		FILE *f;

		scratch_tree(dir, "udev", "data");
		snprintf(path, sizeof(path), "%s/udev/data/b7:3", dir);
		f = fopen(path, "w");
		EXPECT(f != NULL);
		if (f) {
			fputs("I:77\nE:ID_SERIAL_SHORT=LOOP-SN-0042\nE:ID_MODEL=Loop\n", f);
			fclose(f);
		}
		n_got = 0;
		EXPECT_INT(1, filevalues_read(path, collect, NULL));
		EXPECT_STR("LOOP-SN-0042", got[0]);
		unlink(path);
		scratch_tree_remove(dir, "udev", "data");
	}
}

/* /dev/disk/by-id as udev's 60-persistent-storage.rules name its links (systemd 252): a SATA
 * disk and its partitions, its WWN, an NVMe namespace and its EUI-64, a USB stick's LUN, a QEMU
 * SCSI disk; device-mapper, LVM and RAID names (made by software) and an unset WWN are none. */
static void test_by_id(void)
{
	static const char names[] =
		"ata-Acme_SSD_860_S3Z9NB0K123456X\n"
		"ata-Acme_SSD_860_S3Z9NB0K123456X-part1\n"
		"wwn-0x5002538e40a1b2c3-part2\n"
		"nvme-Samsung_SSD_970_EVO_1TB_S467NX0M123456_1\n"
		"nvme-eui.0025388b91b2c3d4\n"
		"usb-Generic_Flash_Disk_8C1F2A33-0:0\n"
		"scsi-0QEMU_QEMU_HARDDISK_drive-scsi0-0-0-0\n"
		"dm-uuid-LVM-Yj7yPq3m2dX0kR8wT5cN1bV6hG4fL9sA\n"
		"lvm-pv-uuid-8d1c3a-52Ob-7e4b\n"
		"md-uuid-8d1c3a52:0b7e4b43:9b5c2f5a:3c0e1d11\n"
		"wwn-0x0000000000000000\n"
		"edd-int13_dev80\n"
		"ata-\n"
		"usb-Cut_Name_ABCDEF123";
	static const char *const want[] = {
		"Acme_SSD_860_S3Z9NB0K123456X", "S3Z9NB0K123456X",
		"Acme_SSD_860_S3Z9NB0K123456X", "S3Z9NB0K123456X",
		"0x5002538e40a1b2c3",
		"Samsung_SSD_970_EVO_1TB_S467NX0M123456", "S467NX0M123456",
		"0025388b91b2c3d4",
		"Generic_Flash_Disk_8C1F2A33", "8C1F2A33",
		"0QEMU_QEMU_HARDDISK_drive-scsi0-0-0-0", "drive-scsi0-0-0-0",
		"Cut_Name_ABCDEF123", "ABCDEF123",
	};
	const char *p;
	size_t i, k = 0, at = 0;

	EXPECT(filevalues_is_table("/dev/disk/by-id"));
	EXPECT(filevalues_is_table("/dev/disk/by-id/"));
	EXPECT(filevalues_is_table("/tmp/root/dev/disk/by-id"));
	EXPECT(!filevalues_is_table("/dev/disk/by-path"));
	EXPECT(!filevalues_is_table("/dev/disk/by-id/ata-Acme_SSD_860_S3Z9NB0K123456X"));
	/* one name at a time: got[] holds eight */
	for (p = names; *p; p += at) {
		const char *eol = strchr(p, '\n');

		at = eol ? (size_t)(eol - p) + 1 : strlen(p);
		n_got = 0;
		filevalues_each("/dev/disk/by-id", (const uint8_t *)p, at, collect, NULL);
		for (i = 0; i < (size_t)n_got; i++, k++) {
			EXPECT(k < sizeof(want) / sizeof(want[0]));
			if (k < sizeof(want) / sizeof(want[0]))
				EXPECT_STR(want[k], got[i]);
			EXPECT_STR("by-id", fields[i]);
		}
	}
	EXPECT_INT((int)(sizeof(want) / sizeof(want[0])), (int)k);
	EXPECT_INT(14, (int)filevalues_each("/dev/disk/by-id", (const uint8_t *)names,
					    strlen(names), collect, NULL));
	/* the same names under another directory are no table */
	EXPECT_INT(0, (int)filevalues_each("/dev/disk/by-path", (const uint8_t *)names,
					   strlen(names), collect, NULL));
	/* read from a directory of links, as udev makes them */
	{
		char dir[] = "/tmp/test_filevalues.XXXXXX", path[128], link[160];

		scratch_tree(dir, "disk", "by-id");
		snprintf(path, sizeof(path), "%s/disk/by-id", dir);
		snprintf(link, sizeof(link), "%s/ata-Loop_Disk_LSN00000042", path);
		EXPECT_INT(0, symlink("../../loop0", link));
		n_got = 0;
		EXPECT_INT(2, (int)filevalues_read(path, collect, NULL));
		EXPECT_STR("Loop_Disk_LSN00000042", got[0]);
		EXPECT_STR("LSN00000042", got[1]);
		unlink(link);
		scratch_tree_remove(dir, "disk", "by-id");
		EXPECT(filevalues_read(path, collect, NULL) < 0);
	}
}

/* VPD pages as a SATA disk behind libata answers them (SAT: the ATA serial in page 0x80; page 0x83
 * with the T10 vendor identification "ATA", the model and the serial, and the disk's NAA WWN),
 * laid out per SPC-4 7.8.6 and 7.8.16; a port's NAA name (association 1) is no disk's. */
static void test_vpd(void)
{
	static const uint8_t pg80[] = { 0x00, 0x80, 0x00, 0x14, ' ', ' ', ' ', ' ', ' ', 'S', '3', 'Z',
					'9', 'N', 'B', '0', 'K', '1', '2', '3', '4', '5', '6', 'X' };
	static const uint8_t pg83[] = {
		0x00, 0x83, 0x00, 0x4c,
		/* ASCII, T10 vendor id, 36 bytes */
		0x02, 0x01, 0x00, 0x24, 'A', 'T', 'A', ' ', ' ', ' ', ' ', ' ', 'A', 'c', 'm', 'e',
		' ', 'S', 'S', 'D', ' ', '8', '6', '0', ' ', 'S', '3', 'Z', '9', 'N', 'B', '0', 'K',
		'1', '2', '3', '4', '5', '6', 'X',
		/* binary, NAA, the logical unit: 8 bytes */
		0x01, 0x03, 0x00, 0x08, 0x50, 0x02, 0x53, 0x8e, 0x40, 0xa1, 0xb2, 0xc3,
		/* binary, NAA, a target port (association 1): not the disk's */
		0x01, 0x13, 0x00, 0x08, 0x50, 0x01, 0x43, 0x80, 0x12, 0x34, 0x56, 0x78,
		/* binary, EUI-64 of zeros: none */
		0x01, 0x02, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	uint8_t cut[sizeof(pg83)];

	EXPECT(filevalues_is_table("/sys/block/sda/device/vpd_pg80"));
	EXPECT(filevalues_is_table("/sys/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/"
				   "0:0:0:0/vpd_pg83"));
	EXPECT(!filevalues_is_table("/sys/block/sda/device/vpd_pg89"));
	n_got = 0;
	EXPECT_INT(1, (int)filevalues_each("/sys/block/sda/device/vpd_pg80", pg80, sizeof(pg80),
					   collect, NULL));
	EXPECT_STR("S3Z9NB0K123456X", got[0]);
	EXPECT_STR("vpd_pg80", fields[0]);
	n_got = 0;
	EXPECT_INT(2, (int)filevalues_each("/sys/block/sda/device/vpd_pg83", pg83, sizeof(pg83),
					   collect, NULL));
	EXPECT_STR("S3Z9NB0K123456X", got[0]);
	EXPECT_STR("0x5002538e40a1b2c3", got[1]);
	EXPECT_STR("vpd_pg83", fields[1]);
	/* the other page's bytes, or a page cut short: nothing that is not a whole value */
	EXPECT_INT(0, (int)filevalues_each("/sys/block/sda/device/vpd_pg80", pg80, sizeof(pg80) - 1,
					   collect, NULL));
	EXPECT_INT(0, (int)filevalues_each("/sys/block/sda/device/vpd_pg80", pg83, sizeof(pg83),
					   collect, NULL));
	for (size_t n = 0; n < sizeof(pg83); n++) {
		memcpy(cut, pg83, n);
		n_got = 0;
		filevalues_each("/sys/block/sda/device/vpd_pg83", cut, n, collect, NULL);
		for (int i = 0; i < n_got; i++)
			EXPECT(!strcmp(got[i], "S3Z9NB0K123456X") ||
			       !strcmp(got[i], "0x5002538e40a1b2c3"));
	}
}

int main(void)
{
	static const char table[] =
		"IP address       HW type     Flags       HW address            Mask     Device\n"
		"192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0\n"
		"10.0.0.7         0x1         0x0         00:00:00:00:00:00     *        eth0\n"
		"10.0.0.9\t0x1\t0x2\tAA:BB:CC:DD:EE:0F\t*\twlan0\n"
		"10.0.0.10        0x1         0x2         02:fc:00:00";

	EXPECT(filevalues_is_table("/proc/net/arp"));
	EXPECT(filevalues_is_table("/proc/self/net/arp"));
	EXPECT(!filevalues_is_table("/etc/machine-id"));
	EXPECT(!filevalues_is_table("/tmp/net/arp"));
	EXPECT(!filevalues_is_table(NULL));
	EXPECT_INT(2, filevalues_each("/proc/net/arp", (const uint8_t *)table, strlen(table),
				      collect, NULL));
	EXPECT_STR("02:fc:00:00:00:05", got[0]);
	EXPECT_STR("AA:BB:CC:DD:EE:0F", got[1]);
	/* the header alone, or nothing */
	EXPECT_INT(0, filevalues_each("/proc/net/arp", (const uint8_t *)table, 80, collect, NULL));
	EXPECT_INT(0, filevalues_each("/proc/net/arp", (const uint8_t *)"", 0, collect, NULL));
	EXPECT_INT(0, filevalues_each("/etc/machine-id", (const uint8_t *)table, strlen(table),
				      collect, NULL));
	EXPECT(filevalues_read("/nonexistent/proc/net/arp", collect, NULL) < 0);
	test_dmi();
	test_udev();
	test_by_id();
	test_vpd();
	return tl_summary("test_filevalues");
}
