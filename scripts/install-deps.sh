#!/usr/bin/env bash
# Installs what building and testing need on Debian 12. Run as root (or
# through sudo). Idempotent: packages already present are kept.
#
#   scripts/install-deps.sh           build + unit tests + benchmarks
#   scripts/install-deps.sh --vm      also qemu, and every kernel of
#                                     tests/vm/kernels.conf for the
#                                     module's VM tests: headers here or in
#                                     a build root of their release, images
#                                     fetched (tests/vm/prepare-kernels.sh)
#   scripts/install-deps.sh --interop also what building Debian's UCX source
#                                     package needs (tests/interop/)
#   scripts/install-deps.sh --mpi     also gnuplot and the cached Debian 12
#                                     root with Open MPI and the MPI
#                                     applications that tests/mpi/ boots
#                                     (make check-mpi; needs --vm --interop)
#   scripts/install-deps.sh --pkg     also what `make package` needs
#                                     (dpkg-buildpackage, debhelper, dh-dkms,
#                                     lintian); --vm implies it, and also
#                                     makes the cached root file systems of
#                                     the install test (tests/install/)
set -eu

want_vm=0
want_interop=0
want_mpi=0
want_pkg=0
begin=$(date +%s)
for arg in "$@"; do
	case "$arg" in
	--vm) want_vm=1 ;;
	--interop) want_interop=1 ;;
	--mpi) want_mpi=1 ;;
	--pkg) want_pkg=1 ;;
	*) echo "install-deps.sh: unknown option $arg" >&2; exit 2 ;;
	esac
done

if [ "$(id -u)" -ne 0 ]; then
	exec sudo "$0" "$@"
fi

# libibverbs-dev: tests/xpmem/rdma_reg links libibverbs (it skips where
# there is no RDMA device).
pkgs="build-essential pkg-config libjemalloc-dev libmemkind-dev
      libnuma-dev libhwloc-dev util-linux procps attr valgrind libibverbs-dev"
if [ $want_vm -eq 1 ]; then
	pkgs="$pkgs qemu-system-x86 busybox-static cpio libelf-dev sparse
	      linux-source-6.1 kmod debootstrap xz-utils zstd"
	# Soft-RoCE in the guests: the rxe provider and its driver file,
	# iproute2's ip and rdma (tests/vm/make-initramfs.sh copies them).
	pkgs="$pkgs ibverbs-providers rdma-core iproute2"
	# tests/tier/omp_alloc: LLVM's OpenMP runtime as a libmemkind client.
	pkgs="$pkgs clang-14 libomp-14-dev"
fi
# The install test (part of the VM checks) builds the packages first.
if [ $want_pkg -eq 1 ] || [ $want_vm -eq 1 ]; then
	pkgs="$pkgs dpkg-dev debhelper dh-dkms lintian e2fsprogs"
fi
if [ $want_interop -eq 1 ]; then
	pkgs="$pkgs dpkg-dev autoconf automake libtool libnuma-dev binutils"
fi
if [ $want_mpi -eq 1 ]; then
	pkgs="$pkgs debootstrap cpio gnuplot-nox"
fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
fi
if [ $want_vm -eq 1 ]; then
	start=$(date +%s)
	"$(dirname "$0")/../tests/vm/prepare-kernels.sh" ||
		echo "install-deps: some kernels could not be prepared (see above);" \
			"their VM tests will fail" >&2
	echo "install-deps: kernels ready in $(($(date +%s) - start)) s"
	start=$(date +%s)
	"$(dirname "$0")/../tests/install/prepare-install.sh" ||
		echo "install-deps: the install test's roots could not be prepared" \
			"(see above); its checks will fail" >&2
	echo "install-deps: install test roots ready in $(($(date +%s) - start)) s"
fi
if [ $want_mpi -eq 1 ]; then
	start=$(date +%s)
	"$(dirname "$0")/../tests/mpi/prepare-mpi.sh" >/dev/null ||
		echo "install-deps: the MPI suite's root could not be prepared" \
			"(see above); its checks will fail" >&2
	echo "install-deps: MPI root ready in $(($(date +%s) - start)) s"
fi
echo "install-deps: all dependencies present ($(($(date +%s) - begin)) s)"
