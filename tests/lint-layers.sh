#!/usr/bin/env bash
# lint-layers.sh [OBJDIR [LAYERS]]: issue 9's layering rule, checked on
# the object files rather than on #includes, since only the symbols an
# object really uses count.  For every object in OBJDIR (default
# $BUILD/obj/agent) it prints one check per (object, used object) edge:
# ok when the user's layer in LAYERS (default agent/LAYERS) is strictly
# higher.  Also not ok: a .c beside LAYERS that LAYERS does not list, a
# file listed twice, a symbol defined by two objects.  Symbols defined
# outside OBJDIR (libc, libxenstore, libev) are ignored.  An object
# whose .c is gone is stale and skipped.  Exits 1 on any not ok.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
objdir=${1:-$build/obj/agent}
layers=${2:-$top/agent/LAYERS}
srcdir=$(dirname "$layers")
fail=0
ok() { echo "ok - $*"; }
not_ok() { fail=1; echo "not ok - $*"; }

declare -A layer def uses
# "N: a.c b.c" lines; '#' starts a comment.
while read -r n files; do
	for f in $files; do
		if [ -n "${layer[$f]:-}" ]; then
			not_ok "$f is listed twice in LAYERS"
		fi
		layer[$f]=${n%:}
	done
done < <(sed 's/#.*//' "$layers" | grep -E '^[0-9]+:')

for c in "$srcdir"/*.c; do
	[ -e "$c" ] || continue
	c=${c##*/}
	[ -n "${layer[$c]:-}" ] || not_ok "$c is not listed in LAYERS"
done

objs=()
for o in "$objdir"/*.o; do
	[ -e "$o" ] || continue
	b=${o##*/}
	if [ ! -e "$srcdir/${b%.o}.c" ]; then
		echo "# $b: no ${b%.o}.c, a stale object, skipped"
		continue
	fi
	objs+=("$o")
done
if [ ${#objs[@]} -eq 0 ]; then
	not_ok "no objects in $objdir (run make first)"
	exit 1
fi

# Who defines what: global symbols only (static ones cannot be used
# from another object).
for o in "${objs[@]}"; do
	b=${o##*/}
	for s in $(nm -g --defined-only "$o" | awk 'NF == 3 { print $3 }'); do
		if [ -n "${def[$s]:-}" ]; then
			not_ok "$s is defined in both ${def[$s]} and $b"
		fi
		def[$s]=$b
	done
done

for o in "${objs[@]}"; do
	b=${o##*/}
	uses=()
	for s in $(nm -u "$o" | awk '{ print $NF }'); do
		d=${def[$s]:-}
		if [ -z "$d" ] || [ "$d" = "$b" ]; then continue; fi
		uses[$d]="${uses[$d]:+${uses[$d]}, }$s"
	done
	for d in $(printf '%s\n' "${!uses[@]}" | sort); do
		from=${layer[${b%.o}.c]:-} to=${layer[${d%.o}.c]:-}
		if [ -z "$from" ] || [ -z "$to" ]; then
			echo "# $b uses $d: ${uses[$d]} (no layer to compare)"
		elif [ "$from" -gt "$to" ]; then
			ok "$b uses $d (down: $from > $to)"
		else
			not_ok "$b uses $d: ${uses[$d]}" \
				"(up or sideways: $from <= $to)"
		fi
	done
done
exit $fail
