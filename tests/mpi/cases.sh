# shellcheck shell=bash
# The MPI runs, in one place for the host (which expects a result for each)
# and the guest (which runs them). Sourced by run-mpi.sh (bash) and by
# guest-mpi.sh (bash, in the Debian root the guest boots).
#
# One case per line: <name> <ranks> <kernels> <users> <program and arguments>
#   kernels  full: only on the kernels that run the full set (--full);
#            all: on every kernel
#   users    who runs it (labels of mpi_users, comma-separated); on the
#            other kernels only the users of mpi_reduced_users
# Each runs under mpirun with Open MPI's pml ucx and UCX_TLS=self,xpmem.
# NetPIPE's integrity mode (-i) checks every byte of every message, 1 B to
# 64 MiB, without the sizes three bytes either side of each point (-p 0),
# two repeats (-n 2): the guest runs under TCG. NetPIPE ends a series
# once one transfer takes over a second, which a busy TCG host reaches
# before 64 MiB; netpipe-64m checks 64 MiB alone (a series always runs
# its first size). Four ranks on the guest's
# two vCPUs are oversubscribed, and HPCC's busy-polling ranks then take
# minutes under TCG: only the short mpi4py program runs with four.
mpi_cases() {
	cat <<'CASES'
netpipe 2 all root,user NPopenmpi -i -l 1 -u 67108864 -p 0 -n 2
netpipe-64m 2 full root,user NPopenmpi -i -l 67108864 -u 67108864 -p 0 -n 2
hpcc 2 full root,user hpcc
mpi4py 2 full root,user python3 /mpi/mpi4py-check.py
mpi4py-np4 4 full root python3 /mpi/mpi4py-check.py
CASES
}

# The cases one kernel runs, as "<user>/<case>" lines: mpi_runs 1 for the
# full set, mpi_runs 0 for the reduced one.
mpi_runs() {
	mpi_cases | awk -v full="$1" -v reduced="$mpi_reduced_users" '
		$3 == "all" || full == 1 {
			n = split($4, who, ",")
			for (i = 1; i <= n; i++)
				if (full == 1 || ("," reduced ",") ~ ("," who[i] ","))
					print who[i] "/" $1
		}'
}

# Users the cases run as: <label> <uid> <gid>. The image has the user
# (prepare-mpi.sh); Open MPI needs --allow-run-as-root for the first.
mpi_users() {
	cat <<'USERS'
root 0 0
user 1000 1000
USERS
}

# The kernels of the reduced set run NetPIPE's integrity check once, as the
# unprivileged user (the module's permission checks on the way).
# shellcheck disable=SC2034
mpi_reduced_users=user

# NetPIPE's bandwidth curve, run once per transport on the full kernels:
# xpmem against UCX's default intra-node path without it (posix for
# active messages, cma for zero-copy), in the same guest.
# shellcheck disable=SC2034 # used by the scripts that source this file
mpi_compare_tls=self,posix,cma
# shellcheck disable=SC2034
mpi_curve_args="-l 1 -u 67108864 -p 0"
