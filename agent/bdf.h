/*
 * PCI addresses and errno names: the bottom layer, used by every file.
 */
#ifndef XENPCI_BDF_H
#define XENPCI_BDF_H

#include <stdbool.h>

#include "xenpci_protocol.h"

/* A PCI address: domain (segment), bus, device (slot), function. */
struct bdf {
	unsigned int dom, bus, dev, func;
};

#define BDF_STR_LEN	16	/* "0000:07:00.0" plus slack */
#define KEY_STR_LEN	16	/* "0000-07-00-0" plus slack */

const char *bdf_str(const struct bdf *b, char buf[BDF_STR_LEN]);
const char *bdf_key(const struct bdf *b, char buf[KEY_STR_LEN]);
bool bdf_from_str(const char *s, struct bdf *b);	/* 0000:07:00.0 */
bool bdf_from_key(const char *s, struct bdf *b);	/* 0000-07-00-0 */
/* "[DDDD:]BB:DD.F", or "[DDDD:]BB:DD.*" for the whole slot (*all). */
bool bdf_from_slot_spec(const char *s, struct bdf *b, bool *all);
bool bdf_eq(const struct bdf *a, const struct bdf *b);
/* Sort order: segment, bus, device, function. */
int bdf_cmp(const struct bdf *a, const struct bdf *b);
/* "ENODEV" for ENODEV; "EIO" for a number without a name. */
const char *errno_name(int err);

#endif
