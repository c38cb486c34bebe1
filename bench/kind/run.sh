#!/usr/bin/env bash
# Runs the kind benchmark against this project's libmemkind and Debian's
# memkind, side by side: for each repetition and each measurement, ours
# then memkind's, so both see the same machine conditions. Prints the
# medians of the values and of the per-repetition ours/memkind ratios.
# Pmem kinds live in a fresh directory on tmpfs.
#
#   bench/kind/run.sh OURS_BIN MEMKIND_BIN [REPS]
set -eu

ours=$1 theirs=$2 reps=${3:-5}
base=${KIND_BENCH_DIR:-/dev/shm}
dir=$(mktemp -d "$base/kindbench.XXXXXX")
out=$(mktemp -d)
trap 'rm -rf "$dir" "$out"' EXIT

names=$("$ours" --list)
for i in $(seq "$reps"); do
	for name in $names; do
		a=$("$ours" "$dir" "$name" | awk '{ print $2 }')
		b=$("$theirs" "$dir" "$name" | awk '{ print $2 }')
		r=$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "inf" }')
		echo "$name $a $b $r" >>"$out/all"
	done
	echo "kind bench: repetition $i/$reps done" >&2
done

median() { # name column
	awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$out/all" | sort -g |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

printf '%-16s %14s %14s %13s\n' measurement ours memkind ours/memkind
for name in $names; do
	printf '%-16s %14s %14s %13s\n' "$name" "$(median "$name" 2)" \
		"$(median "$name" 3)" "$(median "$name" 4)"
done
echo "(medians of $reps runs; higher is better everywhere: throughput, fill %, largest block %)"
