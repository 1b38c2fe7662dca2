#!/usr/bin/env bash
# Real Xen 4.17 in QEMU, scenario 10: a guest writes a read-only config
# space field, pciback warns, the agent hints permissive=1
# (tests/realxen/scen-rowrite.sh), real and simulated, compared.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
realxen_scenario rowrite
t_exit
