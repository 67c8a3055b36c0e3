"""The standard-library transport's own promises, beyond the shared contract (tests/test_rpc.py runs that)."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import json
import os
import ssl
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.support.anvil import Anvil, write_chain_file
from tests.support.chain import Chain, account
from txdiag.chains import Endpoint, redact
from txdiag.errors import Reason
from txdiag.rpc.plain import PlainTransport
from txdiag.rpc.transport import TransientError

BODY = b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}'


@pytest.mark.asyncio
async def test_one_kept_alive_connection_per_endpoint_and_no_tls_for_http(node_a: Anvil) -> None:
    transport = PlainTransport()
    endpoint = Endpoint(node_a.url, redact(node_a.url))
    try:
        socks = []
        for _ in range(3):
            posted = await transport.post(endpoint, BODY, seconds=5.0, max_bytes=64 * 1024)
            assert b'"result":"0x7a69"' in posted.raw
            (conn,) = transport._idle[node_a.url]
            socks.append(conn.sock)
        assert socks[0] is not None
        assert socks == [socks[0]] * 3  # three requests in turn, one kept-alive connection
        assert transport._ssl is None  # an http:// node never builds a TLS context (nor reads the CA bundle)
    finally:
        await transport.close()
    assert transport._idle == {}


# --- https: a real TLS server on loopback, with a throwaway certificate authority ---------------------------------


class _Forward(http.server.BaseHTTPRequestHandler):
    """Each POST's body goes to the node behind; its answer comes back as it is, on a kept-alive connection."""

    protocol_version = "HTTP/1.1"
    server: _TLSServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        req = urllib.request.Request(self.server.node_url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            answer = resp.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _TLSServer(http.server.ThreadingHTTPServer):
    """HTTPS in front of a node: the handshake runs in the connection's own thread, so a refused one ends only it."""

    daemon_threads = True

    def __init__(self, node_url: str, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        self.node_url = node_url
        self.context = context
        self.handshakes_refused = 0
        self.refused = threading.Event()  # set once a handshake was refused: the server thread sees it after the client

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            self.handshakes_refused += 1  # the client would not trust this certificate
            self.refused.set()
            return
        with tls:
            self.RequestHandlerClass(tls, client_address, self)


@dataclass
class Https:
    """An https:// endpoint on loopback in front of a node, and the file of the authority that signed its cert."""

    server: _TLSServer
    ca_file: Path

    def url(self, path: str = "") -> str:
        return f"https://127.0.0.1:{self.server.server_address[1]}{path}"


@contextlib.contextmanager
def https_in_front(node: Anvil, tmp_path: Path, *, names: tuple[str, ...] = ("127.0.0.1",)) -> Iterator[Https]:
    """A TLS server whose certificate, for ``names``, is signed by a fresh authority (trusted by nobody yet)."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = _TLSServer(node.url, context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Https(server, ca_file)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.asyncio
async def test_https_endpoint_signed_by_a_trusted_authority_answers(
    node_a: Anvil, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A certificate that verifies (its authority in SSL_CERT_FILE, its name the host): the node answers over TLS."""
    with https_in_front(node_a, tmp_path) as https:
        monkeypatch.setenv("SSL_CERT_FILE", str(https.ca_file))  # OpenSSL's own variable: the default context reads it
        transport = PlainTransport()
        endpoint = Endpoint(https.url("/v3/secret-key"), redact(https.url("/v3/secret-key")))
        try:
            posted = await transport.post(endpoint, BODY, seconds=10.0, max_bytes=64 * 1024)
            assert b'"result":"0x7a69"' in posted.raw
            assert transport._ssl is not None
            assert transport._ssl.verify_mode is ssl.CERT_REQUIRED
            assert transport._ssl.check_hostname
            (conn,) = transport._idle[https.url("/v3/secret-key")]
            assert isinstance(conn.sock, ssl.SSLSocket)  # the answer came over TLS
        finally:
            await transport.close()
        assert https.server.handshakes_refused == 0


@pytest.mark.parametrize(
    ("names", "trusted"),
    [(("127.0.0.1",), False), (("node.example.invalid",), True)],
    ids=["unknown-authority", "another-name"],
)
@pytest.mark.asyncio
async def test_https_endpoint_that_does_not_verify_is_an_endpoint_fault(
    node_a: Anvil, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, names: tuple[str, ...], trusted: bool
) -> None:
    """An untrusted or misnamed certificate: refused at the handshake, a TransientError naming the endpoint redacted."""
    with https_in_front(node_a, tmp_path, names=names) as https:
        if trusted:
            monkeypatch.setenv("SSL_CERT_FILE", str(https.ca_file))
        else:  # the authorities trusted are another throwaway one's: the server's is unknown
            other = tmp_path / "other-ca.pem"
            trustme.CA().cert_pem.write_to_path(str(other))
            monkeypatch.setenv("SSL_CERT_FILE", str(other))
        transport = PlainTransport()
        url = https.url("/v3/secret-key")
        try:
            with pytest.raises(TransientError) as caught:
                await transport.post(Endpoint(url, redact(url)), BODY, seconds=10.0, max_bytes=64 * 1024)
        finally:
            await transport.close()
        # the client gives up first; the server's thread notes the refused handshake a moment later
        seen = await asyncio.to_thread(https.server.refused.wait, 10.0)
    error = caught.value
    assert error.reason is Reason.REFUSED
    assert isinstance(error.__cause__, ssl.SSLCertVerificationError)  # verification refused it, not the network
    assert error.endpoint == f"https://127.0.0.1:{https.server.server_address[1]}/…"
    assert "secret-key" not in str(error)
    assert seen  # the server saw the client walk away during the handshake
    assert https.server.handshakes_refused >= 1


def test_cli_over_https_answers_with_the_authority_trusted_and_refuses_without(
    chain_a: Chain, node_a: Anvil, tmp_path: Path
) -> None:
    """`txdiag diagnose` over https: with the CA in SSL_CERT_FILE a diagnosis; without, exit 3, endpoint redacted."""
    tx_hash = chain_a.send(account(0), account(5).address, value=10**15, gas=21_000)
    with https_in_front(node_a, tmp_path) as https:
        write_chain_file(tmp_path / "chains", "alpha", 31337, [https.url("/v3/secret-key")])
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSL_CERT")}
        command = [sys.executable, "-m", "txdiag", "diagnose", tx_hash, "--chains-dir", str(tmp_path / "chains")]
        trusted = subprocess.run(
            [*command, "--json"],
            env={**env, "SSL_CERT_FILE": str(https.ca_file)},
            capture_output=True,
            text=True,
            check=False,
        )
        refused = subprocess.run(
            command, env={**env, "TXDIAG_DEADLINE": "3"}, capture_output=True, text=True, check=False
        )
    assert trusted.returncode == 0, trusted.stderr
    assert json.loads(trusted.stdout)["tx"]["from"] == account(0).address
    assert refused.returncode == 3
    (line,) = refused.stderr.strip().splitlines()
    assert f"https://127.0.0.1:{https.server.server_address[1]}/…" in line
    assert "secret-key" not in refused.stderr
    assert "Traceback" not in refused.stderr


# --- connections that were closed are never kept -------------------------------------------------------------------


class _Unavailable(http.server.BaseHTTPRequestHandler):
    """Answers every POST with a kept-alive 503, as a throttling gateway does."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = b"busy"
        self.send_response(503)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.asyncio
async def test_a_connection_closed_after_a_failure_is_not_kept_so_a_refusal_is_seen_as_one() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable)
    server.daemon_threads = True
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    transport = PlainTransport()
    endpoint = Endpoint(url, redact(url))
    try:
        with pytest.raises(TransientError) as first:
            await transport.post(endpoint, BODY, seconds=5.0, max_bytes=64 * 1024)
        assert first.value.detail == "http_503"
        assert transport._idle.get(url, []) == []  # the 503's body was not read: the connection was closed
        server.shutdown()
        server.server_close()  # the endpoint now refuses connections
        serving.join()
        with pytest.raises(TransientError) as second:
            await transport.post(endpoint, BODY, seconds=5.0, max_bytes=64 * 1024)
        assert second.value.reason is Reason.REFUSED
    finally:
        await transport.close()
