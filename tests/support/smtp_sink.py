"""A real SMTP server for tests: stores every accepted mail as <n>.eml + <n>.json.

Needs aiosmtpd (Debian: python3-aiosmtpd). Prints `ready` once listening and
stops on SIGTERM/SIGINT (or, with --watch-stdin, when stdin closes).
"""

import argparse
import email
import email.policy
import json
import logging
import os
import re
import signal
import ssl
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--dir", required=True)
parser.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--require-tls", action="store_true")
parser.add_argument("--auth", help="USER:PASS")
parser.add_argument("--reject", action="append", default=[])
parser.add_argument("--watch-stdin", action="store_true")
args = parser.parse_args()

# aiosmtpd logs a deprecation warning on every successful AUTH.
logging.getLogger("mail.log").setLevel(logging.ERROR)
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
os.makedirs(args.dir, exist_ok=True)
rejected = {a.lower() for a in args.reject}
lock = threading.Lock()


def next_number():
    numbers = [int(m.group(1)) for f in os.listdir(args.dir) if (m := re.fullmatch(r"(\d+)\.json", f))]
    return max(numbers, default=0) + 1


def write_atomically(path, data):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def header(msg, name):
    try:
        value = msg[name]
        return "" if value is None else str(value)
    except Exception:
        return ""


def body(msg, kind):
    try:
        part = msg.get_body(preferencelist=(kind,))
        # Line ends as a reader sees them; the raw mail keeps its CRLF.
        return None if part is None else part.get_content().replace("\r\n", "\n")
    except Exception:
        return None


def is_encrypted(server, session):
    # Implicit TLS: the connection's transport is the TLS one from the start.
    # STARTTLS: aiosmtpd swaps in the TLS transport and fills session.ssl.
    transport = server.transport
    return bool(
        (transport is not None and transport.get_extra_info("ssl_object") is not None)
        or session.ssl
    )


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in rejected:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content or b""
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        auth = session.auth_data if session.authenticated else None
        user = auth.login.decode("utf-8", "replace") if isinstance(auth, LoginPassword) else None
        info = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": is_encrypted(server, session),
            "auth_user": user,
            "from": header(msg, "From"),
            "to": header(msg, "To"),
            "subject": header(msg, "Subject"),
            "message_id": header(msg, "Message-ID"),
            "content_type": msg.get_content_type(),
            "text": body(msg, "plain"),
            "html": body(msg, "html"),
        }
        with lock:
            n = next_number()
            write_atomically(os.path.join(args.dir, f"{n}.eml"), raw)
            data = json.dumps(info, ensure_ascii=False, indent=2).encode("utf-8")
            write_atomically(os.path.join(args.dir, f"{n}.json"), data)
        return "250 2.0.0 OK: queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    user, _, password = args.auth.partition(":")
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == user.encode()
        and auth_data.password == password.encode()
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


tls_context = None
if args.tls != "none":
    tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_context.load_cert_chain(args.cert, args.key)

smtp_params = {"data_size_limit": 100 * 1024 * 1024}
if args.tls == "starttls":
    smtp_params.update(tls_context=tls_context, require_starttls=args.require_tls)
if args.auth:
    smtp_params.update(authenticator=authenticator, auth_required=True)
    # aiosmtpd only counts STARTTLS as encryption; with implicit TLS every
    # connection is encrypted already.
    smtp_params["auth_require_tls"] = args.tls != "implicit"

controller = Controller(
    Handler(),
    hostname="127.0.0.1",
    port=args.port,
    server_hostname="localhost",
    ssl_context=tls_context if args.tls == "implicit" else None,
    **smtp_params,
)

stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
signal.signal(signal.SIGINT, lambda *_: stop.set())
if args.watch_stdin:
    threading.Thread(target=lambda: (sys.stdin.buffer.read(), stop.set()), daemon=True).start()

controller.start()
print("ready", flush=True)
while not stop.wait(0.5):
    pass
controller.stop()
