#!/usr/bin/env bash
# Real Xen 4.17 in QEMU, scenario 1: the seed article end to end through
# the xen-pci CLI (tests/realxen/scen-seed.sh), then the same on the
# simulated host, and the two worlds compared after every step.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
realxen_scenario seed
t_exit
