// SPDX-License-Identifier: GPL-2.0
/*
 * The device/driver model: what drivers/base/{bus,dd}.c and
 * drivers/pci/{pci-driver,pci}.c do when user space binds, unbinds,
 * probes or resets, reduced to the state the sysfs files show.
 *
 * Probe results follow dd.c's convention: really_probe() returns a
 * positive errno when the driver's probe failed, a negative one when the
 * core refused (dead device, already bound).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simsysfs.h"

struct sim_state sim;

static const char *const reset_names[RESET_NR_METHODS] = {
	[RESET_DEVICE_SPECIFIC] = "device_specific",
	[RESET_ACPI] = "acpi",
	[RESET_FLR] = "flr",
	[RESET_AF_FLR] = "af_flr",
	[RESET_PM] = "pm",
	[RESET_BUS] = "bus",
};

const char *reset_method_name(int m)
{
	if (m <= 0 || m >= RESET_NR_METHODS)
		return "none";
	return reset_names[m];
}

/* drivers/pci/pci.c reset_method_lookup(): 0 when unknown. */
int reset_method_lookup(const char *name)
{
	int m;

	for (m = 1; m < RESET_NR_METHODS; m++)
		if (sysfs_streq(name, reset_names[m]))
			return m;
	return 0;
}

struct sim_dev *sim_find_dev(unsigned int domain, unsigned int bus,
			     unsigned int devfn)
{
	size_t i;

	for (i = 0; i < sim.ndevs; i++) {
		struct sim_dev *d = sim.devs[i];

		if (d->present && d->domain == domain && d->bus == bus &&
		    d->devfn == devfn)
			return d;
	}
	return NULL;
}

struct sim_dev *sim_find_dev_any(const char *name)
{
	size_t i;

	for (i = 0; i < sim.ndevs; i++)
		if (sysfs_streq(sim.devs[i]->name, name))
			return sim.devs[i];
	return NULL;
}

/*
 * drivers/base/bus.c bus_find_device_by_name() -> device_match_name():
 * sysfs_streq() against dev_name(), so the full "DDDD:BB:SS.F" is needed
 * and one trailing newline is accepted.
 */
struct sim_dev *bus_find_device_by_name(const char *buf)
{
	size_t i;

	for (i = 0; i < sim.ndevs; i++)
		if (sim.devs[i]->present && sysfs_streq(sim.devs[i]->name, buf))
			return sim.devs[i];
	return NULL;
}

struct sim_driver *sim_find_driver(const char *name)
{
	size_t i;

	for (i = 0; i < sim.ndrvs; i++)
		if (!strcmp(sim.drvs[i]->name, name))
			return sim.drvs[i];
	return NULL;
}

struct sim_driver *sim_add_driver(const char *name)
{
	struct sim_driver *drv = sim_find_driver(name);

	if (drv)
		return drv;
	drv = xcalloc(1, sizeof(*drv));
	snprintf(drv->name, sizeof(drv->name), "%s", name);
	drv->sriov_configure = true;
	sim.drvs = realloc(sim.drvs, (sim.ndrvs + 1) * sizeof(*sim.drvs));
	if (!sim.drvs)
		abort();
	sim.drvs[sim.ndrvs++] = drv;
	return drv;
}

/* drivers/pci/pci.h pci_match_one_device() */
static bool pci_match_one_device(const struct pci_id *id,
				 const struct sim_dev *dev)
{
	return (id->vendor == PCI_ANY_ID || id->vendor == dev->vendor) &&
	       (id->device == PCI_ANY_ID || id->device == dev->device) &&
	       (id->subvendor == PCI_ANY_ID ||
		id->subvendor == dev->subvendor) &&
	       (id->subdevice == PCI_ANY_ID ||
		id->subdevice == dev->subdevice) &&
	       !((id->class ^ dev->class) & id->class_mask);
}

/*
 * drivers/pci/pci-driver.c pci_match_device(): with driver_override set
 * only the named driver matches, and it matches even without an id.
 * Dynamic ids (new_id) are looked at before the static table.
 */
static bool pci_match_device(struct sim_driver *drv, struct sim_dev *dev)
{
	size_t i;

	if (dev->driver_override && strcmp(dev->driver_override, drv->name))
		return false;
	for (i = 0; i < drv->ndynids; i++)
		if (pci_match_one_device(&drv->dynids[i], dev))
			return true;
	for (i = 0; i < drv->nids; i++)
		if (pci_match_one_device(&drv->ids[i], dev))
			return true;
	return dev->driver_override != NULL;
}

/* drivers/pci/pci-driver.c pci_bus_match() */
bool driver_match_device(struct sim_driver *drv, struct sim_dev *dev)
{
	return pci_match_device(drv, dev);
}

/*
 * drivers/pci/pci-driver.c pci_device_probe() -> the driver's probe.
 * A VF whose PF turned sriov_drivers_autoprobe off is not simulated.
 * Returns 0 or a negative errno, as a probe() does.
 */
static int pci_device_probe(struct sim_driver *drv, struct sim_dev *dev)
{
	if (drv->is_pciback)
		return pcistub_probe(dev);
	if (dev->probe_fail)
		return -dev->probe_fail;
	/* A real driver's probe calls pci_enable_device(). */
	dev->enable_cnt = 1;
	return 0;
}

/*
 * drivers/base/dd.c really_probe(): dev->driver is set around the probe
 * call and cleared again when it fails; probe errors come back positive.
 */
static int really_probe(struct sim_driver *drv, struct sim_dev *dev)
{
	int ret;

	dev->driver = drv;
	ret = pci_device_probe(drv, dev);
	if (ret) {
		dev->driver = NULL;
		return -ret;
	}
	sim_log_defer("bind %s %s", dev->name, drv->name);
	return 0;
}

/* drivers/base/dd.c __driver_probe_device() */
static int driver_probe_device(struct sim_driver *drv, struct sim_dev *dev)
{
	if (!dev->present)
		return -ENODEV;
	if (dev->driver)
		return -EBUSY;
	return really_probe(drv, dev);
}

/*
 * drivers/base/dd.c device_driver_attach(): what bind_store() calls.
 * Probe errors are returned as ordinary negative errnos; a device that
 * already has a driver gets -EBUSY from __driver_probe_device().
 */
int device_driver_attach(struct sim_driver *drv, struct sim_dev *dev)
{
	int ret = driver_probe_device(drv, dev);

	if (ret > 0)
		ret = -ret;
	return ret;
}

/*
 * drivers/base/dd.c __device_release_driver(): BUS_NOTIFY_UNBIND_DRIVER
 * goes out before the driver's remove() runs (xen-pciback's notifier
 * releases the VFs of a PF that loses its driver), then remove().
 */
void device_driver_detach(struct sim_dev *dev)
{
	struct sim_driver *drv = dev->driver;

	if (!drv)
		return;
	sim_log_defer("unbind %s %s", dev->name, drv->name);
	if (dev->totalvfs && sim.pciback_loaded)
		pcistub_unbind_notifier(dev);
	if (drv->is_pciback) {
		pcistub_remove(dev);
	} else {
		/* The driver's remove() calls pci_disable_device(). */
		dev->enable_cnt = 0;
	}
	dev->driver = NULL;
}

/*
 * drivers/base/dd.c __device_attach() with __device_attach_driver():
 * walk the drivers in registration order; a probe failure lets the next
 * driver try.  1 when bound (or already bound), 0 when nothing matched.
 */
int device_attach(struct sim_dev *dev)
{
	size_t i;
	int ret;

	if (!dev->present)
		return 0;
	if (dev->driver)
		return 1;
	for (i = 0; i < sim.ndrvs; i++) {
		struct sim_driver *drv = sim.drvs[i];

		if (drv->is_pciback && !sim.pciback_loaded)
			continue;
		if (!driver_match_device(drv, dev))
			continue;
		ret = driver_probe_device(drv, dev);
		if (ret < 0)
			return ret;
		if (ret == 0)
			return 1;
	}
	return 0;
}

/*
 * drivers/base/dd.c driver_attach() -> __driver_attach(): offer every
 * matching device to the driver; errors (EBUSY for bound devices, probe
 * failures) are ignored.
 */
void driver_attach(struct sim_driver *drv)
{
	size_t i;

	for (i = 0; i < sim.ndevs; i++) {
		struct sim_dev *dev = sim.devs[i];

		if (!dev->present || !driver_match_device(drv, dev))
			continue;
		driver_probe_device(drv, dev);
	}
}

/*
 * drivers/pci/pci.c pci_reset_function() / __pci_reset_function_locked():
 * the first method of dev->reset_methods[] that works is used (all of
 * them work here, but on a device with reset_fail); no method at all
 * is -ENOTTY.  A device that does not come back from its reset is
 * -ENOTTY too: pci_dev_wait() "not ready 65535ms after FLR; giving up".
 */
int pci_reset_function(struct sim_dev *dev, const char *why)
{
	int m = dev->reset_methods[0];

	if (!m) {
		sim_log_defer("reset %s none %s", dev->name, why);
		return -ENOTTY;
	}
	if (dev->reset_fail) {
		sim_log_defer("reset %s %s %s failed", dev->name,
			      reset_method_name(m), why);
		return -ENOTTY;
	}
	dev->reset_count++;
	sim_log_defer("reset %s %s %s", dev->name, reset_method_name(m), why);
	return 0;
}

/* drivers/pci/bus.c pci_bus_add_device() -> device_initial_probe() */
void sim_dev_add(struct sim_dev *dev)
{
	dev->present = true;
	dev->hot_removed = false;
	dev->sysfs_removed = false;
	sim_log_defer("add %s", dev->name);
	if (sim.drivers_autoprobe)
		device_attach(dev);
}

/*
 * drivers/pci/remove.c pci_stop_and_remove_bus_device(): the driver is
 * released, then the device goes.  A PF takes its VFs with it.
 */
void sim_dev_remove(struct sim_dev *dev, bool surprise)
{
	size_t i;

	if (!dev->present)
		return;
	for (i = 0; i < sim.ndevs; i++)
		if (sim.devs[i]->physfn == dev)
			sim_dev_remove(sim.devs[i], surprise);
	device_driver_detach(dev);
	dev->present = false;
	dev->hot_removed = surprise;
	dev->sysfs_removed = !surprise;
	if (dev->totalvfs)
		dev->numvfs = 0;
	sim_log_defer("remove %s%s", dev->name, surprise ? " surprise" : "");
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/*
 * Config space as lspci would decode it: IDs, command, class, header
 * type (bit 7 for multi-function), subsystem IDs, BARs, interrupt line
 * and pin (include/uapi/linux/pci_regs.h offsets).  The rest is zero.
 */
void sim_dev_fill_config(struct sim_dev *dev)
{
	uint8_t *c = dev->config;
	int i;

	put16(c + 0x00, dev->vendor);
	put16(c + 0x02, dev->device);
	put16(c + 0x04, dev->enable_cnt ? 0x0006 : 0x0000);
	put16(c + 0x06, 0x0000);	/* no capability list */
	c[0x08] = dev->revision;
	c[0x09] = dev->class & 0xff;
	c[0x0a] = (dev->class >> 8) & 0xff;
	c[0x0b] = (dev->class >> 16) & 0xff;
	c[0x0e] = dev->hdr_type | (dev->multifunction ? 0x80 : 0);
	for (i = 0; i < 6 && (dev->hdr_type == 0 || i < 2); i++) {
		uint64_t f = dev->res[i].flags;
		uint32_t v = (uint32_t)dev->res[i].start;

		if (!f)
			continue;
		v |= (f & 0x100) ? 1 : 0;	/* IORESOURCE_IO */
		v |= (f & 0x2000) ? 8 : 0;	/* IORESOURCE_PREFETCH */
		put32(c + 0x10 + 4 * i, v);
	}
	if (dev->hdr_type == 0) {
		put16(c + 0x2c, dev->subvendor);
		put16(c + 0x2e, dev->subdevice);
	}
	c[0x3c] = dev->irq & 0xff;
	c[0x3d] = dev->irq ? 1 : 0;
	if (dev->hdr_type == 1 && dev->secondary >= 0) {
		/* PCI_PRIMARY_BUS, PCI_SECONDARY_BUS, PCI_SUBORDINATE_BUS */
		c[0x18] = dev->bus;
		c[0x19] = dev->secondary;
		c[0x1a] = dev->subordinate >= 0 ? dev->subordinate :
			  dev->secondary;
	}
	if (dev->pcie_type >= 0) {
		/* PCI_STATUS_CAP_LIST; PCI_CAP_ID_EXP, version 2 */
		put16(c + 0x06, 0x0010);
		c[0x34] = 0x40;
		c[0x40] = 0x10;
		c[0x41] = 0x00;
		put16(c + 0x42, (dev->pcie_type & 0xf) << 4 | 2);
	}
	if (dev->msix) {
		/* PCI_CAP_ID_MSIX, Message Control's Table Size = N - 1 */
		put16(c + 0x06, 0x0010);
		c[dev->pcie_type >= 0 ? 0x41 : 0x34] = 0x50;
		c[0x50] = 0x11;
		c[0x51] = 0x00;
		put16(c + 0x52, (dev->msix - 1) & 0x7ff);
	}
}

static void sim_dev_free(struct sim_dev *dev)
{
	free(dev->config);
	free(dev->driver_override);
	free(dev);
}

void sim_free_all(void)
{
	host_free();
	size_t i;

	for (i = 0; i < sim.ndevs; i++)
		sim_dev_free(sim.devs[i]);
	free(sim.devs);
	for (i = 0; i < sim.ndrvs; i++) {
		free(sim.drvs[i]->ids);
		free(sim.drvs[i]->dynids);
		free(sim.drvs[i]);
	}
	free(sim.drvs);
	free(sim.slots);
	free(sim.hide_param);
	memset(&sim, 0, sizeof(sim));
	sim_log_free();
}
