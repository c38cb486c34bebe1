# libmemkind.so.0: memory kinds over jemalloc arenas.

KIND_SRCS := $(wildcard lib/kind/*.c)
KIND_OBJS := $(KIND_SRCS:%.c=$(OBJOUT)/%.o)
KIND_SO   := $(LIBOUT)/libmemkind.so.0
KIND_LIBS := -ljemalloc -ldl -lnuma -lhwloc -lm

$(KIND_SO): $(KIND_OBJS) lib/kind/libmemkind.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libmemkind.so.0 \
		-Wl,--version-script=lib/kind/libmemkind.map \
		-o $@ $(KIND_OBJS) $(ALL_LDFLAGS) $(KIND_LIBS)
	ln -sf libmemkind.so.0 $(LIBOUT)/libmemkind.so

ALL_TARGETS += $(KIND_SO)
