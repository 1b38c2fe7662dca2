// SPDX-License-Identifier: GPL-2.0
/*
 * The sim/ control directory: log, fault, state, hotplug, pid.
 * None of this exists in a kernel; it lets tests drive and observe the
 * simulated host.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simsysfs.h"

#define UNUSED(x)	((void)(x))

static int log_show(struct node *n, struct strbuf *sb)
{
	UNUSED(n);
	sim_log_show(sb);
	return 0;
}

/* Other simulator processes append notes: "<seq> note <text>". */
static int log_store(struct node *n, const char *buf, size_t len)
{
	char *copy = xstrndup(buf, len);
	char *save = NULL;
	char *line;

	UNUSED(n);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		sim_log("note %s", line);
	free(copy);
	return 0;
}

static int fault_show(struct node *n, struct strbuf *sb)
{
	UNUSED(n);
	sim_fault_show(sb);
	return 0;
}

static int fault_store(struct node *n, const char *buf, size_t len)
{
	UNUSED(n);
	UNUSED(len);
	return sim_fault_add(buf);
}

static void state_dev(struct strbuf *sb, struct sim_dev *d)
{
	size_t i;
	bool slot = false;

	for (i = 0; i < sim.nslots; i++)
		if ((unsigned int)sim.slots[i].domain == d->domain &&
		    sim.slots[i].bus == d->bus &&
		    sim.slots[i].devfn == d->devfn)
			slot = true;
	sb_printf(sb, "%s present=%d driver=%s override=%s slot=%d pciback=%d "
		  "permissive=%d resets=%lu enable=%u",
		  d->name, d->present, d->driver ? d->driver->name : "-",
		  d->driver_override ? d->driver_override : "-", slot,
		  d->psdev, d->permissive, d->reset_count, d->enable_cnt);
	if (d->owner_domid >= 0)
		sb_printf(sb, " domid=%d", d->owner_domid);
	sb_printf(sb, "\n");
}

/* One line per device, then the pciback summary. */
static int state_show(struct node *n, struct strbuf *sb)
{
	size_t i;

	UNUSED(n);
	for (i = 0; i < sim.ndevs; i++)
		state_dev(sb, sim.devs[i]);
	sb_printf(sb, "pciback=%s slots=%zu autoprobe=%d\n",
		  sim.pciback_loaded ? "loaded" : "absent", sim.nslots,
		  sim.drivers_autoprobe);
	return 0;
}

static int pid_show(struct node *n, struct strbuf *sb)
{
	UNUSED(n);
	return sb_printf(sb, "%ld\n", (long)sim.pid);
}

static int hotplug_remove(const char *bdf)
{
	struct sim_dev *d = bus_find_device_by_name(bdf);

	if (!d)
		return -ENODEV;
	sim_dev_remove(d, true);
	return 0;
}

/* "assign BDF DOMID": a guest now uses the pciback device (psdev->pdev). */
static int hotplug_assign(char *args)
{
	char bdf[32];
	int domid;
	struct sim_dev *d;

	if (sscanf(args, "%31s %d", bdf, &domid) != 2 || domid < 0)
		return -EINVAL;
	d = bus_find_device_by_name(bdf);
	if (!d)
		return -ENODEV;
	return pcistub_assign(d, domid);
}

/*
 * "cfgwrite DOMID BDF OFFSET SIZE VALUE": a guest's pcifront asks
 * pciback to write config space (XEN_PCI_OP_conf_write).  The write
 * succeeds with pciback's answer, 0 or XEN_PCI_ERR_*, read back from
 * sim/cfgwrite-result.
 */
static int cfgwrite_result;

static int hotplug_cfgwrite(char *args)
{
	unsigned int off, size, value;
	char bdf[32];
	int domid;
	struct sim_dev *d;

	if (sscanf(args, "%d %31s %i %u %i", &domid, bdf, &off, &size,
		   &value) != 5 || domid < 0)
		return -EINVAL;
	d = bus_find_device_by_name(bdf);
	if (!d)
		return -ENODEV;
	cfgwrite_result = pcibk_config_write(d, domid, off, size, value);
	return 0;
}

static int cfgwrite_result_show(struct node *n, struct strbuf *sb)
{
	UNUSED(n);
	return sb_printf(sb, "%d\n", cfgwrite_result);
}

/*
 * "link IFNAME up|down": `ip link set IFNAME up` (dev_change_flags():
 * IFF_UP; the simulated NIC always has carrier, so operstate follows).
 */
static int hotplug_link(char *args)
{
	char ifname[16], how[8];
	size_t i;

	if (sscanf(args, "%15s %7s", ifname, how) != 2 ||
	    (strcmp(how, "up") && strcmp(how, "down")))
		return -EINVAL;
	for (i = 0; i < sim.ndevs; i++) {
		if (strcmp(sim.devs[i]->ifname, ifname))
			continue;
		snprintf(sim.devs[i]->operstate,
			 sizeof(sim.devs[i]->operstate), "%s", how);
		return 0;
	}
	return -ENODEV;
}

/*
 * Writing sim/hotplug: "add <inventory device line>", "remove BDF"
 * (surprise removal), "assign BDF DOMID" / "release BDF" (a guest takes
 * or lets go of a pciback device; release resets it as
 * pcistub_put_pci_dev() does), "cfgwrite ...", "link ..." (above),
 * "host LINE" (an inventory host line: what `ip addr add`, `ip route
 * add`, mount or swapon would change in dom0).
 */
static int hotplug_store(struct node *n, const char *buf, size_t len)
{
	static char line[SIM_PAGE_SIZE + 1];	/* under the global lock */
	struct sim_dev *d;
	int err = -EINVAL;

	UNUSED(n);
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(buf, "\n"), buf);
	UNUSED(len);
	sim_log("hotplug %s", line);
	if (!strncmp(line, "add ", 4)) {
		err = inventory_parse_line(line + 4, "sim/hotplug", true);
	} else if (!strncmp(line, "remove ", 7)) {
		err = hotplug_remove(line + 7);
	} else if (!strncmp(line, "assign ", 7)) {
		err = hotplug_assign(line + 7);
	} else if (!strncmp(line, "link ", 5)) {
		err = hotplug_link(line + 5);
	} else if (!strncmp(line, "host ", 5)) {
		/* An inventory host line: "addr ...", "route ...", ... */
		err = host_parse_line(line + 5);
		if (err > 0)
			err = -EINVAL;
	} else if (!strncmp(line, "cfgwrite ", 9)) {
		err = hotplug_cfgwrite(line + 9);
	} else if (!strncmp(line, "release ", 8)) {
		d = bus_find_device_by_name(line + 8);
		err = d ? pcistub_release(d) : -ENODEV;
	}
	sim_log_flush();
	return err;
}

const struct attr simctl_attrs[] = {
	{ "log", 0644, log_show, log_store, NULL, false },
	{ "fault", 0644, fault_show, fault_store, NULL, false },
	{ "state", 0444, state_show, NULL, NULL, false },
	{ "hotplug", 0200, NULL, hotplug_store, NULL, false },
	{ "pid", 0444, pid_show, NULL, NULL, false },
	{ "cfgwrite-result", 0444, cfgwrite_result_show, NULL, NULL, false },
	{ NULL, 0, NULL, NULL, NULL, false },
};
