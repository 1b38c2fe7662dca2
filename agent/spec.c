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
 * How many items of the spec are key=...: an item starts the spec or
 * follows a comma.  libxlutil 4.17 strdup()s each name= into pci->name
 * over the one before, which is lost: a request repeating name= leaked
 * in the agent at every try (found by tests/fuzz/fuzz-spec, LeakSanitizer).
 * In a spec libxlutil accepts every comma starts a key (the known keys
 * have none), so this counts exactly its name= keys; in another it may
 * count more, and refuses what libxlutil refuses anyway.
 */
static unsigned int spec_key_count(const char *str, const char *key)
{
	size_t kl = strlen(key);
	unsigned int n = 0;
	const char *p;

	for (p = str; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		n += !strncmp(p, key, kl) && p[kl] == '=';
	}
	return n;
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

/*
 * The same, wherever the spec goes on: libxlutil's
 * xlu_pci_parse_spec_string() runs parse_bdf() on the start of every
 * spec, '=' or not ("07:0c-0=x" or "b5:07:01x,rdm_policy=strict"
 * crashed the agent, found by tests/fuzz/fuzz-spec).  With one or two
 * colons in the leading hex-and-colon run, parse_bdf() sscanf()s
 * "%x:%x.%n" (or "%x:%x:%x.%n"); when the numbers match and the '.'
 * does not, it adds the %n it never set.  The same sscanf() with %n
 * preset says whether that happens, whatever sscanf skips (" 0c").
 */
static bool libxlutil_bdf_unsafe(const char *s)
{
	unsigned int colons = 0, dom, bus, dev;
	const char *p;
	int n = -1;

	for (p = s; isxdigit((unsigned char)*p) || *p == ':'; p++)
		colons += *p == ':';
	if (colons == 1)
		return sscanf(s, "%x:%x.%n", &bus, &dev, &n) == 2 && n < 0;
	if (colons == 2)
		return sscanf(s, "%x:%x:%x.%n", &dom, &bus, &dev, &n) == 3 &&
		       n < 0;
	return false;
}

static bool spec_safe_for_libxlutil(const char *str)
{
	const char *item = str;

	if (libxlutil_bdf_unsafe(str))
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
	/*
	 * libxl_device_pci cannot tell "permissive=0" from no permissive
	 * at all, and only the latter takes the domain's default (xl's
	 * pci_permissive).
	 */
	sp->permissive_set = spec_key_count(str, "permissive") > 0;
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
	if (spec_key_count(str, "name") > 1) {
		snprintf(err, errlen, "invalid PCI_SPEC_STRING '%s': name= "
			 "given more than once", str);
		return EINVAL;
	}
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
