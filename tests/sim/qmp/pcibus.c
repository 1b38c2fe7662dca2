/*
 * The guest's PCI bus 0 as qemu-xen 7.2 builds it for libxl's xenfv
 * machine (hw/i386/pc_piix.c pc_xen_hvm_init: i440FX at 00.0, PIIX3-xen
 * at 01.0 with its IDE at 01.1 and the PIIX4_PM ACPI function at 01.3,
 * xen-platform at 02.0; with the real-Xen tier's device_model_args an
 * ich9-ahci "gahci" at 03.0), and xen-pci-passthrough devices plugged
 * into it with device_add and unplugged with device_del through the
 * PIIX4's ACPI PCI hotplug (hw/acpi/pcihp.c).
 *
 * Error order and texts, QEMU 7.2:
 *   qmp_device_add()            qemu_opts_from_qdict(): the id
 *   qdev_device_add_from_qdict() driver, bus, qdev_set_id() (duplicate),
 *                               then the properties (set_pci_host_devaddr,
 *                               set_pci_devfn, the bool "permissive")
 *   xen_igd_clear_slot()        xen_host_pci_device_get(): the host
 *                               device's sysfs files
 *   do_pci_register_device()    the slot
 *   xen_pt_realize()            xc_physdev_map_pirq (failure only logged)
 * xen_pt_realize() never asks Xen whether the device is assigned to the
 * guest: without xc_assign_device first, device_add still succeeds (the
 * guest's DMA would fault in the IOMMU).  The peer records that.
 */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xenctrl.h>

#include "qmp.h"

#define PCI_SLOT(devfn) (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn) ((devfn) & 7)
#define PCI_DEVFN(s, f) ((((s) & 0x1f) << 3) | ((f) & 7))
#define NDEVFN 256
#define PT_TYPE "xen-pci-passthrough"
/* pci_default_sub_vendor_id/sub_device_id: Red Hat/Qumranet 1af4:1100 */
#define SUB_VENDOR_DEFAULT 0x1af4
#define SUB_DEVICE_DEFAULT 0x1100

struct region {
	int bar;
	bool io;
	unsigned long long addr, size;
	bool prefetch, mem64;
};

struct pcidev {
	bool used;
	char type[32];		/* PCIDevice.name: the QOM type name */
	char *id;		/* DeviceState.id, NULL for none */
	uint16_t vendor, device, sub_vendor, sub_device, class;
	uint8_t irq_pin, irq_line;
	bool multifunction;
	struct region reg[7];
	int nreg;
	/* xen-pci-passthrough */
	bool pt;
	unsigned int dom, bus, slot, func;
	unsigned int host_irq;		/* sysfs irq: the machine IRQ */
	bool probed;			/* the guest has programmed it */
	ev_timer probe;
	bool permissive;
	int pirq;
	long xen_owner_at_add;
	/* unplug: hw/acpi/pcihp.c acpi_pcihp_device_unplug_request_cb() */
	bool unplug_pending;
	ev_tstamp unplug_expires;
	ev_timer eject;
};

static struct pcidev bus[NDEVFN];
static xc_interface *xch;

static const struct {
	uint16_t class;
	const char *desc;
} class_desc[] = {
	/* hw/pci/pci.c pci_class_descriptions[] */
	{ 0x0001, "VGA controller" }, { 0x0100, "SCSI controller" },
	{ 0x0101, "IDE controller" }, { 0x0102, "Floppy controller" },
	{ 0x0103, "IPI controller" }, { 0x0104, "RAID controller" },
	{ 0x0106, "SATA controller" }, { 0x0107, "SAS controller" },
	{ 0x0180, "Storage controller" }, { 0x0200, "Ethernet controller" },
	{ 0x0201, "Token Ring controller" }, { 0x0202, "FDDI controller" },
	{ 0x0203, "ATM controller" }, { 0x0280, "Network controller" },
	{ 0x0300, "VGA controller" }, { 0x0301, "XGA controller" },
	{ 0x0302, "3D controller" }, { 0x0380, "Display controller" },
	{ 0x0400, "Video controller" }, { 0x0401, "Audio controller" },
	{ 0x0402, "Phone" }, { 0x0403, "Audio controller" },
	{ 0x0480, "Multimedia controller" }, { 0x0500, "RAM controller" },
	{ 0x0501, "Flash controller" }, { 0x0580, "Memory controller" },
	{ 0x0600, "Host bridge" }, { 0x0601, "ISA bridge" },
	{ 0x0602, "EISA bridge" }, { 0x0603, "MC bridge" },
	{ 0x0604, "PCI bridge" }, { 0x0605, "PCMCIA bridge" },
	{ 0x0606, "NUBUS bridge" }, { 0x0607, "CARDBUS bridge" },
	{ 0x0608, "RACEWAY bridge" }, { 0x0680, "Bridge" },
	{ 0x0700, "Serial port" }, { 0x0701, "Parallel port" },
	{ 0x0800, "Interrupt controller" }, { 0x0801, "DMA controller" },
	{ 0x0802, "Timer" }, { 0x0803, "RTC" }, { 0x0900, "Keyboard" },
	{ 0x0901, "Pen" }, { 0x0902, "Mouse" }, { 0x0A00, "Dock station" },
	{ 0x0B00, "i386 cpu" }, { 0x0c00, "Firewire controller" },
	{ 0x0c01, "Access bus controller" }, { 0x0c02, "SSA controller" },
	{ 0x0c03, "USB controller" }, { 0x0c04, "Fibre channel controller" },
	{ 0x0c05, "SMBus" },
};

static struct pcidev *emulated(unsigned int devfn, const char *type,
			       uint16_t vendor, uint16_t device,
			       uint16_t class, uint8_t pin, uint8_t line)
{
	struct pcidev *d = &bus[devfn];

	memset(d, 0, sizeof(*d));
	d->used = true;
	snprintf(d->type, sizeof(d->type), "%s", type);
	d->vendor = vendor;
	d->device = device;
	d->class = class;
	d->sub_vendor = SUB_VENDOR_DEFAULT;
	d->sub_device = SUB_DEVICE_DEFAULT;
	d->irq_pin = pin;
	d->irq_line = line;
	return d;
}

static void add_region(struct pcidev *d, int bar, bool io,
		       unsigned long long addr, unsigned long long size,
		       bool prefetch)
{
	struct region *r = &d->reg[d->nreg++];

	r->bar = bar;
	r->io = io;
	r->addr = addr;
	r->size = size;
	r->prefetch = prefetch;
}

/*
 * BAR addresses and IRQ lines as hvmloader's pci_setup() programs them
 * (tools/firmware/hvmloader/pci.c): I/O from 0xc000 and memory from
 * 0xf0000000, largest BAR first; INTERRUPT_LINE the ISA IRQ of the
 * PCI link ((pin - 1 + slot) & 3 over links routed to 5, 10, 11, 5),
 * 9 for the PIIX4 ACPI function.  Read from the source, not yet
 * compared with a real guest's query-pci.
 */
void bus_init(void)
{
	struct pcidev *d;

	memset(bus, 0, sizeof(bus));
	emulated(PCI_DEVFN(0, 0), "i440FX", 0x8086, 0x1237, 0x0600, 0, 0);
	d = emulated(PCI_DEVFN(1, 0), "PIIX3-xen", 0x8086, 0x7000, 0x0601,
		     0, 0);
	d->multifunction = true;
	d = emulated(PCI_DEVFN(1, 1), "piix3-ide", 0x8086, 0x7010, 0x0101,
		     0, 0);
	add_region(d, 4, true, 0xc120, 16, false);
	emulated(PCI_DEVFN(1, 3), "PIIX4_PM", 0x8086, 0x7113, 0x0680, 1, 9);
	/* xen_platform_class_init(): subsystem 5853:0001, class ff80 */
	d = emulated(PCI_DEVFN(2, 0), "xen-platform", 0x5853, 0x0001, 0xff80,
		     1, 11);
	d->sub_vendor = 0x5853;
	d->sub_device = 0x0001;
	add_region(d, 0, true, 0xc000, 0x100, false);
	add_region(d, 1, false, 0xf0000000ULL, 0x1000000, true);
	if (conf.ahci) {
		d = emulated(PCI_DEVFN(3, 0), "ich9-ahci", 0x8086, 0x2922,
			     0x0106, 1, 5);
		d->id = strdup("gahci");
		add_region(d, 4, true, 0xc100, 32, false);
		add_region(d, 5, false, 0xf1000000ULL, 0x1000, false);
	}
	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch)
		plog("xc_interface_open: %s (no pirq mapping)",
		     strerror(errno));
}

static void unplug_timer_stop(struct pcidev *d)
{
	if (d->pt) {
		ev_timer_stop(conf.loop, &d->eject);
		ev_timer_stop(conf.loop, &d->probe);
	}
}

void bus_fini(void)
{
	unsigned int i;

	for (i = 0; i < NDEVFN; i++) {
		unplug_timer_stop(&bus[i]);
		free(bus[i].id);
	}
	memset(bus, 0, sizeof(bus));
	if (xch)
		xc_interface_close(xch);
	xch = NULL;
}

static struct pcidev *find_id(const char *id)
{
	unsigned int i;

	for (i = 0; i < NDEVFN; i++)
		if (bus[i].used && bus[i].id && !strcmp(bus[i].id, id))
			return &bus[i];
	return NULL;
}

/* util/id.c id_wellformed(): a letter, then letters, digits, -._ */
static bool id_wellformed(const char *id)
{
	size_t i;

	if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z')))
		return false;
	for (i = 1; id[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789-._", id[i]))
			return false;
	return true;
}

/*
 * qemu_opts_from_qdict_entry(): a QMP argument becomes a QemuOpts
 * string; numbers print as numbers, booleans as on/off, anything else
 * is dropped without a word.
 */
static bool opt_string(yajl_val v, char *buf, size_t len)
{
	if (YAJL_IS_STRING(v))
		snprintf(buf, len, "%s", v->u.string);
	else if (YAJL_IS_NUMBER(v))
		snprintf(buf, len, "%s", v->u.number.r);
	else if (YAJL_IS_TRUE(v))
		snprintf(buf, len, "on");
	else if (YAJL_IS_FALSE(v))
		snprintf(buf, len, "off");
	else
		return false;
	return true;
}

/* hw/core/qdev-properties-system.c set_pci_host_devaddr() */
static int parse_hostaddr(const char *str, struct pcidev *d,
			  struct qmp_err *e)
{
	unsigned long dom = 0, b, slot, func, val;
	const char *p = str;
	char *end;

	val = strtoul(p, &end, 16);
	if (end == p || *end != ':')
		goto inval;
	b = val;
	p = end + 1;
	val = strtoul(p, &end, 16);
	if (end == p)
		goto inval;
	if (*end == ':') {
		dom = b;
		b = val;
		p = end + 1;
		val = strtoul(p, &end, 16);
		if (end == p)
			goto inval;
	}
	slot = val;
	if (*end != '.')
		goto inval;
	p = end + 1;
	val = strtoul(p, &end, 10);
	if (end == p)
		goto inval;
	func = val;
	if (dom > 0xffff || b > 0xff || slot > 0x1f || func > 7 || *end)
		goto inval;
	d->dom = dom;
	d->bus = b;
	d->slot = slot;
	d->func = func;
	return 0;
inval:
	/* error_set_from_qdev_prop_error(EINVAL) */
	qerr_set(e, "GenericError", "Property '%s.hostaddr' doesn't take "
		 "value '%s'", PT_TYPE, str);
	return -1;
}

/* set_pci_devfn(): "SS.F", "SS" (hex), or a number from -1 to 255 */
static int parse_addr(yajl_val v, const char *str, int *devfn,
		      struct qmp_err *e)
{
	unsigned int slot, fn;
	int n = 0;
	char *end;
	long val;

	if (YAJL_IS_NUMBER(v)) {
		val = strtol(str, &end, 10);
		if (*end || val < -1 || val > 255) {
			qerr_set(e, "GenericError", "Parameter 'addr' expects "
				 "a value between -1 and 255");
			return -1;
		}
		*devfn = (int)val;
		return 0;
	}
	if (sscanf(str, "%x.%x%n", &slot, &fn, &n) != 2) {
		fn = 0;
		if (sscanf(str, "%x%n", &slot, &n) != 1)
			goto invalid;
	}
	if (str[n] != '\0' || fn > 7 || slot > 31)
		goto invalid;
	*devfn = (int)PCI_DEVFN(slot, fn);
	return 0;
invalid:
	qerr_set(e, "GenericError", "Property '%s.addr' doesn't take value "
		 "'%s'", PT_TYPE, str);
	return -1;
}

/* qapi/qapi-util.c qapi_bool_parse() */
static int parse_bool(const char *name, const char *s, bool *b,
		      struct qmp_err *e)
{
	if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true") ||
	    !strcmp(s, "y")) {
		*b = true;
		return 0;
	}
	if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "false") ||
	    !strcmp(s, "n")) {
		*b = false;
		return 0;
	}
	qerr_set(e, "GenericError", "Parameter '%s' expects 'on' or 'off'",
		 name);
	return -1;
}

/*
 * object_set_properties_from_keyval(): each property in turn; the
 * first that fails is the error.  "driver", "bus" and "id" were taken
 * out before (qdev_device_add_from_qdict()).
 */
static int set_props(yajl_val args, struct pcidev *d, int *devfn,
		     struct qmp_err *e)
{
	char val[256];
	size_t i;

	for (i = 0; i < args->u.object.len; i++) {
		const char *k = args->u.object.keys[i];
		yajl_val v = args->u.object.values[i];

		if (!strcmp(k, "driver") || !strcmp(k, "bus") ||
		    !strcmp(k, "id"))
			continue;
		if (!opt_string(v, val, sizeof(val)))
			continue;
		if (!strcmp(k, "hostaddr")) {
			if (parse_hostaddr(val, d, e))
				return -1;
		} else if (!strcmp(k, "addr")) {
			if (parse_addr(v, val, devfn, e))
				return -1;
		} else if (!strcmp(k, "permissive")) {
			if (parse_bool(k, val, &d->permissive, e))
				return -1;
		} else if (!strcmp(k, "multifunction")) {
			if (parse_bool(k, val, &d->multifunction, e))
				return -1;
		} else {
			/* object_property_find_err() */
			qerr_set(e, "GenericError", "Property '%s.%s' not "
				 "found", PT_TYPE, k);
			return -1;
		}
	}
	return 0;
}

static void host_path(const struct pcidev *d, const char *attr, char *buf,
		      size_t len)
{
	snprintf(buf, len, "%s/bus/pci/devices/%04x:%02x:%02x.%u/%s",
		 conf.sysfs_root, d->dom, d->bus, d->slot, d->func, attr);
}

/* error_setg_file_open(), with the path QEMU opens */
static void open_error(const struct pcidev *d, const char *attr, int err,
		       struct qmp_err *e)
{
	qerr_set(e, "GenericError", "Could not open "
		 "'/sys/bus/pci/devices/%04x:%02x:%02x.%u/%s': %s", d->dom,
		 d->bus, d->slot, d->func, attr, strerror(err));
}

static int read_attr(const struct pcidev *d, const char *attr, char *buf,
		     size_t len, struct qmp_err *e)
{
	char path[600];
	ssize_t n;
	int fd;

	host_path(d, attr, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		open_error(d, attr, errno, e);
		return -1;
	}
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0) {
		qerr_set(e, "GenericError", "read err: %s", strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/* xen_host_pci_get_value() */
static int host_value(const struct pcidev *d, const char *attr, int base,
		      unsigned long *v, struct qmp_err *e)
{
	char buf[64], *end;

	if (read_attr(d, attr, buf, sizeof(buf), e))
		return -1;
	errno = 0;
	*v = strtoul(buf, &end, base);
	if (end == buf || errno || (*end && *end != '\n')) {
		qerr_set(e, "GenericError", "failed to parse value '%s': %s",
			 buf, strerror(errno ? errno : EINVAL));
		return -1;
	}
	return 0;
}

#define PCI_BAR_UNMAPPED (~0ULL)	/* query-pci's "address": -1 */

/*
 * xen_host_pci_get_resource(): the BARs (and ROM, bar 6) with the
 * sizes the host has, registered by xen_pt_register_regions(); the
 * address stays PCI_BAR_UNMAPPED until the guest programs the BAR.
 */
static int host_resource(struct pcidev *d, struct qmp_err *e)
{
	char buf[1024], *s;
	int i;

	if (read_attr(d, "resource", buf, sizeof(buf), e))
		return -1;
	s = buf;
	for (i = 0; i < 7; i++) {
		unsigned long long start, end, flags, size;
		char *ep;

		start = strtoull(s, &ep, 16);
		end = strtoull(ep, &ep, 16);
		flags = strtoull(ep, &ep, 16);
		if (ep == s)
			break;
		s = ep;
		if (!start)
			continue;
		size = end - start + 1;
		if (i == 6)	/* PCI_ROM_SLOT: a prefetchable 32-bit BAR */
			add_region(d, i, false, PCI_BAR_UNMAPPED, size, true);
		else if (flags & 0x100)		/* IORESOURCE_IO */
			add_region(d, i, true, PCI_BAR_UNMAPPED, size, false);
		else {
			add_region(d, i, false, PCI_BAR_UNMAPPED, size,
				   flags & 0x1000);	/* PREFETCH */
			d->reg[d->nreg - 1].mem64 = flags & 0x100000;
		}
	}
	return 0;
}

/*
 * The guest's hotplug driver (Linux acpiphp, after device_add) sizes
 * and programs the BARs in the MMIO hole above hvmloader's and writes
 * the INTx's GSI to INTERRUPT_LINE (pci_assign_irq); under Xen that
 * GSI is hvm_pci_intx_gsi(slot, pin - 1).  xen_pt's emulated registers
 * show what the guest wrote.
 */
static void guest_programs(struct pcidev *d, unsigned int devfn)
{
	static unsigned long long next_mem = 0xf1001000ULL, next_io = 0xc200;
	unsigned int slot = PCI_SLOT(devfn);
	int i;

	for (i = 0; i < d->nreg; i++) {
		struct region *r = &d->reg[i];
		unsigned long long a = r->size;

		if (r->io) {
			a = a < 4 ? 4 : a;
			next_io = (next_io + a - 1) & ~(a - 1);
			r->addr = next_io;
			next_io += a;
		} else {
			a = a < 0x1000 ? 0x1000 : a;
			next_mem = (next_mem + a - 1) & ~(a - 1);
			r->addr = next_mem;
			next_mem += a;
		}
	}
	if (d->irq_pin)
		d->irq_line = (uint8_t)(((slot << 2) + (slot >> 3) +
					 (d->irq_pin - 1)) % 32 + 16);
	d->probed = true;
	plog("the guest configured 00:%02x.%u (BARs, INTERRUPT_LINE %u)",
	     slot, PCI_FUNC(devfn), d->irq_line);
}

/* xen_host_pci_device_get(), in its order */
static int host_device_get(struct pcidev *d, struct qmp_err *e)
{
	unsigned long v;
	char path[600];
	int fd;

	uint8_t pin = 0;

	host_path(d, "config", path, sizeof(path));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		open_error(d, "config", errno, e);
		return -1;
	}
	/* xen_pt_irqpin_reg_init(): the host's PCI_INTERRUPT_PIN */
	if (pread(fd, &pin, 1, 0x3d) != 1)
		pin = 0;
	d->irq_pin = pin;
	close(fd);
	if (host_resource(d, e))
		return -1;
	if (host_value(d, "vendor", 16, &v, e))
		return -1;
	d->vendor = (uint16_t)v;
	if (host_value(d, "device", 16, &v, e))
		return -1;
	d->device = (uint16_t)v;
	if (host_value(d, "irq", 10, &v, e))
		return -1;
	d->host_irq = (unsigned int)v;
	if (host_value(d, "class", 16, &v, e))
		return -1;
	/*
	 * xen_pt_realize() zeroes the device's config and
	 * xen_pt_config_init() fills only the registers of its tables
	 * (xen_pt_emu_reg_header0: IDs, command, status, header type,
	 * INTx line and pin, BARs): the class, revision and subsystem
	 * IDs that query-pci reads from dev->config stay 0; the guest's
	 * own config reads go to the host device.
	 */
	d->class = 0;
	d->sub_vendor = d->sub_device = 0;
	d->irq_line = 0;
	return 0;
}

/* hw/pci/pci.c do_pci_register_device() and pci_init_multifunction() */
static int register_device(const struct pcidev *d, int *devfn,
			   struct qmp_err *e)
{
	const struct pcidev *f0, *o;
	int fn;

	if (*devfn < 0) {
		for (fn = 0; fn < NDEVFN; fn += 8)
			if (!bus[fn].used)
				break;
		if (fn >= NDEVFN) {
			qerr_set(e, "GenericError", "PCI: no slot/function "
				 "available for %s, all in use or reserved",
				 PT_TYPE);
			return -1;
		}
		*devfn = fn;
	} else if (bus[*devfn].used) {
		o = &bus[*devfn];
		/* "%s" of a NULL id: glib prints "(null)" */
		qerr_set(e, "GenericError", "PCI: slot %d function %d not "
			 "available for %s, in use by %s,id=%s",
			 PCI_SLOT(*devfn), PCI_FUNC(*devfn), PT_TYPE, o->type,
			 o->id ? o->id : "(null)");
		return -1;
	}
	f0 = &bus[PCI_DEVFN(PCI_SLOT(*devfn), 0)];
	/* every device_add is a hot-plug (dev->hotplugged) */
	if (PCI_FUNC(*devfn) && f0->used) {
		qerr_set(e, "GenericError", "PCI: slot %d function 0 already "
			 "occupied by %s, new func %s cannot be exposed to "
			 "guest.", PCI_SLOT(*devfn), f0->type, PT_TYPE);
		return -1;
	}
	if (PCI_FUNC(*devfn) || d->multifunction)
		return 0;
	for (fn = 1; fn < 8; fn++)
		if (bus[*devfn + fn].used) {
			qerr_set(e, "GenericError", "PCI: %x.0 indicates "
				 "single function, but %x.%x is already "
				 "populated.", PCI_SLOT(*devfn),
				 PCI_SLOT(*devfn), fn);
			return -1;
		}
	return 0;
}

static unsigned int host_sbdf(const struct pcidev *d)
{
	return d->dom << 16 | d->bus << 8 | d->slot << 3 | d->func;
}

/* Who Xen says owns the device now (the hypervisor's pci/<sbdf>). */
static long xen_owner(const struct pcidev *d)
{
	char path[600];
	long owner = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pci/%08x", conf.simxen_dir,
		 host_sbdf(d));
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%li", &owner) != 1)
		owner = 0;
	fclose(f);
	return owner;
}

/*
 * The guest's bus as SIMXEN_DIR/guests/<domid>/pci, in the format
 * simpeer writes for a PV guest's pcifront: "<guest BDF> <- <host BDF>"
 * for each passed-through device, replaced by rename().
 */
static void write_view(void)
{
	char dir[600], path[640], tmp[660];
	unsigned int i;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/guests/%u", conf.simxen_dir,
		 conf.domid);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/pci", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return;
	for (i = 0; i < NDEVFN; i++)
		if (bus[i].used && bus[i].pt)
			fprintf(f, "0000:00:%02x.%u <- %04x:%02x:%02x.%u\n",
				PCI_SLOT(i), PCI_FUNC(i), bus[i].dom,
				bus[i].bus, bus[i].slot, bus[i].func);
	if (fclose(f) == 0)
		rename(tmp, path);
}

static void eject_cb(struct ev_loop *loop, ev_timer *w, int revents);

static void probe_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pcidev *d = w->data;

	(void)loop;
	(void)revents;
	if (d->used && !d->probed)
		guest_programs(d, (unsigned int)(d - bus));
}

static void arm_probe(struct pcidev *d)
{
	ev_timer_stop(conf.loop, &d->probe);
	if (conf.probe_ms < 0 || d->probed)
		return;
	ev_timer_set(&d->probe, conf.probe_ms / 1000.0, 0.);
	ev_timer_start(conf.loop, &d->probe);
}

void bus_probe_all_pending(void)
{
	unsigned int i;

	for (i = 0; i < NDEVFN; i++)
		if (bus[i].used && bus[i].pt && !bus[i].probed)
			arm_probe(&bus[i]);
}

/*
 * xen_pt_realize(): with an INTx pin, map the machine IRQ to a pirq of
 * the guest (xc_physdev_map_pirq); a failure is only logged.
 */
static void realize(struct pcidev *d, unsigned int devfn)
{
	int pirq = -1;

	d->pirq = -1;
	if (xch && d->irq_pin && d->host_irq) {
		if (xc_physdev_map_pirq(xch, conf.domid, (int)d->host_irq,
					&pirq))
			plog("[%02x:%02x.%u] Mapping machine irq %u to pirq "
			     "%i failed, (err: %d)", d->bus, d->slot, d->func,
			     d->host_irq, pirq, errno);
		else
			d->pirq = pirq;
	}
	d->used = true;
	d->pt = true;
	ev_init(&d->eject, eject_cb);
	ev_init(&d->probe, probe_cb);
	bus[devfn] = *d;
	bus[devfn].eject.data = &bus[devfn];
	bus[devfn].probe.data = &bus[devfn];
	arm_probe(&bus[devfn]);
	plog("device_add %s %04x:%02x:%02x.%u at 00:%02x.%u permissive=%d "
	     "xen-owner=%ld%s", d->id ? d->id : "(no id)", d->dom, d->bus,
	     d->slot, d->func, PCI_SLOT(devfn), PCI_FUNC(devfn), d->permissive,
	     d->xen_owner_at_add, d->xen_owner_at_add == (long)conf.domid ?
	     "" : " (not assigned to this guest: its DMA would fault)");
	write_view();
}

static int check_device_args(yajl_val args, const char **id,
			     struct qmp_err *e)
{
	yajl_val drv, busv, idv;

	idv = json_get(args, "id");
	*id = YAJL_IS_STRING(idv) ? idv->u.string : NULL;
	/* qemu_opts_create() */
	if (*id && !id_wellformed(*id)) {
		qerr_set(e, "GenericError",
			 "Parameter 'id' expects an identifier");
		return -1;
	}
	drv = json_get(args, "driver");
	if (!YAJL_IS_STRING(drv)) {
		qerr_set(e, "GenericError", "Parameter 'driver' is missing");
		return -1;
	}
	/* qdev_get_device_class(): only xen-pci-passthrough is modelled */
	if (strcmp(drv->u.string, PT_TYPE)) {
		qerr_set(e, "GenericError",
			 "'%s' is not a valid device model name",
			 drv->u.string);
		return -1;
	}
	busv = json_get(args, "bus");
	if (YAJL_IS_STRING(busv) && strcmp(busv->u.string, "pci.0")) {
		qerr_set(e, "DeviceNotFound", "Bus '%s' not found",
			 busv->u.string);
		return -1;
	}
	/* qdev_set_id() */
	if (*id && find_id(*id)) {
		qerr_set(e, "GenericError", "Duplicate device ID '%s'", *id);
		return -1;
	}
	return 0;
}

int bus_device_add(yajl_val args, struct qmp_err *e)
{
	struct pcidev d;
	const char *id;
	int devfn = -1;

	if (!args) {
		qerr_set(e, "GenericError", "Parameter 'driver' is missing");
		return -1;
	}
	memset(&d, 0, sizeof(d));
	snprintf(d.type, sizeof(d.type), PT_TYPE);
	if (check_device_args(args, &id, e) || set_props(args, &d, &devfn, e))
		return -1;
	if (host_device_get(&d, e) || register_device(&d, &devfn, e))
		return -1;
	d.xen_owner_at_add = xen_owner(&d);
	d.id = id ? strdup(id) : NULL;
	realize(&d, (unsigned int)devfn);
	return 0;
}

/* xen_pt_unregister_device(): unbind and unmap the pirq */
static void unrealize(struct pcidev *d)
{
	unsigned int devfn = (unsigned int)(d - bus);
	yajl_gen g;
	char path[300];

	ev_timer_stop(conf.loop, &d->eject);
	ev_timer_stop(conf.loop, &d->probe);
	if (xch && d->pirq >= 0)
		xc_physdev_unmap_pirq(xch, conf.domid, d->pirq);
	plog("device deleted %s at 00:%02x.%u", d->id ? d->id : "(no id)",
	     PCI_SLOT(devfn), PCI_FUNC(devfn));
	/* qdev's device_finalize() -> qapi_event_send_device_deleted() */
	g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	if (d->id) {
		gen_key(g, "device");
		gen_str(g, d->id);
	}
	gen_key(g, "path");
	if (d->id)
		snprintf(path, sizeof(path), "/machine/peripheral/%s", d->id);
	else
		snprintf(path, sizeof(path), "/machine/peripheral-anon/device");
	gen_str(g, path);
	yajl_gen_map_close(g);
	free(d->id);
	memset(d, 0, sizeof(*d));
	write_view();
	monitor_event("DEVICE_DELETED", g);
	yajl_gen_free(g);
}

/* The guest's _EJ0: acpi_pcihp_eject_slot() unplugs the device. */
static void eject_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pcidev *d = w->data;

	(void)loop;
	(void)revents;
	if (d->used && d->unplug_pending)
		unrealize(d);
}

static void arm_eject(struct pcidev *d)
{
	ev_timer_stop(conf.loop, &d->eject);
	if (conf.release_ms < 0) {
		plog("device_del %s: the guest does not eject it", d->id);
		return;
	}
	ev_timer_set(&d->eject, conf.release_ms / 1000.0, 0.);
	ev_timer_start(conf.loop, &d->eject);
}

/*
 * qmp_device_del(): find_device_state(), then the 5 s window of an
 * unplug request in flight (pending_deleted_expires_ms, set by
 * acpi_pcihp_device_unplug_request_cb()), then qdev_unplug(): the ACPI
 * request goes to the guest and the command returns at once.
 */
int bus_device_del(yajl_val args, struct qmp_err *e)
{
	yajl_val idv = json_get(args, "id");
	struct pcidev *d;
	size_t i;

	if (!idv) {
		qerr_set(e, "GenericError", "Parameter 'id' is missing");
		return -1;
	}
	if (!YAJL_IS_STRING(idv)) {
		qerr_set(e, "GenericError", "Invalid parameter type for 'id', "
			 "expected: string");
		return -1;
	}
	for (i = 0; i < args->u.object.len; i++)
		if (strcmp(args->u.object.keys[i], "id")) {
			qerr_set(e, "GenericError", "Parameter '%s' is "
				 "unexpected", args->u.object.keys[i]);
			return -1;
		}
	d = find_id(idv->u.string);
	if (!d) {
		qerr_set(e, "DeviceNotFound", "Device '%s' not found",
			 idv->u.string);
		return -1;
	}
	if (!d->pt) {
		/* qdev_unplug(): the emulated devices are not hot-pluggable */
		qerr_set(e, "GenericError", "Device '%s' does not support "
			 "hotplugging", d->type);
		return -1;
	}
	if (d->unplug_pending && d->unplug_expires > ev_now(conf.loop)) {
		qerr_set(e, "GenericError", "Device %s is already in the "
			 "process of unplug", idv->u.string);
		return -1;
	}
	d->unplug_pending = true;
	d->unplug_expires = ev_now(conf.loop) + 5.0;
	arm_eject(d);
	return 0;
}

/* The guest ejects what it was asked to (after `release-delay`). */
void bus_release_all_pending(void)
{
	unsigned int i;

	for (i = 0; i < NDEVFN; i++)
		if (bus[i].used && bus[i].pt && bus[i].unplug_pending)
			arm_eject(&bus[i]);
}

static void gen_region(yajl_gen g, const struct region *r)
{
	yajl_gen_map_open(g);
	gen_key(g, "bar");
	gen_int(g, r->bar);
	gen_key(g, "type");
	gen_str(g, r->io ? "io" : "memory");
	gen_key(g, "address");
	gen_int(g, (long long)r->addr);
	gen_key(g, "size");
	gen_int(g, (long long)r->size);
	if (!r->io) {
		gen_key(g, "prefetch");
		yajl_gen_bool(g, r->prefetch);
		gen_key(g, "mem_type_64");
		yajl_gen_bool(g, r->mem64);
	}
	yajl_gen_map_close(g);
}

/* qmp_query_pci_device() */
static void gen_device(yajl_gen g, const struct pcidev *d, unsigned int devfn)
{
	size_t i;
	int r;

	yajl_gen_map_open(g);
	gen_key(g, "bus");
	gen_int(g, 0);
	gen_key(g, "slot");
	gen_int(g, PCI_SLOT(devfn));
	gen_key(g, "function");
	gen_int(g, PCI_FUNC(devfn));
	gen_key(g, "class_info");
	yajl_gen_map_open(g);
	for (i = 0; i < sizeof(class_desc) / sizeof(class_desc[0]); i++)
		if (class_desc[i].class == d->class) {
			gen_key(g, "desc");
			gen_str(g, class_desc[i].desc);
			break;
		}
	gen_key(g, "class");
	gen_int(g, d->class);
	yajl_gen_map_close(g);
	gen_key(g, "id");
	yajl_gen_map_open(g);
	gen_key(g, "device");
	gen_int(g, d->device);
	gen_key(g, "vendor");
	gen_int(g, d->vendor);
	gen_key(g, "subsystem");
	gen_int(g, d->sub_device);
	gen_key(g, "subsystem-vendor");
	gen_int(g, d->sub_vendor);
	yajl_gen_map_close(g);
	if (d->irq_pin) {
		gen_key(g, "irq");
		gen_int(g, d->irq_line);
	}
	gen_key(g, "irq_pin");
	gen_int(g, d->irq_pin);
	gen_key(g, "qdev_id");
	gen_str(g, d->id ? d->id : "");
	gen_key(g, "regions");
	yajl_gen_array_open(g);
	for (r = 0; r < d->nreg; r++)
		gen_region(g, &d->reg[r]);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

/* qmp_query_pci(): one PciInfo per root bus, here bus 0 */
void bus_query_pci(yajl_gen g)
{
	unsigned int i;

	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	gen_key(g, "bus");
	gen_int(g, 0);
	gen_key(g, "devices");
	yajl_gen_array_open(g);
	for (i = 0; i < NDEVFN; i++)
		if (bus[i].used)
			gen_device(g, &bus[i], i);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

void bus_status(char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	n += snprintf(buf + n, len - n, "release-delay %s%ld\n",
		      conf.release_ms < 0 ? "never " : "",
		      conf.release_ms < 0 ? 0 : conf.release_ms);
	n += snprintf(buf + n, len - n, "probe-delay %s%ld\n",
		      conf.probe_ms < 0 ? "never " : "",
		      conf.probe_ms < 0 ? 0 : conf.probe_ms);
	for (i = 0; i < NDEVFN && n < len; i++) {
		const struct pcidev *d = &bus[i];

		if (!d->used || !d->pt)
			continue;
		n += snprintf(buf + n, len - n, "00:%02x.%u %04x:%02x:%02x.%u "
			      "id=%s permissive=%d xen-owner-at-add=%ld "
			      "unplug=%s configured=%s\n", PCI_SLOT(i),
			      PCI_FUNC(i), d->dom, d->bus, d->slot, d->func,
			      d->id ? d->id : "", d->permissive,
			      d->xen_owner_at_add,
			      d->unplug_pending ? "pending" : "no",
			      d->probed ? "yes" : "no");
	}
}
