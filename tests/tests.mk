# Test programs: one small program per feature, exit 0 (pass), 77 (skip) or
# anything else (fail). Every tests/<area>/*.c becomes $(BUILD)/tests/<area>/*.
#
#   make check          unit tests, the same under ASan+UBSan, the VM tests
#                       on every kernel installed, UCX and MPI applications
#                       on the module, then one summary line
#   make check-unit     unit tests of this build only (SAN=1 for sanitizers)
#   make check-static   checkpatch --strict and sparse on the module
#   make check-vm       kernel module tests in qemu (tests/vm/)
#   make check-interop  UCX built against libxpmem, run in qemu (tests/interop/)
#   make check-mpi      Debian's Open MPI, NetPIPE, HPCC and mpi4py over that
#                       UCX on the module, in qemu (tests/mpi/)
#   make check-install  the Debian packages installed on a freshly bootstrapped
#                       Debian 12 booted in qemu, DKMS on every kernel series
#                       (tests/install/)

TEST_AREAS  := kind xpmem kernel tier
TEST_SRCS   := $(foreach a,$(TEST_AREAS),$(wildcard tests/$(a)/*.c))
TEST_BINS   := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
# Scripts run like the programs; they find what they need in $(BUILD).
TEST_SCRIPTS := $(foreach a,$(TEST_AREAS),$(wildcard tests/$(a)/*.sh))
TEST_COMMON := $(wildcard tests/common/*.c)
TEST_HDRS   := $(wildcard tests/common/*.h tests/*/*.h)
RESULTS     := build/results.log
# Libraries only some tests link, set per program.
TEST_LIBS   :=
$(BUILD)/tests/xpmem/rdma_reg: TEST_LIBS := -libverbs

$(BUILD)/tests/%: tests/%.c $(TEST_COMMON) $(TEST_HDRS) $(XPMEM_SO) $(KIND_SO)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/common -o $@ $< $(TEST_COMMON) \
		-L$(LIBOUT) -lxpmem -lmemkind $(call rpath_to_lib,$(dir $@)) \
		$(ALL_LDFLAGS) $(TEST_LIBS) -lm

# The tier tests read pages' nodes (move_pages) through libnuma.
$(BUILD)/tests/tier/%: TEST_LIBS := -lnuma

# tier/placement again, against Debian's memkind 1.14 (the reference; our
# header declares the same API). Its run path, searched before
# LD_LIBRARY_PATH (DT_RPATH), keeps it on Debian's library in the VM too.
TIER_MEMKIND := $(if $(MEMKIND_SO0),$(BUILD)/tests/tier/placement_memkind)
$(TIER_MEMKIND): tests/tier/placement.c $(TEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/common -o $@ $< $(MEMKIND_SO0) -lnuma \
		-Wl,--disable-new-dtags,-rpath,$(dir $(MEMKIND_SO0)) \
		$(ALL_LDFLAGS)
TEST_BINS += $(TIER_MEMKIND)

# tier/omp_alloc: LLVM's OpenMP runtime as a client (clang-14 and
# libomp-14-dev, installed by install-deps.sh --vm); left out without them,
# and in sanitizer builds (clang's ASan runtime is not gcc's).
OMP_CC  := $(shell command -v clang-14)
OMP_LIB := $(wildcard /usr/lib/llvm-14/lib/libomp.so.5)
OMP_TEST := $(BUILD)/tests/tier/omp_alloc
ifneq ($(and $(OMP_CC),$(OMP_LIB),$(if $(filter 1,$(SAN)),,plain)),)
$(OMP_TEST): tests/tier/omp_alloc.c $(TEST_HDRS) $(KIND_SO)
	@mkdir -p $(dir $@)
	$(OMP_CC) -fopenmp $(filter-out -std=c11,$(ALL_CFLAGS)) -std=c11 \
		-Itests/common -o $@ $< -L$(LIBOUT) -lmemkind -lnuma \
		$(call rpath_to_lib,$(dir $@)) \
		-Wl,-rpath,$(dir $(OMP_LIB)) $(ALL_LDFLAGS)
else
TEST_BINS := $(filter-out $(OMP_TEST),$(TEST_BINS))
endif

# C++ tests (the allocators of the C++ headers): tests/<area>/*.cpp, built
# as C++11, the oldest standard the headers support. Every C++ header is
# also compiled alone under each later standard.
CXX         ?= c++
CXX_STDS    := c++14 c++17 c++20
CXX_HEADERS := pmem_allocator.h fixed_allocator.h memkind_allocator.h \
               hbw_allocator.h
TEST_CXX_SRCS := $(foreach a,$(TEST_AREAS),$(wildcard tests/$(a)/*.cpp))
TEST_CXX_BINS := $(TEST_CXX_SRCS:tests/%.cpp=$(BUILD)/tests/%)
TEST_BINS     += $(TEST_CXX_BINS)
CXX_HDR_STAMP := $(BUILD)/tests/cxx-headers.ok
CXXFLAGS_TEST = -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude $(CFLAGS) \
		$(SANFLAGS) -pthread

$(BUILD)/tests/%: tests/%.cpp $(wildcard include/*.h include/memkind/internal/*.h) $(KIND_SO)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++11 $(CXXFLAGS_TEST) -o $@ $< -L$(LIBOUT) -lmemkind \
		$(call rpath_to_lib,$(dir $@)) $(ALL_LDFLAGS)

$(CXX_HDR_STAMP): $(addprefix include/,$(CXX_HEADERS)) \
		$(wildcard include/memkind/internal/*.h)
	@mkdir -p $(dir $@)
	for std in c++11 $(CXX_STDS); do for h in $(CXX_HEADERS); do \
		echo "#include <$$h>" | $(CXX) -std=$$std -Wall -Wextra \
			-Werror -Iinclude -x c++ -fsyntax-only - || exit 1; \
	done; done
	touch $@

tests: $(TEST_BINS) $(CXX_HDR_STAMP)

ALL_TARGETS += $(TEST_BINS) $(CXX_HDR_STAMP)

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
