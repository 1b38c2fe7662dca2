#!/usr/bin/env bash
# Real Xen 4.17 in QEMU, scenario 2: cold-plug into a paused guest
# (tests/realxen/scen-coldplug.sh), real and simulated, compared.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
realxen_scenario coldplug
t_exit
