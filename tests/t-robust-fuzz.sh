#!/usr/bin/env bash
# Each libFuzzer harness (tests/fuzz/, built by make check as fuzz-bins)
# over its corpus once: seconds, no new inputs.  Any crash, leak or
# sanitizer report fails it.  `make fuzz` runs them for a bounded time.
. "$(dirname "$0")/lib.sh"

n=0
for c in "$TOP"/tests/fuzz/corpus/*/; do
	name=$(basename "$c")
	bin=$BUILD/fuzz/fuzz-$name
	if [ ! -x "$bin" ]; then
		not_ok "fuzz-$name is built (make fuzz-bins)"
		continue
	fi
	out=$("$bin" -runs=0 -close_fd_mask=2 "$c" 2>&1)
	rc=$?
	files=$(ls "$c" | wc -l)
	is "fuzz-$name: its corpus of $files inputs runs clean" "$rc" 0
	[ $rc = 0 ] || echo "$out" | grep -E 'ERROR|SUMMARY|#[0-9]+ ' |
		head -20 | sed 's/^/# /'
	n=$((n + 1))
done
check "at least one harness" test $n -gt 0
t_exit
