# The lane's second Postfix (sourced by start.sh, stop.sh, reset-mail.sh):
# the SMTP front of Cyrus (LMTP into lmtpd's socket) and of Mailutils
# (virtual(8) into mbox files), with its own config, queue and data
# directories beside the first instance's. Started when either server is.

lmtp_pf_start() {
  local entry address name
  command -v postfix >/dev/null || die "postfix missing: run interop/setup.sh"
  mkdir -p "$LMTP_PF_CONF/sasl" "$LMTP_PF_QUEUE" "$LMTP_PF_DATA" "$MU_DIR/mail"
  chown root:root "$LMTP_PF_QUEUE"
  chown postfix:postfix "$LMTP_PF_DATA"
  chmod 700 "$LMTP_PF_DATA"
  local vars=("PF_CONF=$LMTP_PF_CONF" "PF_QUEUE=$LMTP_PF_QUEUE" "PF_DATA=$LMTP_PF_DATA" "LOG_DIR=$LOG_DIR"
    "RUN_DIR=$RUN_DIR" "CYRUS_DOMAIN=$CYRUS_DOMAIN" "MU_DOMAIN=$MU_DOMAIN" "MU_DIR=$MU_DIR" "TLS_DIR=$TLS_DIR"
    "VMAIL_UID=$(id -u "$VMAIL_USER")" "VMAIL_GID=$(id -g "$VMAIL_USER")" "CYRUS_DIR=$CYRUS_DIR"
    "CYRUS_SMTP_PORT=$LMTP_SMTP_PORT" "CYRUS_SMTPS_PORT=$LMTP_SMTPS_PORT" "MU_SMTP_PORT=$MU_SMTP_PORT")
  render_template postfix-lmtp/main.cf.in "$LMTP_PF_CONF/main.cf" "${vars[@]}"
  render_template postfix-lmtp/master.cf.in "$LMTP_PF_CONF/master.cf" "${vars[@]}"
  render_template postfix-lmtp/sasl-smtpd.conf.in "$LMTP_PF_CONF/sasl/smtpd.conf" "${vars[@]}"
  echo "$CYRUS_DOMAIN lmtp:unix:$CYRUS_DIR/socket/lmtp" > "$LMTP_PF_CONF/transport"
  # Recipient validation for both domains; for Mailutils the value is the mbox
  # (no trailing "/": an mbox file, not a Maildir) relative to virtual_mailbox_base.
  : > "$LMTP_PF_CONF/vmailbox"
  for entry in "${CYRUS_USERS[@]}"; do
    echo "$(user_field "$entry" 3) lmtp" >> "$LMTP_PF_CONF/vmailbox"
  done
  for entry in "${MU_USERS[@]}"; do
    address=$(user_field "$entry" 3) name="${address%@*}"
    echo "$address $name/INBOX" >> "$LMTP_PF_CONF/vmailbox"
  done
  timeout 30 postfix -c "$LMTP_PF_CONF" start >"$LOG_DIR/postfix-lmtp-start.log" 2>&1 \
    || { cat "$LOG_DIR/postfix-lmtp-start.log" >&2; tail -20 "$LOG_DIR/postfix-lmtp.log" >&2 2>/dev/null; die "the LMTP postfix did not start"; }
}

lmtp_pf_stop() {
  local pid
  pid=$(live_pid "$LMTP_PF_QUEUE/pid/master.pid")
  [ -n "$pid" ] || return 0
  log "stopping the LMTP Postfix (master pid $pid)"
  timeout 20 postfix -c "$LMTP_PF_CONF" stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  wait_gone "$pid" 15 || { timeout 10 postfix -c "$LMTP_PF_CONF" abort >/dev/null 2>&1 || true; kill -KILL "$pid" 2>/dev/null || true; }
}

lmtp_pf_reset() {
  if [ -f "$LMTP_PF_CONF/main.cf" ] && [ -d "$LMTP_PF_QUEUE" ]; then
    timeout 30 postsuper -c "$LMTP_PF_CONF" -d ALL >/dev/null 2>&1 || true
  fi
}

lmtp_pf_probes() {
  printf '%s\n' "lmtp-postfix:$LMTP_SMTP_PORT:plain:^220 " "lmtp-postfix-smtps:$LMTP_SMTPS_PORT:tls:^220 " \
    "mu-postfix:$MU_SMTP_PORT:plain:^220 "
}
