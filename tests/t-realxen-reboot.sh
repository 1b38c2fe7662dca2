#!/usr/bin/env bash
# Real Xen 4.17 in QEMU: a device the agent attached survives `xl
# reboot` of its PV guest through libxl's saved domain configuration
# (tests/realxen/scen-reboot.sh); real only: the simulated host has no
# libxl to rebuild a guest (t-host-savedcfg covers the file there).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
realxen_scenario reboot realonly
t_exit
