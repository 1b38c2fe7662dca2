/*
 * The PCI side of xen-pciback (drivers/xen/xen-pciback/pci_stub.c):
 * which devices pciback holds (read from the simulated sysfs) and which
 * backend device has claimed each one.
 *
 * A device is on pciback iff SYSFS_ROOT/bus/pci/drivers/pciback/<BDF>
 * exists.  The in-use mark is psdev->pdev in the kernel: an owner domid
 * here.  Binding and unbinding happen in the simulated sysfs; unbinding
 * a device while a guest uses it (pcistub_remove) is not modelled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "peer.h"

struct pcistub_dev {
	struct pci_addr addr;
	char name[64];
	int owner;		/* domid of the frontend using it */
	struct pcistub_dev *next;
};

static struct pcistub_dev *in_use;

static bool sysfs_exists(const char *fmt, const char *name)
{
	char *path = xasprintf(fmt, conf.sysfs_root, name);
	struct stat st;
	bool ret;

	if (!path)
		return false;
	ret = stat(path, &st) == 0;
	free(path);
	return ret;
}

static bool on_pciback(const char *name)
{
	return sysfs_exists("%s/bus/pci/drivers/pciback/%s", name);
}

static struct pcistub_dev *find_in_use(const char *name)
{
	struct pcistub_dev *p;

	for (p = in_use; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

static void unlink_dev(struct pcistub_dev *psdev)
{
	struct pcistub_dev **pp;

	for (pp = &in_use; *pp; pp = &(*pp)->next) {
		if (*pp == psdev) {
			*pp = psdev->next;
			return;
		}
	}
}

/*
 * pcistub_get_pci_dev_by_slot(): NULL unless the device is bound to
 * pciback (pcistub_device_find_locked) and nobody uses it yet
 * (pcistub_device_get_pci_dev).  Mainline does not reset the device
 * here; it was reset when it was bound (pcistub_init_device).
 */
struct pcistub_dev *pcistub_get_pci_dev_by_slot(int owner_domid, int domain,
						int bus, int slot, int func)
{
	struct pcistub_dev *p;
	char name[64];

	snprintf(name, sizeof(name), "%04x:%02x:%02x.%x", domain, bus, slot,
		 func);
	p = find_in_use(name);
	if (!on_pciback(name)) {
		if (p) {
			/* pcistub_remove(): unbound from pciback meanwhile */
			plog("%s: left pciback while claimed by dom %d",
			     name, p->owner);
			unlink_dev(p);
			free(p);
		}
		return NULL;
	}
	if (p)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->addr.domain = domain;
	p->addr.bus = bus;
	p->addr.devfn = PCI_DEVFN(slot, func);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->owner = owner_domid;
	p->next = in_use;
	in_use = p;
	sim_event("pciback-export %s dom %d", name, owner_domid);
	sim_hotplug("assign %s %d", name, owner_domid);
	return p;
}

/*
 * pcistub_put_pci_dev(): reset (__pci_reset_function_locked), restore
 * the state saved at bind time, disable (xen_pcibk_reset_device), and
 * the device is free for the next guest.
 */
void pcistub_put_pci_dev(struct pcistub_dev *psdev)
{
	sim_event("pciback-release %s dom %d", psdev->name, psdev->owner);
	sim_hotplug("release %s", psdev->name);
	unlink_dev(psdev);
	free(psdev);
}

const struct pci_addr *pcistub_addr(const struct pcistub_dev *psdev)
{
	return &psdev->addr;
}

const char *pcistub_name(const struct pcistub_dev *psdev)
{
	return psdev->name;
}

/* dev->class: the 24-bit class code (base, sub, prog-if). */
unsigned int pcistub_class(const struct pcistub_dev *psdev)
{
	char *path = xasprintf("%s/bus/pci/devices/%s/class", conf.sysfs_root,
			       psdev->name);
	unsigned int cls = 0;
	FILE *f;

	if (!path)
		return 0;
	f = fopen(path, "re");
	if (!f || fscanf(f, "%x", &cls) != 1)
		plog("%s: cannot read %s", psdev->name, path);
	if (f)
		fclose(f);
	free(path);
	return cls;
}

/* dev->is_virtfn: an SR-IOV VF has a physfn link in sysfs. */
bool pcistub_is_virtfn(const struct pcistub_dev *psdev)
{
	return sysfs_exists("%s/bus/pci/devices/%s/physfn", psdev->name);
}

/* At exit: forget everything without touching the devices. */
void pcistub_free_all(void)
{
	struct pcistub_dev *p;

	while ((p = in_use)) {
		in_use = p->next;
		free(p);
	}
}
