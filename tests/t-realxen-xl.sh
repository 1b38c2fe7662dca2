#!/usr/bin/env bash
# Real Xen 4.17 in QEMU, scenario 5: interoperation with xl
# (tests/realxen/scen-xl.sh); real only: the simulated host has no xl.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
realxen_scenario xl realonly
t_exit
