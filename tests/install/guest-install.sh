#!/bin/bash
# Runs inside the install test's VM at every boot, started by systemd
# (xpmem-install-test.service, after multi-user.target), as root:
#
#   install   first boot, Debian's kernel: install the packages as an
#             administrator would (apt-get install ./*.deb: DKMS builds the
#             module for the running kernel), build the pkg-config clients
#             against the -dev packages, check that a program built against
#             Debian's memkind before the switch still runs
#   check     a later boot: the module was loaded at boot
#             (modules-load.d), /dev/xpmem is 0666 (udev), the command and
#             the clients use the kernel backend as an unprivileged user
#   remove    check, then purge every package: nothing may be left
#
# The phase comes from the kernel command line (xpmemtest.phase=). Results
# go to ttyS1 as tests/vm's guests report them (VMRESULT, VMERROR, VMEND);
# command output goes to the console (the unit's tty, not the journal,
# so that lines start with the markers) prefixed with VMOUT. Powers off
# at the end.
set -u

dir=/var/lib/xpmem-install-test
user=xpmemuser
packages="xpmem-dkms xpmem-tools libxpmem0 libxpmem-dev libmemkind0-kinds
	  libmemkind-kinds-dev"
phase=$(sed -n 's/.*xpmemtest\.phase=\([a-z]*\).*/\1/p' /proc/cmdline)
rel=$(uname -r)
kernel=$(echo "$rel" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')

stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1

event() {
	echo "$*" >&3
	echo "$*"
}

# check NAME COMMAND...: runs it with its output on the console (VMOUT) and
# reports NAME as this kernel's result.
check() {
	local name=$1 rc start

	shift
	start=$(date +%s)
	echo "VMSTART $kernel/$name"
	"$@" 2>&1 | sed -u 's/^/VMOUT /'
	rc=${PIPESTATUS[0]}
	echo "VMTIME $kernel/$name $(($(date +%s) - start))"
	if [ "$rc" -eq 0 ]; then
		event "VMRESULT PASS $kernel/$name 0"
	else
		event "VMRESULT FAIL $kernel/$name $rc"
	fi
	return "$rc"
}

as_user() {
	runuser -u "$user" -- env HOME="/home/$user" "$@"
}

# Everything the packages need from the archive is installed already (the
# VM has no network). Not --no-download: with it, apt 2.6 looks for a
# local .deb in its cache by base name and stops with "Pathname to install
# is not absolute".
apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

dkms_built() {
	local status

	status=$(dkms status -m xpmem)
	echo "$status"
	echo "$status" | grep -F "$rel" | grep -q installed &&
		modinfo -k "$rel" -n xpmem | grep "/lib/modules/$rel/updates/dkms/"
}

debian_memkind_gone() {
	! dpkg-query -W -f='${Status}\n' libmemkind0 2>/dev/null |
		grep -q 'ok installed' &&
		dpkg-query -W -f='${Package} ${Version} ${Status}\n' libmemkind0-kinds
}

pkgconfig_build() {
	as_user sh -ec "
		cd /home/$user
		cc -Wall -Wextra -Werror -o xpmem-client $dir/xpmem-client.c \
			\$(pkg-config --cflags --libs cray-xpmem)
		cc -Wall -Wextra -Werror -o memkind-client $dir/memkind-client.c \
			\$(pkg-config --cflags --libs memkind)
		pkg-config --modversion cray-xpmem xpmem memkind
		ldd xpmem-client memkind-client | grep -E 'xpmem|memkind'"
}

module_loaded() {
	[ -d /sys/module/xpmem ] || { echo "xpmem is not loaded"; return 1; }
	echo "xpmem $(cat /sys/module/xpmem/version) loaded from $(modinfo -n xpmem)"
	systemctl status --no-pager systemd-modules-load.service | head -n 5
	systemctl is-active -q systemd-modules-load.service
}

dev_mode() {
	ls -l /dev/xpmem
	[ "$(stat -c '%a %F' /dev/xpmem)" = "666 character special file" ]
}

tool_info() {
	local out

	out=$(as_user xpmem info) || { echo "$out"; return 1; }
	echo "$out"
	echo "$out" | grep -q '^backend: *kernel$' &&
		echo "$out" | grep -q '^module: *loaded'
}

tool_demo() {
	local out

	out=$(as_user xpmem demo) || { echo "$out"; return 1; }
	echo "$out"
	echo "$out" | grep -q 'backend: kernel' &&
		echo "$out" | grep -q 'demo passed'
}

no_failed_units() {
	systemctl --failed --no-legend --no-pager
	[ -z "$(systemctl --failed --no-legend --no-pager)" ]
}

purge() {
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get purge -y $packages
}

# Nothing of the packages stays: no module loaded or on disk, no DKMS
# state, no source, rule, modules-load entry or device.
nothing_left() {
	local left

	# The test's own files, its user's home and build-root.sh's stamp
	# carry the name too.
	left=$(find / -xdev \( -name '*xpmem*' -o -name 'libmemkind*' \
		-o -name 'memkind*' \) ! -path "$dir/*" ! -path "$dir" \
		! -path "/home/$user/*" ! -path "/home/$user" \
		! -path /var/lib/apt/lists/.xpmem-updated \
		! -path '/etc/systemd/system/*' \
		! -path '/usr/local/lib/xpmem-install-test*' \
		2>/dev/null)
	# shellcheck disable=SC2086 # a list of names
	dpkg -l $packages 2>/dev/null | grep -E '^(ii|rc)' && return 1
	[ -d /sys/module/xpmem ] && { echo "xpmem is still loaded"; return 1; }
	[ -e /dev/xpmem ] && { echo "/dev/xpmem is still there"; return 1; }
	[ -n "$(dkms status -m xpmem)" ] && { dkms status; return 1; }
	[ -n "$left" ] && { echo "left behind:"; echo "$left"; return 1; }
	echo "nothing left"
}

run_checks() {
	check module-loaded module_loaded
	check dev-mode dev_mode
	check xpmem-info tool_info
	check xpmem-demo tool_demo
	check client-xpmem as_user "/home/$user/xpmem-client" kernel
	check client-memkind as_user "/home/$user/memkind-client" /tmp
	check units no_failed_units
}

echo "VMSTAGE phase $phase on $rel (uptime $(cut -d' ' -f1 /proc/uptime) s)"
cd "$dir" || event "VMERROR no $dir"
case $phase in
install)
	check debian-memkind-before as_user "$dir/memkind-client-debian" /tmp
	[ -d /sys/module/xpmem ] && event "VMERROR xpmem loaded before installation"
	check apt-install apt_install ./xpmem-dkms_*.deb ./libxpmem0_*.deb \
		./xpmem-tools_*.deb ./libmemkind0-kinds_*.deb
	check dkms-build dkms_built
	check debian-memkind-replaced debian_memkind_gone
	check debian-memkind-after as_user "$dir/memkind-client-debian" /tmp
	check apt-install-dev apt_install ./libxpmem-dev_*.deb \
		./libmemkind-kinds-dev_*.deb
	check pkgconfig-build pkgconfig_build
	;;
check)
	run_checks
	;;
remove)
	run_checks
	check purge purge
	check nothing-left nothing_left
	;;
*)
	event "VMERROR unknown phase '$phase'"
	;;
esac

echo "VMDMESG begin"
dmesg
echo "VMDMESG end"
event "VMEND"
sync
systemctl poweroff
