"""pytest fixtures for the wire servers (registered by tests/conftest.py).

    def test_x(openai_server):
        server = openai_server(lambda req: Reply("hi"))   # started now, closed at teardown
        ... base_url=server.base_url ...

Both factories take `(responder="ok", **kwargs)` like the server classes and depend on
`local_network_only`, which points the SDKs away from any real endpoint: it removes provider
base-URL and proxy variables, sets dummy OPENAI_API_KEY / ANTHROPIC_API_KEY, and makes any
socket connection to a non-loopback address fail (and the test fail at teardown).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .wire_servers import AnthropicServer, OpenAIServer, Responder, WireServer

_CLEARED_ENV = (
    "OPENAI_BASE_URL",
    "ANTHROPIC_BASE_URL",
    "INSPECT_EVAL_MODEL_BASE_URL",
    "ANTHROPIC_AUTH_TOKEN",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


def _is_loopback(address: Any) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) else None
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def local_network_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Refuse non-loopback connections; yields the list of refused addresses."""
    for name in _CLEARED_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test")
    refused: list[Any] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(address: Any) -> None:
        if not _is_loopback(address):
            refused.append(address)
            raise ConnectionRefusedError(f"test blocked a non-local connection to {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield refused
    assert not refused, f"a test tried to leave 127.0.0.1: {refused}"


def _factory(cls: type[WireServer]) -> Iterator[Callable[..., Any]]:
    started: list[WireServer] = []

    def start(responder: Responder = "ok", **kwargs: Any) -> WireServer:
        server = cls(responder, **kwargs)
        server.start()
        started.append(server)
        return server

    yield start
    errors = []
    for server in started:
        server.close()
        errors += server.responder_errors
    if errors:
        raise RuntimeError(f"a wire-server responder raised: {errors[0]!r}") from errors[0]


@pytest.fixture
def openai_server(local_network_only: list[Any]) -> Iterator[Callable[..., OpenAIServer]]:
    """Factory `openai_server(responder="ok", **kwargs) -> OpenAIServer` (already started)."""
    yield from _factory(OpenAIServer)


@pytest.fixture
def anthropic_server(local_network_only: list[Any]) -> Iterator[Callable[..., AnthropicServer]]:
    """Factory `anthropic_server(responder="ok", **kwargs) -> AnthropicServer` (started)."""
    yield from _factory(AnthropicServer)
