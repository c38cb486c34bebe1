# libxpmem.so.0: the XPMEM API with its kernel and user-space backends.

XPMEM_SRCS := $(wildcard lib/xpmem/*.c)
XPMEM_OBJS := $(XPMEM_SRCS:%.c=$(OBJOUT)/%.o)
XPMEM_SO   := $(LIBOUT)/libxpmem.so.0

$(XPMEM_SO): $(XPMEM_OBJS) lib/xpmem/libxpmem.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libxpmem.so.0 \
		-Wl,--version-script=lib/xpmem/libxpmem.map \
		-o $@ $(XPMEM_OBJS) $(ALL_LDFLAGS)
	ln -sf libxpmem.so.0 $(LIBOUT)/libxpmem.so

ALL_TARGETS += $(XPMEM_SO)
