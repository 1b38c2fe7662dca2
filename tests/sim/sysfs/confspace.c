// SPDX-License-Identifier: GPL-2.0
/*
 * A guest's configuration space write through pciback
 * (drivers/xen/xen-pciback/conf_space.c xen_pcibk_config_write(), as
 * pciback_ops.c xen_pcibk_do_op() calls it for XEN_PCI_OP_conf_write).
 *
 * The fields pciback emulates are conf_space_header.c's header_common
 * (vendor, device, command, interrupt line and pin, cache line size,
 * latency timer, BIST) and header_0 or header_1 (the BARs, the ROM),
 * plus what "quirks" added.  A write that touches one of them is
 * "handled" (what the field's write does is not modelled: the bytes
 * are dropped).  Any other byte is read-only unless the device or the
 * module is permissive; then it is written.  A read-only write is
 * warned about once per dev_data (warned_on_write, kzalloc'd at
 * pcistub_init_device()), with the kernel's own words.
 *
 * Not modelled: conf_space_capability.c's fields (PM, VPD, MSI, MSI-X)
 * -- a write into a capability warns here where the kernel may handle
 * it; the PCI status register of newer kernels.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "simsysfs.h"

/* include/xen/interface/io/pciif.h */
#define XEN_PCI_ERR_dev_not_found	(-1)
#define XEN_PCI_ERR_invalid_offset	(-2)

struct field {
	unsigned int offset, size;
};

static const struct field header_common[] = {
	{ 0x00, 2 }, { 0x02, 2 }, { 0x04, 2 }, { 0x3c, 1 }, { 0x3d, 1 },
	{ 0x0c, 1 }, { 0x0d, 1 }, { 0x0f, 1 }, { 0, 0 },
};

static const struct field header_0[] = {
	{ 0x10, 4 }, { 0x14, 4 }, { 0x18, 4 }, { 0x1c, 4 }, { 0x20, 4 },
	{ 0x24, 4 }, { 0x30, 4 }, { 0, 0 },
};

static const struct field header_1[] = {
	{ 0x10, 4 }, { 0x14, 4 }, { 0x38, 4 }, { 0, 0 },
};

/* The overlap test of xen_pcibk_config_write()'s field loop. */
static bool overlaps(unsigned int off, unsigned int size,
		     unsigned int fstart, unsigned int fsize)
{
	unsigned int req_end = off + size, fend = fstart + fsize;

	return (off >= fstart && off < fend) ||
	       (req_end > fstart && req_end <= fend);
}

static bool table_handles(const struct field *t, unsigned int off,
			  unsigned int size)
{
	for (; t->size; t++)
		if (overlaps(off, size, t->offset, t->size))
			return true;
	return false;
}

static bool handled(const struct sim_dev *d, unsigned int off,
		    unsigned int size)
{
	unsigned int i;

	if (table_handles(header_common, off, size) ||
	    table_handles(d->hdr_type == 1 ? header_1 : header_0, off, size))
		return true;
	for (i = 0; i < d->nquirks; i++)
		if (overlaps(off, size, d->quirks[i].reg, d->quirks[i].size))
			return true;
	return false;
}

/* conf_space.c valid_request() */
static bool valid_request(unsigned int off, unsigned int size)
{
	return (size == 1 || size == 2 || size == 4) && off % size == 0;
}

/*
 * Returns the XEN_PCI_ERR_* the guest's pcifront gets (0: success).
 * The device must be on pciback and in use by domid, or
 * xen_pcibk_get_pci_dev() finds nothing for the guest's address.
 */
int pcibk_config_write(struct sim_dev *d, int domid, unsigned int off,
		       unsigned int size, uint32_t value)
{
	unsigned int i;

	if (!d->psdev || d->owner_domid != domid)
		return XEN_PCI_ERR_dev_not_found;
	if (!valid_request(off, size) || off + size > d->cfg_size)
		return XEN_PCI_ERR_invalid_offset;
	if (handled(d, off, size))
		return 0;
	if (d->permissive || sim.param_permissive) {
		for (i = 0; i < size; i++)
			d->config[off + i] = value >> (8 * i);
		sim_log_defer("cfg-write %s 0x%x %u", d->name, off, size);
		return 0;
	}
	sim_log_defer("cfg-write %s 0x%x %u read-only%s", d->name, off, size,
		      d->warned_on_write ? "" : " warned");
	if (!d->warned_on_write) {
		d->warned_on_write = true;
		kmsg_dev_printk(4, d, "xen-pciback: Driver tried to write to a "
				"read-only configuration space field at offset"
				" 0x%x, size %d. This may be harmless, but if "
				"you have problems with your device:\n"
				"1) see permissive attribute in sysfs\n"
				"2) report problems to the xen-devel "
				"mailing list along with details of your "
				"device obtained from lspci.\n", off, size);
	}
	return 0;
}
