# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""testhost: the network-namespace peer the integration tests send to; records every byte it gets.

Listens on TCP 8080 (HTTP: answers 200 to anything), TCP 9000 (raw sink, IPv4 and IPv6), UDP 9999
and UDP 53 (DNS: answers every query with its own address), TCP 8443 (HTTPS, self-signed) and
8444 (the same, offering HTTP/2), and appends
one JSON line per received chunk to --log. Exits by itself after --max-seconds.
"""
import argparse
import json
import os
import select
import socket
import ssl
import subprocess
import tempfile
import threading
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


def dns_answer(query, addr):
    """An answer giving addr (A) to any single-question query; NXDOMAIN-free and minimal."""
    if len(query) < 12:
        return None
    end = 12
    while end < len(query) and query[end] != 0:
        end += 1 + query[end]
    question = query[12:end + 5]
    header = query[:2] + b"\x81\x80" + b"\x00\x01\x00\x01\x00\x00\x00\x00"
    answer = b"\xc0\x0c" + b"\x00\x01\x00\x01" + b"\x00\x00\x00\x3c" + b"\x00\x04" + addr
    return header + question + answer


def serve_tls(addr, record, deadline, port=8443, h2=False):
    """HTTPS with a throwaway self-signed certificate; records the decrypted requests. On 8443
    HTTP/1.1; with h2 (8444) HTTP/2 is offered by ALPN and what its clients send is recorded."""
    tmp = tempfile.mkdtemp(prefix="idsentry-tls-")
    key, cert = os.path.join(tmp, "key.pem"), os.path.join(tmp, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=idsentry-test"], check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    # HTTP/2 clients (curl --http2) get h2 there: what they send is recorded, then it ends
    ctx.set_alpn_protocols(["h2", "http/1.1"] if h2 else ["http/1.1"])
    srv = socket.create_server((addr, port), reuse_port=True)
    srv.settimeout(0.5)

    def handle(conn):
        conn.settimeout(5)
        buf = bytearray()
        try:
            with ctx.wrap_socket(conn, server_side=True) as tls:
                if tls.selected_alpn_protocol() == "h2":
                    # an empty SETTINGS frame; the client's preface, SETTINGS and HEADERS come
                    tls.sendall(b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
                    tls.settimeout(1)
                    try:
                        while True:
                            data = tls.recv(65536)
                            if not data:
                                break
                            record("tls", port, data)
                    except socket.timeout:
                        pass
                    # GOAWAY, no error: the client gives up on its request
                    tls.sendall(b"\x00\x00\x08\x07\x00\x00\x00\x00\x00" + bytes(8))
                    return
                while not http_complete(buf):
                    data = tls.recv(65536)
                    if not data:
                        break
                    record("tls", port, data)
                    buf += data
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        except (OSError, ssl.SSLError):
            pass

    while time.monotonic() < deadline:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--addr6")
    ap.add_argument("--log", required=True)
    ap.add_argument("--max-seconds", type=float, default=900)
    a = ap.parse_args()
    deadline = time.monotonic() + a.max_seconds
    http = socket.create_server((a.addr, 8080), reuse_port=True)
    raw = socket.create_server((a.addr, 9000), reuse_port=True)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((a.addr, 9999))
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind((a.addr, 53))
    listeners = {http: "http", raw: "raw"}
    if a.addr6:
        raw6 = socket.create_server((a.addr6, 9000), family=socket.AF_INET6, reuse_port=True)
        listeners[raw6] = "raw"
    conns = {}
    log = open(a.log, "a", buffering=1)
    lock = threading.Lock()

    def record(kind, port, data):
        with lock:
            log.write(json.dumps({"kind": kind, "port": port, "data": data.decode("latin-1")}) + "\n")

    threading.Thread(target=serve_tls, args=(a.addr, record, deadline), daemon=True).start()
    threading.Thread(target=serve_tls, args=(a.addr, record, deadline, 8444, True), daemon=True).start()

    while time.monotonic() < deadline:
        ready, _, _ = select.select(list(listeners) + [udp, dns] + list(conns), [], [], 0.5)
        for s in ready:
            if s is dns:
                data, peer = dns.recvfrom(65536)
                record("dns", 53, data)
                reply = dns_answer(data, socket.inet_aton(a.addr))
                if reply:
                    dns.sendto(reply, peer)
            elif s is udp:
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
