/*
 * simxcinfo DOMID: what the (simulated) hypervisor says about a domain,
 * through the two calls a toolstack uses, one "key=value" a line:
 *   getinfolist: hvm_guest=0|1 hap=0|1 dying=0|1 ...  (XEN_DOMINF_*)
 *   getinfo:     hvm=0|1 hap=0|1
 * Exit 1 when no such domain.  Run it with LD_PRELOAD=libsimxen.so.
 *
 * simxcinfo assign|deassign DOMID DDDD:BB:DD.F: xc_assign_device (as
 * libxl does before QMP device_add, RDM relaxed) or xc_deassign_device.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>

static int info(int argc, char **argv);

static int assign(int argc, char **argv)
{
	unsigned int dom, b, d, f, domid;
	xc_interface *xch;
	uint32_t sbdf;
	int rc;

	if (argc != 4 || sscanf(argv[3], "%x:%x:%x.%u", &dom, &b, &d, &f) != 4)
		return 2;
	domid = (unsigned int)strtoul(argv[2], NULL, 10);
	sbdf = dom << 16 | b << 8 | d << 3 | f;
	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch)
		return 1;
	if (!strcmp(argv[1], "assign"))
		rc = xc_assign_device(xch, domid, sbdf,
				      XEN_DOMCTL_DEV_RDM_RELAXED);
	else
		rc = xc_deassign_device(xch, domid, sbdf);
	if (rc)
		fprintf(stderr, "simxcinfo: %s %s: %s\n", argv[1], argv[3],
			strerror(errno));
	xc_interface_close(xch);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "assign") ||
			 !strcmp(argv[1], "deassign")))
		return assign(argc, argv);
	return info(argc, argv);
}

static int info(int argc, char **argv)
{
	xc_domaininfo_t dl;
	xc_dominfo_t di;
	xc_interface *xch;
	uint32_t domid;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: simxcinfo DOMID\n");
		return 2;
	}
	domid = (uint32_t)strtoul(argv[1], NULL, 10);
	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch) {
		fprintf(stderr, "simxcinfo: xc_interface_open: %s\n",
			strerror(errno));
		return 1;
	}
	if (xc_domain_getinfolist(xch, domid, 1, &dl) != 1 ||
	    dl.domain != domid)
		goto out;
	printf("getinfolist hvm_guest=%d hap=%d dying=%d paused=%d\n",
	       !!(dl.flags & XEN_DOMINF_hvm_guest),
	       !!(dl.flags & XEN_DOMINF_hap), !!(dl.flags & XEN_DOMINF_dying),
	       !!(dl.flags & XEN_DOMINF_paused));
	if (xc_domain_getinfo(xch, domid, 1, &di) != 1 || di.domid != domid)
		goto out;
	printf("getinfo hvm=%u hap=%u\n", di.hvm, di.hap);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "simxcinfo: no domain %u\n", domid);
	xc_interface_close(xch);
	return rc;
}
