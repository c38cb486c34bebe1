# Toolchain, flags and output directories shared by every fragment.

include mk/version.mk

PREFIX       ?= /usr/local
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
BINDIR       ?= $(PREFIX)/bin
MANDIR       ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DESTDIR      ?=

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-unused-parameter
BASE     := -std=c11 -D_GNU_SOURCE -fno-strict-aliasing -pthread
INCLUDES := -Iinclude -Ikernel/uapi

ifeq ($(SAN),1)
BUILD    ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
else
BUILD    ?= build
SANFLAGS :=
endif

ALL_CFLAGS  = $(BASE) $(WARN) $(INCLUDES) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS)
LIB_CFLAGS  = $(ALL_CFLAGS) -fPIC -fvisibility=hidden
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS) -pthread

LIBOUT := $(BUILD)/lib
OBJOUT := $(BUILD)/obj

# Programs find the freshly built libraries relative to themselves, so the
# build tree can be copied (into a VM image, for instance) and still run.
# NO_RPATH=1 leaves the run path out, for programs installed next to the
# system's libraries (the Debian packages).
NO_RPATH ?=
comma := ,
define rpath_to_lib
$(if $(NO_RPATH),,-Wl$(comma)-rpath$(comma)'$$ORIGIN/$(shell realpath -m --relative-to=$(1) $(LIBOUT))')
endef

ALL_TARGETS :=

$(OBJOUT)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(OBJOUT) -name '*.d' 2>/dev/null)
