# The `xpmem` command: info, demo, bench.

XPMEM_TOOL_SRCS := $(wildcard tools/xpmem/*.c)
XPMEM_TOOL      := $(BUILD)/bin/xpmem

$(XPMEM_TOOL): $(XPMEM_TOOL_SRCS) $(wildcard tools/xpmem/*.h) $(XPMEM_SO) $(KIND_SO)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DXPMEM_TOOL_VERSION='"$(VERSION)"' -o $@ \
		$(XPMEM_TOOL_SRCS) -L$(LIBOUT) -lxpmem -lmemkind \
		$(call rpath_to_lib,$(dir $@)) $(ALL_LDFLAGS) -lm

ifneq ($(XPMEM_TOOL_SRCS),)
ALL_TARGETS += $(XPMEM_TOOL)
endif
