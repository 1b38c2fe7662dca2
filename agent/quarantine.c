/*
 * Quarantine: libxl 4.17 assigns an assignable device to DOMID_IO
 * (xc_assign_device, "quarantine") after binding it to pciback, and
 * takes it back (xc_deassign_device) before giving it back to dom0.
 * The agent does the same, so that Xen's view of the device matches
 * what xl would have left.
 *
 * Without a hypervisor interface (a test box without Xen, or the
 * simulated host without the simxen preload) there is nothing to
 * quarantine with: the agent says so once and goes on without it.
 *
 * Both calls are idempotent here: assigning a device dom_io already
 * owns succeeds, and de-assigning one it does not own gives ENODEV,
 * which is taken as "not quarantined" once a guest owner is ruled out.
 */
#include <errno.h>
#include <string.h>

#include <xenctrl.h>
#include <xentoollog.h>

#include "agent.h"

static xc_interface *xch;
static xentoollog_logger_stdiostream *xtl;

static uint32_t sbdf(const struct bdf *b)
{
	return b->dom << 16 | b->bus << 8 | b->dev << 3 | b->func;
}

void quarantine_init(void)
{
	/* libxc's own complaints would only repeat ours. */
	xtl = xtl_createlogger_stdiostream(stderr, XTL_CRITICAL, 0);
	xch = xc_interface_open((xentoollog_logger *)xtl, NULL, 0);
	if (!xch)
		log_warn("no hypervisor interface (%s): devices will not be "
			 "quarantined (assigned to dom_io)", strerror(errno));
}

void quarantine_exit(void)
{
	if (xch)
		xc_interface_close(xch);
	if (xtl)
		xtl_logger_destroy((xentoollog_logger *)xtl);
	xch = NULL;
	xtl = NULL;
}

bool quarantine_available(void)
{
	return xch != NULL;
}

int quarantine_assign(const struct bdf *b)
{
	if (!xch)
		return 0;
	/* DOMID_IO has no mappings: RDM relaxed, as libxl passes. */
	if (xc_assign_device(xch, DOMID_IO, sbdf(b),
			     XEN_DOMCTL_DEV_RDM_RELAXED) < 0)
		return -errno;
	return 0;
}

int quarantine_guest_owned(const struct bdf *b)
{
	if (!xch)
		return 0;
	/* EBUSY: a domain other than dom0 and dom_io has it. */
	if (xc_test_assign_device(xch, DOMID_IO, sbdf(b)) < 0)
		return errno == EBUSY ? 1 : -errno;
	return 0;
}

int quarantine_release(const struct bdf *b)
{
	if (!xch)
		return 0;
	if (xc_deassign_device(xch, DOMID_IO, sbdf(b)) < 0) {
		if (errno == ENODEV)
			return 0;	/* not quarantined (hidden at boot) */
		return -errno;
	}
	return 0;
}
