"""Fixtures of the provider tests: a factory of providers wired to scripted vendors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from jobfirst_ai.llm.base import Provider
from tests.support.vendor import KEY, Answer, Make, Vendor


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    """Build a provider whose transport is a scripted Vendor; closed after the test."""
    created: list[Provider] = []

    def build(kind: type[Any], *answers: Answer, **options: Any) -> tuple[Any, Vendor]:
        vendor = Vendor(*answers)
        provider = kind(api_key=KEY, transport=httpx.MockTransport(vendor.handle), **options)
        created.append(provider)
        return provider, vendor

    yield build
    for provider in created:
        await provider.aclose()
