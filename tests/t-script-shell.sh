#!/usr/bin/env bash
# hotplug-scripts/pci and pci-common.sh on their own, as the agent runs
# them (phase as $1, the environment of PROTOCOL.md 8.6), on a made-up
# sysfs directory, with fake ip(8) and xenstore-write that record:
# shellcheck clean; the default script takes a NIC's interfaces down in
# prepare and vetoes when it cannot, leaves other devices alone, logs
# every phase; the library checks its arguments, and pci_fatal and
# pci_success write hotplug-status as vif and vbd scripts do.
. "$(dirname "$0")/lib.sh"
HS=$TOP/hotplug-scripts

if command -v shellcheck >/dev/null; then
	check "pci is shellcheck clean" shellcheck -x "$HS/pci"
	check "pci-common.sh is shellcheck clean" shellcheck -x "$HS/pci-common.sh"
else
	not_ok "shellcheck is installed (tests/deps.sh)"
fi

T=$(mktemp -d /tmp/xpa-hs.XXXXXX)
trap 'rm -rf "$T"; t_exit' EXIT
mkdir -p "$T/bin" "$T/dev/net/eth7" "$T/dev/net/eth8" "$T/gpu"
echo 0x020000 >"$T/dev/class"
echo 0x030000 >"$T/gpu/class"
cat >"$T/bin/ip" <<EOF2
#!/bin/sh
echo "ip \$*" >>"$T/ip.log"
[ -e "$T/ip.fail" ] && [ "\$2" = set ] && exit 2
exit 0
EOF2
cat >"$T/bin/xenstore-write" <<EOF2
#!/bin/sh
echo "xenstore-write \$*" >>"$T/xs.log"
EOF2
chmod +x "$T/bin/ip" "$T/bin/xenstore-write"

# hs PHASE [VAR=VALUE...]: run pci as the agent would; out in $T/out,
# err in $T/err, status in RC.
hs() {
	local ph=$1
	shift
	: >"$T/ip.log"
	: >"$T/xs.log"
	env -i PATH="$T/bin:/usr/bin:/bin" XENPCI_IP="$T/bin/ip" \
		XENBUS_TYPE=pci BDF=0000:07:00.0 SYSFS_PATH="$T/dev" \
		ORIG_DRIVER=igb REQUEST=r1 "$@" \
		"$HS/pci" "$ph" </dev/null >"$T/out" 2>"$T/err"
	RC=$?
}

hs prepare
is "prepare a NIC: exit 0" "$RC" 0
is "prepare a NIC: each interface flushed and taken down" \
	"$(tr '\n' ';' <"$T/ip.log")" \
	"ip addr flush dev eth7;ip link set dev eth7 down;ip addr flush dev eth8;ip link set dev eth8 down;"
check "prepare: logs the phase" grep -qx "info: prepare 0000:07:00.0 driver igb request r1" "$T/out"
check "prepare: says what it does" grep -qx "info: taking eth7 down before 0000:07:00.0 leaves dom0" "$T/out"

touch "$T/ip.fail"
hs prepare
is "ip fails: a veto (exit 1)" "$RC" 1
is "ip fails: the last stderr line is the reason" "$(tail -n 1 "$T/err")" \
	"0000:07:00.0: cannot take interface eth7 down"
rm -f "$T/ip.fail"

hs prepare SYSFS_PATH="$T/gpu"
is "prepare a GPU: exit 0" "$RC" 0
is "prepare a GPU: no ip" "$(cat "$T/ip.log")" ""

B=/local/domain/0/backend/pci/5/0
hs add DOMID=5 DOMAIN_NAME=g5 XENBUS_PATH=$B XENBUS_BASE_PATH=/local/domain/0/backend
is "add: exit 0" "$RC" 0
check "add: logs the guest" grep -qx "info: add 0000:07:00.0 domain 5 (g5) driver igb request r1" "$T/out"
is "add: hotplug-status connected (pci_success)" "$(cat "$T/xs.log")" \
	"xenstore-write $B/hotplug-status connected"
is "add: no ip" "$(cat "$T/ip.log")" ""

for ph in remove cleanup; do
	hs $ph DOMID=5 XENBUS_PATH=$B
	is "$ph: exit 0" "$RC" 0
	check "$ph: logged" grep -qx "info: $ph 0000:07:00.0 domain 5 driver igb request r1" "$T/out"
	is "$ph: no xenstore write" "$(cat "$T/xs.log")" ""
done
hs reattach
is "reattach: exit 0" "$RC" 0
check "reattach: logged" grep -qx "info: reattach 0000:07:00.0 driver igb request r1" "$T/out"

# pci-common.sh's checks
hs frobnicate
is "unknown phase: exit 1" "$RC" 1
like "unknown phase: says so" "$(tail -n 1 "$T/err")" "unknown phase 'frobnicate'"
hs prepare BDF=07:00.0
is "bad BDF: exit 1" "$RC" 1
like "bad BDF: says so" "$(tail -n 1 "$T/err")" "bad or missing BDF '07:00.0'"
hs add XENBUS_PATH=$B
is "add without DOMID: exit 1" "$RC" 1
like "add without DOMID: says so" "$(tail -n 1 "$T/err")" "DOMID is not set"
is "add without DOMID: hotplug-status error and hotplug-error (pci_fatal)" \
	"$(cat "$T/xs.log")" \
	"xenstore-write $B/hotplug-error $HS/pci add: DOMID is not set $B/hotplug-status error"
hs prepare XENBUS_TYPE=vif
is "XENBUS_TYPE vif: exit 1" "$RC" 1

# A site script on the library: pci_netdevs, pci_is_nic, $phase.
cat >"$T/site" <<EOF2
#!/bin/sh
. "$HS/pci-common.sh"
pci_check_env
pci_is_nic && echo "nic: \$(pci_netdevs | tr '\n' ' ')"
echo "phase=\$phase"
EOF2
chmod +x "$T/site"
out=$(env -i PATH=/usr/bin:/bin BDF=0000:07:00.0 SYSFS_PATH="$T/dev" "$T/site" prepare)
is "a site script: the library's helpers" "$out" "$(printf 'nic: eth7 eth8 \nphase=prepare')"
trap - EXIT
rm -rf "$T"
t_exit
