// SPDX-License-Identifier: GPL-2.0
/*
 * xen-pciback as Linux 6.1 has it (drivers/xen/xen-pciback/pci_stub.c):
 * the slot list (struct pcistub_device_id), the seized devices (struct
 * pcistub_device with its xen_pcibk_dev_data), probe/remove, and the
 * driver's own sysfs files.
 *
 * Not simulated: matching a slot through a parent bridge
 * (pcistub_match_one() walks dev->bus->self; the inventory has no
 * topology), the emulated config-space field list that "quirks" also
 * prints, and deferred initialisation before device_initcall.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simsysfs.h"

#define PCI_SLOT(devfn)		(((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)		((devfn) & 0x07)
#define PCI_DEVFN(slot, func)	((((slot) & 0x1f) << 3) | ((func) & 0x07))

static unsigned long psdev_counter;

/*
 * pci_stub.c str_to_slot(): "DDDD:BB:SS.F", "DDDD:BB:SS.*",
 * "DDDD:BB:*.*", then the same without the domain; surrounding white
 * space is allowed, anything else is -EINVAL.  A wildcard gives -1.
 */
int str_to_slot(const char *buf, int *domain, int *bus, int *slot, int *func)
{
	int parsed = 0;

	switch (sscanf(buf, " %x:%x:%x.%x %n", domain, bus, slot, func,
		       &parsed)) {
	case 3:
		*func = -1;
		sscanf(buf, " %x:%x:%x.* %n", domain, bus, slot, &parsed);
		break;
	case 2:
		*slot = *func = -1;
		sscanf(buf, " %x:%x:*.* %n", domain, bus, &parsed);
		break;
	}
	if (parsed && !buf[parsed])
		return 0;

	/* try again without domain */
	*domain = 0;
	switch (sscanf(buf, " %x:%x.%x %n", bus, slot, func, &parsed)) {
	case 2:
		*func = -1;
		sscanf(buf, " %x:%x.* %n", bus, slot, &parsed);
		break;
	case 1:
		*slot = *func = -1;
		sscanf(buf, " %x:*.* %n", bus, &parsed);
		break;
	}
	if (parsed && !buf[parsed])
		return 0;
	return -EINVAL;
}

/* pci_stub.c str_to_quirk(): "DDDD:BB:SS.F-REG:SIZE:MASK" */
static int str_to_quirk(const char *buf, int *domain, int *bus, int *slot,
			int *func, int *reg, int *size, int *mask)
{
	int parsed = 0;

	sscanf(buf, " %x:%x:%x.%x-%x:%x:%x %n", domain, bus, slot, func,
	       reg, size, mask, &parsed);
	if (parsed && !buf[parsed])
		return 0;

	/* try again without domain */
	*domain = 0;
	sscanf(buf, " %x:%x.%x-%x:%x:%x %n", bus, slot, func, reg, size,
	       mask, &parsed);
	if (parsed && !buf[parsed])
		return 0;
	return -EINVAL;
}

/* pci_stub.c pcistub_device_id_add_list(): an existing id is not added. */
static void pcistub_device_id_add_list(int domain, int bus, unsigned int devfn)
{
	size_t i;

	for (i = 0; i < sim.nslots; i++)
		if (sim.slots[i].domain == domain &&
		    sim.slots[i].bus == (unsigned int)bus &&
		    sim.slots[i].devfn == devfn)
			return;
	sim.slots = realloc(sim.slots, (sim.nslots + 1) * sizeof(*sim.slots));
	if (!sim.slots)
		abort();
	sim.slots[sim.nslots].domain = domain;
	sim.slots[sim.nslots].bus = bus;
	sim.slots[sim.nslots].devfn = devfn;
	sim.nslots++;
	sim_log_defer("slot-add %04x:%02x:%02x.%d", domain, bus,
		      PCI_SLOT(devfn), PCI_FUNC(devfn));
}

/*
 * pci_stub.c pcistub_device_id_add(): wildcards expand to every slot
 * (0..31) and function (0..7), range checks give -EINVAL
 * (pci_domains_supported is true on x86).
 */
int pcistub_device_id_add(int domain, int bus, int slot, int func)
{
	int rc = 0;
	int devfn = PCI_DEVFN(slot, func);

	if (slot < 0) {
		for (slot = 0; !rc && slot < 32; ++slot)
			rc = pcistub_device_id_add(domain, bus, slot, func);
		return rc;
	}
	if (func < 0) {
		for (func = 0; !rc && func < 8; ++func)
			rc = pcistub_device_id_add(domain, bus, slot, func);
		return rc;
	}
	if (domain < 0 || domain > 0xffff || bus < 0 || bus > 0xff ||
	    PCI_SLOT(devfn) != slot || PCI_FUNC(devfn) != func)
		return -EINVAL;
	pcistub_device_id_add_list(domain, bus, devfn);
	return 0;
}

/*
 * pci_stub.c pcistub_device_id_remove(): every matching entry goes (a
 * wildcard matches any slot/function); -ENOENT when none matched.
 */
static int pcistub_device_id_remove(int domain, int bus, int slot, int func)
{
	int err = -ENOENT;
	size_t i = 0;

	while (i < sim.nslots) {
		struct sim_slot *s = &sim.slots[i];

		if (s->domain == domain && s->bus == (unsigned int)bus &&
		    (slot < 0 || (int)PCI_SLOT(s->devfn) == slot) &&
		    (func < 0 || (int)PCI_FUNC(s->devfn) == func)) {
			sim_log_defer("slot-remove %04x:%02x:%02x.%d",
				      s->domain, s->bus, PCI_SLOT(s->devfn),
				      PCI_FUNC(s->devfn));
			memmove(s, s + 1,
				(sim.nslots - i - 1) * sizeof(*s));
			sim.nslots--;
			err = 0;
			continue;
		}
		i++;
	}
	return err;
}

/* pci_stub.c pcistub_match() / pcistub_match_one(), without bridges */
static bool pcistub_match(struct sim_dev *dev)
{
	size_t i;

	for (i = 0; i < sim.nslots; i++)
		if ((unsigned int)sim.slots[i].domain == dev->domain &&
		    sim.slots[i].bus == dev->bus &&
		    sim.slots[i].devfn == dev->devfn)
			return true;
	return false;
}

/* pci_stub.c pcistub_device_find(): only seized devices; no wildcards. */
static struct sim_dev *pcistub_device_find(int domain, int bus, int slot,
					   int func)
{
	struct sim_dev *dev;

	if (slot < 0 || slot > 0x1f || func < 0 || func > 7 || domain < 0 ||
	    bus < 0)
		return NULL;
	dev = sim_find_dev(domain, bus, PCI_DEVFN(slot, func));
	return dev && dev->psdev ? dev : NULL;
}

/*
 * pci_stub.c pcistub_init_device(): enable, save state, reset through
 * __pci_reset_function_locked() (its -ENOTTY is ignored in 6.1),
 * restore, then xen_pcibk_reset_device() disables a normal device.
 */
static void pcistub_init_device(struct sim_dev *dev)
{
	pci_reset_function(dev, "pciback-bind");
	dev->enable_cnt = dev->hdr_type == 1 ? 1 : 0;
	dev->psdev = true;
	dev->psdev_seq = ++psdev_counter;
	dev->permissive = false;
	dev->allow_interrupt_control = false;
	dev->warned_on_write = false;
	dev->isr_on = false;
	dev->ack_intr = false;
	dev->owner_domid = -1;
	dev->nquirks = 0;
}

/*
 * pci_stub.c pcistub_probe() (6.1): a device is taken when a slot names
 * it or when its driver_override is "pciback"; in the second case
 * pcistub_seize() adds the slot itself.  Header types other than
 * normal (0) and bridge (1) are refused with -ENODEV.
 */
int pcistub_probe(struct sim_dev *dev)
{
	bool match = pcistub_match(dev);

	if (!match && !(dev->driver_override &&
			!strcmp(dev->driver_override, "pciback")))
		return -ENODEV;
	if (dev->hdr_type != 0 && dev->hdr_type != 1) {
		sim_log_defer("pciback-refused %s header-type %u", dev->name,
			      dev->hdr_type);
		return -ENODEV;
	}
	pcistub_init_device(dev);
	if (!match)
		pcistub_device_id_add_list(dev->domain, dev->bus, dev->devfn);
	return 0;
}

/*
 * pci_stub.c pcistub_put_pci_dev(): what happens when a guest lets the
 * device go (xen_pcibk_release_pci_dev): reset, restore, disable.
 */
int pcistub_release(struct sim_dev *dev)
{
	if (!dev->psdev || dev->owner_domid < 0)
		return -ENODEV;
	pci_reset_function(dev, "pciback-release");
	dev->owner_domid = -1;
	return 0;
}

int pcistub_assign(struct sim_dev *dev, int domid)
{
	if (!dev->psdev)
		return -ENODEV;
	if (dev->owner_domid >= 0)
		return -EBUSY;
	dev->owner_domid = domid;
	return 0;
}

/*
 * pci_stub.c pcistub_remove(): a device still used by a guest is
 * released first (with its reset); the final pcistub_device_put() runs
 * pcistub_device_release(), which resets again and frees dev_data, so
 * permissive and allow_interrupt_control are forgotten.  The slot stays.
 */
void pcistub_remove(struct sim_dev *dev)
{
	if (!dev->psdev)
		return;
	if (dev->owner_domid >= 0) {
		sim_log_defer("pciback-warn %s removed while in use by "
			      "domain %d", dev->name, dev->owner_domid);
		pcistub_release(dev);
	}
	pci_reset_function(dev, "pciback-unbind");
	dev->psdev = false;
	dev->permissive = false;
	dev->allow_interrupt_control = false;
	dev->nquirks = 0;
}

/*
 * pci_stub.c pci_stub_notifier(): on BUS_NOTIFY_UNBIND_DRIVER of a PF,
 * every VF of it that pciback holds and no guest uses is released.
 */
void pcistub_unbind_notifier(struct sim_dev *pf)
{
	size_t i;

	for (i = 0; i < sim.ndevs; i++) {
		struct sim_dev *vf = sim.devs[i];

		if (vf->present && vf->physfn == pf && vf->psdev &&
		    vf->owner_domid < 0 && vf->driver)
			device_driver_detach(vf);
	}
}

/*
 * pci_stub.c pcistub_init(): the "hide" parameter, "(BDF)(BDF)...", each
 * in the str_to_slot() forms.  -EINVAL is "Error parsing
 * pci_devs_to_hide".
 */
int pciback_parse_hide(const char *hide)
{
	int pos = 0;
	int domain, bus, slot, func, parsed, err;

	while (hide[pos]) {
		parsed = 0;
		err = sscanf(hide + pos, " (%x:%x:%x.%x) %n", &domain, &bus,
			     &slot, &func, &parsed);
		if (err == 3) {
			func = -1;
			sscanf(hide + pos, " (%x:%x:%x.*) %n", &domain, &bus,
			       &slot, &parsed);
		} else if (err == 2) {
			slot = func = -1;
			sscanf(hide + pos, " (%x:%x:*.*) %n", &domain, &bus,
			       &parsed);
		}
		if (!parsed) {
			domain = 0;
			err = sscanf(hide + pos, " (%x:%x.%x) %n", &bus, &slot,
				     &func, &parsed);
			if (err == 2) {
				func = -1;
				sscanf(hide + pos, " (%x:%x.*) %n", &bus,
				       &slot, &parsed);
			} else if (err == 1) {
				slot = func = -1;
				sscanf(hide + pos, " (%x:*.*) %n", &bus,
				       &parsed);
			}
		}
		if (parsed <= 0)
			return -EINVAL;
		err = pcistub_device_id_add(domain, bus, slot, func);
		if (err)
			return err;
		pos += parsed;
	}
	return 0;
}

/* pcistub_devices is a list_add() list: the newest device comes first. */
static size_t psdev_sorted(struct sim_dev **out)
{
	size_t i, j, n = 0;

	for (i = 0; i < sim.ndevs; i++) {
		struct sim_dev *d = sim.devs[i];

		if (!d->present || !d->psdev)
			continue;
		for (j = n; j > 0 && out[j - 1]->psdev_seq < d->psdev_seq; j--)
			out[j] = out[j - 1];
		out[j] = d;
		n++;
	}
	return n;
}

static int psdev_show(struct strbuf *sb, int what)
{
	struct sim_dev **list = xcalloc(sim.ndevs, sizeof(*list));
	size_t i, n = psdev_sorted(list);

	for (i = 0; i < n; i++) {
		struct sim_dev *d = list[i];

		if (what == 0 && d->permissive)
			sb_printf(sb, "%s\n", d->name);
		else if (what == 1 && d->allow_interrupt_control)
			sb_printf(sb, "%s\n", d->name);
		else if (what == 2)
			/* irq_handlers_show(): "handled" is never counted */
			sb_printf(sb, "%s:%s:%sing:%ld\n", d->name,
				  d->isr_on ? "on" : "off",
				  d->ack_intr ? "ack" : "not ack", 0L);
	}
	free(list);
	return 0;
}

/* pci_stub.c new_slot_store() */
static int new_slot_store(struct node *n, const char *buf, size_t len)
{
	int domain, bus, slot, func;
	int err;

	(void)n;
	(void)len;
	err = str_to_slot(buf, &domain, &bus, &slot, &func);
	if (err)
		return err;
	return pcistub_device_id_add(domain, bus, slot, func);
}

/* pci_stub.c remove_slot_store() */
static int remove_slot_store(struct node *n, const char *buf, size_t len)
{
	int domain, bus, slot, func;
	int err;

	(void)n;
	(void)len;
	err = str_to_slot(buf, &domain, &bus, &slot, &func);
	if (err)
		return err;
	return pcistub_device_id_remove(domain, bus, slot, func);
}

/* pci_stub.c slots_show(): "%04x:%02x:%02x.%d\n" in list order */
static int slots_show(struct node *n, struct strbuf *sb)
{
	size_t i;

	(void)n;
	for (i = 0; i < sim.nslots && sb->len < SIM_PAGE_SIZE; i++)
		sb_printf(sb, "%04x:%02x:%02x.%d\n", sim.slots[i].domain,
			  sim.slots[i].bus, PCI_SLOT(sim.slots[i].devfn),
			  PCI_FUNC(sim.slots[i].devfn));
	return 0;
}

/*
 * pci_stub.c permissive_store(): -ENODEV unless pciback holds the
 * device; the flag only goes away with the device (pcistub_remove()).
 */
static int permissive_store(struct node *n, const char *buf, size_t len)
{
	int domain, bus, slot, func;
	struct sim_dev *dev;
	int err;

	(void)n;
	(void)len;
	err = str_to_slot(buf, &domain, &bus, &slot, &func);
	if (err)
		return err;
	dev = pcistub_device_find(domain, bus, slot, func);
	if (!dev)
		return -ENODEV;
	if (!dev->permissive) {
		dev->permissive = true;
		sim_log_defer("permissive %s", dev->name);
	}
	return 0;
}

static int permissive_show(struct node *n, struct strbuf *sb)
{
	(void)n;
	return psdev_show(sb, 0);
}

/* pci_stub.c allow_interrupt_control_store(): like permissive_store() */
static int aic_store(struct node *n, const char *buf, size_t len)
{
	int domain, bus, slot, func;
	struct sim_dev *dev;
	int err;

	(void)n;
	(void)len;
	err = str_to_slot(buf, &domain, &bus, &slot, &func);
	if (err)
		return err;
	dev = pcistub_device_find(domain, bus, slot, func);
	if (!dev)
		return -ENODEV;
	dev->allow_interrupt_control = true;
	return 0;
}

static int aic_show(struct node *n, struct strbuf *sb)
{
	(void)n;
	return psdev_show(sb, 1);
}

static int irq_handlers_show(struct node *n, struct strbuf *sb)
{
	(void)n;
	return psdev_show(sb, 2);
}

/* pci_stub.c irq_handler_state_store(): -ENOENT for an unknown device */
static int irq_handler_state_store(struct node *n, const char *buf,
				   size_t len)
{
	int domain, bus, slot, func;
	struct sim_dev *dev;
	int err;

	(void)n;
	(void)len;
	err = str_to_slot(buf, &domain, &bus, &slot, &func);
	if (err)
		return err;
	dev = pcistub_device_find(domain, bus, slot, func);
	if (!dev)
		return -ENOENT;
	dev->isr_on = !dev->isr_on;
	if (dev->isr_on)
		dev->ack_intr = true;
	return 0;
}

/*
 * pci_stub.c quirks_store() -> pcistub_reg_add() ->
 * xen_pcibk_config_quirks_add_field() (conf_space_quirks.c): reg at most
 * 0xfff, the mask must fit the size, size 1, 2 or 4, device on pciback.
 */
static int quirks_store(struct node *n, const char *buf, size_t len)
{
	int domain, bus, slot, func, reg, size, mask;
	struct sim_dev *dev;
	int err;

	(void)n;
	(void)len;
	err = str_to_quirk(buf, &domain, &bus, &slot, &func, &reg, &size,
			   &mask);
	if (err)
		return err;
	if ((unsigned int)reg > 0xfff ||
	    ((unsigned int)size < 4 && ((unsigned int)mask >> (size * 8))))
		return -EINVAL;
	dev = pcistub_device_find(domain, bus, slot, func);
	if (!dev)
		return -ENODEV;
	if (size != 1 && size != 2 && size != 4)
		return -EINVAL;
	if (dev->nquirks >= sizeof(dev->quirks) / sizeof(dev->quirks[0]))
		return -ENOMEM;
	dev->quirks[dev->nquirks].reg = reg;
	dev->quirks[dev->nquirks].size = size;
	dev->quirks[dev->nquirks].mask = mask;
	dev->nquirks++;
	return 0;
}

/*
 * pci_stub.c quirks_show(): one entry per seized device
 * (xen_pcibk_config_quirks_init() registers one for each), followed by
 * its fields.  Only the fields added through quirks_store() are listed;
 * the standard emulated header fields are not simulated.
 */
static int quirks_show(struct node *n, struct strbuf *sb)
{
	size_t i;
	unsigned int q;

	(void)n;
	for (i = 0; i < sim.ndevs; i++) {
		struct sim_dev *d = sim.devs[i];

		if (!d->present || !d->psdev)
			continue;
		sb_printf(sb, "%02x:%02x.%01x\n\t%04x:%04x:%04x:%04x\n",
			  d->bus, PCI_SLOT(d->devfn), PCI_FUNC(d->devfn),
			  d->vendor, d->device, d->subvendor, d->subdevice);
		for (q = 0; q < d->nquirks; q++)
			sb_printf(sb, "\t\t%08x:%01x:%08x\n", d->quirks[q].reg,
				  d->quirks[q].size, d->quirks[q].mask);
	}
	return 0;
}

/*
 * do_flr is not in mainline pciback (some distro kernels carry it):
 * BDF of a seized device, reset it, -ENODEV otherwise.
 */
static int do_flr_store(struct node *n, const char *buf, size_t len)
{
	int domain, bus, slot, func;
	struct sim_dev *dev;
	int err;

	(void)n;
	(void)len;
	err = str_to_slot(buf, &domain, &bus, &slot, &func);
	if (err)
		return err;
	dev = pcistub_device_find(domain, bus, slot, func);
	if (!dev)
		return -ENODEV;
	pci_reset_function(dev, "do_flr");
	return 0;
}

static bool do_flr_visible(struct node *n)
{
	(void)n;
	return sim.pciback_do_flr;
}

/* Modes from DRIVER_ATTR_WO/RO/RW: 0200, 0444... as sysfs shows them. */
const struct attr pciback_attrs[] = {
	{ "new_slot", 0200, NULL, new_slot_store, NULL, false },
	{ "remove_slot", 0200, NULL, remove_slot_store, NULL, false },
	{ "slots", 0444, slots_show, NULL, NULL, false },
	{ "quirks", 0644, quirks_show, quirks_store, NULL, false },
	{ "permissive", 0644, permissive_show, permissive_store, NULL, false },
	{ "allow_interrupt_control", 0644, aic_show, aic_store, NULL, false },
	{ "irq_handlers", 0444, irq_handlers_show, NULL, NULL, false },
	{ "irq_handler_state", 0200, NULL, irq_handler_state_store, NULL,
	  false },
	{ "do_flr", 0200, NULL, do_flr_store, do_flr_visible, false },
	{ NULL, 0, NULL, NULL, NULL, false },
};
