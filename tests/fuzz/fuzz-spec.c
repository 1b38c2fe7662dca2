/*
 * PCI_SPEC_STRING through spec_parse(): the agent's guard in front of
 * libxlutil (spec_safe_for_libxlutil()), libxlutil's
 * xlu_pci_parse_spec_string() itself, and the '*' expansion.  Checked:
 * an accepted spec names in-range devices or a name, a refused one
 * says why.
 */
#include <errno.h>

#include "../../agent/spec.h"
#include "../../agent/sysfs.h"
#include "fuzz.h"

FUZZ_FAKE_LOG

/* A '*' slot on bus 7 has functions 0 to 7; bus 8 fails; others none. */
int sysfs_functions(const struct bdf *slot, struct bdf *out,
		    unsigned int max, unsigned int *n)
{
	*n = 0;
	if (slot->bus != 7)
		return slot->bus == 8 ? -EIO : 0;
	for (unsigned int f = 0; f < 8 && f < max; f++)
		out[(*n)++] = (struct bdf){ slot->dom, slot->bus, slot->dev,
					    f };
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *str = fuzz_str(data, size), err[768];
	struct spec sp;
	int rc;

	err[0] = '\0';
	rc = spec_parse(str, &sp, err, sizeof(err));
	if (rc) {
		FUZZ_CHECK(rc > 0 && err[0]);
	} else {
		FUZZ_CHECK(sp.name || (sp.ndevs >= 1 &&
				       sp.ndevs <= SPEC_MAX_DEVS));
		for (unsigned int i = 0; i < sp.ndevs; i++)
			FUZZ_CHECK(sp.devs[i].dom <= 0xffff &&
				   sp.devs[i].bus <= 0xff &&
				   sp.devs[i].dev <= 0x1f &&
				   sp.devs[i].func <= 7);
		FUZZ_CHECK(sp.vdevfn <= 0xff);
	}
	spec_free(&sp);
	free(str);
	return 0;
}
