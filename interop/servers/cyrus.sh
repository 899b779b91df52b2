# Cyrus IMAP 3.6 (IMAP, POP3) of the interop lane (sourced by start.sh,
# stop.sh, reset-mail.sh): generates imapd.conf and cyrus.conf, the sasldb of
# its users, runs master(8) and stops it by pid. Mail reaches it only through
# lmtpd's unix socket, fed by the second Postfix (postfix-lmtp.sh).

CYRUS_CONF="$CYRUS_DIR/imapd.conf"
CYRUS_PIDFILE="$CYRUS_DIR/master.pid"

# The mailbox database and spool are Cyrus's own: emptying means a fresh
# lib/ and spool/ while master is down (INBOXes come back on first use).
cyrus_wipe() {
  rm -rf "${CYRUS_DIR:?}/lib" "$CYRUS_DIR/spool" "$CYRUS_DIR/sieve"
  mkdir -p "$CYRUS_DIR"/lib/{db,proc,socket,log,msg,user,quota,lock} "$CYRUS_DIR/spool" "$CYRUS_DIR/sieve" "$CYRUS_DIR/socket"
  chown -R cyrus:mail "$CYRUS_DIR/lib" "$CYRUS_DIR/spool" "$CYRUS_DIR/sieve" "$CYRUS_DIR/socket"
}

cyrus_configure() {
  local entry login
  mkdir -p "$CYRUS_DIR"
  render_template cyrus/imapd.conf.in "$CYRUS_CONF" "CYRUS_DIR=$CYRUS_DIR" "DOMAIN=$CYRUS_DOMAIN" \
    "LANE=$(basename "$RUN_DIR")"
  render_template cyrus/cyrus.conf.in "$CYRUS_DIR/cyrus.conf" "CYRUS_BIN=$CYRUS_BIN" "CONF=$CYRUS_CONF" \
    "IMAPD=$CYRUS_IMAPD" "POP3D=$CYRUS_POP3D" "IMAP_PORT=$CYRUS_IMAP_PORT" "POP3_PORT=$CYRUS_POP3_PORT" \
    "IMAPS_PORT=$CYRUS_IMAPS_PORT" "POP3S_PORT=$CYRUS_POP3S_PORT" "LMTP_PORT=$CYRUS_LMTP_PORT" "CYRUS_DIR=$CYRUS_DIR"
  # The realm is the servername: Cyrus looks users up as login@mail.<domain>,
  # and the Postfix in front sets smtpd_sasl_local_domain to the same.
  rm -f "$CYRUS_DIR/sasldb2"
  for entry in "${CYRUS_USERS[@]}"; do
    login=$(user_field "$entry" 1)
    user_field "$entry" 2 | saslpasswd2 -p -c -f "$CYRUS_DIR/sasldb2" -u "mail.$CYRUS_DOMAIN" "$login" \
      || die "saslpasswd2 failed for $login"
  done
  # Read by Cyrus (owner) and by the Postfix in front (group) for SMTP AUTH.
  chown cyrus:postfix "$CYRUS_DIR/sasldb2"
  chmod 640 "$CYRUS_DIR/sasldb2"
  # imapd and pop3d read the key as user cyrus, after master dropped root.
  install -m 600 -o cyrus -g mail "$TLS_DIR/key.pem" "$CYRUS_DIR/tls-key.pem"
  install -m 644 -o cyrus -g mail "$TLS_DIR/cert.pem" "$CYRUS_DIR/tls-cert.pem"
  chown cyrus:mail "$CYRUS_DIR" "$CYRUS_CONF" "$CYRUS_DIR/cyrus.conf"
}

cyrus_start() {
  [ -x "$CYRUS_IMAPD" ] && [ -x "$CYRUS_POP3D" ] && [ -x "$CYRUS_BIN/master" ] || die "Cyrus missing: run interop/servers/setup.sh"
  cyrus_configure
  cyrus_wipe
  # master daemonizes after binding its listeners and writes the pid file.
  timeout 30 "$CYRUS_BIN/master" -C "$CYRUS_CONF" -M "$CYRUS_DIR/cyrus.conf" -p "$CYRUS_PIDFILE" -d \
    >"$LOG_DIR/cyrus-start.log" 2>&1 || { cat "$LOG_DIR/cyrus-start.log" >&2; tail -20 "$SYSLOG_FILE" >&2 2>/dev/null; die "cyrus master did not start"; }
}

cyrus_stop() { stop_pidfile "Cyrus master" "$CYRUS_PIDFILE" 15; }

cyrus_reset() {
  if [ -n "$(live_pid "$CYRUS_PIDFILE")" ]; then cyrus_stop; cyrus_start; else cyrus_wipe; fi
}

# One probe-greeting.mjs spec a line (a regex may hold spaces).
cyrus_probes() {
  printf '%s\n' "cyrus-imap:$CYRUS_IMAP_PORT:plain:^\\* OK" "cyrus-pop3:$CYRUS_POP3_PORT:plain:^\\+OK" \
    "cyrus-imaps:$CYRUS_IMAPS_PORT:tls:^\\* OK" "cyrus-pop3s:$CYRUS_POP3S_PORT:tls:^\\+OK" \
    "cyrus-lmtp:$CYRUS_LMTP_PORT:plain:^220 "
}
