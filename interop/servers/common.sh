# Shared settings for the lane's further servers (sourced, never run): Cyrus
# IMAP (behind a Postfix that delivers over LMTP), OpenSMTPD (delivering into
# the Maildirs the lane's Dovecot serves) and GNU Mailutils imap4d/pop3d (behind
# the same LMTP Postfix). Owns their port plan, domains, users, run-directory
# layout and the helpers their scripts share (issue 12 §2). Builds on ../common.sh.
# shellcheck source=../common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
SERVERS_SRC="$INTEROP_SRC/servers"
ALL_SERVERS=(cyrus opensmtpd mailutils)

# Debian declares these packages in conflict with Postfix/Dovecot (they provide
# mail-transport-agent, imap-server, pop3-server): setup.sh unpacks them here
# with dpkg-deb -x, one directory per package, and their binaries run from it.
PKG_ROOT="${MAILCONFORM_INTEROP_PKG_ROOT:-/opt/mailconform-interop}"
CYRUS_IMAPD="$PKG_ROOT/cyrus-imapd/usr/lib/cyrus/bin/imapd"
CYRUS_POP3D="$PKG_ROOT/cyrus-pop3d/usr/lib/cyrus/bin/pop3d"
CYRUS_BIN=/usr/lib/cyrus/bin        # master, lmtpd, ctl_cyrusdb: from cyrus-common, installed normally
SMTPD_TREE="$PKG_ROOT/opensmtpd"
MU_IMAP4D="$PKG_ROOT/mailutils-imap4d/usr/sbin/imap4d"
MU_POP3D="$PKG_ROOT/mailutils-pop3d/usr/sbin/pop3d"

# Every server gets a domain of its own, none of them example.test, so a suite
# that writes the reference server's domain into a test fails here.
CYRUS_DOMAIN="cyrus.interop.example"
SMTPD_DOMAIN="opensmtpd.interop.example"
MU_DOMAIN="mailutils.interop.example"

# Users: login|password|address. Logins and passwords need quoting in IMAP
# (a space, a '"'). No login has a space: Cyrus's LMTP refuses such a local
# part, and POP3's USER cannot carry one ("Keywords and arguments are each
# separated by a single SPACE character", RFC 1939 §3; Mailutils answers
# "-ERR Invalid arguments"); passwords may (RFC 1939 §7 lets PASS keep spaces).
CYRUS_USERS=('carol|carol pw"1|carol@cyrus.interop.example' 'dave|dave "pw" 2|dave@cyrus.interop.example')
MU_USERS=('o"hara@mailutils.interop.example|o"h pw|ohara@mailutils.interop.example'
          'ann.lee@mailutils.interop.example|ann pw "2"|ann.lee@mailutils.interop.example')
# OpenSMTPD delivers into the Maildirs of the lane's Dovecot, so its users are
# Dovecot's (../common.sh USERS) with addresses in OpenSMTPD's domain.

# Port plan: offsets below 1000 from the lane's base, clear of ../common.sh's
# (25, 110, 143, 587, 993, 995), so lanes on bases 1000 apart never collide.
new_ports_from_base() {
  local base="$1"
  LMTP_SMTP_PORT=$((base + 225))      # Postfix in front of Cyrus (AUTH only after STARTTLS)
  LMTP_SMTPS_PORT=$((base + 265))     # the same, implicit TLS (RFC 8314)
  CYRUS_POP3_PORT=$((base + 210))
  CYRUS_IMAP_PORT=$((base + 243))
  CYRUS_POP3S_PORT=$((base + 295))    # implicit TLS (RFC 8314)
  CYRUS_IMAPS_PORT=$((base + 293))
  CYRUS_LMTP_PORT=$((base + 224))     # lmtpd on TCP (RFC 2033), for suites/lmtp; Postfix uses the unix socket
  SMTPD_PORT=$((base + 325))          # OpenSMTPD
  SMTPD_SMTPS_PORT=$((base + 365))    # the same, implicit TLS (RFC 8314)
  MU_SMTP_PORT=$((base + 425))        # the same Postfix, listening for the Mailutils domain
  MU_POP3_PORT=$((base + 410))
  MU_IMAP_PORT=$((base + 443))
  MU_POP3S_PORT=$((base + 495))       # implicit TLS (RFC 8314)
  MU_IMAPS_PORT=$((base + 493))
}

LMTP_PF_CONF="$RUN_DIR/postfix-lmtp"          # config_directory of the second Postfix
LMTP_PF_QUEUE="$RUN_DIR/postfix-lmtp-queue"
LMTP_PF_DATA="$RUN_DIR/postfix-lmtp-data"
CYRUS_DIR="$RUN_DIR/cyrus"                   # imapd.conf, cyrus.conf, sasldb2, lib/, spool/, socket/
SMTPD_DIR="$RUN_DIR/opensmtpd"               # smtpd.conf, tables, spool/, run/
MU_DIR="$RUN_DIR/mailutils"                  # configs, passwd/<domain>, mail/<name>/INBOX (mbox)
SYSLOG_FILE="$LOG_DIR/syslog.log"            # Cyrus logs only to syslog
TARGETS_DIR="$RUN_DIR/targets"

# yaml_quote S -- S as a single-quoted YAML scalar (quotes and spaces survive).
yaml_quote() { local s="${1//\'/\'\'}"; printf "'%s'" "$s"; }

# user_field ENTRY N -- field N (1 login, 2 password, 3 address) of a login|password|address entry.
user_field() { local IFS='|'; local -a f; read -r -a f <<< "$1"; printf '%s' "${f[$(($2 - 1))]}"; }

# render_template TEMPLATE OUTPUT NAME=VALUE... -- replaces @NAME@ by VALUE, refuses leftovers.
render_template() {
  local template="$1" out="$2" text pair
  shift 2
  text=$(cat "$INTEROP_SRC/templates/$template")
  for pair in "$@"; do text="${text//@${pair%%=*}@/${pair#*=}}"; done
  printf '%s\n' "$text" > "$out"
  if grep -q '@[A-Z_]*@' "$out"; then die "unreplaced placeholder in $out: $(grep -o '@[A-Z_]*@' "$out" | head -1)"; fi
}

# live_pid FILE -- the pid in FILE on stdout when that process is alive.
live_pid() {
  local pid
  [ -f "$1" ] || return 0
  pid=$(tr -dc '0-9' < "$1")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

# stop_pidfile NAME FILE SECONDS -- SIGTERM the process in FILE, SIGKILL after SECONDS.
stop_pidfile() {
  local pid
  pid=$(live_pid "$2")
  [ -n "$pid" ] || { rm -f "$2"; return 0; }
  log "stopping $1 (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  wait_gone "$pid" "$3" || { log "$1 still running after $3 s: killing"; kill -KILL "$pid" 2>/dev/null || true; }
  rm -f "$2"
}

# ports_free PORT... -- dies when one is in use on the host.
ports_free() {
  local p busy=()
  for p in "$@"; do
    if ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then busy+=("$p"); fi
  done
  [ "${#busy[@]}" -eq 0 ] || die "port(s) ${busy[*]} already in use on this host: choose another --base"
}

# syslog_start -- a /dev/log listener writing $SYSLOG_FILE, unless one answers
# already (another lane's: its file then gets our lines too, see README).
SYSLOG_PIDFILE="$RUN_DIR/syslog-listener.pid"
syslog_start() {
  if [ -S /dev/log ] && python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.connect("/dev/log")' 2>/dev/null; then
    return 0
  fi
  rm -f /dev/log
  setsid python3 "$SERVERS_SRC/syslog-listener.py" /dev/log "$SYSLOG_FILE" </dev/null >>"$LOG_DIR/syslog-listener.log" 2>&1 &
  echo $! > "$SYSLOG_PIDFILE"
  local deadline=$((SECONDS + 10))
  until [ -S /dev/log ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "the syslog listener did not bind /dev/log (see $LOG_DIR/syslog-listener.log)"
    sleep 0.05
  done
}
# syslog_stop -- stops our listener (never another lane's) and removes its socket.
syslog_stop() {
  [ -n "$(live_pid "$SYSLOG_PIDFILE")" ] || { rm -f "$SYSLOG_PIDFILE"; return 0; }
  stop_pidfile "syslog listener" "$SYSLOG_PIDFILE" 5
  rm -f /dev/log
}
