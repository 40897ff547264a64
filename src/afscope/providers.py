"""Which environment variable each model provider needs, checked before anything is sent.

Only the provider a run actually uses is checked, so nobody needs keys for providers they don't use.
Key values are never printed: errors name the variable only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from afscope.errors import ConfigError, ProviderError

__all__ = ["API_KEY_VARIABLES", "check_api_key", "check_base_url", "is_simulated", "provider_of"]

# provider prefix of an Inspect model string -> the variable holding its API key
API_KEY_VARIABLES: Mapping[str, str] = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "google": "GOOGLE_API_KEY",
    "mistral": "MISTRAL_API_KEY",
    "grok": "XAI_API_KEY",
    "groq": "GROQ_API_KEY",
    "together": "TOGETHER_API_KEY",
    "fireworks": "FIREWORKS_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "perplexity": "PERPLEXITY_API_KEY",
    "sambanova": "SAMBANOVA_API_KEY",
}


def provider_of(model: str) -> str:
    """The provider part of an Inspect model string (``openai/gpt-4o`` -> ``openai``)."""
    return model.split("/", 1)[0]


def is_simulated(model: str) -> bool:
    """True for afscope's simulated organism (``organism/<preset>``)."""
    return provider_of(model) == "organism"


def check_api_key(model: str, environ: Mapping[str, str] | None = None) -> None:
    """Raise :class:`ProviderError` naming the variable when the model's provider has no key set."""
    environ = os.environ if environ is None else environ
    variable = API_KEY_VARIABLES.get(provider_of(model))
    if variable and not environ.get(variable, "").strip():
        raise ProviderError(
            f"no API key for model {model!r}: set the {variable} environment variable "
            "(or add it to a .env file in the working directory)"
        )


# query parameters that carry a credential (Google-style ?key=, signed URLs, tokens)
_SECRET_PARAMS = frozenset({"key", "api_key", "api-key", "apikey", "token", "access_token", "sig"})


def check_base_url(url: str, option: str = "--base-url") -> None:
    """Refuse a base URL that carries a credential: Inspect writes the URL into every log.

    ``http://user:password@host/v1`` and ``...?key=...`` would be kept in the ``.eval`` file in
    plain text (and shown by ``inspect view``); the key belongs in the provider's variable.
    """
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(url)
    secret_params = [k for k, _ in parse_qsl(parts.query) if k.lower() in _SECRET_PARAMS]
    if parts.password is None and not parts.username and not secret_params:
        return
    where = f"the query parameter {secret_params[0]!r}" if secret_params else "user:password@"
    raise ConfigError(
        f"the base URL carries a credential ({where}), which would be written into the log; "
        "give the URL without it and put the key in the provider's API-key variable "
        "(or -M api_key=...)",
        key=option,
    )
