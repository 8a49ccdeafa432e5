# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""testhost: the network-namespace peer the integration tests send to; records every byte it gets.

Listens on TCP 8080 (HTTP: answers 200 to anything), TCP 9000 (raw sink) and UDP 9999, and appends
one JSON line per received chunk to --log. Exits by itself after --max-seconds.
"""
import argparse
import json
import select
import socket
import time


def http_complete(buf):
    """Whether buf holds a whole HTTP request (headers and Content-Length body)."""
    head, sep, body = bytes(buf).partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip() or 0)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--max-seconds", type=float, default=900)
    a = ap.parse_args()
    deadline = time.monotonic() + a.max_seconds
    http = socket.create_server((a.addr, 8080), reuse_port=True)
    raw = socket.create_server((a.addr, 9000), reuse_port=True)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((a.addr, 9999))
    listeners = {http: "http", raw: "raw"}
    conns = {}
    log = open(a.log, "a", buffering=1)

    def record(kind, port, data):
        log.write(json.dumps({"kind": kind, "port": port, "data": data.decode("latin-1")}) + "\n")

    while time.monotonic() < deadline:
        ready, _, _ = select.select(list(listeners) + [udp] + list(conns), [], [], 0.5)
        for s in ready:
            if s is udp:
                data, _ = udp.recvfrom(65536)
                record("udp", 9999, data)
            elif s in listeners:
                c, _ = s.accept()
                conns[c] = (listeners[s], bytearray())
            else:
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    conns.pop(s)
                    s.close()
                    continue
                kind, buf = conns[s]
                record(kind, 8080 if kind == "http" else 9000, data)
                buf += data
                if kind == "http" and http_complete(buf):
                    try:
                        s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                    except OSError:
                        pass
                    conns.pop(s)
                    s.close()

if __name__ == "__main__":
    main()
