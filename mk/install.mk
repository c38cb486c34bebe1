# make install: libraries, headers, pkg-config files, the command, man pages.
# Honours PREFIX and DESTDIR. Each part lists what it installs here.

# memkind's public headers, C and C++ (memkind/internal/ below).
KIND_HEADERS := include/memkind.h include/memkind_deprecated.h \
                include/hbwmalloc.h \
                include/memkind_memtier.h include/pmem_allocator.h \
                include/memkind_allocator.h include/hbw_allocator.h \
                include/fixed_allocator.h

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
INSTALL_DEPS := $(KIND_SO) $(MEMTIER_SO) $(XPMEM_SO) $(PC_FILES) \
                $(if $(XPMEM_TOOL_SRCS),$(XPMEM_TOOL))

# What `make install` installs, built and nothing else (the packages build
# this, then install).
installable: $(INSTALL_DEPS)

install: $(INSTALL_DEPS)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/memkind/internal \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(MANDIR)/man7
	install -m 755 $(KIND_SO) $(MEMTIER_SO) $(XPMEM_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libmemkind.so.0 $(DESTDIR)$(LIBDIR)/libmemkind.so
	ln -sf libmemtier.so.0 $(DESTDIR)$(LIBDIR)/libmemtier.so
	ln -sf libxpmem.so.0 $(DESTDIR)$(LIBDIR)/libxpmem.so
	install -m 644 include/xpmem.h $(KIND_HEADERS) $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 include/memkind/internal/*.h \
		$(DESTDIR)$(INCLUDEDIR)/memkind/internal/
	install -m 644 $(PC_FILES) $(DESTDIR)$(PKGCONFIGDIR)/
	if [ -x $(XPMEM_TOOL) ]; then install -m 755 $(XPMEM_TOOL) $(DESTDIR)$(BINDIR)/; fi
	for f in man/man[137]/*.[137]; do \
		[ -f "$$f" ] || continue; \
		sed '/^\.TH /s/"xpmem-kinds[^"]*"/"xpmem-kinds $(VERSION)"/' $$f \
			>$(DESTDIR)$(MANDIR)/man$${f##*.}/$${f##*/}; \
		chmod 644 $(DESTDIR)$(MANDIR)/man$${f##*.}/$${f##*/}; \
	done

# The module's sources as DKMS wants them, /usr/src/xpmem-$(VERSION): the
# files kbuild and the feature tests need, and dkms.conf with the version
# filled in. `make install-dkms` (as root: DESTDIR empty) then
# `dkms install xpmem/$(VERSION)` builds and installs it for a kernel, and
# DKMS rebuilds it for every kernel installed later. The udev rule makes
# /dev/xpmem 0666, the modules-load.d entry loads the module at boot.
DKMS_SRC        := $(BUILD)/dkms/xpmem-$(VERSION)
DKMS_FILES      := kernel/Kbuild kernel/Makefile $(wildcard kernel/xpmem_*.c) \
                   $(filter-out kernel/xpmem_conftest.h,$(wildcard kernel/*.h))
UDEVRULESDIR    ?= /etc/udev/rules.d
MODULESLOADDIR  ?= /etc/modules-load.d

dkms-source: $(DKMS_SRC)/dkms.conf

$(DKMS_SRC)/dkms.conf: kernel/dkms.conf.in $(DKMS_FILES) \
		$(wildcard kernel/conftest/* kernel/uapi/*) mk/version.mk
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/conftest $(DKMS_SRC)/uapi
	install -m 644 $(DKMS_FILES) $(DKMS_SRC)/
	install -m 644 kernel/conftest/Kbuild kernel/conftest/*.c $(DKMS_SRC)/conftest/
	install -m 644 kernel/uapi/*.h $(DKMS_SRC)/uapi/
	sed 's/@VERSION@/$(VERSION)/g' kernel/dkms.conf.in >$@.tmp
	mv $@.tmp $@

install-dkms: dkms-source
	install -d $(DESTDIR)/usr/src $(DESTDIR)$(UDEVRULESDIR) \
		$(DESTDIR)$(MODULESLOADDIR)
	rm -rf $(DESTDIR)/usr/src/xpmem-$(VERSION)
	cp -r $(DKMS_SRC) $(DESTDIR)/usr/src/
	install -m 644 kernel/56-xpmem.rules $(DESTDIR)$(UDEVRULESDIR)/
	echo xpmem >$(DESTDIR)$(MODULESLOADDIR)/xpmem.conf
	chmod 644 $(DESTDIR)$(MODULESLOADDIR)/xpmem.conf

.PHONY: install installable dkms-source install-dkms pc-paths-check
