/*
 * assignable-add, assignable-remove and assignable-list (xl
 * pci-assignable-*): each device of the request is driven to a goal by
 * device.c, all or nothing across the functions a request names, with
 * libxl 4.17's bookkeeping (tools/libs/light/libxl_pci.c,
 * libxl__device_pci_assignable_add and _remove):
 *
 *   add:        goal assignable; a failure returns each device to its
 *               dom0 driver (or to no driver, if it had none)
 *   remove -r:  goal host, its original driver from libxl's driver_path
 *               first (so a device xl made assignable goes back right),
 *               then the state dir; a failure returns it to pciback
 *   remove:     goal released (off pciback, on no driver)
 *
 * These run on a worker thread (worker.c).  Messages name the device
 * and the step: "0000:07:00.0: bind to pciback: No such device".
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "device.h"
#include "hypervisor.h"
#include "libxl_pci.h"
#include "log.h"
#include "ops.h"
#include "statedir.h"
#include "sysfs.h"

/* The original driver: libxl's record first, then the state dir. */
static void known_driver(const struct bdf *b, char *buf, size_t len)
{
	if (libxl_pci_driver(XBT_NULL, b, buf, len) &&
	    driver_recall(b, buf, len))
		buf[0] = '\0';
}

static int check_pciback(struct outcome *out)
{
	int rc = sysfs_pciback_loaded();

	if (rc == -ENOENT)
		return fail(out, ENODEV, NULL,
			    "pciback driver is not loaded (%s/bus/pci/drivers/"
			    "pciback is missing): load xen-pciback first",
			    cfg.sysfs_root);
	if (rc)
		return fail(out, -rc, NULL, "cannot access pciback driver: %s",
			    strerror(-rc));
	return 0;
}

static int check_exists(const struct bdf *b, struct outcome *out)
{
	int rc = sysfs_dev_exists(b);

	if (rc == -ENOENT)
		return fail(out, ENODEV, b, "no such PCI device");
	if (rc)
		return fail(out, -rc, b, "look up device in sysfs: %s",
			    strerror(-rc));
	return 0;
}

static int check_all(const struct spec *sp, struct outcome *out)
{
	int rc = check_pciback(out);

	for (unsigned int i = 0; !rc && i < sp->ndevs; i++)
		rc = check_exists(&sp->devs[i], out);
	return rc;
}

/* Xen would refuse the quarantine (EBUSY): say which guest has it. */
static int check_add_free(const struct bdf *b, struct outcome *out)
{
	long domid = libxl_pci_domid(XBT_NULL, b);

	if (domid < 0)
		return 0;
	return fail(out, EBUSY, b, "attached to domain %ld: detach it first",
		    domid);
}

int assignable_add(const struct spec *sp, bool force, const char *req,
		   const struct cancel *cancel, struct outcome *out)
{
	struct device devs[SPEC_MAX_DEVS];
	struct drive dr = { .req = req, .cancel = cancel, .out = out };
	unsigned int i;
	int rc;

	rc = check_all(sp, out);
	for (i = 0; !rc && i < sp->ndevs; i++)
		rc = check_add_free(&sp->devs[i], out);
	for (i = 0; !rc && i < sp->ndevs; i++)
		rc = device_dom0_guard(&sp->devs[i], force, out);
	for (i = 0; !rc && i < sp->ndevs; i++)
		rc = device_prepare_add(&devs[i], &sp->devs[i], out);
	if (!rc)
		rc = device_transition(devs, sp->ndevs, &dr);
	if (!rc)
		device_done(devs, sp->ndevs, "done");
	return rc;
}

static int check_not_attached(const struct bdf *b, bool force,
			      struct outcome *out)
{
	long domid = libxl_pci_domid(XBT_NULL, b);

	if (domid < 0)
		return 0;
	if (force) {
		log_dev(LOG_WARNING, b, "assigned to domain %ld, removing "
			"anyway (force)", domid);
		return 0;
	}
	return fail(out, EBUSY, b, "assigned to domain %ld: detach it first",
		    domid);
}

/*
 * Goal host (rebind, the original driver known), else released; the
 * way back is pciback.  *unbound: rebind asked, no driver known.
 */
static void prepare_remove(struct device *d, const struct bdf *b,
			   bool rebind, bool *unbound)
{
	device_init(d, b);
	known_driver(b, d->orig_driver, sizeof(d->orig_driver));
	d->goal.kind = rebind && d->orig_driver[0] ? DG_HOST : DG_RELEASED;
	/* Same size, distinct members: a plain copy. */
	memcpy(d->goal.driver, d->orig_driver, sizeof(d->goal.driver));
	d->ret.kind = DG_ASSIGNABLE;
	d->remembered = true;
	*unbound = rebind && !d->orig_driver[0];
}

static int check_remove(const struct spec *sp, bool force,
			struct outcome *out)
{
	int rc = check_all(sp, out);

	for (unsigned int i = 0; !rc && i < sp->ndevs; i++)
		rc = check_not_attached(&sp->devs[i], force, out);
	for (unsigned int i = 0; !rc && i < sp->ndevs; i++) {
		/* Xen's word, for guests libxl does not know about. */
		if (quarantine_guest_owned(&sp->devs[i]) == 1)
			rc = fail(out, EBUSY, &sp->devs[i], "Xen has it "
				  "assigned to a guest: detach it first");
	}
	return rc;
}

/* Handed back: libxl deletes driver_path now, so do we. */
static void forget_removed(const struct device *d)
{
	int rc;

	if (d->goal.kind == DG_HOST) {
		step(&d->bdf, "forget");
		/* Unchecked in libxl (pci_info_xs_remove): a warning. */
		rc = libxl_pci_clear_driver(&d->bdf);
		if (rc)
			log_dev(LOG_WARNING, &d->bdf, "remove libxl's "
				"driver_path: %s", strerror(-rc));
		driver_forget(&d->bdf);
	}
	libxl_pci_clear_name(&d->bdf);
}

static void report_unbound(const struct spec *sp, const bool *unbound,
			   struct outcome *out)
{
	char key[KEY_STR_LEN], bdf[BDF_STR_LEN];

	for (unsigned int i = 0; i < sp->ndevs; i++) {
		if (!unbound[i])
			continue;
		if (!out->err)
			fail(out, ENOENT, &sp->devs[i],
			     "cannot rebind: no original driver is known "
			     "(no /libxl/pci/%s driver_path, nothing in %s/"
			     "drivers); the device is left bound to no driver",
			     bdf_key(&sp->devs[i], key), cfg.state_dir);
		else
			fail_note(out, "; %s is left bound to no driver "
				  "(original driver unknown)",
				  bdf_str(&sp->devs[i], bdf));
	}
}

int assignable_remove(const struct spec *sp, const char *req, bool rebind,
		      bool force, const struct cancel *cancel,
		      struct outcome *out)
{
	struct device devs[SPEC_MAX_DEVS];
	struct drive dr = { .req = req, .cancel = cancel, .out = out };
	bool unbound[SPEC_MAX_DEVS] = { false };
	unsigned int i;
	int rc;

	rc = check_remove(sp, force, out);
	if (rc)
		return rc;
	for (i = 0; i < sp->ndevs; i++)
		prepare_remove(&devs[i], &sp->devs[i], rebind, &unbound[i]);
	rc = device_transition(devs, sp->ndevs, &dr);
	if (rc)
		return rc;
	for (i = 0; i < sp->ndevs; i++)
		forget_removed(&devs[i]);
	device_done(devs, sp->ndevs, "done");
	report_unbound(sp, unbound, out);
	return out->err ? -out->err : 0;
}

int assignable_list(struct outcome *out)
{
	struct bdf *devs = NULL;
	unsigned int n = 0, i;
	char known[PATH_MAX];
	int rc;

	rc = check_pciback(out);
	if (rc)
		return rc;
	rc = sysfs_pciback_devices(&devs, &n);
	if (rc)
		return fail(out, -rc, NULL, "list pciback devices: %s",
			    strerror(-rc));
	out->list = calloc(n ? n : 1, sizeof(*out->list));
	out->list_drv = calloc(n ? n : 1, sizeof(*out->list_drv));
	if (!out->list || !out->list_drv) {
		free(devs);
		return fail(out, ENOMEM, NULL, "out of memory");
	}
	for (i = 0; i < n; i++) {
		/* libxl: assigned to a guest means not assignable. */
		if (libxl_pci_domid(XBT_NULL, &devs[i]) >= 0)
			continue;
		known_driver(&devs[i], known, sizeof(known));
		out->list[out->nlist] = devs[i];
		snprintf(out->list_drv[out->nlist], sizeof(out->list_drv[0]),
			 "%s", known[0] ? driver_name(known) : "");
		out->nlist++;
	}
	free(devs);
	return 0;
}

void outcome_free(struct outcome *o)
{
	free(o->list);
	free(o->list_drv);
	free(o->kv);
	o->kv = NULL;
	o->nkv = 0;
	o->list = NULL;
	o->list_drv = NULL;
	o->nlist = 0;
}

void assignable_recover(void)
{
	device_recover();
}

/*
 * After a reboot xenstore is empty but the state dir still knows the
 * original drivers: give libxl its /libxl/pci/K/driver_path back for
 * the devices that are on pciback, so that `xl pci-assignable-remove -r`
 * works as well as ours.
 */
void assignable_restore_libxl(void)
{
	struct bdf *devs = NULL;
	unsigned int n = 0;
	char known[PATH_MAX], cur[PATH_MAX];

	if (sysfs_pciback_devices(&devs, &n))
		return;
	for (unsigned int i = 0; i < n; i++) {
		if (driver_recall(&devs[i], known, sizeof(known)))
			continue;
		if (libxl_pci_driver(XBT_NULL, &devs[i], cur, sizeof(cur)) ==
		    -ENOENT && !libxl_pci_set_driver(&devs[i], known))
			log_dev(LOG_INFO, &devs[i], "restored libxl's "
				"driver_path = %s from the state dir", known);
	}
	free(devs);
}
