/*
 * The readiness check (check.c): what stands between each device of a
 * spec and a guest, in out->kv, changing nothing.  0 or -errno.
 */
#ifndef XENPCI_CHECK_H
#define XENPCI_CHECK_H

#include "ops.h"
#include "spec.h"

int pci_check(const struct spec *sp, struct outcome *out);

#endif
