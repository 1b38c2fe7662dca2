/*
 * PCI_SPEC_STRING, parsed by libxlutil exactly as xl parses it; `*`
 * expanded from sysfs.
 */
#ifndef XENPCI_SPEC_H
#define XENPCI_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "bdf.h"

#define SPEC_MAX_DEVS	8	/* functions per slot */
/* Devices one request may name: every function of every attach spec. */
#define REQ_MAX_DEVS	(SPEC_MAX_DEVS * XENPCI_ATTACH_MAX_SPECS)

struct spec {
	struct bdf devs[SPEC_MAX_DEVS];
	unsigned int ndevs;
	bool wildcard;
	bool permissive;
	bool permissive_set;	/* the spec said permissive= */
	bool seize;
	bool msitranslate;
	bool power_mgmt;
	bool rdm_relaxed;	/* rdm_policy=relaxed */
	unsigned int vdevfn;	/* @VSLOT << 3, 0: pciback picks */
	char *name;		/* name=, or NULL; owned */
};
/* 0, or an errno with `err` set to a message for a person. */
int spec_parse(const char *str, struct spec *sp, char *err, size_t errlen);
void spec_free(struct spec *sp);

#endif
