# A /dev/log datagram listener for the interop lane: Cyrus logs only to syslog
# and a container has no syslog daemon, so without this its refusals are silent.
# Appends one line per datagram to a file. Started and stopped (by pid) by
# servers/start.sh and stop.sh. Usage: python3 syslog-listener.py SOCKET FILE
# Standards: RFC 3164 (the datagrams' format, stored as received).
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
os.chmod(path, 0o666)  # every daemon writes, whatever user it runs as
with open(out, "ab", buffering=0) as f:
    while True:
        f.write(sock.recv(65536).rstrip(b"\0\n") + b"\n")
