#!/usr/bin/env bash
# Re-resolve constraints.txt from pyproject.toml's ranges in a throwaway venv. Run it on purpose
# (a new SDK release, a security fix), then run .ci/run and commit pyproject.toml and the lock together.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check -e '.[dev]'
{
    sed -n '1,/^[^#]/{/^#/p}' constraints.txt
    "$tmp/venv/bin/pip" freeze --exclude-editable
} > constraints.txt.new
mv constraints.txt.new constraints.txt
git --no-pager diff --stat constraints.txt
