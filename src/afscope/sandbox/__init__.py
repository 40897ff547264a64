"""The bubblewrap sandbox that agentic commands run in (never on the host).

:class:`Sandbox` is the Inspect-free core: a per-sample work directory (host side) bound at
``/workspace``, each command a fresh ``bwrap`` with no network, a cleared environment, its own PID
namespace and the :class:`Limits`. :mod:`afscope.harness._sandbox` registers it with
Inspect as the ``bwrap`` sandbox environment (the default of afscope's agentic tasks).
"""

from afscope.sandbox._bwrap import (
    BWRAP_INSTALL_HINT,
    WORKDIR,
    BwrapMissingError,
    CommandResult,
    Limits,
    Sandbox,
    remove_stale_sandboxes,
)

__all__ = [
    "BWRAP_INSTALL_HINT",
    "WORKDIR",
    "BwrapMissingError",
    "CommandResult",
    "Limits",
    "Sandbox",
    "remove_stale_sandboxes",
]
