/*
 * The readiness check (op check, `xen-pci check SPEC`): what stands
 * between a device and a guest, changing nothing.  For each device of
 * the spec, result/<K>_<field>:
 *
 *   state     host (its driver), unbound, assignable, attached to N
 *   iommu     on / off / unknown (Xen's physinfo "directio"; global)
 *   reset     the methods the kernel offers (reset_method), do_flr, none
 *   record    clean (method) / dirty: ... / never with a guest
 *   dom0      what dom0 uses on it or with it (the dom0 guard), or ""
 *   group     what goes with it: functions of its slot, devices behind
 *             it, devices sharing its requester ID
 *   bridge    the nearest bridge above it, "" none
 *   msix      MSI-X vectors it asks for, 0 none
 *   hint      the permissive hint (hint.c), "" none
 *   problems  each problem with its fix in one sentence, "; " apart
 *   ready     yes / no (no: a problem stops an attach)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "device.h"
#include "hint.h"
#include "hypervisor.h"
#include "libxl_pci.h"
#include "log.h"
#include "policy.h"
#include "sysfs.h"

/*
 * A guest's MSI and MSI-X vectors are its pirqs above the GSIs: Xen
 * gives each domU nr_static_irqs + extra_domU_irqs pirqs, and
 * DEFAULT_EXTRA_DOMU_IRQS is 32 (xen/common/domain.c, 4.17), unless
 * Xen boots with extra_guest_irqs=N.
 */
#define GUEST_MSI_PIRQS	32

static int kv(struct outcome *out, const struct bdf *b, const char *field,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int kv(struct outcome *out, const struct bdf *b, const char *field,
	      const char *fmt, ...)
{
	char key[KEY_STR_LEN];
	struct outcome_kv *e;
	va_list ap;
	void *v = realloc(out->kv, (out->nkv + 1) * sizeof(*out->kv));

	if (!v)
		return -ENOMEM;
	out->kv = v;
	e = &out->kv[out->nkv++];
	if (b)
		snprintf(e->key, sizeof(e->key), "%s_%s", bdf_key(b, key),
			 field);
	else
		snprintf(e->key, sizeof(e->key), "%s", field);
	va_start(ap, fmt);
	vsnprintf(e->val, sizeof(e->val), fmt, ap);
	va_end(ap);
	return 0;
}

struct problems {
	char buf[1024];
	size_t len;
	bool blocking;
};

static void problem(struct problems *p, bool blocking, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct problems *p, bool blocking, const char *fmt, ...)
{
	va_list ap;

	if (p->len >= sizeof(p->buf) - 3)
		return;
	if (p->len)
		p->len += snprintf(p->buf + p->len, sizeof(p->buf) - p->len,
				   "; ");
	va_start(ap, fmt);
	p->len += vsnprintf(p->buf + p->len, sizeof(p->buf) - p->len, fmt, ap);
	va_end(ap);
	if (p->len >= sizeof(p->buf))
		p->len = sizeof(p->buf) - 1;
	p->blocking |= blocking;
}

static void state_of(const struct bdf *b, char *buf, size_t len,
		     bool *on_pciback)
{
	char drv[4096];
	long domid;

	*on_pciback = sysfs_on_pciback(b) == 1;
	domid = libxl_pci_domid(XBT_NULL, b);
	if (domid >= 0)
		snprintf(buf, len, "attached to domain %ld", domid);
	else if (*on_pciback)
		snprintf(buf, len, "assignable");
	else if (sysfs_dev_driver(b, drv, sizeof(drv)) || !drv[0])
		snprintf(buf, len, "unbound");
	else
		snprintf(buf, len, "host (%s)", driver_name(drv));
}

static void check_reset(const struct bdf *b, struct outcome *out,
			struct problems *p)
{
	char methods[64] = "", rec[200];
	struct reset_rec r;

	if (sysfs_pciback_has("do_flr"))
		snprintf(methods, sizeof(methods), "do_flr");
	else
		sysfs_reset_methods(b, methods, sizeof(methods));
	kv(out, b, "reset", "%s", methods[0] ? methods : "none");
	if (!methods[0])
		problem(p, false, "it cannot be reset (no reset_method, no "
			"pciback do_flr): the next guest gets it as the last "
			"one left it; give it to one guest only, with "
			"reset=strict");
	policy_reset_get(b, &r);
	policy_reset_str(&r, rec, sizeof(rec));
	kv(out, b, "record", "%s", rec[0] ? rec : "never with a guest");
	if (r.state == RESET_DIRTY)
		problem(p, false, "it was not reset after domain %ld: reset "
			"it (echo 1 > /sys/bus/pci/devices/<BDF>/reset) or "
			"give it back to domain %ld only", r.domid, r.domid);
}

static int check_one(const struct bdf *b, int iommu, struct outcome *out)
{
	struct problems p = { .len = 0 };
	struct policy_topo t;
	char state[64], why[900], hint[400];
	bool on_pciback;
	int rc = policy_group(b, &t);

	if (rc)
		return fail(out, -rc, b, "%s", rc == -ENODEV ?
			    "no such PCI device" : strerror(-rc));
	state_of(b, state, sizeof(state), &on_pciback);
	kv(out, b, "state", "%s", state);
	if (iommu == 0)
		problem(&p, true, "Xen has no IOMMU on: enable VT-d or AMD-Vi "
			"in the firmware and boot Xen with iommu=1");
	check_reset(b, out, &p);
	rc = on_pciback ? 0 : policy_dom0_uses(b, why, sizeof(why));
	kv(out, b, "dom0", "%s", rc > 0 ? why : "");
	if (rc > 0)
		problem(&p, true, "dom0 needs it (see dom0): stop using it "
			"in dom0 first, or give force=1 to take it anyway");
	else if (rc < 0)
		problem(&p, true, "%s", why);
	kv(out, b, "group", "%s", t.group);
	if (t.group[0])
		problem(&p, false, "other devices go with it (see group): "
			"assign them together, e.g. with a * spec for a slot");
	kv(out, b, "bridge", "%s", t.above);
	if (t.bridge)
		problem(&p, true, "it is a bridge: pass the devices behind it "
			"instead");
	kv(out, b, "msix", "%u", t.msix);
	if (t.msix > GUEST_MSI_PIRQS)
		problem(&p, false, "it asks for %u MSI-X vectors, a guest gets "
			"%u pirqs for MSI by default: boot Xen with "
			"extra_guest_irqs=%u (or more, for its other devices) "
			"or its driver falls back to fewer vectors", t.msix,
			GUEST_MSI_PIRQS, t.msix);
	hint_get(b, hint, sizeof(hint));
	kv(out, b, "hint", "%s", hint);
	if (hint[0])
		problem(&p, false, "pciback dropped a guest's write to its "
			"config space (see hint): attach it with permissive=1 "
			"if the guest's driver misbehaves");
	if (!on_pciback && !strncmp(state, "host", 4))
		problem(&p, false, "not assignable yet: assignable-add it, or "
			"attach with seize=1");
	kv(out, b, "problems", "%s", p.buf);
	return kv(out, b, "ready", "%s", p.blocking ? "no" : "yes");
}

int pci_check(const struct spec *sp, struct outcome *out)
{
	int iommu = hv_iommu_enabled();
	int rc;

	rc = kv(out, NULL, "iommu", "%s", iommu > 0 ? "on" : iommu == 0 ?
		"off" : "unknown");
	for (unsigned int i = 0; !rc && i < sp->ndevs; i++)
		rc = check_one(&sp->devs[i], iommu, out);
	if (rc == -ENOMEM)
		return fail(out, ENOMEM, NULL, "out of memory");
	return rc;
}
