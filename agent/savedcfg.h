/*
 * libxl's saved domain configuration, the "libxl-json" userdata of a
 * domain (XEN_LIB_DIR/userdata-d.<domid>.<uuid>.libxl-json) that xl
 * reboot, save/restore and migrate rebuild the guest from.  xl
 * pci-attach adds a device's libxl_device_pci to its pcidevs under the
 * domain-userdata lock (libxl_pci.c libxl__device_pci_add_xenstore());
 * the agent does the same for its attaches, under the same lock, and
 * takes the entry out again on detach.  Only this file reads or writes
 * them.
 */
#ifndef XENPCI_SAVEDCFG_H
#define XENPCI_SAVEDCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "bdf.h"
#include "cancel.h"

/* A libxl_device_pci as xl's spec parser and libxl's add leave it. */
struct savedcfg_pci {
	struct bdf bdf;
	unsigned int vdevfn;
	unsigned int vfunc_mask;
	bool msitranslate;
	bool power_mgmt;
	bool permissive;
	bool seize;
	bool rdm_relaxed;
	const char *name;	/* or NULL */
};

struct savedcfg_wait {
	unsigned int timeout_ms;	/* for libxl's lock; 0: 10 s */
	const struct cancel *cancel;
};

/*
 * Adds p to domid's pcidevs, replacing an entry for the same device as
 * libxl's device_add_domain_config() does.  0 also when the domain has
 * no saved configuration (not made by libxl: nothing to keep it in) or
 * is gone; else -errno with msg set.
 */
int savedcfg_add(unsigned int domid, const struct savedcfg_pci *p,
		 const struct savedcfg_wait *w, char *msg, size_t len);
/* Takes b out of domid's pcidevs; the same returns. */
int savedcfg_remove(unsigned int domid, const struct bdf *b,
		    const struct savedcfg_wait *w, char *msg, size_t len);

/* At exit: libxl's context, if one was made. */
void savedcfg_close(void);

#endif
