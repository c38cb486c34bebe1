# Example programs: short, self-contained, the first code a user reads.

EXAMPLE_SRCS := $(wildcard examples/*.c)
EXAMPLE_BINS := $(EXAMPLE_SRCS:examples/%.c=$(BUILD)/examples/%)

$(BUILD)/examples/%: examples/%.c $(XPMEM_SO) $(KIND_SO)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< -L$(LIBOUT) -lxpmem -lmemkind \
		$(call rpath_to_lib,$(dir $@)) $(ALL_LDFLAGS)

ALL_TARGETS += $(EXAMPLE_BINS)
