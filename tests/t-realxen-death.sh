#!/usr/bin/env bash
# Real Xen 4.17 in QEMU, scenario 4: a guest destroyed with a device attached
# (tests/realxen/scen-death.sh), real and simulated, compared.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
realxen_scenario death
t_exit
