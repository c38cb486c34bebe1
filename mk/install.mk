# make install: libraries, headers, pkg-config files, the command, man pages.
# Honours PREFIX and DESTDIR. Each part lists what it installs here.

PC_FILES := $(BUILD)/pkgconfig/memkind.pc $(BUILD)/pkgconfig/xpmem.pc \
            $(BUILD)/pkgconfig/cray-xpmem.pc

# The paths written into the .pc files: `make` then `make install
# PREFIX=/opt/x` must not install files that point at /usr/local.
PC_VARS  := $(PREFIX) $(LIBDIR) $(INCLUDEDIR) $(VERSION)
PC_STAMP := $(BUILD)/pkgconfig/paths

$(PC_STAMP): pc-paths-check
	@mkdir -p $(dir $@)
	@echo '$(PC_VARS)' | cmp -s - $@ || echo '$(PC_VARS)' >$@

$(BUILD)/pkgconfig/%.pc: mk/%.pc.in $(PC_STAMP)
	@mkdir -p $(dir $@)
	sed -e 's#@PREFIX@#$(PREFIX)#g' -e 's#@LIBDIR@#$(LIBDIR)#g' \
	    -e 's#@INCLUDEDIR@#$(INCLUDEDIR)#g' -e 's#@VERSION@#$(VERSION)#g' \
	    $< >$@

ALL_TARGETS += $(PC_FILES)

# What is installed, and nothing else: a test program that does not build
# must not stop a client from installing the libraries.
INSTALL_DEPS := $(KIND_SO) $(XPMEM_SO) $(PC_FILES) \
                $(if $(XPMEM_TOOL_SRCS),$(XPMEM_TOOL))

install: $(INSTALL_DEPS)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/memkind/internal \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(MANDIR)/man7
	install -m 755 $(KIND_SO) $(XPMEM_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libmemkind.so.0 $(DESTDIR)$(LIBDIR)/libmemkind.so
	ln -sf libxpmem.so.0 $(DESTDIR)$(LIBDIR)/libxpmem.so
	install -m 644 include/xpmem.h include/memkind.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 include/memkind/internal/*.h \
		$(DESTDIR)$(INCLUDEDIR)/memkind/internal/
	install -m 644 $(PC_FILES) $(DESTDIR)$(PKGCONFIGDIR)/
	if [ -x $(XPMEM_TOOL) ]; then install -m 755 $(XPMEM_TOOL) $(DESTDIR)$(BINDIR)/; fi
	for s in 1 3 7; do \
		f=$$(ls man/man$$s/*.$$s 2>/dev/null); \
		[ -z "$$f" ] || install -m 644 $$f $(DESTDIR)$(MANDIR)/man$$s/; \
	done

.PHONY: install pc-paths-check
