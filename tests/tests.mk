# Test programs: one small program per feature, exit 0 (pass), 77 (skip) or
# anything else (fail). Every tests/<area>/*.c becomes $(BUILD)/tests/<area>/*.
#
#   make check          unit tests, the same under ASan+UBSan, the VM tests
#                       on every kernel installed, UCX on the module, then
#                       one summary line
#   make check-unit     unit tests of this build only (SAN=1 for sanitizers)
#   make check-static   checkpatch --strict and sparse on the module
#   make check-vm       kernel module tests in qemu (tests/vm/)
#   make check-interop  UCX built against libxpmem, run in qemu (tests/interop/)
#   make check-mpi      Debian's Open MPI, NetPIPE, HPCC and mpi4py over that
#                       UCX on the module, in qemu (tests/mpi/)
#   make check-install  the Debian packages installed on a freshly bootstrapped
#                       Debian 12 booted in qemu, DKMS on every kernel series
#                       (tests/install/)

TEST_AREAS  := kind xpmem kernel
TEST_SRCS   := $(foreach a,$(TEST_AREAS),$(wildcard tests/$(a)/*.c))
TEST_BINS   := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
# Scripts run like the programs; they find what they need in $(BUILD).
TEST_SCRIPTS := $(foreach a,$(TEST_AREAS),$(wildcard tests/$(a)/*.sh))
TEST_COMMON := $(wildcard tests/common/*.c)
TEST_HDRS   := $(wildcard tests/common/*.h tests/*/*.h)
RESULTS     := build/results.log

$(BUILD)/tests/%: tests/%.c $(TEST_COMMON) $(TEST_HDRS) $(XPMEM_SO) $(KIND_SO)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/common -o $@ $< $(TEST_COMMON) \
		-L$(LIBOUT) -lxpmem -lmemkind $(call rpath_to_lib,$(dir $@)) \
		$(ALL_LDFLAGS) -lm

tests: $(TEST_BINS)

ALL_TARGETS += $(TEST_BINS)

# The label tells the unit and sanitizer runs apart in the results.
ifeq ($(SAN),1)
UNIT_LABEL := san
else
UNIT_LABEL := unit
endif

check-unit: all $(KIND_OPS_BINS)
	@mkdir -p build
	BUILD=$(BUILD) tests/run-tests.sh --label $(UNIT_LABEL) \
		--results $(RESULTS) $(TEST_BINS) $(TEST_SCRIPTS)

check-vm: all
	@mkdir -p build
	tests/vm/run-vm-tests.sh --build $(BUILD) --results $(RESULTS)

check-static:
	@mkdir -p build
	tests/static/run-static.sh --build $(BUILD) --results $(RESULTS)

check-interop: all
	@mkdir -p build
	tests/interop/run-interop.sh --build $(BUILD) --results $(RESULTS)

check-mpi: all
	@mkdir -p build
	tests/mpi/run-mpi.sh --build $(BUILD) --results $(RESULTS)

check-install:
	@mkdir -p build
	tests/install/run-install.sh --build build --results $(RESULTS)

# One summary line for everything above, whatever failed on the way.
# Each stage prints its time (tests/stage.sh).
STAGE := tests/stage.sh
check:
	@mkdir -p build && rm -f $(RESULTS)
	-@tests/interop/run-interop.sh --build $(BUILD) --prebuild-start
	-@$(STAGE) unit $(MAKE) --no-print-directory check-unit
	-@$(STAGE) sanitizers $(MAKE) --no-print-directory SAN=1 check-unit
	-@$(STAGE) static $(MAKE) --no-print-directory check-static
	-@$(STAGE) --background install $(MAKE) --no-print-directory check-install
	-@$(STAGE) vm $(MAKE) --no-print-directory check-vm
	-@$(STAGE) interop $(MAKE) --no-print-directory check-interop
	-@$(STAGE) mpi $(MAKE) --no-print-directory check-mpi
	-@$(STAGE) --wait install
	@tests/summary.sh $(RESULTS)

.PHONY: tests check check-unit check-static check-vm check-interop check-mpi check-install
