"""Shared pytest fixtures. Wire-server fixtures live in tests/support/fixtures.py."""

from support.fixtures import anthropic_server, local_network_only, openai_server

__all__ = ["anthropic_server", "local_network_only", "openai_server"]
