# Top-level, non-recursive build. Each part lives in its own fragment:
#   mk/common.mk          toolchain, flags, build directories
#   lib/kind/kind.mk      libmemkind.so.0
#   lib/memtier/memtier.mk libmemtier.so.0 (LD_PRELOAD tiering)
#   lib/xpmem/xpmem.mk    libxpmem.so.0
#   tools/xpmem/xpmem.mk  the `xpmem` command
#   tests/tests.mk        test programs and `make check`
#   bench/bench.mk        benchmarks
#   examples/examples.mk  example programs
#   kernel/Makefile       xpmem.ko (kbuild, built by `make module`)
#   mk/package.mk         the Debian packages (`make package`)
#
# `make SAN=1` builds everything into build-san/ with ASan and UBSan.

.DEFAULT_GOAL := all

include mk/common.mk
include lib/kind/kind.mk
include lib/memtier/memtier.mk
include lib/xpmem/xpmem.mk
include tools/xpmem/xpmem.mk
include examples/examples.mk
include bench/bench.mk
include tests/tests.mk
include mk/install.mk
include mk/package.mk

all: $(ALL_TARGETS)

# The main job: two processes share a file-backed buffer through XPMEM.
demo: all
	$(BUILD)/bin/xpmem demo

clean:
	rm -rf build build-san
	$(MAKE) -C kernel clean >/dev/null 2>&1 || true

# xpmem.ko, built in kernel/ for KDIR (default: the running kernel).
module:
	$(MAKE) -C kernel $(if $(KDIR),KDIR=$(KDIR))

.PHONY: all clean demo module
