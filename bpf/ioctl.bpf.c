// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ioctl.bpf.c: ioctls whose replies carry identifiers (MAC, ATA/NVMe/SCSI serials), read at exit. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "common.bpf.h"
#include "flow.bpf.h"
#include "watch.bpf.h"

/* Reply layouts, by offset: the UAPI headers are not in vmlinux.h. */
#define IFREQ_BYTES 40           /* struct ifreq: ifr_name[16], then struct sockaddr ifr_hwaddr */
#define HD_SERIAL_OFFSET 20      /* struct hd_driveid.serial_no[20] */
#define ATA_SERIAL_BYTES 20
#define NVME_ADDR_OFFSET 24      /* struct nvme_passthru_cmd(64).addr */
#define NVME_CDW10_OFFSET 40
#define NVME_OPC_IDENTIFY 0x06
#define NVME_CNS_CONTROLLER 0x01
#define NVME_SERIAL_OFFSET 4     /* identify controller data: sn[20] */
#define SG_INTERFACE_ID 'S'
#define SG_DXFERP_OFFSET 16      /* struct sg_io_hdr (64-bit).dxferp */
#define SG_CMDP_OFFSET 24
#define SCSI_INQUIRY 0x12
#define VPD_UNIT_SERIAL 0x80
#define VPD_COPY_BYTES 68        /* 4-byte page header and the serial number that follows */
#define IFR_DATA_OFFSET 16       /* struct ifreq.ifr_data, after ifr_name[16] */
#define ETHTOOL_GPERMADDR 0x20
#define PERM_ADDR_BYTES 40       /* struct ethtool_perm_addr: cmd, size, then up to 32 bytes */

/* ioctl command → identifier bits, filled by the agent from the policy's `ioctls` keys. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_IOCTL_CMDS);
	__type(key, __u32);
	__type(value, __u64);
} ioctl_cmds SEC(".maps");

struct pending_ioctl {
	__u64 arg;
	__u64 mask;
	__u32 cmd;
	__u32 pad;
};

/* An identifier ioctl in flight, from sys_enter to sys_exit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_PENDING);
	__type(key, __u64);
	__type(value, struct pending_ioctl);
} pending_ioctls SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_ioctl")
int handle_sys_enter_ioctl(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pending_ioctl pi = {};
	__u32 cmd = ctx->args[1];
	__u64 *mask;

	/* the one lookup every ioctl pays: is the command one the policy names? */
	mask = bpf_map_lookup_elem(&ioctl_cmds, &cmd);
	if (!mask || (pid_tgid >> 32) == agent_tgid)
		return 0;
	pi.arg = ctx->args[2];
	pi.mask = *mask;
	pi.cmd = cmd;
	if (bpf_map_update_elem(&pending_ioctls, &pid_tgid, &pi, BPF_ANY))
		count(STAT_PENDING_FULL);
	return 0;
}

/* Where the identifier bytes of a successful reply are, and how many; 0 when the call was another
 * use of the same command (an NVMe command that is no identify, an INQUIRY of another page). */
static __always_inline __u32 reply_bytes(const struct pending_ioctl *pi, __u64 *src)
{
	switch (pi->cmd) {
	case IOCTL_SIOCGIFHWADDR:
		/* the whole ifreq: the agent names the interface and formats the address */
		*src = pi->arg;
		return IFREQ_BYTES;
	case IOCTL_HDIO_GET_IDENTITY:
		*src = pi->arg + HD_SERIAL_OFFSET;
		return ATA_SERIAL_BYTES;
	case IOCTL_NVME_ADMIN_CMD:
	case IOCTL_NVME_ADMIN64_CMD: {
		__u8 opcode = 0;
		__u32 cdw10 = 0;
		__u64 addr = 0;

		if (bpf_probe_read_user(&opcode, sizeof(opcode), (void *)pi->arg) ||
		    bpf_probe_read_user(&cdw10, sizeof(cdw10), (void *)(pi->arg + NVME_CDW10_OFFSET)) ||
		    bpf_probe_read_user(&addr, sizeof(addr), (void *)(pi->arg + NVME_ADDR_OFFSET)))
			return 0;
		if (opcode != NVME_OPC_IDENTIFY || (cdw10 & 0xff) != NVME_CNS_CONTROLLER || !addr)
			return 0;
		*src = addr + NVME_SERIAL_OFFSET;
		return ATA_SERIAL_BYTES;
	}
	case IOCTL_SIOCETHTOOL: {
		__u64 data = 0;
		__u32 cmd = 0;

		/* ethtool's many commands share the ioctl: only the permanent address is an identifier */
		if (bpf_probe_read_user(&data, sizeof(data), (void *)(pi->arg + IFR_DATA_OFFSET)) ||
		    !data || bpf_probe_read_user(&cmd, sizeof(cmd), (void *)data) ||
		    cmd != ETHTOOL_GPERMADDR)
			return 0;
		*src = data;
		return PERM_ADDR_BYTES;
	}
	case IOCTL_SG_IO: {
		__u64 dxferp = 0, cmdp = 0;
		__u8 cdb[3] = {};
		int id = 0;

		if (bpf_probe_read_user(&id, sizeof(id), (void *)pi->arg) || id != SG_INTERFACE_ID ||
		    bpf_probe_read_user(&dxferp, sizeof(dxferp), (void *)(pi->arg + SG_DXFERP_OFFSET)) ||
		    bpf_probe_read_user(&cmdp, sizeof(cmdp), (void *)(pi->arg + SG_CMDP_OFFSET)) ||
		    bpf_probe_read_user(cdb, sizeof(cdb), (void *)cmdp))
			return 0;
		if (cdb[0] != SCSI_INQUIRY || !(cdb[1] & 1) || cdb[2] != VPD_UNIT_SERIAL || !dxferp)
			return 0;
		*src = dxferp;
		return VPD_COPY_BYTES;
	}
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_ioctl")
int handle_sys_exit_ioctl(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pending_ioctl *p, pi;
	struct ident_read_event *ev;
	__u32 zero = 0;
	__u64 src = 0, n;

	p = bpf_map_lookup_elem(&pending_ioctls, &pid_tgid);
	if (!p)
		return 0;
	pi = *p;
	bpf_map_delete_elem(&pending_ioctls, &pid_tgid);
	if (ctx->ret != 0)
		return 0;
	n = reply_bytes(&pi, &src);
	if (!n)
		return 0;
	/* the reply reached the process: it holds the identifier from now */
	taint_introducing(pid_tgid, pi.mask);
	taint_pipes_if_unhooked(pid_tgid);
	ev = bpf_map_lookup_elem(&read_scratch, &zero);
	if (!ev)
		return 0;
	fill_header(&ev->hdr, EVENT_IDENT_READ, pid_tgid);
	ev->ident_mask = pi.mask;
	ev->dev = 0;
	ev->ino = pi.cmd;
	ev->offset = 0;
	ev->source = SOURCE_IOCTL;
	ev->call = CALL_IOCTL;
	ev->total = n;
	emit_ident_bytes(ev, src, n, 1);
	return 0;
}
