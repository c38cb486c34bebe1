# shellcheck shell=bash
# What run-install.sh does to the install test's disk image while it is
# mounted (run-install.sh --in-image, in a private mount namespace).
# Sourced, never run; each step_NAME gets the mount point first. Uses
# in_root (tests/vm/lib.sh).

guest_dir=/var/lib/xpmem-install-test
guest_user=xpmemuser

# Makes the copy of the cached root a machine of its own: a disk to boot
# from, a host name, an unprivileged user, the packages to install and the
# unit that runs guest-install.sh at each boot.
#   step_setup MNT TESTDIR WORKDIR DEB...
step_setup() {
	local mnt=$1 tests=$2 work=$3 unit

	shift 3
	set -e
	# A build root never starts services; a machine does.
	rm -f "$mnt/usr/sbin/policy-rc.d"
	echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$mnt/etc/fstab"
	echo xpmem-install-test >"$mnt/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\txpmem-install-test\n' >"$mnt/etc/hosts"
	# A machine-id of its own (an empty one would make the first boot a
	# "first boot", with systemd-firstboot asking questions).
	tr -d '-' </proc/sys/kernel/random/uuid >"$mnt/etc/machine-id"
	in_root "$mnt" useradd -m -u 1000 -s /bin/bash "$guest_user"

	mkdir -p "$mnt$guest_dir" "$mnt/usr/local/lib/xpmem-install-test"
	cp "$@" "$mnt$guest_dir/"
	cp "$tests/xpmem-client.c" "$tests/memkind-client.c" "$mnt$guest_dir/"
	# The program a user built against Debian's memkind, before ours
	# replaces it.
	in_root "$mnt" sh -c "cd $guest_dir && cc -Wall -Wextra -Werror \
		-o memkind-client-debian memkind-client.c \
		\$(pkg-config --cflags --libs memkind)"
	in_root "$mnt" ldd "$guest_dir/memkind-client-debian"
	in_root "$mnt" dpkg-query -W libmemkind0 libmemkind-dev
	install -m 755 "$tests/guest-install.sh" "$mnt/usr/local/lib/xpmem-install-test/"

	unit=$mnt/etc/systemd/system/xpmem-install-test.service
	cat >"$unit" <<-'EOF'
	[Unit]
	Description=xpmem install test (tests/install/guest-install.sh)
	After=multi-user.target

	[Service]
	Type=oneshot
	ExecStart=/usr/local/lib/xpmem-install-test/guest-install.sh
	StandardOutput=tty
	StandardError=tty
	TTYPath=/dev/console
	TTYReset=no
	TTYVHangup=no
	TimeoutStartSec=infinity

	[Install]
	WantedBy=multi-user.target
	EOF
	# The console is the test's: no login prompt on it.
	ln -sf /dev/null "$mnt/etc/systemd/system/serial-getty@ttyS0.service"
	mkdir -p "$mnt/etc/systemd/system/multi-user.target.wants"
	ln -sf ../xpmem-install-test.service \
		"$mnt/etc/systemd/system/multi-user.target.wants/"
	echo "image ready"
}

# Installs the second kernel and its headers from the root's apt cache, as
# an update would: the kernel packages' own hooks run DKMS for it. Leaves
# its vmlinuz and initrd in WORKDIR as vmlinuz-6.12 and initrd-6.12.
#   step_kernel MNT WORKDIR
step_kernel() {
	local mnt=$1 work=$2 rel

	printf '#!/bin/sh\nexit 101\n' >"$mnt/usr/sbin/policy-rc.d"
	chmod 755 "$mnt/usr/sbin/policy-rc.d"
	in_root "$mnt" env DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends --no-download \
		linux-image-6.12-amd64 linux-headers-6.12-amd64
	rc=$?
	rm -f "$mnt/usr/sbin/policy-rc.d"
	[ $rc -eq 0 ] || { echo "installing the 6.12 kernel failed"; return 1; }
	rel=$(cd "$mnt/boot" && ls vmlinuz-6.12* | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
	[ -n "$rel" ] || { echo "no 6.12 kernel in /boot"; return 1; }
	cp "$mnt/boot/vmlinuz-$rel" "$work/vmlinuz-6.12"
	cp "$mnt/boot/initrd.img-$rel" "$work/initrd-6.12"
	in_root "$mnt" dkms status -m xpmem
	in_root "$mnt" dkms status -m xpmem -k "$rel" | grep -q installed ||
		{ echo "DKMS did not build xpmem for $rel"; return 1; }
	in_root "$mnt" modinfo -k "$rel" -n xpmem | grep -q "/lib/modules/$rel/updates/dkms/" ||
		{ echo "xpmem.ko is not in /lib/modules/$rel/updates/dkms"; return 1; }
	echo "DKMS built xpmem for $rel"
}
