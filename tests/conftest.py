"""Shared pytest fixtures. Wire-server fixtures live in tests/support/fixtures.py."""

import os
import tempfile

from support.fixtures import anthropic_server, local_network_only, openai_server

# Inspect caches model answers under the user's cache directory, which other runs on the same
# machine share: a test must never be answered from someone else's cached judge votes.
os.environ["INSPECT_CACHE_DIR"] = tempfile.mkdtemp(prefix="afscope-tests-inspect-cache-")

__all__ = ["anthropic_server", "local_network_only", "openai_server"]
