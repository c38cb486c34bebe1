#!/usr/bin/env bash
# Makes the cached root file system the MPI suite boots (run by
# scripts/install-deps.sh --mpi and by run-mpi.sh itself; cheap when it
# is there):
#
#   $vm_cache/roots/mpi-bookworm: Debian 12 as debootstrap --variant=minbase
#   makes it (tests/vm/build-root.sh), plus Debian's Open MPI and the MPI
#   applications the suite runs unmodified: netpipe-openmpi (NPopenmpi),
#   hpcc and python3-mpi4py, with kmod and iproute2 for the guest's init,
#   and an unprivileged user (mpiuser, uid 1000) to run them as.
#
# Prints the root's path. Needs root.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../vm/lib.sh"

name=mpi-bookworm
packages="openmpi-bin netpipe-openmpi hpcc python3-mpi4py kmod iproute2
	  procps"
user=mpiuser
uid=1000

say() {
	echo "prepare-mpi: $*" >&2
}

[ "$(id -u)" -eq 0 ] || { say "needs root"; exit 1; }

# shellcheck disable=SC2086 # a list of package names
root=$("$here/../vm/build-root.sh" "$name" bookworm $packages) || exit 1

if ! grep -q "^$user:" "$root/etc/passwd"; then
	say "adding the user $user ($uid)"
	in_root "$root" useradd -m -u "$uid" -s /bin/bash "$user" ||
		{ say "useradd failed"; exit 1; }
fi
# Open MPI's runtime resolves the host name: give the guest one.
echo mpivm >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tmpivm\n' >"$root/etc/hosts"
echo "$root"
