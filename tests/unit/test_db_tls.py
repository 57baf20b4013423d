"""The database's TLS: plain TCP without DB_SSL, and with it only the Amazon Trust Services roots."""

from __future__ import annotations

import contextlib
import hashlib
import socket
import ssl
import threading

from vkc.db import tls
from vkc.db.engine import make_engine
from vkc.settings import Settings

# published at https://www.amazontrust.com/repository/ (SHA-256 of the DER certificates)
FINGERPRINTS = {
    "Amazon Root CA 1": "8ecde6884f3d87b1125ba31ac3fcb13d7016de7f57cc904fe1cb97c6ae98196e",
    "Amazon Root CA 2": "1ba5b2aa8c65401a82960118f80bec4f62304d83cec4713a19c39c011ea46db4",
    "Amazon Root CA 3": "18ce6cfe7bf14e60b2e347b8dfe868cb31d02ebb3ada271569f50343b46db3a4",
    "Amazon Root CA 4": "e35d28419ed02025cfa69038cd623962458da5c695fbdea3c22b0bfb25897092",
    "Starfield Services Root Certificate Authority - G2": (
        "568d6905a2c88708a4b3025190edcfedb1974a606a13c6e5290fcb2ae63edab5"
    ),
}


def test_the_bundle_holds_exactly_the_amazon_trust_roots() -> None:
    text = tls.AMAZON_TRUST_ROOTS.read_text()
    pems = [
        f"-----BEGIN{part.split('-----END')[0]}-----END CERTIFICATE-----\n" for part in text.split("-----BEGIN")[1:]
    ]
    digests = {hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest() for pem in pems}
    assert digests == set(FINGERPRINTS.values())


def test_with_db_ssl_the_context_verifies_the_proxy_against_those_roots_only() -> None:
    context = tls.ssl_context_arg(True)
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    names = {dict(field[0] for field in ca["subject"])["commonName"] for ca in context.get_ca_certs()}
    assert names == set(FINGERPRINTS)


def test_without_db_ssl_pg8000_is_told_to_send_no_tls_request() -> None:
    """pg8000 given no context asks for TLS (and loads the whole CA bundle); False skips both."""
    assert tls.ssl_context_arg(False) is False


def test_without_db_ssl_the_first_bytes_on_the_wire_are_the_startup_message() -> None:
    """The engine's connection opens with pg8000's startup message, not an SSLRequest (80877103)."""
    listener = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def accept() -> None:
        conn, _ = listener.accept()
        with conn:
            received.append(conn.recv(8))

    thread = threading.Thread(target=accept)
    thread.start()
    settings = Settings(db_host="127.0.0.1", db_port=listener.getsockname()[1], db_ssl=False, db_socket_timeout_s=2)
    engine = make_engine(settings)
    try:
        # the fake server hangs up after reading: only what the client sent matters
        with contextlib.suppress(Exception), engine.connect():
            pass
    finally:
        engine.dispose()
        thread.join(5)
        listener.close()
    assert received
    assert received[0][4:8] != (80877103).to_bytes(4, "big")  # SSLRequest
    assert received[0][4:8] == (196608).to_bytes(4, "big")  # protocol 3.0
