# The project's version: the one place it is written. Everything else that
# carries it is generated from here (the pkg-config files, `xpmem --version`,
# the module's MODULE_VERSION and its dkms.conf) or checked against it
# (debian/changelog, by debian/rules).
VERSION := 1.0.0
