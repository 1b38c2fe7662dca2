#!/usr/bin/env bash
# Real Xen 4.17 in QEMU, scenario 9: dom0 uses one of the e1000s (up,
# an address and a route): the dom0 guard refuses it, --force takes it
# (tests/realxen/scen-dom0.sh), real and simulated, compared.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
realxen_scenario dom0
t_exit
