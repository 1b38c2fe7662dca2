// SPDX-License-Identifier: GPL-2.0
/*
 * The sysfs attributes: per device (drivers/pci/pci-sysfs.c, pci.c,
 * iov.c), per driver (drivers/base/bus.c, drivers/pci/pci-driver.c), per
 * bus (drivers/base/bus.c, drivers/pci/pci-sysfs.c), the xen_pciback
 * module parameters, and the sim/ control files.
 *
 * show() appends the file's text; store() gets the written bytes
 * NUL-terminated (kernfs does the same) and returns 0 or -errno.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simsysfs.h"

#define UNUSED(x)	((void)(x))

const struct attr *attr_find(const struct attr *table, const char *name,
			     struct node *n)
{
	for (; table->name; table++)
		if (!strcmp(table->name, name) &&
		    (!table->visible || table->visible(n)))
			return table;
	return NULL;
}

/*
 * ---- per device: drivers/pci/pci-sysfs.c ----
 * pci_config_attr(vendor, "0x%04x\n") and friends, class_show(),
 * revision_show(), irq_show().
 */

static int vendor_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "0x%04x\n", n->dev->vendor);
}

static int device_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "0x%04x\n", n->dev->device);
}

static int subvendor_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "0x%04x\n", n->dev->subvendor);
}

static int subdevice_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "0x%04x\n", n->dev->subdevice);
}

static int class_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "0x%06x\n", n->dev->class);
}

static int revision_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "0x%02x\n", n->dev->revision);
}

static int irq_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "%u\n", n->dev->irq);
}

/* pci-sysfs.c modalias_show() */
static int modalias_show(struct node *n, struct strbuf *sb)
{
	struct sim_dev *d = n->dev;

	return sb_printf(sb, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n",
			 d->vendor, d->device, d->subvendor, d->subdevice,
			 (d->class >> 16) & 0xff, (d->class >> 8) & 0xff,
			 d->class & 0xff);
}

/*
 * pci-sysfs.c resource_show(): PCI_BRIDGE_RESOURCES (13: 6 BARs, ROM,
 * 6 IOV) lines, DEVICE_COUNT_RESOURCE (17) for a bridge.
 */
static int resource_show(struct node *n, struct strbuf *sb)
{
	int i, max = n->dev->hdr_type == 1 ? 17 : 13;

	for (i = 0; i < max; i++)
		sb_printf(sb, "0x%016llx 0x%016llx 0x%016llx\n",
			  (unsigned long long)n->dev->res[i].start,
			  (unsigned long long)n->dev->res[i].end,
			  (unsigned long long)n->dev->res[i].flags);
	return 0;
}

static int enable_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "%u\n", n->dev->enable_cnt);
}

/*
 * pci-sysfs.c enable_store(): -EBUSY while a driver is bound,
 * pci_enable_device()/pci_disable_device() count, disabling a disabled
 * device is -EIO.
 */
static int enable_store(struct node *n, const char *buf, size_t len)
{
	struct sim_dev *d = n->dev;
	unsigned long val;

	UNUSED(len);
	if (kstrtoul(buf, 0, &val) < 0)
		return -EINVAL;
	if (d->driver)
		return -EBUSY;
	if (val) {
		d->enable_cnt++;
	} else if (d->enable_cnt) {
		d->enable_cnt--;
	} else {
		return -EIO;
	}
	sim_dev_fill_config(d);
	return 0;
}

/* pci-sysfs.c driver_override_show(): sysfs_emit("%s\n"), NULL too */
static int driver_override_show(struct node *n, struct strbuf *sb)
{
	const char *o = n->dev->driver_override;

	return sb_printf(sb, "%s\n", o ? o : "(null)");
}

/*
 * drivers/base/driver.c driver_set_override() (6.1): too long is
 * -EINVAL, an empty string or a lone "\n" clears, else the text up to
 * the first newline is kept.
 */
static int driver_override_store(struct node *n, const char *buf, size_t len)
{
	struct sim_dev *d = n->dev;
	const char *cp;

	if (len >= SIM_PAGE_SIZE - 1)
		return -EINVAL;
	len = strlen(buf);
	free(d->driver_override);
	d->driver_override = NULL;
	if (!len)
		return 0;
	cp = memchr(buf, '\n', len);
	if (cp)
		len = cp - buf;
	if (cp != buf)
		d->driver_override = xstrndup(buf, len);
	return 0;
}

/* pci-sysfs.c pci_dev_reset_attr_is_visible() */
static bool reset_visible(struct node *n)
{
	return n->dev->has_reset_attr;
}

/*
 * pci-sysfs.c reset_store(): only "1" (kstrtoul base 0) is accepted;
 * pci_reset_function() gives -ENOTTY once every method was disabled
 * through reset_method.
 */
static int reset_store(struct node *n, const char *buf, size_t len)
{
	unsigned long val;

	UNUSED(len);
	if (kstrtoul(buf, 0, &val) < 0 || val != 1)
		return -EINVAL;
	return pci_reset_function(n->dev, "sysfs");
}

/* drivers/pci/pci.c reset_method_show() */
static int reset_method_show(struct node *n, struct strbuf *sb)
{
	int i;

	for (i = 0; i < MAX_RESET_METHODS && n->dev->reset_methods[i]; i++)
		sb_printf(sb, "%s%s", i ? " " : "",
			  reset_method_name(n->dev->reset_methods[i]));
	if (i)
		sb_printf(sb, "\n");
	return 0;
}

static bool reset_supported(struct sim_dev *d, int m)
{
	int i;

	for (i = 0; i < MAX_RESET_METHODS && d->default_reset[i]; i++)
		if (d->default_reset[i] == m)
			return true;
	return false;
}

/*
 * drivers/pci/pci.c reset_method_store(): "" disables all methods,
 * "default" restores them, else a space separated list of methods the
 * device supports; an unknown or unsupported name is -EINVAL and leaves
 * the old list.
 */
static int reset_method_store(struct node *n, const char *buf, size_t len)
{
	uint8_t methods[MAX_RESET_METHODS] = { 0 };
	struct sim_dev *d = n->dev;
	char *options, *cursor, *name;
	int m, cnt = 0, err = 0;

	if (sysfs_streq(buf, "")) {
		d->reset_methods[0] = 0;
		return 0;
	}
	if (sysfs_streq(buf, "default")) {
		memcpy(d->reset_methods, d->default_reset, MAX_RESET_METHODS);
		return 0;
	}
	options = xstrndup(buf, len);
	cursor = options;
	while ((name = strsep(&cursor, " ")) != NULL) {
		if (sysfs_streq(name, ""))
			continue;
		name[strcspn(name, "\n")] = '\0';	/* strim() */
		m = reset_method_lookup(name);
		if (!m || !reset_supported(d, m) ||
		    cnt == RESET_NR_METHODS - 1) {
			err = -EINVAL;
			goto out;
		}
		methods[cnt++] = m;
	}
	memcpy(d->reset_methods, methods, MAX_RESET_METHODS);
out:
	free(options);
	return err;
}

/* pci-sysfs.c pci_dev_attrs_are_visible(): boot_vga on VGA class only */
static bool vga_visible(struct node *n)
{
	return (n->dev->class >> 8) == 0x0300;
}

static int boot_vga_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "%u\n", n->dev->boot_vga ? 1 : 0);
}

static bool pf_visible(struct node *n)
{
	return n->dev->totalvfs > 0;
}

static int sriov_totalvfs_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "%u\n", n->dev->totalvfs);
}

static int sriov_numvfs_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "%u\n", n->dev->numvfs);
}

/* The PF driver's sriov_configure(): VFs come and go in index order. */
static void sriov_configure(struct sim_dev *pf, unsigned int num)
{
	size_t i;

	for (i = 0; i < sim.ndevs; i++) {
		struct sim_dev *vf = sim.devs[i];

		if (vf->physfn != pf)
			continue;
		if ((unsigned int)vf->vf_index < num && !vf->present)
			sim_dev_add(vf);
		else if ((unsigned int)vf->vf_index >= num && vf->present)
			sim_dev_remove(vf, false);
	}
	pf->numvfs = num;
}

/*
 * drivers/pci/iov.c sriov_numvfs_store(): kstrtou16, -ERANGE above
 * totalvfs, same value is a no-op, no driver (or one without
 * sriov_configure, like pciback) -ENOENT, changing a non-zero count
 * without going through 0 -EBUSY.
 */
static int sriov_numvfs_store(struct node *n, const char *buf, size_t len)
{
	struct sim_dev *pf = n->dev;
	unsigned long num;

	UNUSED(len);
	if (kstrtoul(buf, 0, &num) < 0 || num > 0xffff)
		return -EINVAL;
	if (num > pf->totalvfs)
		return -ERANGE;
	if (num == pf->numvfs)
		return 0;
	if (!pf->driver || !pf->driver->sriov_configure ||
	    pf->driver->is_pciback)
		return -ENOENT;
	if (num && pf->numvfs)
		return -EBUSY;
	sriov_configure(pf, num);
	return 0;
}

/* pci-sysfs.c remove_store(): any non-zero value removes the device */
static int remove_store(struct node *n, const char *buf, size_t len)
{
	unsigned long val;

	UNUSED(len);
	if (kstrtoul(buf, 0, &val) < 0)
		return -EINVAL;
	if (val)
		sim_dev_remove(n->dev, false);
	return 0;
}

ssize_t config_read(struct sim_dev *dev, char *buf, size_t size, off_t off)
{
	if (off < 0 || (size_t)off >= dev->cfg_size)
		return 0;
	if (size > dev->cfg_size - (size_t)off)
		size = dev->cfg_size - off;
	sim_dev_fill_config(dev);
	memcpy(buf, dev->config + off, size);
	return size;
}

/*
 * pci-sysfs.c pci_write_config(): clipped to the config size.  The
 * bytes are kept as written, except the fields the simulator derives
 * (IDs, class, header), which sim_dev_fill_config() restores.
 */
ssize_t config_write(struct sim_dev *dev, const char *buf, size_t size,
		     off_t off)
{
	if (off < 0 || (size_t)off >= dev->cfg_size)
		return 0;
	if (size > dev->cfg_size - (size_t)off)
		size = dev->cfg_size - off;
	memcpy(dev->config + off, buf, size);
	return size;
}

static int uevent_store(struct node *n, const char *buf, size_t len);
static int dev_uevent_show(struct node *n, struct strbuf *sb);

const struct attr dev_attrs[] = {
	{ "vendor", 0444, vendor_show, NULL, NULL, false },
	{ "device", 0444, device_show, NULL, NULL, false },
	{ "subsystem_vendor", 0444, subvendor_show, NULL, NULL, false },
	{ "subsystem_device", 0444, subdevice_show, NULL, NULL, false },
	{ "class", 0444, class_show, NULL, NULL, false },
	{ "revision", 0444, revision_show, NULL, NULL, false },
	{ "irq", 0444, irq_show, NULL, NULL, false },
	{ "modalias", 0444, modalias_show, NULL, NULL, false },
	{ "resource", 0444, resource_show, NULL, NULL, false },
	{ "config", 0644, NULL, NULL, NULL, true },
	{ "enable", 0644, enable_show, enable_store, NULL, false },
	{ "driver_override", 0644, driver_override_show,
	  driver_override_store, NULL, false },
	{ "reset", 0200, NULL, reset_store, reset_visible, false },
	{ "reset_method", 0644, reset_method_show, reset_method_store,
	  reset_visible, false },
	{ "boot_vga", 0444, boot_vga_show, NULL, vga_visible, false },
	{ "sriov_totalvfs", 0444, sriov_totalvfs_show, NULL, pf_visible,
	  false },
	{ "sriov_numvfs", 0644, sriov_numvfs_show, sriov_numvfs_store,
	  pf_visible, false },
	{ "remove", 0200, NULL, remove_store, NULL, false },
	{ "uevent", 0644, dev_uevent_show, uevent_store, NULL, false },
	{ NULL, 0, NULL, NULL, NULL, false },
};

/* net/core/net-sysfs.c operstate_show(), for an in-use NIC */
static int operstate_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "%s\n", n->dev->operstate);
}

/* net-sysfs.c flags: IFF_UP with an up operstate (IFF_BROADCAST,
 * IFF_MULTICAST always) */
static int netflags_show(struct node *n, struct strbuf *sb)
{
	return sb_printf(sb, "0x%x\n", !strcmp(n->dev->operstate, "up") ?
			 0x1003 : 0x1002);
}

const struct attr net_attrs[] = {
	{ "operstate", 0444, operstate_show, NULL, NULL, false },
	{ "flags", 0444, netflags_show, NULL, NULL, false },
	{ NULL, 0, NULL, NULL, NULL, false },
};

/* ---- per driver: drivers/base/bus.c, drivers/pci/pci-driver.c ---- */

/*
 * drivers/base/bus.c bind_store(): -ENODEV unless the device exists and
 * the driver matches it (pci_bus_match(): id table, dynids,
 * driver_override); then device_driver_attach(): -EBUSY when the device
 * already has a driver, or the probe's error.
 */
static int bind_store(struct node *n, const char *buf, size_t len)
{
	struct sim_dev *dev = bus_find_device_by_name(buf);

	UNUSED(len);
	if (!dev || !driver_match_device(n->drv, dev))
		return -ENODEV;
	return device_driver_attach(n->drv, dev);
}

/* drivers/base/bus.c unbind_store(): -ENODEV unless bound to this one */
static int unbind_store(struct node *n, const char *buf, size_t len)
{
	struct sim_dev *dev = bus_find_device_by_name(buf);

	UNUSED(len);
	if (!dev || dev->driver != n->drv)
		return -ENODEV;
	device_driver_detach(dev);
	return 0;
}

static bool dynid_data_ok(struct sim_driver *drv, unsigned long data)
{
	size_t i;

	if (!drv->nids)
		return true;
	for (i = 0; i < drv->nids; i++)
		if (drv->ids[i].driver_data == data)
			return true;
	return false;
}

/*
 * drivers/pci/pci-driver.c new_id_store(): "VVVV DDDD [SV SD C CM DATA]";
 * fewer than two fields -EINVAL; with fewer than seven an id the driver
 * already matches is -EEXIST (pciback's table matches everything);
 * driver_data must be one of the table's; then pci_add_dynid() runs
 * driver_attach().
 */
static int new_id_store(struct node *n, const char *buf, size_t len)
{
	struct sim_driver *drv = n->drv;
	struct pci_id id = { 0, 0, PCI_ANY_ID, PCI_ANY_ID, 0, 0, 0 };
	int fields;

	UNUSED(len);
	fields = sscanf(buf, "%x %x %x %x %x %x %lx", &id.vendor, &id.device,
			&id.subvendor, &id.subdevice, &id.class,
			&id.class_mask, &id.driver_data);
	if (fields < 2)
		return -EINVAL;
	if (fields != 7) {
		struct sim_dev fake;

		memset(&fake, 0, sizeof(fake));
		fake.vendor = id.vendor;
		fake.device = id.device;
		fake.subvendor = id.subvendor;
		fake.subdevice = id.subdevice;
		fake.class = id.class;
		if (driver_match_device(drv, &fake))
			return -EEXIST;
	}
	if (!dynid_data_ok(drv, id.driver_data))
		return -EINVAL;
	drv->dynids = realloc(drv->dynids,
			      (drv->ndynids + 1) * sizeof(*drv->dynids));
	if (!drv->dynids)
		abort();
	drv->dynids[drv->ndynids++] = id;
	sim_log_defer("new_id %s %04x:%04x", drv->name, id.vendor, id.device);
	driver_attach(drv);
	return 0;
}

/*
 * drivers/pci/pci-driver.c remove_id_store(): the first matching dynid
 * goes; -ENODEV when none matches.
 */
static int remove_id_store(struct node *n, const char *buf, size_t len)
{
	struct sim_driver *drv = n->drv;
	uint32_t vendor, device, subvendor = PCI_ANY_ID;
	uint32_t subdevice = PCI_ANY_ID, class = 0, class_mask = 0;
	size_t i;

	UNUSED(len);
	if (sscanf(buf, "%x %x %x %x %x %x", &vendor, &device, &subvendor,
		   &subdevice, &class, &class_mask) < 2)
		return -EINVAL;
	for (i = 0; i < drv->ndynids; i++) {
		struct pci_id *id = &drv->dynids[i];

		if (id->vendor == vendor && id->device == device &&
		    (subvendor == PCI_ANY_ID || id->subvendor == subvendor) &&
		    (subdevice == PCI_ANY_ID || id->subdevice == subdevice) &&
		    !((id->class ^ class) & class_mask)) {
			memmove(id, id + 1,
				(drv->ndynids - i - 1) * sizeof(*id));
			drv->ndynids--;
			return 0;
		}
	}
	return -ENODEV;
}

static bool uuid_valid(const char *s, size_t len)
{
	size_t i;

	if (len != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!strchr("0123456789abcdefABCDEF", s[i])) {
			return false;
		}
	}
	return true;
}

/*
 * drivers/base/bus.c uevent_store() -> lib/kobject_uevent.c
 * kobject_synth_uevent(): an action name, optionally a UUID and
 * KEY=VALUE arguments; anything else -EINVAL.
 */
static int uevent_store(struct node *n, const char *buf, size_t len)
{
	static const char *const actions[] = {
		"add", "remove", "change", "move", "online", "offline",
		"bind", "unbind", NULL,
	};
	size_t wlen, i;

	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\0'))
		len--;
	wlen = strcspn(buf, " ");
	if (wlen > len)
		wlen = len;
	for (i = 0; actions[i]; i++)
		if (strlen(actions[i]) == wlen &&
		    !strncmp(actions[i], buf, wlen))
			break;
	if (!actions[i])
		return -EINVAL;
	if (wlen < len) {
		const char *args = buf + wlen + 1;
		size_t alen = len - wlen - 1;
		size_t ulen = strcspn(args, " ");

		if (ulen > alen)
			ulen = alen;
		if (!uuid_valid(args, ulen))
			return -EINVAL;
	}
	sim_log_defer("uevent %s %s", n->drv ? n->drv->name :
		      n->dev ? n->dev->name : "bus", actions[i]);
	return 0;
}

/*
 * drivers/base/core.c uevent_show(): dev_uevent() adds DRIVER=, then
 * drivers/pci/pci-driver.c pci_uevent() the PCI_* and MODALIAS keys.
 */
static int dev_uevent_show(struct node *n, struct strbuf *sb)
{
	struct sim_dev *d = n->dev;

	if (d->driver)
		sb_printf(sb, "DRIVER=%s\n", d->driver->name);
	sb_printf(sb, "PCI_CLASS=%04X\nPCI_ID=%04X:%04X\n"
		  "PCI_SUBSYS_ID=%04X:%04X\nPCI_SLOT_NAME=%s\n"
		  "MODALIAS=", d->class, d->vendor, d->device,
		  d->subvendor, d->subdevice, d->name);
	return modalias_show(n, sb);
}

const struct attr drv_attrs[] = {
	{ "bind", 0200, NULL, bind_store, NULL, false },
	{ "unbind", 0200, NULL, unbind_store, NULL, false },
	{ "new_id", 0200, NULL, new_id_store, NULL, false },
	{ "remove_id", 0200, NULL, remove_id_store, NULL, false },
	{ "uevent", 0200, NULL, uevent_store, NULL, false },
	{ NULL, 0, NULL, NULL, NULL, false },
};

/* ---- the bus: drivers/base/bus.c, drivers/pci/pci-sysfs.c ---- */

/*
 * drivers/base/bus.c drivers_probe_store(): -ENODEV for an unknown
 * device; bus_rescan_devices_helper() -> device_attach(): finding no
 * driver is not an error in 6.1, only a negative device_attach() result
 * gives -EINVAL.
 */
static int drivers_probe_store(struct node *n, const char *buf, size_t len)
{
	struct sim_dev *dev = bus_find_device_by_name(buf);

	UNUSED(n);
	UNUSED(len);
	if (!dev)
		return -ENODEV;
	if (device_attach(dev) < 0)
		return -EINVAL;
	return 0;
}

static int autoprobe_show(struct node *n, struct strbuf *sb)
{
	UNUSED(n);
	return sb_printf(sb, "%d\n", sim.drivers_autoprobe ? 1 : 0);
}

/* drivers/base/bus.c drivers_autoprobe_store(): '0' first, else on */
static int autoprobe_store(struct node *n, const char *buf, size_t len)
{
	UNUSED(n);
	UNUSED(len);
	sim.drivers_autoprobe = buf[0] != '0';
	return 0;
}

/*
 * drivers/pci/pci-sysfs.c rescan_store() (bus_rescan_store): devices
 * removed through their "remove" file come back and are probed; those
 * removed by sim/hotplug (surprise removal) do not.
 */
static int rescan_store(struct node *n, const char *buf, size_t len)
{
	unsigned long val;
	size_t i;

	UNUSED(n);
	UNUSED(len);
	if (kstrtoul(buf, 0, &val) < 0)
		return -EINVAL;
	if (!val)
		return 0;
	for (i = 0; i < sim.ndevs; i++) {
		struct sim_dev *d = sim.devs[i];

		if (!d->present && d->sysfs_removed && !d->physfn)
			sim_dev_add(d);
	}
	return 0;
}

const struct attr bus_attrs[] = {
	{ "drivers_probe", 0200, NULL, drivers_probe_store, NULL, false },
	{ "drivers_autoprobe", 0644, autoprobe_show, autoprobe_store, NULL,
	  false },
	{ "rescan", 0200, NULL, rescan_store, NULL, false },
	/* drivers/base/bus.c bus_uevent_store() */
	{ "uevent", 0200, NULL, uevent_store, NULL, false },
	{ NULL, 0, NULL, NULL, NULL, false },
};

/* ---- /sys/module/xen_pciback/parameters (kernel/params.c) ---- */

static int bool_param_store(bool *p, const char *buf)
{
	bool v;

	/* kernel/params.c param_set_bool(): kstrtobool() */
	if (kstrtobool(buf, &v))
		return -EINVAL;
	*p = v;
	return 0;
}

static int p_permissive_show(struct node *n, struct strbuf *sb)
{
	UNUSED(n);
	return sb_printf(sb, "%c\n", sim.param_permissive ? 'Y' : 'N');
}

static int p_permissive_store(struct node *n, const char *buf, size_t len)
{
	UNUSED(n);
	UNUSED(len);
	return bool_param_store(&sim.param_permissive, buf);
}

static int p_passthrough_show(struct node *n, struct strbuf *sb)
{
	UNUSED(n);
	return sb_printf(sb, "%c\n", sim.param_passthrough ? 'Y' : 'N');
}

/* kernel/params.c param_get_charp(): "%s\n", "(null)" when unset */
static int p_hide_show(struct node *n, struct strbuf *sb)
{
	UNUSED(n);
	return sb_printf(sb, "%s\n",
			 sim.hide_param ? sim.hide_param : "(null)");
}

/*
 * No verbose_request: Debian's 6.1 xen-pciback has no such parameter
 * (read off a real dom0 by the real-Xen tier, tests/realxen).
 */
const struct attr param_attrs[] = {
	{ "hide", 0444, p_hide_show, NULL, NULL, false },
	{ "passthrough", 0444, p_passthrough_show, NULL, NULL, false },
	{ "permissive", 0644, p_permissive_show, p_permissive_store, NULL,
	  false },
	{ NULL, 0, NULL, NULL, NULL, false },
};
