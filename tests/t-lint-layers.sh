#!/usr/bin/env bash
# Issue 9 (3): layers call only downward.  tests/lint-layers.sh checks
# the agent's objects against agent/LAYERS (a check per symbol edge
# between two objects); then it is run on a made-up pair, to show it
# does catch an upward edge.  Builds nothing: `make check` builds first.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

out=$(bash tests/lint-layers.sh)
echo "$out"
T_PASS=$((T_PASS + $(grep -c '^ok ' <<<"$out")))
T_FAIL=$((T_FAIL + $(grep -c '^not ok ' <<<"$out")))

# Self-test: low.c (layer 0) calls high.c (layer 1); extra.c is not in
# LAYERS and defines twice() as low.c does; gone.c has no object.
tmp=$(mktemp -d /tmp/xpa-lint.XXXXXX)
trap 'rm -rf "$tmp"; t_exit' EXIT
printf '0: low.c\n1: high.c gone.c\n' >"$tmp/LAYERS"
echo 'int high(void); int twice(void) { return 2; }
int low(void) { return high(); }' >"$tmp/low.c"
echo 'int low(void); int high(void) { return low(); }' >"$tmp/high.c"
echo 'int twice(void) { return 3; }' >"$tmp/extra.c"
for c in low high extra; do
	${CC:-cc} -c -o "$tmp/$c.o" "$tmp/$c.c" || not_ok "cc $c.c"
done
got=$(bash tests/lint-layers.sh "$tmp" "$tmp/LAYERS")
rc=$?
diag "self-test output:"
sed 's/^/#   /' <<<"$got"
like "the check catches an upward edge in a made-up pair" "$got" \
	"not ok - low.o uses high.o: high \(up or sideways: 0 <= 1\)"
like "it passes the downward edge of the pair" "$got" \
	"ok - high.o uses low.o \(down: 1 > 0\)"
like "it catches a .c missing from LAYERS" "$got" \
	"not ok - extra.c is not listed in LAYERS"
like "it catches a symbol defined twice" "$got" \
	"not ok - twice is defined in both extra.o and low.o"
is "a listed file without an object is fine" "$(grep -c gone <<<"$got")" 0
is "it fails (exit 1) on those" "$rc" 1
