#!/usr/bin/env bash
# The dom0 guard (agent/policy.c): assignable-add refuses, with EBUSY
# and what is in use, every device dom0 depends on, on the simulated
# host of tests/guard.inv; force=1 takes it anyway (a warning in the
# log) and it comes back with remove -r.  Each reason: a mounted
# partition, LVM (held, mounted, swap), md, an up NIC with a route or a
# global IPv6 address, another function of the slot, a device behind a
# bridge, one sharing the requester ID behind a PCIe-to-PCI bridge, the
# boot VGA, a host bridge and a PCI bridge, --protect.  And what is not
# in use is not refused: a link-local address only, a down NIC, an
# unused disk, a second VGA.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up --inventory "$TOP/tests/guard.inv"
agent_start --protect 0e:00.0 --protect 0000:0f:00.* || exit 1
N=0
no_slot() { ! has_slot "$1"; }

# refused BDF WHAT REGEX: add is EBUSY, names REGEX, nothing moved
refused() {
	local bdf=$1 what=$2 re=$3 before
	N=$((N + 1))
	before=$(drv "$bdf")
	run_err "$what" EBUSY r$N assignable-add spec=$bdf
	like "$what: says what is in use" "$ERRMSG" "$re"
	like "$what: names the device and force=1" "$ERRMSG" \
		"^$bdf: in use by dom0: .*force=1 takes it anyway"
	is "$what: still on its driver" "$(drv "$bdf")" "$before"
	check "$what: no pciback slot" no_slot "$bdf"
}

# allowed BDF WHAT: add is ok, then remove -r gives it back
allowed() {
	local bdf=$1 what=$2 before
	N=$((N + 1))
	before=$(drv "$bdf")
	run_ok "$what" a$N assignable-add spec=$bdf
	is "$what: on pciback" "$(drv "$bdf")" pciback
	run_ok "$what: remove -r" g$N assignable-remove spec=$bdf rebind=1
	is "$what: back on $before" "$(drv "$bdf")" "$before"
}

# --- network
refused 0000:08:00.1 "NIC with a route" \
	'eth1 is up with route 192\.168\.7\.0/24'
refused 0000:08:00.0 "function 0 of that NIC's slot" \
	'0000:08:00\.1 \(another function of its slot\): eth1 is up with route'
refused 0000:09:00.0 "NIC with a global IPv6 address" \
	'eth2 is up with address 2001:db8::2/64'
check "the link-local address is not a reason" \
	bash -c "! grep -q fe80 <<<'$ERRMSG'"
allowed 0000:0a:00.0 "NIC up with only a link-local address"
allowed 0000:0b:00.0 "NIC that is down (its address has no route)"
allowed 0000:07:00.0 "a NIC without interfaces up"

# --- storage
refused 0000:0c:00.0 "NVMe under LVM: /var on dm-0, swap on dm-1" \
	'nvme0n1p1 is held by dm-0 \(vg0-var\)'
like "... dm-0 is mounted on /var" "$ERRMSG" \
	'dm-0 \(vg0-var\) is mounted on /var'
like "... dm-1 is active swap" "$ERRMSG" 'dm-1 \(vg0-swap\) is active swap'
refused 0000:0d:00.0 "disk held by an md array nobody mounts" \
	'sdc1 is held by md0'
refused 0000:12:02.0 "disk with /home behind a PCIe-to-PCI bridge" \
	'sdf1 is mounted on /home'
refused 0000:12:01.0 "unused disk sharing a requester ID with /home's" \
	'0000:12:02\.0 \(shares its requester ID behind PCIe-to-PCI bridge 0000:00:1e\.0\): sdf1 is mounted on /home'

# --- topology
refused 0000:00:1c.0 "a PCIe root port" 'is a PCI bridge'
like "... and what is behind it in use" "$ERRMSG" \
	'0000:11:00\.0 \(behind it\): eth5 is up with route 10\.5\.5\.0/24'
check "... a free device behind it is not named" \
	bash -c "! grep -q 0000:10:00.0 <<<'$ERRMSG'"
allowed 0000:10:00.0 "a free NIC behind the root port (its own RID)"
refused 0000:00:1e.0 "a PCIe-to-PCI bridge" 'is a PCI bridge'
refused 0000:00:00.0 "the host bridge" 'is a host bridge'

# --- console, protected
refused 0000:00:02.0 "the boot VGA" "is the boot VGA \\(dom0's console\\)"
refused 0000:15:00.0 "the console's frame buffer" \
	'drives the active console \(fbcon on fb0\)'
allowed 0000:16:00.0 "a frame buffer fbcon does not draw on"
refused 0000:0e:00.0 "an unused disk protected by --protect" \
	'is protected \(--protect 0e:00\.0\)'
refused 0000:0f:00.0 "a second VGA, protected with .*" \
	'is protected \(--protect 0000:0f:00\.\*\)'

# --- force=1 overrides, with a warning naming the reason
run_ok "force=1 takes the NIC with a route" f1 assignable-add \
	spec=08:00.1 force=1
is "forced: on pciback" "$(drv 0000:08:00.1)" pciback
check "forced: a warning with the reason in the log" \
	agent_log_has "warning.*0000:08:00.1: taken from dom0 anyway (force=1), although eth1 is up with route 192.168.7.0/24"
run_ok "forced: remove -r" f2 assignable-remove spec=08:00.1 rebind=1
is "forced: back on igb" "$(drv 0000:08:00.1)" igb
is "... and its route is back with it" \
	"$(awk '$1 == "eth1"' "$PROC_ROOT/net/route" | wc -l)" 1
run_ok "force=1 takes the boot VGA" f3 assignable-add spec=00:02.0 force=1
run_ok "forced VGA: remove -r" f4 assignable-remove spec=00:02.0 rebind=1

# --- a * spec: every function is checked, all or nothing
run_err "08:00.* refused (function 1 in use)" EBUSY w1 assignable-add \
	'spec=08:00.*'
is "08:00.0 untouched" "$(drv 0000:08:00.0)" igb
is "08:00.1 untouched" "$(drv 0000:08:00.1)" igb

# --- the guard cannot read its files: refused with their errno
agent_stop
PROC_ROOT=$SIM/noproc agent_start || exit 1
run_err "no /proc to read: refused" ENOENT p1 assignable-add spec=0d:00.0
like "... says which file" "$ERRMSG" \
	"cannot tell whether dom0 uses it: read $SIM/noproc/self/mountinfo"
run_err "no /proc: a NIC refused too" ENOENT p1b assignable-add spec=08:00.1
like "... says which file" "$ERRMSG" \
	"cannot tell whether dom0 uses it: read $SIM/noproc/net/route"
run_ok "... force=1 goes on" p2 assignable-add spec=0d:00.0 force=1
run_ok "... and back" p3 assignable-remove spec=0d:00.0 rebind=1

# --- protect = [...] in the configuration file, beside --protect
agent_stop
CFGF=$SIM/agent.cfg
printf 'protect = [ "0d:00.*" ]\n' >"$CFGF"
agent_start --config "$CFGF" --protect 0e:00.0 || exit 1
run_err "0d:00.0, protected by the file: refused" EBUSY c1 assignable-add \
	spec=0d:00.0
like "... names the file's entry" "$ERRMSG" 'is protected \(--protect 0d:00\.\*\)'
run_err "0e:00.0, --protect beside the file: still refused" EBUSY c2 \
	assignable-add spec=0e:00.0
agent_stop
printf 'log_level = "info"\nprotect = [ "0d:00" ]\n' >"$CFGF"
out=$("$BIN/xen-pci-agent" --foreground --config "$CFGF" \
	--sysfs-root "$SYSFS_ROOT" --state-dir "$SIM/cfgstate" 2>&1)
is "protect = [ \"0d:00\" ]: exit 3 (bad configuration)" $? 3
like "... says file, line and key" "$out" \
	"$CFGF:2: protect: '0d:00' is not \\[DDDD:\\]BB:DD.F"
printf 'reset_policy = "sometimes"\n' >"$CFGF"
out=$("$BIN/xen-pci-agent" --foreground --config "$CFGF" \
	--sysfs-root "$SYSFS_ROOT" --state-dir "$SIM/cfgstate" 2>&1)
is "reset_policy = \"sometimes\": exit 3" $? 3
like "... says file, line and key" "$out" \
	"$CFGF:1: reset_policy: 'sometimes' is not strict or best-effort"
agent_start || exit 1

# --- a bad --protect is a usage error
"$BIN/xen-pci-agent" --protect 07:00 --sysfs-root "$SYSFS_ROOT" >/dev/null 2>&1
is "--protect 07:00: exit 2" $? 2
agent_done
t_done
