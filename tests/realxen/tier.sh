# The real-Xen tier's test-side half, sourced by tests/t-realxen-*.sh
# after tests/lib.sh: fetch and build what the machine boots (once per
# build), boot a scenario in real Xen, run it again on the simulated
# host, and turn both worlds' marker lines into checks:
#   "ok - real: ..."  "ok - sim: ..."  "ok - conform STEP: ..."
REALXEN=$TOP/tests/realxen
RX_OUT=$BUILD/realxen

# realxen_prepare: the unpacked packages and the two initramfs images,
# rebuilt when a binary or a script they hold is newer.  Several test
# scripts may ask at once: a lock makes the others wait.
realxen_prepare() {
	local newer
	mkdir -p "$RX_OUT"
	exec 9> "$RX_OUT/.lock"
	flock 9
	if ! RX_ROOT=$("$REALXEN/fetch"); then
		not_ok "fetch Xen 4.17 and the Debian kernel"
		flock -u 9
		return 1
	fi
	newer=$(find "$BIN/xen-pci-agent" "$BIN/xen-pci" "$REALXEN" \
		"$RX_ROOT/.done" -newer "$RX_OUT/dom0.cpio.gz" 2>/dev/null |
		head -n 1)
	if [ ! -e "$RX_OUT/dom0.cpio.gz" ] || [ -n "$newer" ]; then
		if ! "$REALXEN/mkinitrd" "$RX_ROOT" "$RX_OUT" "$BIN" \
				> "$RX_OUT/mkinitrd.log" 2>&1; then
			not_ok "build the dom0 and guest initramfs"
			sed 's/^/# /' "$RX_OUT/mkinitrd.log" | tail -n 20
			flock -u 9
			return 1
		fi
	fi
	flock -u 9
	exec 9>&-
}

# rx_results WORLD LOG: LOG's marker lines as checks, WORLD: prefixed.
rx_results() {
	local world=$1 log=$2 line
	while IFS= read -r line; do
		case $line in
		"XTEST ok - "*) ok "$world: ${line#XTEST ok - }" ;;
		"XTEST not ok - "*)
			not_ok "$world: ${line#XTEST not ok - }" ;;
		"XTEST # "*) diag "$world: ${line#XTEST # }" ;;
		esac
	done < <(tr -d '\r' < "$log")
	# Under `make asan` the agent in both worlds is the sanitized one.
	if grep -q -E '^XAGENT .*(ERROR: (Address|Leak)Sanitizer|runtime error:)' \
			< <(tr -d '\r' < "$log"); then
		not_ok "$world: no sanitizer report in the agent's log"
		grep -E '^XAGENT .*(Sanitizer|runtime error:)' "$log" |
			head -n 10 | sed 's/^/# /'
	fi
	if grep -q '^XTEST end' < <(tr -d '\r' < "$log"); then
		ok "$world: the scenario ran to its end"
	else
		not_ok "$world: the scenario ran to its end"
		tr -d '\r' < "$log" | tail -n 40 | sed 's/^/# /'
	fi
}

# realxen_boot SCENARIO: boot it in real Xen; the serial console is
# kept in $RX_OUT/SCENARIO.serial.
realxen_boot() {
	local scen=$1 log=$RX_OUT/$1.serial start=$SECONDS rc
	"$REALXEN/boot" "$RX_ROOT" "$RX_OUT" "$scen" "$log" \
		"${REALXEN_BOOT_TIMEOUT:-480}"
	rc=$?
	diag "real $scen: QEMU exit $rc after $((SECONDS - start))s"
	is "real $scen: dom0 powered off (QEMU exit status)" "$rc" 0
	rx_results real "$log"
	rx_kernel_clean "$log"
}

# Oopses, BUGs, kernel warnings and panics in dom0 (its dmesg, printed at
# the end as XDMESG lines), in the guests' consoles and in Xen.  One
# warning is expected and left out: when a guest loses its last PCI
# device, Linux 6.1's pcifront_free_roots() unregisters the root bus,
# whose 'power' sysfs group was never made ("sysfs group 'power' not
# found for kobject '0000:00'", fs/sysfs/group.c); xl's own pci-detach
# triggers it the same way.
rx_kernel_clean() {
	local bad
	bad=$(tr -d '\r' < "$1" | grep -E \
		'^(XDMESG|XCONSOLE) .*(BUG:|Oops|Kernel panic|WARNING:|general protection|sysfs group .power. not found)|Panic on CPU|FATAL TRAP' |
		awk '/sysfs group .power. not found for kobject/ { power = 1; next }
			power && /WARNING: CPU: [0-9]+ PID: [0-9]+ at fs\/sysfs\/group.c:[0-9]+ sysfs_remove_group/ { power = 0; next }
			{ power = 0; print }' |
		head -n 20)
	if [ -z "$bad" ]; then
		ok "real: no oops, BUG, warning or panic in Xen, dom0 or the guests"
	else
		not_ok "real: no oops, BUG, warning or panic in Xen, dom0 or the guests"
		printf '%s\n' "$bad" | sed 's/^/# /'
	fi
}

# realxen_sim SCENARIO: the same scenario on the simulated host.
realxen_sim() {
	local scen=$1 log=$RX_OUT/$1.sim
	"$REALXEN/sim-run" "$scen" "$log"
	rx_results sim "$log"
}

# rx_dumps LOG: the XDUMP sections, as "STEP<TAB>line"; each step has a
# first line of its own, so that an empty dump is still a step.
rx_dumps() {
	tr -d '\r' < "$1" | awk '
		/^XDUMP begin / { step = $3; print step "\t(step)"; next }
		/^XDUMP end/ { step = ""; next }
		/^XDUMP / && step != "" { sub(/^XDUMP /, ""); print step "\t" $0 }'
}

# rx_qmp_canon: the QMP lines of rx_dumps' output ("STEP<TAB>qmp NAME
# >|< JSON") as JSON with sorted keys and without QEMU's event
# timestamps (the two worlds' clocks): the real QEMU traces a command
# as it re-serialised it (its own key order), the simulated one as the
# agent wrote it.  Every other line is left as it is.
rx_qmp_canon() {
	local step line head json
	while IFS=$'\t' read -r step line; do
		case $line in
		"qmp "*" > "* | "qmp "*" < "*)
			head=$(printf '%s' "$line" | cut -d' ' -f1-3)
			json=${line#"$head "}
			json=$(printf '%s' "$json" |
				jq -cS 'del(.timestamp)' 2>/dev/null) ||
				json="(not JSON) ${line#"$head "}"
			printf '%s\t%s %s\n' "$step" "$head" "$json"
			;;
		*) printf '%s\t%s\n' "$step" "$line" ;;
		esac
	done
}

# realxen_conform SCENARIO: after each step, the xenstore trees, the
# driver bindings, pciback's lists and the QMP messages since the last
# step must be the same in both worlds.
# Exceptions, each with its reason, are sed expressions in
# tests/realxen/conform-exceptions, applied to both sides.
realxen_conform() {
	local scen=$1 real=$RX_OUT/$1.real.dump sim=$RX_OUT/$1.sim.dump step
	rx_dumps "$RX_OUT/$scen.serial" | rx_qmp_canon | rx_except > "$real"
	rx_dumps "$RX_OUT/$scen.sim" | rx_qmp_canon | rx_except > "$sim"
	is "conform $scen: the same steps were dumped" \
		"$(cut -f1 "$real" | uniq | tr '\n' ' ')" \
		"$(cut -f1 "$sim" | uniq | tr '\n' ' ')"
	for step in $(cut -f1 "$real" | uniq); do
		if diff <(grep "^$step	" "$real" | cut -f2-) \
			<(grep "^$step	" "$sim" | cut -f2-) \
			> "$RX_OUT/$scen.$step.diff"; then
			ok "conform $scen after $step: real and simulated match"
		else
			not_ok "conform $scen after $step: real and simulated" \
				"match (< real, > sim)"
			sed 's/^/# /' "$RX_OUT/$scen.$step.diff"
		fi
	done
}

rx_except() {
	sed -f <(grep -v '^#' "$REALXEN/conform-exceptions" | grep .)
}

# realxen_scenario SCENARIO [realonly]: the whole of one test script;
# realonly: a scenario that needs what the simulated host does not have
# (xl), run in real Xen only.  RX_XENSTORED=oxenstored|cxenstored: the
# xenstored of both worlds (dom0's, the simulated host's), cxenstored
# unless said.
realxen_scenario() {
	local xs=${RX_XENSTORED:-cxenstored}
	realxen_prepare || return
	diag "xenstored in both worlds: $xs"
	RX_XENSTORED=$xs realxen_boot "$1"
	[ "${2:-}" = realonly ] && return
	XENPCI_XENSTORED=$xs realxen_sim "$1"
	realxen_conform "$1"
}
