"""Which environment variable each model provider needs, checked before anything is sent.

Only the provider a run actually uses is checked, so nobody needs keys for providers they don't use.
Key values are never printed: errors name the variable only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from afscope.errors import ProviderError

__all__ = ["API_KEY_VARIABLES", "check_api_key", "is_simulated", "provider_of"]

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
