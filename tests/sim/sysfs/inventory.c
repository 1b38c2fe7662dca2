// SPDX-License-Identifier: GPL-2.0
/*
 * The inventory: which devices and drivers the simulated host has.
 *
 * A line-oriented text file; '#' starts a comment, blank lines are
 * ignored, tokens are separated by white space.
 *
 * Global lines:
 *	pciback=loaded|module|absent	xen-pciback built in (registered
 *					first, default), loaded as a module
 *					(registered last), or not there
 *	pciback_do_flr=1		create pciback/do_flr (distro kernels)
 *	fbcon=1				the console is fbcon's: vtcon1 "(M) frame
 *					buffer device" bound, else vtcon0 "(S)
 *					VGA+" (vgacon) is
 *	hide=(BDF)(BDF)...		xen-pciback.hide=; a bare BDF is
 *					accepted too.  Matching devices are
 *					bound to pciback at boot.  A bad value
 *					keeps pciback from loading, as
 *					"Error parsing pci_devs_to_hide" does
 *	pciback_permissive=1		module parameter permissive
 *	pciback_passthrough=1		module parameter passthrough
 *	autoprobe=0|1			/sys/bus/pci/drivers_autoprobe
 *	driver NAME [ids=V:D[:SV:SD],...] [sriov=0|1]
 *					declare a driver and its id table
 *					(registration order = declaration
 *					order); a driver named only in a
 *					device line is declared with that
 *					device's vendor:device
 *
 * What dom0 uses (host.c):
 *	holder NAME MAJ:MIN OF[,OF] [name=DMNAME]
 *					a dm/md device holding block devices
 *	mount MAJ:MIN PATH FSTYPE	a mounted file system
 *	swap NAME			active swap on /dev/NAME
 *	addr IFNAME ADDR/PLEN		an IPv4 (with its prefix route) or
 *					IPv6 address
 *	route IFNAME DEST/PLEN [GW]	an IPv4 route
 *
 * Device lines:
 *	BDF VENDOR DEVICE CLASS DRIVER [key=value...]
 *
 *	BDF is DDDD:BB:SS.F (or BB:SS.F), VENDOR/DEVICE/CLASS hex (0x
 *	optional), DRIVER the driver bound at boot or '-' for none
 *	("pciback" means hidden).  Keys:
 *	flr=0|1		FLR reset method (default 0)
 *	pm=0|1		PM reset method (default 0)
 *	reset=0|1	bus reset method; default 1 when the device is alone
 *			on its bus (pci_parent_bus_reset() refuses otherwise)
 *	reset_methods=a,b	explicit reset_method list (overrides the above)
 *	hdr=0|1|2	header type (default 1 for class 0x0604, else 0)
 *	mf=0|1		multi-function bit (default: other functions exist)
 *	irq=N		irq (default 16)
 *	cfg=256|4096	config space size (default 4096)
 *	bars=T:START:SIZE,...	BAR0.. with T m (32-bit mem), p (64-bit
 *			prefetchable mem), i (I/O) or '-' for an unused BAR
 *	rom=START:SIZE	expansion ROM
 *	subsys=SV:SD	subsystem ids (default VENDOR:0000)
 *	rev=NN		revision
 *	pf=BDF		this is VF number <n> (order of appearance) of PF BDF
 *	totalvfs=N	on a PF: sriov_totalvfs (default: its VFs listed)
 *	numvfs=N	on a PF: VFs enabled at boot (default: all listed)
 *	boot_vga=1	boot_vga reads 1 (file exists for class 0x0300xx)
 *	fb=N		its (non-pciback) driver registers frame buffer fbN:
 *			class/graphics/fbN/device names it
 *	reset_fail=1	every reset of it fails (-ENOTTY: not ready after
 *			the reset, pci_dev_wait())
 *	block=NAME:MAJ:MIN,...	block devices under it while its driver is
 *			bound: a disk, then its partitions (names extending
 *			the disk's), maybe another disk (host.c)
 *	secondary=BB subordinate=BB	a bridge's bus range (config 0x19,
 *			0x1a; default: none)
 *	pcie=TYPE	a PCI Express capability at 0x40 with that device/
 *			port type (0 endpoint, 4 root port, 6 downstream
 *			port, 7 PCIe-to-PCI bridge); default: none
 *	msix=N		an MSI-X capability at 0x50 with N vectors (Table
 *			Size N - 1), after the PCIe one if any
 *	in_use=1	a NIC in use: net/<ifname>/operstate reads "up"
 *	ifname=NAME	interface name (default ethN)
 *	operstate=S	operstate text
 *	override=NAME	driver_override at boot
 *	probe_fail=ERRNO	every probe by a non-pciback driver fails so
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simsysfs.h"

enum { PCIBACK_BUILTIN, PCIBACK_MODULE, PCIBACK_ABSENT };

static int pciback_mode = PCIBACK_BUILTIN;
static unsigned int ifcounter;

static const char *const default_inventory[] = {
	"# The seed article's Intel 82575GB, two functions, with FLR",
	"pciback=loaded",
	"driver igb ids=8086:10a7",
	"0000:07:00.0 8086 10a7 0x020000 igb flr=1 irq=16 subsys=8086:0000"
	" rev=02",
	"0000:07:00.1 8086 10a7 0x020000 igb flr=1 irq=17 subsys=8086:0000"
	" rev=02",
	"# dom0's own uplink: up, an address, the default route",
	"0000:03:00.0 8086 100e 0x020000 e1000 ifname=eth0 in_use=1 irq=18",
	"addr eth0 10.0.2.15/24",
	"route eth0 0.0.0.0/0 10.0.2.2",
	"# dom0's disk controller: the root file system and swap",
	"0000:00:1f.2 8086 2922 0x010601 ahci block=sda:8:0,sda1:8:1,sda2:8:2"
	" irq=19",
	"mount 8:1 / ext4",
	"swap sda2",
	NULL,
};

static int parse_hex(const char *s, unsigned long max, unsigned long *v)
{
	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	if (kstrtoul(s, 16, v) || *v > max)
		return -EINVAL;
	return 0;
}

static int parse_bdf(const char *s, unsigned int *domain, unsigned int *bus,
		     unsigned int *devfn)
{
	unsigned int d = 0, b, sl, f;
	int n = 0;

	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &d, &b, &sl, &f, &n) != 4 ||
	    s[n]) {
		d = 0;
		n = 0;
		if (sscanf(s, "%2x:%2x.%1x%n", &b, &sl, &f, &n) != 3 || s[n])
			return -EINVAL;
	}
	if (sl > 0x1f || f > 7)
		return -EINVAL;
	*domain = d;
	*bus = b;
	*devfn = sl << 3 | f;
	return 0;
}

static void add_id(struct sim_driver *drv, uint32_t v, uint32_t d,
		   uint32_t sv, uint32_t sd)
{
	drv->ids = realloc(drv->ids, (drv->nids + 1) * sizeof(*drv->ids));
	if (!drv->ids)
		abort();
	drv->ids[drv->nids] = (struct pci_id){ v, d, sv, sd, 0, 0, 0 };
	drv->nids++;
}

static int parse_ids(struct sim_driver *drv, char *list)
{
	char *save = NULL;
	char *tok;
	unsigned int v, d, sv, sd;
	int n;

	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		n = sscanf(tok, "%x:%x:%x:%x", &v, &d, &sv, &sd);
		if (n == 2)
			add_id(drv, v, d, PCI_ANY_ID, PCI_ANY_ID);
		else if (n == 4)
			add_id(drv, v, d, sv, sd);
		else
			return -EINVAL;
	}
	return 0;
}

/* "driver NAME [ids=...] [sriov=0|1]" */
static int parse_driver(char *args, const char *where)
{
	char *save = NULL;
	char *name = strtok_r(args, " \t", &save);
	char *tok;
	struct sim_driver *drv;

	if (!name || !strcmp(name, "pciback")) {
		fprintf(stderr, "%s: bad driver line\n", where);
		return -EINVAL;
	}
	drv = sim_add_driver(name);
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (!strncmp(tok, "ids=", 4)) {
			if (parse_ids(drv, tok + 4))
				goto bad;
		} else if (!strcmp(tok, "sriov=0")) {
			drv->sriov_configure = false;
		} else if (!strcmp(tok, "sriov=1")) {
			drv->sriov_configure = true;
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	fprintf(stderr, "%s: bad driver option '%s'\n", where, tok);
	return -EINVAL;
}

static int parse_global(const char *key, const char *val, const char *where)
{
	if (!strcmp(key, "pciback")) {
		if (!strcmp(val, "loaded"))
			pciback_mode = PCIBACK_BUILTIN;
		else if (!strcmp(val, "module"))
			pciback_mode = PCIBACK_MODULE;
		else if (!strcmp(val, "absent"))
			pciback_mode = PCIBACK_ABSENT;
		else
			goto bad;
	} else if (!strcmp(key, "fbcon")) {
		sim.fbcon = !strcmp(val, "1");
	} else if (!strcmp(key, "pciback_do_flr")) {
		sim.pciback_do_flr = !strcmp(val, "1");
	} else if (!strcmp(key, "pciback_permissive")) {
		sim.param_permissive = !strcmp(val, "1");
	} else if (!strcmp(key, "pciback_passthrough")) {
		sim.param_passthrough = !strcmp(val, "1");
	} else if (!strcmp(key, "autoprobe")) {
		sim.drivers_autoprobe = strcmp(val, "0") != 0;
	} else if (!strcmp(key, "hide")) {
		size_t old = sim.hide_param ? strlen(sim.hide_param) : 0;
		size_t add = strlen(val) + 3;
		char *p = realloc(sim.hide_param, old + add);

		if (!p)
			abort();
		sim.hide_param = p;
		snprintf(p + old, add, val[0] == '(' ? "%s" : "(%s)", val);
	} else {
		goto bad;
	}
	return 0;
bad:
	fprintf(stderr, "%s: bad line '%s=%s'\n", where, key, val);
	return -EINVAL;
}

static int parse_bars(struct sim_dev *dev, char *list)
{
	char *save = NULL;
	char *tok;
	unsigned long long start, size;
	char type;
	int i = 0;

	for (tok = strtok_r(list, ",", &save); tok && i < 6;
	     tok = strtok_r(NULL, ",", &save), i++) {
		if (!strcmp(tok, "-"))
			continue;
		if (sscanf(tok, "%c:%llx:%llx", &type, &start, &size) != 3 ||
		    !size)
			return -EINVAL;
		dev->res[i].start = start;
		dev->res[i].end = start + size - 1;
		if (type == 'm')
			dev->res[i].flags = 0x40200;
		else if (type == 'p')
			dev->res[i].flags = 0x14220c;
		else if (type == 'i')
			dev->res[i].flags = 0x40101;
		else
			return -EINVAL;
	}
	return tok ? -EINVAL : 0;
}

static int parse_reset_methods(struct sim_dev *dev, char *list)
{
	char *save = NULL;
	char *tok;
	int i = 0, m;

	memset(dev->default_reset, 0, sizeof(dev->default_reset));
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		m = reset_method_lookup(tok);
		if (!m || i >= RESET_NR_METHODS - 1)
			return -EINVAL;
		dev->default_reset[i++] = m;
	}
	return 0;
}

/* Flags the device line gave, resolved once the whole file is read. */
struct devopts {
	int flr, pm, reset, hdr, mf;
	bool explicit_methods;
	char pf[16];
	long totalvfs, numvfs;
	char driver[SIM_NAME_MAX];	/* bound at boot, "" for none */
};

static int parse_num(const char *val, unsigned long max,
		     unsigned long *v)
{
	if (kstrtoul(val, 0, v) || *v > max)
		return -EINVAL;
	return 0;
}

static int parse_rom(struct sim_dev *dev, const char *val)
{
	unsigned long long start, size;

	if (sscanf(val, "%llx:%llx", &start, &size) != 2 || !size)
		return -EINVAL;
	dev->res[6].start = start;
	dev->res[6].end = start + size - 1;
	dev->res[6].flags = 0x46200;
	return 0;
}

static int parse_subsys(struct sim_dev *dev, const char *val)
{
	unsigned int sv, sd;

	if (sscanf(val, "%x:%x", &sv, &sd) != 2 || sv > 0xffff || sd > 0xffff)
		return -EINVAL;
	dev->subvendor = sv;
	dev->subdevice = sd;
	return 0;
}

/* Numeric keys: name, limit, where the value goes. */
static int parse_numkey(struct sim_dev *dev, struct devopts *o,
			const char *key, const char *val)
{
	unsigned long v;

	if (!strcmp(key, "hdr")) {
		if (parse_num(val, 0x7f, &v))
			return -EINVAL;
		o->hdr = v;
	} else if (!strcmp(key, "irq")) {
		if (parse_num(val, 0xffff, &v))
			return -EINVAL;
		dev->irq = v;
	} else if (!strcmp(key, "cfg")) {
		if (parse_num(val, 4096, &v) || (v != 256 && v != 4096))
			return -EINVAL;
		dev->cfg_size = v;
	} else if (!strcmp(key, "rev")) {
		if (parse_hex(val, 0xff, &v))
			return -EINVAL;
		dev->revision = v;
	} else if (!strcmp(key, "totalvfs")) {
		if (parse_num(val, 0xffff, &v))
			return -EINVAL;
		o->totalvfs = v;
	} else if (!strcmp(key, "secondary")) {
		if (parse_hex(val, 0xff, &v))
			return -EINVAL;
		dev->secondary = v;
	} else if (!strcmp(key, "subordinate")) {
		if (parse_hex(val, 0xff, &v))
			return -EINVAL;
		dev->subordinate = v;
	} else if (!strcmp(key, "pcie")) {
		if (parse_num(val, 0xf, &v))
			return -EINVAL;
		dev->pcie_type = v;
	} else if (!strcmp(key, "msix")) {
		if (parse_num(val, 2048, &v) || !v)
			return -EINVAL;
		dev->msix = v;
	} else if (!strcmp(key, "numvfs")) {
		if (parse_num(val, 0xffff, &v))
			return -EINVAL;
		o->numvfs = v;
	} else {
		return 1;
	}
	return 0;
}

static int parse_devkey(struct sim_dev *dev, struct devopts *o, char *tok)
{
	char *val = strchr(tok, '=');
	int err;

	if (!val)
		return -EINVAL;
	*val++ = '\0';
	err = parse_numkey(dev, o, tok, val);
	if (err <= 0)
		return err;
	if (!strcmp(tok, "flr"))
		o->flr = !strcmp(val, "1");
	else if (!strcmp(tok, "pm"))
		o->pm = !strcmp(val, "1");
	else if (!strcmp(tok, "reset"))
		o->reset = !strcmp(val, "1");
	else if (!strcmp(tok, "reset_methods")) {
		o->explicit_methods = true;
		return parse_reset_methods(dev, val);
	} else if (!strcmp(tok, "mf"))
		o->mf = !strcmp(val, "1");
	else if (!strcmp(tok, "bars"))
		return parse_bars(dev, val);
	else if (!strcmp(tok, "rom"))
		return parse_rom(dev, val);
	else if (!strcmp(tok, "subsys"))
		return parse_subsys(dev, val);
	else if (!strcmp(tok, "pf"))
		snprintf(o->pf, sizeof(o->pf), "%s", val);
	else if (!strcmp(tok, "boot_vga"))
		dev->boot_vga = !strcmp(val, "1");
	else if (!strcmp(tok, "fb")) {
		unsigned long fb;

		if (kstrtoul(val, 10, &fb) || fb > 31)
			return -EINVAL;
		dev->fb = (int)fb;
	}
	else if (!strcmp(tok, "reset_fail"))
		dev->reset_fail = !strcmp(val, "1");
	else if (!strcmp(tok, "block"))
		return host_parse_block(dev, val);
	else if (!strcmp(tok, "in_use")) {
		if (!strcmp(val, "1"))
			snprintf(dev->operstate, sizeof(dev->operstate), "up");
	} else if (!strcmp(tok, "ifname"))
		snprintf(dev->ifname, sizeof(dev->ifname), "%s", val);
	else if (!strcmp(tok, "operstate"))
		snprintf(dev->operstate, sizeof(dev->operstate), "%s", val);
	else if (!strcmp(tok, "override")) {
		free(dev->driver_override);
		dev->driver_override = xstrdup(val);
	} else if (!strcmp(tok, "probe_fail")) {
		dev->probe_fail = errno_from_name(val);
		return dev->probe_fail < 0 ? -EINVAL : 0;
	} else
		return -EINVAL;
	return 0;
}

static bool alone_on_bus(struct sim_dev *dev)
{
	size_t i;

	for (i = 0; i < sim.ndevs; i++)
		if (sim.devs[i] != dev && sim.devs[i]->domain == dev->domain &&
		    sim.devs[i]->bus == dev->bus)
			return false;
	return true;
}

static bool has_sibling_function(struct sim_dev *dev)
{
	size_t i;

	for (i = 0; i < sim.ndevs; i++)
		if (sim.devs[i] != dev && sim.devs[i]->domain == dev->domain &&
		    sim.devs[i]->bus == dev->bus &&
		    (sim.devs[i]->devfn >> 3) == (dev->devfn >> 3))
			return true;
	return false;
}

/*
 * Reset methods in drivers/pci/pci.c pci_init_reset_methods() priority
 * order: flr, pm, bus.
 */
static void finish_reset(struct sim_dev *dev, struct devopts *o)
{
	int i = 0;

	if (!o->explicit_methods) {
		memset(dev->default_reset, 0, sizeof(dev->default_reset));
		if (o->flr)
			dev->default_reset[i++] = RESET_FLR;
		if (o->pm)
			dev->default_reset[i++] = RESET_PM;
		if (o->reset > 0 || (o->reset < 0 && alone_on_bus(dev)))
			dev->default_reset[i++] = RESET_BUS;
	}
	memcpy(dev->reset_methods, dev->default_reset, MAX_RESET_METHODS);
	dev->has_reset_attr = dev->default_reset[0] != 0;
}

static void finish_bars(struct sim_dev *dev)
{
	unsigned long long idx = (dev->bus & 0x3f) << 8 | dev->devfn;
	int i;

	for (i = 0; i < 6; i++)
		if (dev->res[i].flags)
			return;
	/* One 16 KiB memory BAR at an address derived from the BDF. */
	dev->res[0].start = 0xd0000000ULL + (idx << 14);
	dev->res[0].end = dev->res[0].start + 0x3fff;
	dev->res[0].flags = 0x40200;
}

static struct devopts *opts;	/* parallel to sim.devs */
static size_t nopts;

static struct sim_dev *new_dev(char **tok, const char *where)
{
	struct sim_dev *dev = xcalloc(1, sizeof(*dev));
	unsigned long v, d, c;

	if (parse_bdf(tok[0], &dev->domain, &dev->bus, &dev->devfn) ||
	    parse_hex(tok[1], 0xffff, &v) || parse_hex(tok[2], 0xffff, &d) ||
	    parse_hex(tok[3], 0xffffff, &c)) {
		fprintf(stderr, "%s: bad device line '%s %s %s %s'\n", where,
			tok[0], tok[1], tok[2], tok[3]);
		free(dev);
		return NULL;
	}
	snprintf(dev->name, sizeof(dev->name), "%04x:%02x:%02x.%d",
		 dev->domain & 0xffff, dev->bus & 0xff,
		 (dev->devfn >> 3) & 0x1f, dev->devfn & 7);
	dev->vendor = v;
	dev->device = d;
	dev->subvendor = v;
	dev->class = c;
	dev->irq = 16;
	dev->cfg_size = 4096;
	dev->owner_domid = -1;
	dev->vf_index = -1;
	dev->secondary = dev->subordinate = -1;
	dev->pcie_type = -1;
	dev->fb = -1;
	return dev;
}

static void free_dev(struct sim_dev *dev)
{
	free(dev->driver_override);
	free(dev->config);
	free(dev);
}

static void append_dev(struct sim_dev *dev)
{
	sim.devs = realloc(sim.devs, (sim.ndevs + 1) * sizeof(*sim.devs));
	if (!sim.devs)
		abort();
	sim.devs[sim.ndevs++] = dev;
}

/* While the file is read, the options wait beside their device. */
static void store_dev(struct sim_dev *dev, struct devopts *o)
{
	append_dev(dev);
	opts = realloc(opts, (nopts + 1) * sizeof(*opts));
	if (!opts)
		abort();
	opts[nopts++] = *o;
}

/* A driver named in a device line; auto-declared ones learn its id. */
static void note_driver(struct sim_dev *dev, const char *name)
{
	struct sim_driver *drv;
	char *ovr;

	if (!strcmp(name, "pciback"))
		return;
	drv = sim_find_driver(name);
	if (!drv) {
		drv = sim_add_driver(name);
		drv->auto_ids = true;
	}
	if (!drv->auto_ids)
		return;
	/* Match on ids alone: driver_override must not count here. */
	ovr = dev->driver_override;
	dev->driver_override = NULL;
	if (!driver_match_device(drv, dev))
		add_id(drv, dev->vendor, dev->device, PCI_ANY_ID, PCI_ANY_ID);
	dev->driver_override = ovr;
}

static void finish_dev(struct sim_dev *dev, struct devopts *o)
{
	dev->hdr_type = o->hdr >= 0 ? o->hdr :
			((dev->class >> 8) == 0x0604 ? 1 : 0);
	dev->multifunction = o->mf >= 0 ? o->mf : has_sibling_function(dev);
	finish_reset(dev, o);
	finish_bars(dev);
	if (dev->operstate[0] && !dev->ifname[0])
		snprintf(dev->ifname, sizeof(dev->ifname), "eth%u",
			 ifcounter++);
	if (dev->ifname[0] && !dev->operstate[0])
		snprintf(dev->operstate, sizeof(dev->operstate), "down");
	if (o->pf[0]) {
		dev->physfn = sim_find_dev_any(o->pf);
		if (dev->physfn == dev)
			dev->physfn = NULL;
	}
	if (!dev->config)
		dev->config = xcalloc(1, dev->cfg_size);
}

/* Number the VFs of every PF in order of appearance; size the PFs. */
static int finish_sriov(void)
{
	size_t i, j;

	for (i = 0; i < sim.ndevs; i++) {
		struct sim_dev *pf = sim.devs[i];
		unsigned int nvf = 0;

		for (j = 0; j < sim.ndevs; j++)
			if (sim.devs[j]->physfn == pf)
				sim.devs[j]->vf_index = nvf++;
		if (!nvf && opts[i].totalvfs <= 0)
			continue;
		pf->totalvfs = opts[i].totalvfs > 0 ? opts[i].totalvfs : nvf;
		pf->numvfs = opts[i].numvfs >= 0 ? opts[i].numvfs : nvf;
		if (pf->totalvfs < nvf || pf->numvfs > nvf) {
			fprintf(stderr, "inventory: %s: bad totalvfs/numvfs\n",
				pf->name);
			return -EINVAL;
		}
	}
	return 0;
}

/* The driver that has the device when the inventory is read. */
static void boot_bind(struct sim_dev *dev, struct devopts *o)
{
	struct sim_driver *pciback = sim_find_driver("pciback");
	struct sim_driver *drv;

	if (dev->physfn && (unsigned int)dev->vf_index >= dev->physfn->numvfs)
		return;
	dev->present = true;
	if (pciback && sim.pciback_loaded && !strcmp(o->driver, "pciback"))
		pcistub_device_id_add(dev->domain, dev->bus, dev->devfn >> 3,
				      dev->devfn & 7);
	if (pciback && sim.pciback_loaded) {
		dev->driver = pciback;
		if (pcistub_probe(dev) == 0)
			return;
		dev->driver = NULL;
	}
	drv = o->driver[0] ? sim_find_driver(o->driver) : NULL;
	if (drv && !drv->is_pciback) {
		dev->driver = drv;
		dev->enable_cnt = 1;
	}
}

/*
 * xen-pciback comes first when built in (fs_initcall, before any other
 * PCI driver), last when loaded as a module; a bad hide= keeps it out.
 */
static void finish_pciback(void)
{
	struct sim_driver *drv;
	size_t i;

	if (pciback_mode == PCIBACK_ABSENT)
		return;
	if (sim.hide_param && pciback_parse_hide(sim.hide_param)) {
		fprintf(stderr, "xen_pciback: Error parsing pci_devs_to_hide "
			"at \"%s\"\n", sim.hide_param);
		free(sim.slots);
		sim.slots = NULL;
		sim.nslots = 0;
		return;
	}
	drv = sim_add_driver("pciback");
	drv->is_pciback = true;
	drv->sriov_configure = false;
	add_id(drv, PCI_ANY_ID, PCI_ANY_ID, PCI_ANY_ID, PCI_ANY_ID);
	if (pciback_mode == PCIBACK_BUILTIN) {
		for (i = sim.ndrvs - 1; i > 0; i--)
			sim.drvs[i] = sim.drvs[i - 1];
		sim.drvs[0] = drv;
	}
	sim.pciback_loaded = true;
}

int inventory_finish(void)
{
	size_t i;

	finish_pciback();
	for (i = 0; i < sim.ndevs; i++)
		finish_dev(sim.devs[i], &opts[i]);
	if (finish_sriov())
		return -EINVAL;
	for (i = 0; i < sim.ndevs; i++)
		boot_bind(sim.devs[i], &opts[i]);
	for (i = 0; i < sim.ndevs; i++)
		sim_dev_fill_config(sim.devs[i]);
	/* Boot is not part of the write log. */
	sim_log_discard();
	return 0;
}

/*
 * sim/hotplug "add": a device appears (or reappears after a surprise
 * removal) and is probed as pci_bus_add_device() would.
 */
static int hotplug_add(struct sim_dev *dev, struct devopts *o)
{
	struct sim_dev *old = sim_find_dev_any(dev->name);
	size_t i;

	if (old && old->present) {
		free_dev(dev);
		return -EEXIST;
	}
	if (old) {
		for (i = 0; i < sim.ndevs; i++) {
			if (sim.devs[i] == old)
				sim.devs[i] = dev;
			if (sim.devs[i]->physfn == old)
				sim.devs[i]->physfn = dev;
		}
		host_move_dev(old, dev);
		free_dev(old);
	} else {
		append_dev(dev);
	}
	if (o->driver[0])
		note_driver(dev, o->driver);
	finish_dev(dev, o);
	if (dev->physfn)
		dev->vf_index = dev->physfn->totalvfs++;
	sim_dev_fill_config(dev);
	sim_dev_add(dev);
	return 0;
}

/* "BDF VENDOR DEVICE CLASS DRIVER [key=value...]" */
static int parse_device(char *line, const char *where, bool hotplug)
{
	char *save = NULL;
	char *tok[5];
	char *kv;
	struct devopts o = { 0, 0, -1, -1, -1, false, "", -1, -1, "" };
	struct sim_dev *dev;
	int i;

	for (i = 0; i < 5; i++) {
		tok[i] = strtok_r(i ? NULL : line, " \t", &save);
		if (!tok[i]) {
			fprintf(stderr, "%s: short device line\n", where);
			return -EINVAL;
		}
	}
	dev = new_dev(tok, where);
	if (!dev)
		return -EINVAL;
	while ((kv = strtok_r(NULL, " \t", &save))) {
		char shown[SIM_NAME_MAX];

		/* parse_devkey() cuts the token at '='. */
		snprintf(shown, sizeof(shown), "%s", kv);
		if (parse_devkey(dev, &o, kv)) {
			fprintf(stderr, "%s: bad device option '%s'\n", where,
				shown);
			goto bad;
		}
	}
	if (strcmp(tok[4], "-"))
		snprintf(o.driver, sizeof(o.driver), "%s", tok[4]);
	if (hotplug)
		return hotplug_add(dev, &o);
	if (sim_find_dev_any(dev->name)) {
		fprintf(stderr, "%s: duplicate device %s\n", where, dev->name);
		goto bad;
	}
	store_dev(dev, &o);
	if (o.driver[0])
		note_driver(dev, o.driver);
	return 0;
bad:
	host_move_dev(dev, NULL);
	free_dev(dev);
	return -EINVAL;
}

int inventory_parse_line(char *line, const char *where, bool hotplug)
{
	char *p, *eq;

	line[strcspn(line, "#")] = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	p = line + strlen(line);
	while (p > line && strchr(" \t\r\n", p[-1]))
		*--p = '\0';
	if (!*line)
		return hotplug ? -EINVAL : 0;
	if (hotplug)
		return parse_device(line, where, true);
	if (!strncmp(line, "driver ", 7))
		return parse_driver(line + 7, where);
	switch (host_parse_line(line)) {
	case 0:
		return 0;
	case 1:
		break;
	default:
		fprintf(stderr, "%s: bad line '%s'\n", where, line);
		return -EINVAL;
	}
	eq = strchr(line, '=');
	if (eq && !strchr(line, ' ') && !strchr(line, '\t')) {
		*eq = '\0';
		return parse_global(line, eq + 1, where);
	}
	return parse_device(line, where, false);
}

static void inventory_reset(void)
{
	pciback_mode = PCIBACK_BUILTIN;
	ifcounter = 0;
	sim.drivers_autoprobe = true;
}

int inventory_load(const char *file)
{
	char where[300];
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;
	FILE *f = fopen(file, "r");
	int err = 0;

	if (!f) {
		perror(file);
		return -errno;
	}
	inventory_reset();
	while (getline(&line, &cap, f) > 0) {
		snprintf(where, sizeof(where), "%s:%u", file, ++lineno);
		err = inventory_parse_line(line, where, false);
		if (err)
			break;
	}
	free(line);
	fclose(f);
	return err ? err : inventory_finish();
}

int inventory_load_default(void)
{
	char buf[256];
	int i, err;

	inventory_reset();
	for (i = 0; default_inventory[i]; i++) {
		snprintf(buf, sizeof(buf), "%s", default_inventory[i]);
		err = inventory_parse_line(buf, "default inventory", false);
		if (err)
			return err;
	}
	return inventory_finish();
}

void inventory_free(void)
{
	free(opts);
	opts = NULL;
	nopts = 0;
}
