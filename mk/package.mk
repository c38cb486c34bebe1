# make package: the Debian packages of debian/, built from a copy of the
# tree with dpkg-buildpackage -b and checked with lintian; the .deb files
# land in build/package/ (scripts/build-packages.sh).

PACKAGE_DIR := build/package

package:
	scripts/build-packages.sh $(PACKAGE_DIR)

.PHONY: package
