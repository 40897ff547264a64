#!/usr/bin/env bash
# Make sure bubblewrap (bwrap) exists and can create its namespaces here: the agentic tasks and
# the sandbox security tests run every model command inside it. Installs Debian's package if missing.
set -euo pipefail

if ! command -v bwrap >/dev/null 2>&1; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "ensure-bwrap: bwrap is missing and apt-get is not available;" \
             "install bubblewrap with your package manager" >&2
        exit 1
    fi
    SUDO=""
    if [[ "$(id -u)" != "0" ]]; then
        if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
            echo "ensure-bwrap: need root (or sudo) to apt-get install bubblewrap" >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null
fi

# user namespaces must work (also as root, and as the unprivileged uid the sandbox uses as root)
if ! bwrap --ro-bind / / --unshare-all --die-with-parent true 2>/dev/null; then
    echo "ensure-bwrap: bwrap is installed but cannot create namespaces" \
         "(check /proc/sys/user/max_user_namespaces and kernel.unprivileged_userns_clone)" >&2
    exit 1
fi
if [[ "$(id -u)" == "0" ]] && command -v setpriv >/dev/null 2>&1; then
    if ! setpriv --reuid=200000 --regid=200000 --clear-groups \
            bwrap --ro-bind / / --unshare-all --die-with-parent true 2>/dev/null; then
        echo "ensure-bwrap: bwrap cannot create namespaces as an unprivileged uid" >&2
        exit 1
    fi
fi
echo "ensure-bwrap: $(bwrap --version)"
