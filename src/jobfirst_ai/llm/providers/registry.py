"""The provider table: name → class, default base URL, default model, whether an API key is needed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

import httpx
from pydantic import SecretStr

from jobfirst_ai.errors import ConfigError
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.providers import deepseek, gemini, ollama, openai
from jobfirst_ai.llm.providers.http import HttpLimits, as_secret
from jobfirst_ai.llm.providers.openai_compat import OpenAICompatibleProvider


class ProviderFactory(Protocol):
    """The constructor every backend class shares."""

    def __call__(
        self,
        *,
        api_key: SecretStr | str | None,
        base_url: str | None,
        model: str | None,
        limits: HttpLimits | None,
        transport: httpx.AsyncBaseTransport | None,
    ) -> Provider: ...


@dataclass(frozen=True)
class ProviderSpec:
    """One registry row."""

    factory: ProviderFactory
    base_url: str | None
    model: str | None
    needs_key: bool


PROVIDERS: Mapping[str, ProviderSpec] = MappingProxyType(
    {
        "deepseek": ProviderSpec(
            deepseek.DeepSeekProvider, deepseek.DEFAULT_BASE_URL, deepseek.DEFAULT_MODEL, needs_key=True
        ),
        "openai": ProviderSpec(openai.OpenAIProvider, openai.DEFAULT_BASE_URL, openai.DEFAULT_MODEL, True),
        "gemini": ProviderSpec(gemini.GeminiProvider, gemini.DEFAULT_BASE_URL, gemini.DEFAULT_MODEL, True),
        "ollama": ProviderSpec(ollama.OllamaProvider, ollama.DEFAULT_HOST, ollama.DEFAULT_MODEL, False),
        # Any other /chat/completions server (vLLM, LM Studio, a gateway): base URL and model required.
        "openai_compatible": ProviderSpec(OpenAICompatibleProvider, None, None, needs_key=False),
    }
)


def build_provider(
    name: str,
    *,
    api_key: SecretStr | str | None = None,
    base_url: str | None = None,
    model: str | None = None,
    limits: HttpLimits | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Provider:
    """The backend called `name`, with the row's defaults for what is not given."""
    spec = PROVIDERS.get(name)
    if spec is None:
        raise ConfigError(f"EXTERNAL_AI_PROVIDER={name!r} is not one of: {', '.join(PROVIDERS)}")
    secret = as_secret(api_key)
    if spec.needs_key and (secret is None or not secret.get_secret_value()):
        raise ConfigError(f"EXTERNAL_AI_PROVIDER={name} needs EXTERNAL_AI_API_KEY")
    return spec.factory(
        api_key=secret,
        base_url=base_url or spec.base_url,
        model=model or spec.model,
        limits=limits,
        transport=transport,
    )
