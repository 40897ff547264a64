"""Test-only helpers shared by afscope's tests (not shipped with the package)."""
