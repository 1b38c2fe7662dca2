/*
 * The agent's safety policy (policy.c): the dom0 guard, which refuses
 * to take away from dom0 a device dom0 itself depends on.
 */
#ifndef XENPCI_POLICY_H
#define XENPCI_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "bdf.h"

/*
 * --protect SPEC: "[DDDD:]BB:DD.F" or "[DDDD:]BB:DD.*" (every
 * function).  0, or -EINVAL for a bad spec, -ENOSPC past the limit.
 */
int policy_protect(const char *spec);

/*
 * Does dom0 use b, another function of its slot, a device behind it
 * (a bridge), or one sharing its requester ID (behind a PCIe-to-PCI
 * bridge)?  1 with why = what is in use ("eth0 is up with route
 * 0.0.0.0/0 via 10.0.2.2; ..."), 0 not, or -errno when that cannot be
 * told (why says which file).
 */
int policy_dom0_uses(const struct bdf *b, char *why, size_t len);

#endif
