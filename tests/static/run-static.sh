#!/usr/bin/env bash
# Static checks of the kernel module, recorded like tests:
#   static/checkpatch  checkpatch.pl --strict from Debian's linux-source-6.1
#   static/sparse      the module built with C=2 against Debian's 6.1 headers
# Each is skipped when its tool is not installed.
set -u
results=build/results.log
build=${BUILD:-build}
while [ $# -gt 0 ]; do
	case "$1" in
	--results) results=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	*) echo "run-static.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/$build/static
mkdir -p "$work" "$(dirname "$results")"
failures=0

record() {
	echo "$1 static/$2${3:+: $3}"
	echo "$1 static/$2" >>"$results"
	[ "$1" = FAIL ] && failures=$((failures + 1))
}

# The module's own sources: what make would compile, not what it generated.
sources() {
	ls "$top"/kernel/xpmem_*.c "$top"/kernel/*.h "$top"/kernel/uapi/*.h |
		grep -v 'xpmem_conftest.h$'
}

checkpatch() {
	local tarball script
	tarball=$(ls /usr/src/linux-source-6.1*.tar.xz 2>/dev/null | head -n 1)
	if [ -z "$tarball" ]; then
		record SKIP checkpatch "linux-source-6.1 is not installed"
		return
	fi
	script=$work/linux/scripts/checkpatch.pl
	if [ ! -x "$script" ]; then
		rm -rf "$work/linux" && mkdir -p "$work/linux"
		tar -xJf "$tarball" -C "$work/linux" --strip-components=1 \
			--wildcards '*/scripts/checkpatch.pl' \
			'*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' || {
			record FAIL checkpatch "cannot extract it from $tarball"
			return
		}
	fi
	# shellcheck disable=SC2046
	if "$script" --strict --no-tree --quiet --show-types \
		-f $(sources) >"$work/checkpatch.log" 2>&1; then
		record PASS checkpatch
	else
		record FAIL checkpatch "see $work/checkpatch.log"
		sed 's/^/    /' "$work/checkpatch.log" | head -n 60
	fi
}

sparse_check() {
	local kdir
	kdir=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | tail -n 1)
	if ! command -v sparse >/dev/null || [ -z "$kdir" ]; then
		record SKIP sparse "sparse or Debian's 6.1 headers are not installed"
		return
	fi
	rm -rf "$work/sparse"
	if ! make -C "$top/kernel" KDIR="$kdir" O_DIR="$work/sparse" C=2 \
		>"$work/sparse.log" 2>&1; then
		record FAIL sparse "the build failed, see $work/sparse.log"
		tail -n 30 "$work/sparse.log" | sed 's/^/    /'
		return
	fi
	# sparse reports as "file:line:col: warning|error: ..."
	if grep -E ':[0-9]+:[0-9]+: (warning|error):' "$work/sparse.log" \
		>"$work/sparse.found"; then
		record FAIL sparse "see $work/sparse.log"
		sed 's/^/    /' "$work/sparse.found" | head -n 40
	else
		record PASS sparse
	fi
}

checkpatch
sparse_check
[ "$failures" -eq 0 ]
