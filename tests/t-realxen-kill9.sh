#!/usr/bin/env bash
# Real Xen 4.17 in QEMU, scenario 6: kill -9 of the agent with devices attached
# (tests/realxen/scen-kill9.sh), real and simulated, compared.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
realxen_scenario kill9
t_exit
