# GNU Mailutils 3.15 imap4d and pop3d of the interop lane (sourced by
# start.sh, stop.sh, reset-mail.sh): a virtual-domain passwd file for its
# users, one config per daemon (a plain and an implicit-TLS port each), both run in the foreground (our pid files,
# stderr to log/), mbox maildrops that the LMTP Postfix's virtual(8) writes.

MU_MAIL="$MU_DIR/mail"

# mu_home ENTRY -- the user's home (its mbox INBOX lives there), named after the address.
mu_home() { local address; address=$(user_field "$1" 3); echo "$MU_MAIL/${address%@*}"; }

# Fresh, empty homes: folders are mbox files in them, the INBOX one among them.
mu_wipe() {
  local entry home
  rm -rf "${MU_MAIL:?}"
  mkdir -p "$MU_MAIL"
  for entry in "${MU_USERS[@]}"; do
    home=$(mu_home "$entry")
    mkdir -p "$home"
    : > "$home/INBOX"
  done
  chown -R "$VMAIL_USER:$VMAIL_USER" "$MU_MAIL"
  chmod -R u+rwX,go-rwx "$MU_MAIL"
  chmod 755 "$MU_MAIL"
}

mu_start() {
  local entry login program port tls_port hash passwd_file
  [ -x "$MU_IMAP4D" ] && [ -x "$MU_POP3D" ] || die "Mailutils missing: run interop/servers/setup.sh"
  mkdir -p "$MU_DIR/passwd"
  # passwd(5) format, crypt(3) hashes; the name is the login without its domain.
  passwd_file="$MU_DIR/passwd/$MU_DOMAIN"
  : > "$passwd_file"
  for entry in "${MU_USERS[@]}"; do
    login=$(user_field "$entry" 1)
    hash=$(user_field "$entry" 2 | openssl passwd -6 -stdin) || die "openssl passwd failed"
    printf '%s:%s:%s:%s:Mailutils lane user:%s:/dev/null\n' "${login%@*}" "$hash" \
      "$(id -u "$VMAIL_USER")" "$(id -g "$VMAIL_USER")" "$(mu_home "$entry")" >> "$passwd_file"
  done
  chmod 600 "$passwd_file"
  # pop3d's greeting carries a timestamp, so clients may use APOP (RFC 1939 §7): its
  # secrets live in a database of their own (login -> password, Berkeley DB hash).
  for entry in "${MU_USERS[@]}"; do
    printf '%s\n%s\n' "$(user_field "$entry" 1)" "$(user_field "$entry" 2)"
  done | db_load -T -t hash "$MU_DIR/apop.db.new" || die "db_load failed (package db-util)"
  mv -f "$MU_DIR/apop.db.new" "$MU_DIR/apop.db"
  chmod 600 "$MU_DIR/apop.db"
  # GNU SASL's password file for the mechanisms that need the clear password (SCRAM, CRAM-MD5):
  # "login<TAB>password" lines (gsasl_simple_getpass(3)); logins and passwords hold no TAB.
  for entry in "${MU_USERS[@]}"; do
    printf '%s\t%s\n' "$(user_field "$entry" 1)" "$(user_field "$entry" 2)"
  done > "$MU_DIR/gsasl-passwd"
  chmod 600 "$MU_DIR/gsasl-passwd"
  mu_wipe
  for program in imap4d pop3d; do
    local extra=""
    if [ "$program" = imap4d ]; then port=$MU_IMAP_PORT tls_port=$MU_IMAPS_PORT; else port=$MU_POP3_PORT tls_port=$MU_POP3S_PORT; fi
    [ "$program" = pop3d ] && extra="apop-database-file \"bdb://$MU_DIR/apop.db\";"
    render_template mailutils/daemon.conf.in "$MU_DIR/$program.conf" "PROGRAM=$program" "MU_DIR=$MU_DIR" \
      "PORT=$port" "TLS_PORT=$tls_port" "TLS_DIR=$TLS_DIR" "EXTRA=$extra"
    local binary=$MU_IMAP4D
    [ "$program" = pop3d ] && binary=$MU_POP3D
    "$binary" --config-file="$MU_DIR/$program.conf" --config-lint >"$LOG_DIR/mailutils-$program.log" 2>&1 \
      || { cat "$LOG_DIR/mailutils-$program.log" >&2; die "mailutils $program: config refused"; }
    setsid "$binary" --config-file="$MU_DIR/$program.conf" </dev/null >>"$LOG_DIR/mailutils-$program.log" 2>&1 &
    echo $! > "$MU_DIR/$program.pid"
  done
}

mu_stop() {
  stop_pidfile "Mailutils imap4d" "$MU_DIR/imap4d.pid" 10
  stop_pidfile "Mailutils pop3d" "$MU_DIR/pop3d.pid" 10
}

# The daemons fork one process per session and keep no state: emptying the
# mbox files is enough, with no session open.
mu_reset() { mu_wipe; }

mu_probes() {
  printf '%s\n' "mu-imap:$MU_IMAP_PORT:plain:^\\* OK" "mu-pop3:$MU_POP3_PORT:plain:^\\+OK" \
    "mu-imaps:$MU_IMAPS_PORT:tls:^\\* OK" "mu-pop3s:$MU_POP3S_PORT:tls:^\\+OK"
}
