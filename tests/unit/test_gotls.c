/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_gotls: the Go version read from a build information section (Go 1.18+ inline strings,
 * earlier Go's pointer), which versions have the register ABI the probe reads, a function found
 * in Go's own function table (stripped executables), and that a file that is not Go is told
 * apart. */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "gotls.h"
#include "testlib.h"

/* The header of .go.buildinfo as Go's linker writes it (cmd/link, debug/buildinfo): 14 bytes of
 * magic, the pointer size, the flags, padding to 32 bytes. */
static size_t header(uint8_t *d, uint8_t ptr_size, uint8_t flags)
{
	memset(d, 0, 32);
	memcpy(d, "\xff Go buildinf:", 14);
	d[14] = ptr_size;
	d[15] = flags;
	return 32;
}

int main(void)
{
	uint8_t d[256];
	char v[32];
	uint64_t ptr = 0;
	size_t n;
	struct go_exe g;
	int fd;

	/* Go 1.18+: flags bit 1, the version length-prefixed (the bytes of a go1.19.8 binary) */
	n = header(d, 8, 0x2);
	d[n++] = 8;
	memcpy(d + n, "go1.19.8", 8);
	n += 8;
	d[n++] = 0; /* modinfo: empty */
	EXPECT_INT(1, gotls_buildinfo_version(d, n, v, sizeof(v), &ptr));
	EXPECT_STR("go1.19.8", v);
	/* a length past the section, or one too long for the buffer: no version */
	d[32] = 100;
	EXPECT_INT(0, gotls_buildinfo_version(d, n, v, sizeof(v), &ptr));
	EXPECT_STR("", v);
	d[32] = 8;
	EXPECT_INT(0, gotls_buildinfo_version(d, n, v, 8, &ptr));
	/* a varint of two bytes: 0x80|0, 1 = 128 */
	d[32] = 0x80;
	d[33] = 0x01;
	EXPECT_INT(0, gotls_buildinfo_version(d, n, v, sizeof(v), &ptr));
	/* before Go 1.18: pointers to the version's string header, little- or big-endian */
	n = header(d, 8, 0x0);
	memcpy(d + 16, "\x10\x32\x54\x76\x00\x00\x00\x00", 8);
	EXPECT_INT(2, gotls_buildinfo_version(d, n + 16, v, sizeof(v), &ptr));
	EXPECT(ptr == 0x76543210);
	n = header(d, 4, 0x1);
	memcpy(d + 16, "\x00\x4a\x10\x00", 4);
	EXPECT_INT(2, gotls_buildinfo_version(d, n, v, sizeof(v), &ptr));
	EXPECT(ptr == 0x4a1000);
	/* no magic, too short */
	n = header(d, 8, 0x2);
	d[0] = 0;
	EXPECT_INT(0, gotls_buildinfo_version(d, n, v, sizeof(v), &ptr));
	EXPECT_INT(0, gotls_buildinfo_version((const uint8_t *)"\xff Go buildinf:", 14, v,
					      sizeof(v), &ptr));

	/* the register ABI: Go 1.17 on amd64, 1.18 on arm64 (Go's internal ABI specification) */
	EXPECT_INT(1, gotls_version_register_abi("go1.19.8", EM_X86_64));
	EXPECT_INT(1, gotls_version_register_abi("go1.17", EM_X86_64));
	EXPECT_INT(0, gotls_version_register_abi("go1.16.15", EM_X86_64));
	EXPECT_INT(0, gotls_version_register_abi("go1.17.13", EM_AARCH64));
	EXPECT_INT(1, gotls_version_register_abi("go1.18", EM_AARCH64));
	EXPECT_INT(1, gotls_version_register_abi("go1.21rc2", EM_AARCH64));
	EXPECT_INT(1, gotls_version_register_abi("devel go1.22-a1b2c3 Tue Jan 2", EM_X86_64));
	EXPECT_INT(0, gotls_version_register_abi("", EM_X86_64));
	EXPECT_INT(0, gotls_version_register_abi("go1.", EM_X86_64));
	EXPECT_INT(0, gotls_version_register_abi("go1.20", EM_RISCV));

	/* a Go 1.18+ function table: header, function names, then {entryoff, funcoff} pairs and
	 * each function's record {entryOff, nameOff}; offsets as runtime.pcHeader has them */
	{
		static uint8_t t[512];
		static const char names[] = "\0main.main\0crypto/tls.(*Conn).Write\0";
		uint64_t hdr[8] = { 2, 0, 0x401000, 72, 0, 0, 0, 128 }, addr = 0;
		uint32_t functab[] = { 0x100, 24, 0x18f920, 32, 0x190000, 0 };
		uint32_t funcs[] = { 0x100, 1, 0x18f920, 11 };

		memcpy(t, "\xf0\xff\xff\xff\0\0\x01\x08", 8);
		memcpy(t + 8, hdr, sizeof(hdr));
		memcpy(t + 72, names, sizeof(names));
		memcpy(t + 128, functab, sizeof(functab));
		memcpy(t + 128 + 24, funcs, sizeof(funcs));
		EXPECT_INT(1, gotls_pclntab_entry(t, 200, GOTLS_WRITE_FUNC, &addr));
		EXPECT(addr == 0x590920);
		EXPECT_INT(1, gotls_pclntab_entry(t, 200, "main.main", &addr));
		EXPECT(addr == 0x401100);
		/* a prefix of a name is not the name */
		EXPECT_INT(0, gotls_pclntab_entry(t, 200, "crypto/tls.(*Conn).Wr", &addr));
		/* Go 1.20's magic reads the same; older tables (Go 1.16's 0xfffffffa) are not read */
		t[0] = 0xf1;
		EXPECT_INT(1, gotls_pclntab_entry(t, 200, GOTLS_WRITE_FUNC, &addr));
		t[0] = 0xfa;
		EXPECT_INT(0, gotls_pclntab_entry(t, 200, GOTLS_WRITE_FUNC, &addr));
		t[0] = 0xf0;
		/* cut short: the records past the end are not read */
		EXPECT_INT(0, gotls_pclntab_entry(t, 160, GOTLS_WRITE_FUNC, &addr));
		/* a count of functions past the table */
		hdr[0] = 1000;
		memcpy(t + 8, hdr, sizeof(hdr));
		EXPECT_INT(0, gotls_pclntab_entry(t, 200, GOTLS_WRITE_FUNC, &addr));
	}

	/* this test, a C program, is no Go executable; a file that is no ELF is refused */
	fd = open("/proc/self/exe", O_RDONLY);
	EXPECT(fd >= 0);
	EXPECT_INT(0, gotls_inspect_fd(fd, &g));
	EXPECT_INT(0, g.is_go);
	EXPECT_INT(0, g.uses_tls);
	close(fd);
	fd = open("/proc/self/status", O_RDONLY);
	EXPECT(fd >= 0);
	EXPECT(gotls_inspect_fd(fd, &g) < 0);
	close(fd);
	return tl_summary("test_gotls");
}
