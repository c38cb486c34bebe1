# libmemtier.so.0: preloaded, serves the malloc family from memory tiers
# (libmemtier(7)), over libmemkind.so.0 in the same directory.

MEMTIER_SRCS := $(wildcard lib/memtier/*.c)
MEMTIER_OBJS := $(MEMTIER_SRCS:%.c=$(OBJOUT)/%.o)
MEMTIER_SO   := $(LIBOUT)/libmemtier.so.0

$(MEMTIER_SO): $(MEMTIER_OBJS) $(KIND_SO) lib/memtier/libmemtier.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libmemtier.so.0 \
		-Wl,--version-script=lib/memtier/libmemtier.map \
		-o $@ $(MEMTIER_OBJS) $(ALL_LDFLAGS) -L$(LIBOUT) -lmemkind \
		$(call rpath_to_lib,$(LIBOUT))
	ln -sf libmemtier.so.0 $(LIBOUT)/libmemtier.so

ALL_TARGETS += $(MEMTIER_SO)
