#!/usr/bin/env bash
# Lists the kernels the VM tests can boot, one per line:
#   <name> <vmlinuz> <root> <kernel build dir inside root> <modules dir|->
# for each name asked for (default: every kernel of kernels.conf) that is
# ready. Debian's kernels are ready once prepare-kernels.sh has fetched
# them (scripts/install-deps.sh --vm does); debug kernels live in
# shared/kernels/<name> beside the repository (CI clones the repository
# with shared/ next to it). <root> is / when the module builds on this
# machine, else the build root whose compiler the kernel needs.
set -u

. "$(dirname "$0")/lib.sh"

names=${1:-$(kernel_names)}
shared=${XPMEM_SHARED_DIR:-$vm_repo/../shared}

while read -r name release _; do
	case " $names " in
	*" $name "*) ;;
	*) continue ;;
	esac
	if [ "$release" = shared ]; then
		dir=$shared/kernels/$name
		[ -r "$dir/vmlinuz" ] && [ -f "$dir/build/Makefile" ] || continue
		dir=$(cd "$dir" && pwd)
		echo "$name $dir/vmlinuz / $dir/build -"
		continue
	fi
	env=$vm_cache/kernels/$name.env
	[ -r "$env" ] || continue
	# shellcheck disable=SC1090
	(
		. "$env"
		[ -r "$vmlinuz" ] && [ -f "${root%/}$kdir/Makefile" ] &&
			echo "$name $vmlinuz $root $kdir $modules"
	)
done < <(kernel_table)
exit 0
