/*
 * The virtual PCI bus that pciback shows a guest: a mirror of
 * drivers/xen/xen-pciback/vpci.c (the default "vpci" backend; the
 * "passthrough" module parameter is not modelled).  One root, 0000:00,
 * 32 slots; the functions of one physical slot share a virtual slot,
 * except a VF at function 0, which has one of its own.
 */
#include <errno.h>
#include <stdlib.h>

#include "peer.h"

#define PCI_BASE_CLASS_BRIDGE	0x06

/* match_slot(): same domain, bus and slot. */
static bool match_slot(struct pcistub_dev *l, struct pcistub_dev *r)
{
	const struct pci_addr *a = pcistub_addr(l), *b = pcistub_addr(r);

	return a->domain == b->domain && a->bus == b->bus &&
	       PCI_SLOT(a->devfn) == PCI_SLOT(b->devfn);
}

static void slot_append(struct vpci *v, int slot, struct vpci_entry *e)
{
	struct vpci_entry **pp = &v->slot[slot];

	while (*pp)
		pp = &(*pp)->next;
	e->next = NULL;
	*pp = e;
}

/*
 * The bridge test of __xen_pcibk_add_pci_dev() is
 * "(dev->class >> 24) == PCI_BASE_CLASS_BRIDGE", but dev->class holds
 * only 24 bits, so in the real kernel the test is never true and
 * bridges ARE exported.  We evaluate the same expression;
 * --vpci-bridge-check uses ">> 16", i.e. what the code evidently
 * meant, for tests that want the refusal.
 */
static bool refused_bridge(struct pcistub_dev *dev)
{
	unsigned int shift = conf.vpci_bridge_check ? 16 : 24;

	return (pcistub_class(dev) >> shift) == PCI_BASE_CLASS_BRIDGE;
}

/*
 * A slot for a new function, as the two loops of __xen_pcibk_add_pci_dev()
 * since Linux 5.13 (4ba50e7c423c "xen-pciback: redo VF placement in the
 * virtual topology", also in the stable kernels from 4.4 and in Debian
 * 12's 6.1): every function keeps its own number, and a VF at function 0
 * takes a slot of its own that nothing joins (it is not a multi-function
 * device, a guest would not scan the slot's other functions).  Before
 * that commit a VF was published as function 0 while
 * __xen_pcibk_get_pci_dev() kept matching its real function, so pciback
 * could not find a VF at function N > 0 by its vdev-i when the guest let
 * go of it, and the detach stayed in Reconfiguring for good.
 */
static int pick_slot(struct vpci *v, struct pcistub_dev *dev, bool virtfn,
		     int *func)
{
	int slot;

	*func = PCI_FUNC(pcistub_addr(dev)->devfn);
	if (!virtfn || *func) {
		for (slot = 0; slot < PCI_SLOT_MAX; slot++) {
			struct pcistub_dev *t;

			if (!v->slot[slot])
				continue;
			t = v->slot[slot]->dev;
			if (pcistub_is_virtfn(t) &&
			    !PCI_FUNC(pcistub_addr(t)->devfn))
				continue;
			if (match_slot(dev, t))
				return slot;
		}
	}
	for (slot = 0; slot < PCI_SLOT_MAX; slot++)
		if (!v->slot[slot])
			return slot;
	return -1;
}

/*
 * __xen_pcibk_add_pci_dev().  On failure the kernel does not give the
 * device back (psdev->pdev stays set): neither do we, so it stays
 * "in use" until it leaves pciback.
 */
int vpci_add_pci_dev(struct vpci *v, struct xb_dev *xdev,
		     struct pcistub_dev *dev, int devid,
		     publish_dev_cb cb, void *ctx)
{
	struct vpci_entry *e;
	int slot, func = -1;

	if (refused_bridge(dev)) {
		xb_dev_fatal(xdev, -EFAULT,
			     "Can't export bridges on the virtual PCI bus");
		return -EFAULT;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		xb_dev_fatal(xdev, -ENOMEM,
			     "Error adding entry to virtual PCI bus");
		return -ENOMEM;
	}
	e->dev = dev;
	slot = pick_slot(v, dev, pcistub_is_virtfn(dev), &func);
	if (slot < 0) {
		free(e);
		xb_dev_fatal(xdev, -ENOMEM,
			     "No more space on root virtual PCI bus");
		return -ENOMEM;
	}
	slot_append(v, slot, e);
	plog("%s: vpci: assign to virtual slot %d func %d",
	     pcistub_name(dev), slot, func);
	return cb(ctx, 0, 0, PCI_DEVFN(slot, func), devid);
}

/* __xen_pcibk_get_pci_dev(): by virtual address; the function number
 * compared is the device's real one (as in the kernel). */
struct pcistub_dev *vpci_get_pci_dev(struct vpci *v, unsigned int domain,
				     unsigned int bus, unsigned int devfn)
{
	struct vpci_entry *e;

	if (domain != 0 || bus != 0 || devfn > 0xff)
		return NULL;
	for (e = v->slot[PCI_SLOT(devfn)]; e; e = e->next)
		if (PCI_FUNC(pcistub_addr(e->dev)->devfn) == PCI_FUNC(devfn))
			return e->dev;
	return NULL;
}

/* __xen_pcibk_release_pci_dev() */
void vpci_release_pci_dev(struct vpci *v, struct pcistub_dev *dev)
{
	struct vpci_entry **pp, *e;
	int slot;

	for (slot = 0; slot < PCI_SLOT_MAX; slot++) {
		for (pp = &v->slot[slot]; (e = *pp); pp = &e->next) {
			if (e->dev == dev) {
				*pp = e->next;
				free(e);
				pcistub_put_pci_dev(dev);
				return;
			}
		}
	}
}

/* __xen_pcibk_release_devices() */
void vpci_release_devices(struct vpci *v)
{
	struct vpci_entry *e;
	int slot;

	for (slot = 0; slot < PCI_SLOT_MAX; slot++) {
		while ((e = v->slot[slot])) {
			v->slot[slot] = e->next;
			pcistub_put_pci_dev(e->dev);
			free(e);
		}
	}
}

/* At exit: drop the bookkeeping without releasing the devices. */
void vpci_forget(struct vpci *v)
{
	struct vpci_entry *e;
	int slot;

	for (slot = 0; slot < PCI_SLOT_MAX; slot++) {
		while ((e = v->slot[slot])) {
			v->slot[slot] = e->next;
			free(e);
		}
	}
}
