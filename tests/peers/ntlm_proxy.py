#!/usr/bin/env python3
"""A loopback HTTP proxy that authenticates clients with NTLM, verified by pyspnego's
acceptor (an implementation independent of egress), for egress's end-to-end tests.

It speaks just enough HTTP/1.1 for a proxy client:

* ``CONNECT host:port``: 407 rounds on one keep-alive connection (no header -> 407 offering
  the configured schemes; ``NTLM <NEGOTIATE>`` -> 407 ``NTLM <CHALLENGE>``; ``NTLM
  <AUTHENTICATE>`` verified -> ``200 Connection established``, then bytes are relayed both
  ways to the target, which must be on loopback).
* ``GET http://host:port/path`` (absolute form, any method): the same rounds, then the request
  is sent to the origin (loopback only) and its answer relayed with a Content-Length.

A wrong answer is a 407 and the connection is closed. The NTLM state lives with the TCP
connection: an AUTHENTICATE on a connection that sent no NEGOTIATE fails. NTLMv1 and LM
responses are refused (LM_COMPAT_LEVEL=5 for pyspnego, and a check of the NT response
length before it). Basic can be offered too (``--offer NTLM,Basic``), checked against the
same credential file.

Credentials come from the file named by ``NTLM_USER_FILE``, lines ``DOMAIN:user:password``
(pyspnego's format; an empty DOMAIN for users without one).

Every event goes to ``--log`` as one line of ``key=value`` fields, the connection number
first, so a test can tell on which client connection each round came. Tokens, passwords and
hashes are never logged.

Run by hand::

    printf 'CORP:alice:secret\n' > /tmp/ntlm-users
    NTLM_USER_FILE=/tmp/ntlm-users python3 tests/peers/ntlm_proxy.py --port 3129 \
        --log /tmp/ntlm-proxy.log --offer NTLM,Basic
"""

import argparse
import base64
import itertools
import os
import socket
import socketserver
import struct
import sys
import threading

# Refuse NTLMv1 and LM responses in pyspnego's acceptor (MS "LAN Manager authentication
# level" 5); must be set before the first context is created.
os.environ["LM_COMPAT_LEVEL"] = "5"

import spnego  # noqa: E402  (after the environment it reads)

MAX_HEAD = 16 * 1024
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
SIGNATURE = b"NTLMSSP\x00"


class Log:
    """Appends one line per event to a file, whole lines only (threads share it)."""

    def __init__(self, path):
        self.lock = threading.Lock()
        self.file = open(path, "a", encoding="utf-8") if path else None

    def event(self, conn, event, **fields):
        parts = [f"conn={conn}", f"event={event}"]
        for key, value in fields.items():
            text = str(value).replace(" ", "_").replace("\n", "_").replace("\r", "_")
            parts.append(f"{key}={text}")
        line = " ".join(parts) + "\n"
        with self.lock:
            if self.file:
                self.file.write(line)
                self.file.flush()
            else:
                sys.stderr.write(line)


def read_credentials(path):
    """(domain upper, user upper) -> password, for Basic; pyspnego reads the file itself."""
    users = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\r\n").split(":")
            if len(parts) == 3:
                users[(parts[0].upper(), parts[1].upper())] = parts[2]
    return users


def ntlm_message_type(blob):
    """The NTLM message type (1, 2, 3), or None when the bytes are not an NTLM message."""
    if len(blob) < 12 or blob[:8] != SIGNATURE:
        return None
    return struct.unpack_from("<I", blob, 8)[0]


def authenticate_fields(blob):
    """From an AUTHENTICATE message: NT response length, domain and user (UTF-16LE)."""

    def field(at):
        length, _, offset = struct.unpack_from("<HHI", blob, at)
        return blob[offset : offset + length]

    nt = field(20)
    domain = field(28).decode("utf-16-le", "replace")
    user = field(36).decode("utf-16-le", "replace")
    return len(nt), domain, user


class Head:
    """A parsed request head."""

    def __init__(self, method, target, version, headers):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers  # list of (name, value), as received

    def get(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def read_head(sock, buffered):
    """Reads one request head; returns (Head or None at EOF, bytes after the head)."""
    data = buffered
    while b"\r\n\r\n" not in data:
        if len(data) > MAX_HEAD:
            raise ValueError("request head larger than 16 KiB")
        chunk = sock.recv(65536)
        if not chunk:
            if data:
                raise ValueError("connection closed inside a request head")
            return None, b""
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, target, version = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return Head(method, target, version, headers), rest


def read_exact(sock, buffered, length):
    """`length` bytes of body: from `buffered` first, then the socket."""
    data = buffered
    while len(data) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ValueError("connection closed inside a request body")
        data += chunk
    return data[:length], data[length:]


def split_authority(authority, default_port):
    if authority.startswith("["):
        host, _, rest = authority[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = authority.rpartition(":") if ":" in authority else (authority, "", "")
    return host, int(port) if port else default_port


def relay(a, b):
    """Copies bytes from a to b until EOF, then half-closes b."""
    try:
        while True:
            chunk = a.recv(65536)
            if not chunk:
                break
            b.sendall(chunk)
    except OSError:
        pass
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass


class Handler(socketserver.BaseRequestHandler):
    """One client connection: its own NTLM context, its own number in the log."""

    def setup(self):
        server = self.server
        self.conn = next(server.counter)
        self.log = server.log
        self.context = None  # pyspnego acceptor after a NEGOTIATE on this connection
        self.authenticated = False
        self.buffered = b""

    def reply(self, status, reason, headers=(), body=b"", close=False):
        lines = [f"HTTP/1.1 {status} {reason}"]
        lines += [f"{k}: {v}" for k, v in headers]
        lines.append(f"Content-Length: {len(body)}")
        lines.append("Connection: close" if close else "Connection: keep-alive")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        self.request.sendall(data)

    def challenge(self, close=False, token=None):
        """A 407: `NTLM <token>` mid-handshake, else every offered scheme."""
        if token is not None:
            offers = [("Proxy-Authenticate", "NTLM " + base64.b64encode(token).decode())]
        else:
            offers = []
            for scheme in self.server.offer:
                if scheme == "NTLM":
                    offers.append(("Proxy-Authenticate", "NTLM"))
                elif scheme == "Basic":
                    offers.append(("Proxy-Authenticate", 'Basic realm="egress-ntlm"'))
        body = b"Proxy authentication required\n"
        self.reply(407, "Proxy Authentication Required", offers, body, close)

    def handle(self):
        self.log.event(self.conn, "accept")
        try:
            while True:
                head, self.buffered = read_head(self.request, self.buffered)
                if head is None:
                    break
                if not self.one_request(head):
                    break
        except (OSError, ValueError) as e:
            self.log.event(self.conn, "error", reason=type(e).__name__)
        self.log.event(self.conn, "close")

    def one_request(self, head):
        """Handles one request; False when the connection is done."""
        length = int(head.get("Content-Length") or 0)
        body, self.buffered = read_exact(self.request, self.buffered, length)
        authorization = head.get("Proxy-Authorization")
        scheme = authorization.split(" ", 1)[0] if authorization else "none"
        self.log.event(
            self.conn, "request", method=head.method, target=head.target, auth=scheme
        )
        if not self.authenticated:
            verdict = self.authenticate(authorization)
            if verdict != "ok":
                return verdict == "continue"
        if head.method == "CONNECT":
            self.tunnel(head)
            return False
        return self.forward(head, body)

    def authenticate(self, authorization):
        """'ok' (go on with the request), 'continue' (407 sent, keep reading), 'close'."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() == "ntlm" and "NTLM" in self.server.offer:
            return self.ntlm_round(token.strip())
        if scheme.lower() == "basic" and "Basic" in self.server.offer:
            return self.basic(token.strip())
        if scheme:
            self.log.event(self.conn, "unoffered-scheme", scheme=scheme)
        self.challenge()
        return "continue"

    def ntlm_round(self, token):
        try:
            blob = base64.b64decode(token, validate=True)
        except ValueError:
            blob = b""
        kind = ntlm_message_type(blob)
        if kind == 1:
            # A NEGOTIATE always starts over, on this connection only.
            self.context = spnego.server(protocol="ntlm", options=spnego.NegotiateOptions.use_ntlm)
            challenge = self.context.step(blob)
            self.log.event(self.conn, "ntlm-negotiate")
            self.log.event(self.conn, "ntlm-challenge")
            self.challenge(token=challenge)
            return "continue"
        if kind == 3:
            try:
                nt_len, domain, user = authenticate_fields(blob)
            except struct.error:
                nt_len, domain, user = 0, "", ""
            who = {"domain": domain or "-", "user": user or "-"}
            if self.context is None:
                self.log.event(self.conn, "ntlm-rejected", reason="no-negotiate-on-this-connection", **who)
                self.challenge(close=True)
                return "close"
            context, self.context = self.context, None
            if nt_len <= 24:
                self.log.event(self.conn, "ntlm-rejected", reason="ntlmv1-or-lm", **who)
                self.challenge(close=True)
                return "close"
            try:
                context.step(blob)
            except Exception as e:  # pyspnego raises its own SpnegoError subclasses
                self.log.event(self.conn, "ntlm-rejected", reason=type(e).__name__, **who)
                self.challenge(close=True)
                return "close"
            if not context.complete:
                self.log.event(self.conn, "ntlm-rejected", reason="incomplete", **who)
                self.challenge(close=True)
                return "close"
            self.authenticated = True
            self.log.event(self.conn, "ntlm-authenticated", **who)
            return "ok"
        self.log.event(self.conn, "ntlm-rejected", reason="not-an-ntlm-message")
        self.challenge(close=True)
        return "close"

    def basic(self, token):
        try:
            user, _, password = base64.b64decode(token, validate=True).decode().partition(":")
        except ValueError:
            user, password = "", None
        domain, _, name = user.rpartition("\\")
        expected = self.server.users.get((domain.upper(), name.upper()))
        if expected is not None and expected == password:
            self.authenticated = True
            self.log.event(self.conn, "basic-authenticated", domain=domain or "-", user=name)
            return "ok"
        self.log.event(self.conn, "basic-rejected", domain=domain or "-", user=name or "-")
        self.challenge(close=True)
        return "close"

    def target_socket(self, host, port):
        if host not in LOOPBACK_HOSTS:
            return None
        return socket.create_connection((host.strip("[]"), port), timeout=10)

    def tunnel(self, head):
        host, port = split_authority(head.target, 443)
        try:
            upstream = self.target_socket(host, port)
        except OSError:
            upstream = None
        if upstream is None:
            self.log.event(self.conn, "connect-failed", target=head.target)
            self.reply(502, "Bad Gateway", body=b"cannot reach the target\n", close=True)
            return
        upstream.settimeout(None)
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.log.event(self.conn, "tunnel", target=head.target)
        if self.buffered:
            upstream.sendall(self.buffered)
            self.buffered = b""
        back = threading.Thread(target=relay, args=(upstream, self.request), daemon=True)
        back.start()
        relay(self.request, upstream)
        back.join()
        upstream.close()

    def forward(self, head, body):
        """An absolute-form request: sent to the origin as HTTP/1.0 (so it ends by closing),
        its answer relayed with a Content-Length."""
        if not head.target.startswith("http://"):
            self.reply(400, "Bad Request", body=b"absolute-form http:// target expected\n", close=True)
            return False
        authority, _, path = head.target[len("http://") :].partition("/")
        host, port = split_authority(authority, 80)
        try:
            upstream = self.target_socket(host, port)
        except OSError:
            upstream = None
        if upstream is None:
            self.reply(502, "Bad Gateway", body=b"cannot reach the origin\n", close=True)
            return False
        skip = {"proxy-authorization", "proxy-connection", "connection", "keep-alive", "content-length"}
        lines = [f"{head.method} /{path} HTTP/1.0"]
        lines += [f"{k}: {v}" for k, v in head.headers if k.lower() not in skip]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        # HTTP/1.0 alone does not make every server close; the answer is read to EOF.
        lines.append("Connection: close")
        upstream.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        answer = b""
        while True:
            chunk = upstream.recv(65536)
            if not chunk:
                break
            answer += chunk
        upstream.close()
        status_head, _, content = answer.partition(b"\r\n\r\n")
        status_lines = status_head.decode("latin-1").split("\r\n")
        _, status, reason = (status_lines[0].split(" ", 2) + [""])[:3]
        drop = {"connection", "keep-alive", "transfer-encoding", "content-length"}
        headers = []
        for line in status_lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() not in drop:
                headers.append((name.strip(), value.strip()))
        self.log.event(self.conn, "forward", target=head.target, status=status)
        if head.method == "HEAD":
            content = b""
        self.reply(int(status), reason, headers, content)
        return True


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1")
    parser.add_argument("--log", help="event log file (default: stderr)")
    parser.add_argument(
        "--offer", default="NTLM", help="schemes offered in a 407, comma-separated: NTLM,Basic"
    )
    args = parser.parse_args()
    user_file = os.environ.get("NTLM_USER_FILE")
    if not user_file or not os.path.isfile(user_file):
        sys.exit("NTLM_USER_FILE must name a file of DOMAIN:user:password lines")
    offer = [s.strip() for s in args.offer.split(",") if s.strip()]
    unknown = [s for s in offer if s not in ("NTLM", "Basic")]
    if unknown or not offer:
        sys.exit(f"--offer takes NTLM and/or Basic, not {args.offer!r}")
    server = Server(("127.0.0.1", args.port), Handler)
    server.counter = itertools.count(1)
    server.log = Log(args.log)
    server.offer = offer
    server.users = read_credentials(user_file)
    print(f"ntlm_proxy listening on 127.0.0.1:{args.port}, offering {','.join(offer)}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
