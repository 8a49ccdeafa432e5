# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make install` / `make uninstall`: the agent, its man page, the policies and the systemd unit under
# $(DESTDIR)$(PREFIX). Policies go to /etc/idsentry with PREFIX=/usr, else $(PREFIX)/etc/idsentry;
# policies already there are kept (a new copy is written beside them as FILE.new).

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/idsentry
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL ?= install

.PHONY: install uninstall

install: $(OUTPUT)/idsentry
	$(call msg,INSTALL,$(DESTDIR)$(SBINDIR)/idsentry)
	$(Q)$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(UNITDIR)
	$(Q)$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/idsentry
	$(Q)$(INSTALL) -m 0755 $(OUTPUT)/idsentry $(DESTDIR)$(SBINDIR)/idsentry
	$(call msg,INSTALL,$(DESTDIR)$(MANDIR)/man8/idsentry.8)
	$(Q)$(INSTALL) -m 0644 docs/idsentry.8 $(DESTDIR)$(MANDIR)/man8/idsentry.8
	$(call msg,INSTALL,$(DESTDIR)$(SYSCONFDIR)/idsentry)
	$(Q)for p in policies/*.yaml; do \
		dst=$(DESTDIR)$(SYSCONFDIR)/idsentry/$${p##*/}; \
		if [ -e "$$dst" ] && ! cmp -s "$$p" "$$dst"; then \
			echo "  kept      $$dst (edited; the new one is $$dst.new)"; dst=$$dst.new; \
		fi; \
		$(INSTALL) -m 0644 "$$p" "$$dst" || exit 1; \
	done
	$(call msg,INSTALL,$(DESTDIR)$(UNITDIR)/idsentry.service)
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		contrib/idsentry.service > $(DESTDIR)$(UNITDIR)/idsentry.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/idsentry.service
	$(Q)$(INSTALL) -m 0644 contrib/idsentry.rc $(DESTDIR)$(DOCDIR)/idsentry.rc
	$(Q)$(INSTALL) -d $(DESTDIR)$(DOCDIR)/rsyslog
	$(Q)$(INSTALL) -m 0644 contrib/rsyslog/idsentry-forward.conf \
		contrib/rsyslog/idsentry-central.conf $(DESTDIR)$(DOCDIR)/rsyslog/

# Policies in $(SYSCONFDIR)/idsentry are configuration: they stay.
uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/idsentry $(DESTDIR)$(MANDIR)/man8/idsentry.8 \
		$(DESTDIR)$(UNITDIR)/idsentry.service $(DESTDIR)$(DOCDIR)/idsentry.rc \
		$(DESTDIR)$(DOCDIR)/rsyslog/idsentry-forward.conf \
		$(DESTDIR)$(DOCDIR)/rsyslog/idsentry-central.conf
	$(Q)rmdir $(DESTDIR)$(DOCDIR)/rsyslog $(DESTDIR)$(DOCDIR) 2>/dev/null || true
