/*
 * PCI_SPEC_STRING: parsed by libxlutil, exactly as xl parses it, so that
 * a spec that xl accepts is accepted here and the other way round.  The
 * `*` function wildcard is expanded to every function of the slot that
 * is present in sysfs; a request names all of them or fails as a whole.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxl.h>
#include <libxlutil.h>

#include "log.h"
#include "spec.h"
#include "sysfs.h"

void spec_free(struct spec *sp)
{
	free(sp->name);
	sp->name = NULL;
}

/*
 * Whether the spec names a key, e.g. permissive=: libxl_device_pci
 * cannot tell "permissive=0" from no permissive at all, and only the
 * latter takes the domain's default (xl's pci_permissive).
 */
static bool spec_has_key(const char *str, const char *key)
{
	size_t kl = strlen(key);
	const char *p;

	for (p = str; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (!strncmp(p, key, kl) && p[kl] == '=')
			return true;
	}
	return false;
}

/*
 * libxlutil 4.17's parse_bdf() adds an uninitialised %n to its pointer
 * when the function part is missing ("07:00": sscanf matches "%x:%x"
 * but never reaches "%n") and then reads past the string (valgrind
 * shows it).  So a BDF, positional or bdf=, must have a '.' after its
 * hex-and-colon run before libxlutil sees it; the rest is libxlutil's.
 */
static bool bdf_has_function(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (isxdigit((unsigned char)s[i]) || s[i] == ':'))
		i++;
	return i < len && s[i] == '.' && i + 1 < len;
}

static bool spec_safe_for_libxlutil(const char *str)
{
	const char *item = str;
	size_t run = 0, colons = 0;
	int names = 0;

	/*
	 * xlu_pci_parse_spec_string() tries the whole string as a BDF
	 * first, even when it starts with key=value: "07:00=5" reaches the
	 * same uninitialised %n (found by tests/fuzz/fuzz-reqparse).
	 */
	for (; isxdigit((unsigned char)str[run]) || str[run] == ':'; run++)
		colons += str[run] == ':';
	if ((colons == 1 || colons == 2) && str[run] != '.')
		return false;
	/* A second name= leaks the first's strdup() (fuzz-reqparse). */
	for (const char *p = str, *q; (q = strstr(p, "name=")); p = q + 5)
		if ((q == str || q[-1] == ',') && ++names > 1)
			return false;

	for (;;) {
		size_t len = strcspn(item, ",");
		const char *eq = memchr(item, '=', len);

		if (!eq) {
			/* Positional BDF, possibly with @VSLOT. */
			if (item == str &&
			    !bdf_has_function(item, strcspn(item, ",@")))
				return false;
		} else if (eq - item == 3 && !strncmp(item, "bdf", 3)) {
			if (!bdf_has_function(eq + 1, len - 4))
				return false;
		}
		if (!item[len])
			return true;
		item += len + 1;
	}
}

#define SPEC_SYNTAX	"expected [DDDD:]BB:SS.F[@VSLOT][,key=value...]"

/* libxlutil's parse; its reasons go to the config's report stream. */
static int lib_parse(const char *str, libxl_device_pci *pci, char *err,
		     size_t errlen)
{
	char *report = NULL;
	size_t report_len = 0;
	XLU_Config *xlu;
	FILE *rf;
	int rc;

	rf = open_memstream(&report, &report_len);
	xlu = xlu_cfg_init(rf, "spec");
	if (!xlu) {
		if (rf)
			fclose(rf);
		free(report);
		snprintf(err, errlen, "cannot parse spec '%s': out of memory",
			 str);
		return ENOMEM;
	}
	rc = xlu_pci_parse_spec_string(xlu, pci, str);
	xlu_cfg_destroy(xlu);
	if (rf)
		fclose(rf);
	if (rc && report && report[0])
		snprintf(err, errlen, "invalid PCI_SPEC_STRING '%s': %s", str,
			 report);
	else if (rc)
		snprintf(err, errlen, "invalid PCI_SPEC_STRING '%s': "
			 SPEC_SYNTAX, str);
	free(report);
	return rc ? EINVAL : 0;
}

/* `*`: every function of the slot that sysfs has. */
static int expand_wildcard(struct spec *sp, char *err, size_t errlen)
{
	struct bdf slot = sp->devs[0];
	char buf[BDF_STR_LEN];
	int r;

	sp->wildcard = true;
	r = sysfs_functions(&slot, sp->devs, SPEC_MAX_DEVS, &sp->ndevs);
	bdf_str(&slot, buf);
	buf[strlen(buf) - 1] = '*';
	if (r) {
		snprintf(err, errlen, "%s: list functions in sysfs: %s", buf,
			 strerror(-r));
		return -r;
	}
	if (!sp->ndevs) {
		snprintf(err, errlen, "%s: no such device: no function of this "
			 "slot is present in sysfs", buf);
		return ENODEV;
	}
	return 0;
}

static int from_libxl(const char *str, const libxl_device_pci *pci,
		      struct spec *sp, char *err, size_t errlen)
{
	sp->permissive = pci->permissive;
	sp->permissive_set = spec_has_key(str, "permissive");
	sp->seize = pci->seize;
	sp->msitranslate = pci->msitranslate;
	sp->power_mgmt = pci->power_mgmt;
	sp->rdm_relaxed = pci->rdm_policy == LIBXL_RDM_RESERVE_POLICY_RELAXED;
	sp->vdevfn = pci->vdevfn;
	if (pci->name) {
		/* The BDF is looked up by the caller (/libxl/pci/<K>/name). */
		sp->name = strdup(pci->name);
		if (sp->name)
			return 0;
		snprintf(err, errlen, "out of memory");
		return ENOMEM;
	}
	sp->devs[0] = (struct bdf){ pci->domain, pci->bus, pci->dev,
				    pci->func };
	sp->ndevs = 1;
	if (pci->vfunc_mask == LIBXL_PCI_FUNC_ALL)
		return expand_wildcard(sp, err, errlen);
	return 0;
}

int spec_parse(const char *str, struct spec *sp, char *err, size_t errlen)
{
	libxl_device_pci pci;
	int rc;

	memset(sp, 0, sizeof(*sp));
	if (!spec_safe_for_libxlutil(str)) {
		snprintf(err, errlen, "invalid PCI_SPEC_STRING '%s': "
			 SPEC_SYNTAX, str);
		return EINVAL;
	}
	libxl_device_pci_init(&pci);
	rc = lib_parse(str, &pci, err, errlen);
	if (!rc)
		rc = from_libxl(str, &pci, sp, err, errlen);
	libxl_device_pci_dispose(&pci);
	return rc;
}
