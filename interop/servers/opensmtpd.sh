# OpenSMTPD 6.8 of the interop lane (sourced by start.sh, stop.sh,
# reset-mail.sh). Debian builds it with fixed paths (spool /var/spool/smtpd,
# control socket /run/smtpd.sock, helpers /usr/libexec/opensmtpd): it runs in
# a private mount namespace where this lane's directories are bound over them,
# so two lanes (and a system OpenSMTPD) never share a queue or a socket.
# It delivers into the Maildirs of the lane's Dovecot (../start.sh) as vmail.

SMTPD_PIDFILE="$SMTPD_DIR/smtpd.pid"

smtpd_start() {
  local entry login password vuid vgid
  [ -x "$SMTPD_TREE/usr/sbin/smtpd" ] || die "OpenSMTPD missing: run interop/servers/setup.sh"
  [ -d "$MAIL_DIR" ] || die "no Dovecot Maildirs under $MAIL_DIR: start the lane's Postfix + Dovecot first (interop/start.sh)"
  vuid=$(id -u "$VMAIL_USER") vgid=$(id -g "$VMAIL_USER")
  rm -rf "${SMTPD_DIR:?}/spool" "$SMTPD_DIR/run"
  mkdir -p "$SMTPD_DIR/spool" "$SMTPD_DIR/run"
  chmod 711 "$SMTPD_DIR/spool"
  render_template opensmtpd/smtpd.conf.in "$SMTPD_DIR/smtpd.conf" "TLS_DIR=$TLS_DIR" "SMTPD_DIR=$SMTPD_DIR" \
    "SMTP_PORT=$SMTPD_PORT" "SMTPS_PORT=$SMTPD_SMTPS_PORT" "DOMAIN=$SMTPD_DOMAIN"
  # creds: login -> crypt hash (SMTP AUTH); vusers: address -> login;
  # userbase: login -> uid:gid:Maildir (delivery runs as vmail).
  : > "$SMTPD_DIR/creds"; : > "$SMTPD_DIR/vusers"; : > "$SMTPD_DIR/userbase"
  for entry in "${USERS[@]}"; do
    login="${entry%%:*}" password="${entry#*:}"
    printf '%s %s\n' "$login" "$(printf '%s' "$password" | openssl passwd -6 -stdin)" >> "$SMTPD_DIR/creds"
    echo "$login@$SMTPD_DOMAIN $login" >> "$SMTPD_DIR/vusers"
    echo "$login $vuid:$vgid:$MAIL_DIR/$login" >> "$SMTPD_DIR/userbase"
  done
  # "postmaster" (any case, any of our domains) is the first user's: RFC 5321 §4.5.1.
  echo "postmaster ${USERS[0]%%:*}" >> "$SMTPD_DIR/vusers"
  chmod 640 "$SMTPD_DIR/creds"
  timeout 10 "$SMTPD_TREE/usr/sbin/smtpd" -n -f "$SMTPD_DIR/smtpd.conf" >"$LOG_DIR/opensmtpd.log" 2>&1 \
    || { cat "$LOG_DIR/opensmtpd.log" >&2; die "OpenSMTPD refused its config"; }
  # unshare without --fork execs in place: $! is the shell, then smtpd itself.
  setsid unshare --mount --propagation private sh -c '
    mount --bind "$1/spool" /var/spool/smtpd && mount --bind "$1/run" /run &&
    mount --bind "$2/usr/libexec/opensmtpd" /usr/libexec/opensmtpd &&
    exec "$2/usr/sbin/smtpd" -d -f "$1/smtpd.conf"' sh "$SMTPD_DIR" "$SMTPD_TREE" \
    </dev/null >>"$LOG_DIR/opensmtpd.log" 2>&1 &
  echo $! > "$SMTPD_PIDFILE"
}

smtpd_stop() { stop_pidfile "OpenSMTPD" "$SMTPD_PIDFILE" 10; }

# Delivered mail sits in Dovecot's Maildirs (../reset-mail.sh empties them);
# what is still queued is dropped with smtpctl inside the instance's namespace.
smtpd_reset() {
  local pid
  pid=$(live_pid "$SMTPD_PIDFILE")
  [ -n "$pid" ] || return 0
  timeout 10 nsenter --target "$pid" --mount "$SMTPD_TREE/usr/sbin/smtpctl" remove all >/dev/null 2>&1 || true
}

# Only the plain port: every TLS handshake of this OpenSMTPD fails (see the README), so a greeting
# on the implicit-TLS port never comes; smtpd opens both listeners together.
smtpd_probes() { printf '%s\n' "opensmtpd:$SMTPD_PORT:plain:^220 "; }
