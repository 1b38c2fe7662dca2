// SPDX-License-Identifier: GPL-2.0
/*
 * What dom0 itself uses, for the agent's dom0 guard: block devices
 * under a storage controller and the dm/md devices holding them,
 * mounts and swaps, IP addresses and routes of network interfaces.
 *
 * The block devices appear in sysfs as block/<disk>/<partition> under
 * the PCI device while its (non-pciback) driver is bound, as
 * device_add_disk() and add_partition() place them (the bus levels in
 * between, ata1/host0/target0:0:0 or nvme/nvme0, are left out: the agent
 * walks the tree to any depth); holders live in devices/virtual/block
 * (drivers/md/dm.c, md.c) and are linked from holders/ of what they
 * hold (block/holder.c bd_link_disk_holder()).
 *
 * proc/ plays the files the guard reads: self/mountinfo
 * (fs/proc_namespace.c show_mountinfo()), swaps (mm/swapfile.c
 * swap_show()), net/route (net/ipv4/fib_trie.c fib_route_seq_show()),
 * net/if_inet6 (net/ipv6/addrconf.c if6_seq_show()).  An IPv4 address
 * brings its prefix route, as fib_add_ifaddr() adds it to the main
 * table.  These are static: the kernel keeps a mount of a disk whose
 * controller lost its driver, too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simsysfs.h"

#define UNUSED(x)	((void)(x))

struct sim_host host;

#define GROW(arr, n) do {						\
	(arr) = realloc((arr), ((n) + 1) * sizeof(*(arr)));		\
	if (!(arr))							\
		abort();						\
	memset(&(arr)[(n)], 0, sizeof(*(arr)));				\
} while (0)

struct sim_blk *sim_find_blk(const char *name)
{
	for (size_t i = 0; i < host.nblks; i++)
		if (!strcmp(host.blks[i].name, name))
			return &host.blks[i];
	return NULL;
}

static int add_blk(const char *name, unsigned int maj, unsigned int min,
		   struct sim_dev *dev, int disk)
{
	if (!name[0] || strlen(name) >= SIM_NAME_MAX || sim_find_blk(name))
		return -EINVAL;
	GROW(host.blks, host.nblks);
	snprintf(host.blks[host.nblks].name, SIM_NAME_MAX, "%s", name);
	host.blks[host.nblks].major = maj;
	host.blks[host.nblks].minor = min;
	host.blks[host.nblks].dev = dev;
	host.blks[host.nblks].disk = disk;
	host.nblks++;
	return 0;
}

/*
 * "block=sda:8:0,sda1:8:1": a disk, then its partitions (names that
 * extend the disk's), then maybe another disk.
 */
int host_parse_block(struct sim_dev *dev, char *list)
{
	char *save = NULL, *tok, name[SIM_NAME_MAX];
	unsigned int maj, min;
	int disk = -1;

	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (sscanf(tok, "%63[^:]:%u:%u", name, &maj, &min) != 3)
			return -EINVAL;
		if (disk < 0 || strncmp(name, host.blks[disk].name,
					strlen(host.blks[disk].name)) ||
		    host.blks[disk].dev != dev) {
			if (add_blk(name, maj, min, dev, -1))
				return -EINVAL;
			disk = (int)host.nblks - 1;
		} else if (add_blk(name, maj, min, dev, disk)) {
			return -EINVAL;
		}
	}
	return 0;
}

/* The device's line was refused, or it was replaced: blks follow. */
void host_move_dev(const struct sim_dev *from, struct sim_dev *to)
{
	size_t i, j;

	for (i = 0, j = 0; i < host.nblks; i++) {
		if (host.blks[i].dev == from && !to)
			continue;
		if (host.blks[i].dev == from)
			host.blks[i].dev = to;
		host.blks[j++] = host.blks[i];
	}
	host.nblks = j;
}

/* "holder dm-0 254:0 sda2[,sdb2] [name=vg0-root]" */
static int parse_holder(char *args)
{
	char *save = NULL;
	char *name = strtok_r(args, " \t", &save);
	char *num = strtok_r(NULL, " \t", &save);
	char *of = strtok_r(NULL, " \t", &save);
	char *opt = strtok_r(NULL, " \t", &save);
	char *s2 = NULL, *t;
	unsigned int maj, min;
	struct sim_blk *b;

	if (!name || !num || !of || sscanf(num, "%u:%u", &maj, &min) != 2 ||
	    add_blk(name, maj, min, NULL, -1))
		return -EINVAL;
	b = &host.blks[host.nblks - 1];
	if (opt && !strncmp(opt, "name=", 5))
		snprintf(b->dmname, sizeof(b->dmname), "%s", opt + 5);
	else if (opt)
		return -EINVAL;
	for (t = strtok_r(of, ",", &s2); t; t = strtok_r(NULL, ",", &s2)) {
		if (!sim_find_blk(t) || b->nholds >= SIM_MAX_HOLDS)
			return -EINVAL;
		snprintf(b->holds[b->nholds++], SIM_NAME_MAX, "%s", t);
	}
	return 0;
}

/* "mount 8:1 / ext4" */
static int parse_mount(char *args)
{
	struct sim_mount m = { 0 };

	if (sscanf(args, "%u:%u %255s %31s", &m.major, &m.minor, m.path,
		   m.fstype) != 4)
		return -EINVAL;
	GROW(host.mounts, host.nmounts);
	host.mounts[host.nmounts++] = m;
	return 0;
}

/* "swap sda2" */
static int parse_swap(char *args)
{
	char name[SIM_NAME_MAX];

	if (sscanf(args, "%63s", name) != 1)
		return -EINVAL;
	GROW(host.swaps, host.nswaps);
	snprintf(host.swaps[host.nswaps++].name, SIM_NAME_MAX, "%s", name);
	return 0;
}

static int add_route(const char *ifname, const char *dst, unsigned int plen,
		     const char *gw)
{
	struct sim_route r = { 0 };

	if (inet_pton(AF_INET, dst, &r.dst) != 1 || plen > 32 ||
	    (gw && inet_pton(AF_INET, gw, &r.gw) != 1))
		return -EINVAL;
	r.plen = plen;
	r.mask = plen ? htonl(~0U << (32 - plen)) : 0;
	r.dst &= r.mask;
	snprintf(r.ifname, sizeof(r.ifname), "%s", ifname);
	GROW(host.routes, host.nroutes);
	host.routes[host.nroutes++] = r;
	return 0;
}

/* "route eth0 0.0.0.0/0 [10.0.2.2]" */
static int parse_route(char *args)
{
	char ifname[16], dst[64], gw[64] = "";
	unsigned int plen;
	int n = sscanf(args, "%15s %63[^/]/%u %63s", ifname, dst, &plen, gw);

	if (n < 3)
		return -EINVAL;
	return add_route(ifname, dst, plen, gw[0] ? gw : NULL);
}

/* "addr eth0 10.0.2.15/24" or "addr eth0 2001:db8::15/64" */
static int parse_addr(char *args)
{
	struct sim_addr a = { 0 };
	char addr[64];
	int err;

	if (sscanf(args, "%15s %63[^/]/%u", a.ifname, addr, &a.plen) != 3)
		return -EINVAL;
	if (inet_pton(AF_INET6, addr, a.addr) == 1) {
		a.v6 = true;
		if (a.plen > 128)
			return -EINVAL;
	} else {
		if (a.plen > 32)
			return -EINVAL;
		/* fib_add_ifaddr(): the prefix route of the address. */
		err = add_route(a.ifname, addr, a.plen, NULL);
		if (err)
			return err;
	}
	GROW(host.addrs, host.naddrs);
	host.addrs[host.naddrs++] = a;
	return 0;
}

/* 1: not a host line; 0 parsed; -EINVAL. */
int host_parse_line(char *line)
{
	static const struct {
		const char *word;
		int (*fn)(char *args);
	} words[] = {
		{ "holder ", parse_holder }, { "mount ", parse_mount },
		{ "swap ", parse_swap }, { "route ", parse_route },
		{ "addr ", parse_addr },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strncmp(line, words[i].word, strlen(words[i].word)))
			return words[i].fn(line + strlen(words[i].word)) ?
			       -EINVAL : 0;
	return 1;
}

/* The blk's block devices are in sysfs: the dev's driver is bound. */
bool host_blk_visible(const struct sim_blk *b)
{
	if (!b->dev)
		return true;
	return b->dev->present && b->dev->driver &&
	       !b->dev->driver->is_pciback;
}

bool host_dev_has_blocks(const struct sim_dev *dev)
{
	for (size_t i = 0; i < host.nblks; i++)
		if (host.blks[i].dev == dev)
			return host_blk_visible(&host.blks[i]);
	return false;
}

bool host_has_virtual(void)
{
	for (size_t i = 0; i < host.nblks; i++)
		if (!host.blks[i].dev)
			return true;
	return false;
}

/* ------------------------------------------------------------- proc */

/* fs/proc_namespace.c show_mountinfo(); the root mount comes first. */
int proc_mountinfo_show(struct node *n, struct strbuf *sb)
{
	UNUSED(n);
	sb_printf(sb, "21 1 0:20 / /proc rw,nosuid,nodev,noexec,relatime "
		  "shared:12 - proc proc rw\n");
	for (size_t i = 0; i < host.nmounts; i++) {
		const struct sim_mount *m = &host.mounts[i];
		const char *src = "none";

		for (size_t j = 0; j < host.nblks; j++)
			if (host.blks[j].major == m->major &&
			    host.blks[j].minor == m->minor)
				src = host.blks[j].name;
		sb_printf(sb, "%zu 1 %u:%u / %s rw,relatime shared:%zu - %s "
			  "/dev/%s rw\n", 30 + i, m->major, m->minor, m->path,
			  i + 1, m->fstype, src);
	}
	return 0;
}

/* mm/swapfile.c swap_show() */
int proc_swaps_show(struct node *n, struct strbuf *sb)
{
	char path[SIM_NAME_MAX + 8];

	UNUSED(n);
	sb_printf(sb, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\t"
		  "Priority\n");
	for (size_t i = 0; i < host.nswaps; i++) {
		snprintf(path, sizeof(path), "/dev/%s", host.swaps[i].name);
		sb_printf(sb, "%-40s%s\t%u\t\t%u\t\t%d\n", path, "partition",
			  2097148, 0, -2 - (int)i);
	}
	return 0;
}

/* The ifindex of a simulated netdev: lo is 1, then inventory order. */
static unsigned int ifindex_of(const char *ifname)
{
	unsigned int idx = 2;

	for (size_t i = 0; i < sim.ndevs; i++) {
		if (!sim.devs[i]->ifname[0])
			continue;
		if (!strcmp(sim.devs[i]->ifname, ifname))
			return idx;
		idx++;
	}
	return 0;
}

/*
 * The netdev exists (its NIC's driver is bound, register_netdev());
 * up: routes exist only while it is (fib_disable_ip() on NETDEV_DOWN).
 */
static bool netdev_present(const char *ifname, bool up)
{
	for (size_t i = 0; i < sim.ndevs; i++) {
		const struct sim_dev *d = sim.devs[i];

		if (!strcmp(d->ifname, ifname))
			return d->present && d->driver &&
			       !d->driver->is_pciback &&
			       (!up || !strcmp(d->operstate, "up"));
	}
	return false;
}

/*
 * net/ipv4/fib_trie.c fib_route_seq_show(): the main table, each line
 * padded to 127 characters; addresses are __be32 printed with %08X.
 * An unregistered netdev takes its routes with it (fib_disable_ip()).
 */
int proc_route_show(struct node *n, struct strbuf *sb)
{
	char line[160];
	int len;

	UNUSED(n);
	len = snprintf(line, sizeof(line), "Iface\tDestination\tGateway "
		       "\tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\t"
		       "IRTT");
	sb_printf(sb, "%s%*s\n", line, 127 - len, "");
	for (size_t i = 0; i < host.nroutes; i++) {
		const struct sim_route *r = &host.routes[i];

		if (!netdev_present(r->ifname, true))
			continue;
		len = snprintf(line, sizeof(line), "%s\t%08X\t%08X\t%04X\t0\t"
			       "0\t0\t%08X\t0\t0\t0", r->ifname, r->dst,
			       r->gw, r->gw ? 0x3 : 0x1, r->mask);
		sb_printf(sb, "%s%*s\n", line, 127 - len, "");
	}
	return 0;
}

/* net/ipv6/addrconf.c if6_seq_show(): lo's ::1, then the others. */
int proc_if_inet6_show(struct node *n, struct strbuf *sb)
{
	UNUSED(n);
	sb_printf(sb, "%032x %02x %02x %02x %02x %8s\n", 1, 1, 128, 0x10,
		  0x80, "lo");
	for (size_t i = 0; i < host.naddrs; i++) {
		const struct sim_addr *a = &host.addrs[i];
		bool link = a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80;

		if (!a->v6 || !netdev_present(a->ifname, false))
			continue;
		for (int j = 0; j < 16; j++)
			sb_printf(sb, "%02x", a->addr[j]);
		sb_printf(sb, " %02x %02x %02x %02x %8s\n",
			  ifindex_of(a->ifname), a->plen, link ? 0x20 : 0,
			  0x80, a->ifname);
	}
	return 0;
}

const struct attr proc_attrs[] = {
	{ "swaps", 0444, proc_swaps_show, NULL, NULL, false },
	{ NULL, 0, NULL, NULL, NULL, false },
};

const struct attr proc_self_attrs[] = {
	{ "mountinfo", 0444, proc_mountinfo_show, NULL, NULL, false },
	{ NULL, 0, NULL, NULL, NULL, false },
};

const struct attr proc_net_attrs[] = {
	{ "route", 0444, proc_route_show, NULL, NULL, false },
	{ "if_inet6", 0444, proc_if_inet6_show, NULL, NULL, false },
	{ NULL, 0, NULL, NULL, NULL, false },
};

/* block/genhd.c dev_show(), part_partition_show() */
static int blk_dev_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "%u:%u\n", n->blk->major, n->blk->minor);
}

static int blk_partition_show(struct node *n, struct strbuf *sb)
{
	const struct sim_blk *disk = &host.blks[n->blk->disk];

	return sb_printf(sb, "%u\n", n->blk->minor - disk->minor);
}

static bool is_partition(struct node *n)
{
	return n->blk->disk >= 0;
}

/* drivers/md/dm-sysfs.c dm_attr_name_show() */
static int blk_dmname_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "%s\n", n->blk->dmname);
}

const struct attr blk_attrs[] = {
	{ "dev", 0444, blk_dev_show, NULL, NULL, false },
	{ "partition", 0444, blk_partition_show, NULL, is_partition, false },
	{ NULL, 0, NULL, NULL, NULL, false },
};

const struct attr dm_attrs[] = {
	{ "name", 0444, blk_dmname_show, NULL, NULL, false },
	{ NULL, 0, NULL, NULL, NULL, false },
};

void host_free(void)
{
	free(host.blks);
	free(host.mounts);
	free(host.swaps);
	free(host.routes);
	free(host.addrs);
	memset(&host, 0, sizeof(host));
}
