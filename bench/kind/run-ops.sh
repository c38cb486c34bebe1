#!/usr/bin/env bash
# Single-call costs of our kinds against memkind's MEMKIND_DEFAULT and
# glibc's malloc, one program (kind_ops.c) built against each library:
#   1. instructions per call, counted by callgrind (tests/kind/icount.sh);
#   2. throughput, Mops/s, side by side: every repetition runs each
#      variant once, one after the other, so all see the same machine.
#      Medians of the values and of the per-repetition ratios.
#
#   bench/kind/run-ops.sh BUILD [REPS]
set -eu

build=$1 reps=${2:-5}
ours=$build/bench/kind/kind_ops_ours
theirs=$build/bench/kind/kind_ops_memkind
pairs_n=${KIND_OPS_PAIRS:-3000000}
mixed_n=${KIND_OPS_MIXED:-2000000}
dir=$(mktemp -d "${KIND_BENCH_DIR:-/dev/shm}/kindops.XXXXXX")
out=$(mktemp -d)
trap 'rm -rf "$dir" "$out"' EXIT
export KIND_OPS_DIR=$dir

echo "== instructions per call (callgrind; load does not matter)"
"$(dirname "$0")/../../tests/kind/icount.sh" --table "$build" || true
echo

if [ ! -x "$theirs" ]; then
	echo "kind_ops: $theirs not built (libmemkind0 missing): no throughput" >&2
	exit 0
fi

# variant NAME BIN KIND: the programs compared in every workload.
variants="ours_pmem:$ours:pmem ours_shared:$ours:shared
	  ours_default:$ours:default memkind_default:$theirs:default
	  glibc:$ours:glibc"
# workload NAME OP N THREADS
workloads="pairs64:pair:$pairs_n:1 mixed_1T:mixed:$mixed_n:1
	   mixed_2T:mixed:$mixed_n:2"

for i in $(seq "$reps"); do
	for w in $workloads; do
		IFS=: read -r wname op n threads <<<"$w"
		for v in $variants; do
			IFS=: read -r vname bin kind <<<"$v"
			r=$("$bin" "$kind" "$op" "$n" "$threads")
			echo "$wname $vname $i $r" >>"$out/all"
		done
	done
	echo "kind ops: repetition $i/$reps done" >&2
done

# median WORKLOAD VARIANT [OVER_WORKLOAD OVER_VARIANT]: median of the
# values, or of the per-repetition ratios to another measurement.
median() {
	awk -v w="$1" -v v="$2" -v ow="${3:-}" -v ov="${4:-}" '
		$1 == w && $2 == v { a[$3] = $4 }
		$1 == ow && $2 == ov { b[$3] = $4 }
		END {
			n = 0
			for (i in a)
				if (ow == "") x[++n] = a[i]
				else if (b[i] > 0) x[++n] = a[i] / b[i]
			for (i = 1; i <= n; i++)
				for (j = i + 1; j <= n; j++)
					if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
			printf (ow == "" ? "%.2f" : "%.2fx"), x[int((n + 1) / 2)]
		}' "$out/all"
}

echo "== throughput, Mops/s (medians of $reps side-by-side runs)"
printf '%-10s' workload
for v in $variants; do printf ' %15s' "${v%%:*}"; done
printf '\n'
for w in $workloads; do
	wname=${w%%:*}
	printf '%-10s' "$wname"
	for v in $variants; do printf ' %15s' "$(median "$wname" "${v%%:*}")"; done
	printf '\n'
done
echo
echo "== ratios (medians of per-repetition ratios)"
for w in pairs64 mixed_1T; do
	for v in ours_pmem ours_shared ours_default; do
		printf '%-10s %-13s %s of memkind default, %s of glibc\n' "$w" "$v" \
			"$(median "$w" "$v" "$w" memkind_default)" \
			"$(median "$w" "$v" "$w" glibc)"
	done
done
for v in ours_pmem ours_shared ours_default memkind_default glibc; do
	printf '%-10s %-15s %s of one thread (two threads, one kind)\n' \
		mixed_2T "$v" "$(median mixed_2T "$v" mixed_1T "$v")"
done
