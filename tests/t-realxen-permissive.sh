#!/usr/bin/env bash
# Real Xen 4.17 in QEMU, scenario 3: permissive mode
# (tests/realxen/scen-permissive.sh), real and simulated, compared.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
realxen_scenario permissive
t_exit
