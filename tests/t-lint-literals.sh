#!/usr/bin/env bash
# Issue 9 (4): every xenstore path and libxl backend key the agent uses
# comes from a protocol/ header, so that header is their one source.
# A not ok per line of agent/*.c with a string literal starting with
# "/local or "/libxl, or spelling a libxl backend key ("num_devs",
# "state-%u", ...).  Option names such as "state-dir" are not keys: a
# "name-" key must go on with a digit or '%'.  Lines that are all
# comment are skipped.  A self-test runs the same grep on a made-up file.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

lit='"/(local|libxl)'
lit+='|"(num_devs|frontend|backend|online|driver_path)"'
lit+='|"(state|dev|vdev|opts|key|vdevfn)-[%0-9]'

# literals FILE...: "file:line:text" for each offending line.
literals() {
	grep -nE "$lit" "$@" /dev/null |
		grep -vE '^[^:]*:[0-9]+:[[:space:]]*(\*|/\*|//)'
}

out=$(literals agent/*.c)
if [ -z "$out" ]; then
	ok "no xenstore path literals in agent/*.c"
else
	while IFS= read -r l; do
		f=${l%%:*} l=${l#*:} n=${l%%:*} l=${l#*:}
		not_ok "$f:$n: $(sed 's/^[[:space:]]*//' <<<"$l")"
	done <<<"$out"
fi

# Self-test: lines 1, 2, 3 and 5 offend; 4 (a comment), 6 (an option
# name), 7 (a longer key) and 8 (a protocol macro) do not.
tmp=$(mktemp -d /tmp/xpa-lint.XXXXXX)
trap 'rm -rf "$tmp"; t_exit' EXIT
cat >"$tmp/x.c" <<'EOF'
	snprintf(p, n, "/local/domain/%u/backend/pci", d);
	xs_directory(h, 0, "/libxl/pci", &n);
	be_write(c, t, "1", "state-%u", i);
	/* reads "/local/domain/0/name" */
	be_int(c, t, 0, "num_devs");
	{ "state-dir", required_argument, NULL, 'S' },
	be_read(c, t, "frontend-id");
	snprintf(p, n, XENPCI_ROOT_FMT, d);
EOF
is "the check catches literals in a made-up file" \
	"$(literals "$tmp/x.c" | cut -d: -f2 | tr '\n' ' ')" "1 2 3 5 "
