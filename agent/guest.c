/*
 * A guest's kind, read the way libxl 4.17 reads it:
 *
 *   HVM or not    Xen's XEN_DOMINF_hvm_guest (hypervisor.c), set for
 *                 HVM and PVH alike (libxl__domain_make() asks
 *                 XEN_DOMCTL_CDF_hvm for both);
 *   PVH           libxl's /libxl/<domid>/type (libxl__domain_type());
 *                 a guest libxl did not record is PVH when it has no
 *                 device model at all (no dm-version, no
 *                 device-model-pid or -domid: libxl__dm_active());
 *   device model  /libxl/<domid>/dm-version, absent meaning
 *                 qemu-traditional (libxl__device_model_version_running());
 *   stub domain   /local/domain/<domid>/image/device-model-domid
 *                 (libxl_get_stubdom_id()).
 *
 * The agent serves PV guests through pciback and HVM guests whose
 * qemu-xen runs in dom0, through its QMP socket.  The rest is refused
 * with the reason: libxl refuses passthrough to PVH
 * (libxl__domain_config_setdefault(): "PCI passthrough not yet
 * supported for PVH guests"); qemu-traditional takes devices through
 * its xenstore protocol (pci_add_qemu_trad_watch_state_cb()) and a stub
 * domain's QEMU through the stub domain's own PCI backend and a QMP
 * socket the agent cannot reach (libxl__device_pci_add() with
 * stubdomid), neither of which the agent speaks.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "guest.h"
#include "hypervisor.h"
#include "xs.h"

static char *libxl_dom(unsigned int domid, const char *node)
{
	char p[96];

	snprintf(p, sizeof(p), LIBXL_DOM_FMT "/%s", domid, node);
	return xs_read_str(XBT_NULL, p);
}

static char *image(const char *fmt, unsigned int domid)
{
	char p[96];

	snprintf(p, sizeof(p), fmt, domid);
	return xs_read_str(XBT_NULL, p);
}

const char *guest_kind_name(enum guest_kind k)
{
	return k == GUEST_HVM ? "HVM" : "PV";
}

static int refuse(char *msg, size_t len, const char *fmt, unsigned int domid,
		  const char *what)
{
	snprintf(msg, len, fmt, domid, what);
	return -EOPNOTSUPP;
}

/* An HVM-flagged domain: PVH, or HVM with which device model. */
static int hvm_kind(unsigned int domid, enum guest_kind *kind, char *msg,
		    size_t len)
{
	char *type = libxl_dom(domid, LIBXL_DOM_TYPE);
	char *dm = libxl_dom(domid, LIBXL_DOM_DM_VERSION);
	char *stub = image(XENPCI_DM_DOMID_FMT, domid);
	char *pid = image(XENPCI_DM_PID_FMT, domid);
	bool pvh = type ? !strcmp(type, LIBXL_DOMTYPE_PVH) :
		   !dm && !stub && !pid;
	int rc = 0;

	if (pvh)
		rc = refuse(msg, len, "domain %u is a PVH guest: PCI "
			    "passthrough is not supported for PVH guests "
			    "(libxl refuses it too%s)", domid, "");
	else if (stub)
		rc = refuse(msg, len, "domain %u is an HVM guest whose device "
			    "model runs in stub domain %s: not supported (the "
			    "device goes through the stub domain's own PCI "
			    "backend and QMP socket, which the agent does not "
			    "drive); use xl pci-attach", domid, stub);
	else if (!dm || !strcmp(dm, LIBXL_DM_QEMU_TRAD))
		rc = refuse(msg, len, "domain %u is an HVM guest with the "
			    "qemu-traditional device model%s: not supported "
			    "(it takes devices through its own xenstore "
			    "protocol, not QMP); use xl pci-attach, or "
			    "device_model_version=\"qemu-xen\"", domid,
			    dm ? "" : " (no dm-version recorded)");
	else if (strcmp(dm, LIBXL_DM_QEMU_XEN))
		rc = refuse(msg, len, "domain %u is an HVM guest with an "
			    "unknown device model '%s': not supported", domid,
			    dm);
	else
		*kind = GUEST_HVM;
	free(type);
	free(dm);
	free(stub);
	free(pid);
	return rc;
}

int guest_kind(unsigned int domid, enum guest_kind *kind, char *msg,
	       size_t len)
{
	int rc = hv_domain_hvm(domid);

	*kind = GUEST_PV;
	if (rc == -ESRCH) {
		snprintf(msg, len, "domain %u does not exist", domid);
		return rc;
	}
	if (rc < 0) {
		snprintf(msg, len, "look up domain %u: %s", domid,
			 strerror(-rc));
		return rc;
	}
	return rc ? hvm_kind(domid, kind, msg, len) : 0;
}
