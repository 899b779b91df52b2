#!/usr/bin/env bash
# One-time system setup for the interop lane: installs Postfix, Dovecot (POP3 +
# IMAP) and swaks from Debian packages, keeps the packaged system services from
# holding ports 25/110/143, and creates the vmail user that owns the Maildirs.
# Idempotent: on a machine that is already set up it only checks and returns.
# Hands off to start.sh, which runs our own instances from generated configs.
set -euo pipefail
. "$(dirname "$0")/common.sh"
need_root

# libnet-ssleay-perl: swaks --tls (a Recommends of swaks, so named here).
# dovecot-lmtpd: Dovecot's LMTP server (RFC 2033), tested directly by suites/lmtp.
# interimap: a QRESYNC + COMPRESS sync client, run against the reference server by
# test/reference-server/imap/interimap.test.ts (skipped where it is missing).
PACKAGES=(postfix dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd swaks libnet-ssleay-perl openssl interimap)

# Without configuration the system Postfix has no main.cf and stays inert;
# ours runs from its own config_directory.
if ! dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q 'install ok installed'; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  echo "postfix postfix/mailname string localhost" | debconf-set-selections
fi
apt_install_missing "${PACKAGES[@]}"

# Stop and disable the packaged services: ours listen on high ports only.
for svc in postfix dovecot dovecot.socket; do
  if [ -d /run/systemd/system ]; then
    timeout 30 systemctl disable --now "$svc" >/dev/null 2>&1 || true
  else
    timeout 30 update-rc.d "$svc" disable >/dev/null 2>&1 || true
  fi
done
# Whatever init system there is (or none): make sure no default instance runs.
if [ -f /var/spool/postfix/pid/master.pid ]; then
  pid=$(tr -d ' ' < /var/spool/postfix/pid/master.pid)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "stopping the system Postfix (pid $pid)"
    timeout 20 postfix stop >/dev/null 2>&1 || true
    wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
  fi
fi
if [ -f /run/dovecot/master.pid ]; then
  pid=$(cat /run/dovecot/master.pid)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "stopping the system Dovecot (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
  fi
fi

# The Maildirs belong to one unprivileged system user: Postfix's virtual(8)
# writes as it and Dovecot's mail processes read as it.
if ! id -u "$VMAIL_USER" >/dev/null 2>&1; then
  log "creating system user $VMAIL_USER"
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$VMAIL_USER"
fi

log "setup done: $(postconf -d mail_version 2>/dev/null | sed 's/ = / /'), dovecot $(dovecot --version 2>/dev/null)"
