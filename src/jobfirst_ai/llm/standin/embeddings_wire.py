"""Embeddings on the stand-in: OpenAI's list shape (also Gemini compat) and Ollama's `/api/embed`.

Vectors are deterministic pseudo-embeddings, not a model's: signed feature hashing of lower-cased word
tokens and Chinese character bigrams into `dimensions` buckets (256 unless the request asks), then L2
normalisation. Texts that share words or bigrams therefore have a higher cosine similarity than
unrelated ones, which keeps end-to-end matching runs meaningful without a model.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct

from pydantic import JsonValue

from jobfirst_ai.llm.standin.cache import estimate_tokens
from jobfirst_ai.llm.standin.faults import Fault, Flavour
from jobfirst_ai.llm.standin.ollama_wire import missing_model
from jobfirst_ai.llm.standin.prompts import JsonObject
from jobfirst_ai.llm.standin.script import StandinConfig

DEFAULT_DIMENSIONS = 256
MAX_DIMENSIONS = 4096
# Inputs per call: OpenAI documents 2048; Gemini's batch embedding refuses more than 100.
MAX_INPUTS: dict[Flavour, int] = {"openai": 2048, "gemini": 100}
_INVALID_INPUT = (
    "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."
)
_GEMINI_BATCH = "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch"
_WORD = re.compile(r"[a-z0-9]+[+#]*")
_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
_NS_PER_TOKEN = 250_000
_LOAD_NS = 1_019_500


def features(text: str) -> list[str]:
    """Lower-cased word tokens (`c++` and `c#` kept whole), then the bigrams of each run of Han characters
    (a lone character stands for itself)."""
    lowered = text.lower()
    grams: list[str] = []
    for run in _HAN_RUN.findall(lowered):
        grams += [run] if len(run) == 1 else [run[index : index + 2] for index in range(len(run) - 1)]
    return _WORD.findall(lowered) + grams


def pseudo_embedding(text: str, dimensions: int = DEFAULT_DIMENSIONS) -> list[float]:
    """A deterministic unit vector for `text`; a text with no features hashes as a whole (never zero)."""
    vector = [0.0] * dimensions
    for feature in features(text) or [text]:
        number = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
        vector[number % dimensions] += 1.0 if number >> 63 else -1.0
    norm = math.sqrt(sum(value * value for value in vector))
    return [value / norm for value in vector]


def read_inputs(body: JsonObject) -> list[str] | None:
    """`input` as a list of texts (a single string is one text); None when missing or not text."""
    value = body.get("input")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return [item for item in value if isinstance(item, str)]
    return None


def _dimensions(body: JsonObject) -> int:
    value = body.get("dimensions")
    if isinstance(value, int) and 0 < value <= MAX_DIMENSIONS:
        return value
    return DEFAULT_DIMENSIONS


def request_fault(body: JsonObject, flavour: Flavour, config: StandinConfig) -> Fault | None:
    """The vendor's own refusal of an embeddings request, if any."""
    if flavour == "ollama":
        fault = missing_model(body, config.ollama_models)
        return fault or (None if read_inputs(body) else Fault(400, "invalid input type"))
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return Fault(400, "you must provide a model parameter", param="model")
    texts = read_inputs(body)
    if texts is None:
        return Fault(400, _INVALID_INPUT, code=None)
    if len(texts) > MAX_INPUTS.get(flavour, len(texts)):
        return Fault(400, _GEMINI_BATCH if flavour == "gemini" else _INVALID_INPUT, code=None)
    return None


def _packed(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def list_reply(body: JsonObject, *, as_base64: bool) -> JsonObject:
    """The OpenAI list shape; base64 float32 when asked (`encoding_format`) or when `as_base64`."""
    texts = read_inputs(body) or []
    dimensions = _dimensions(body)
    as_base64 = as_base64 or body.get("encoding_format") == "base64"
    data: list[JsonValue] = []
    for index, text in enumerate(texts):
        vector = pseudo_embedding(text, dimensions)
        embedding: JsonValue = _packed(vector) if as_base64 else list(vector)
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    tokens = sum(max(1, estimate_tokens(text)) for text in texts)
    return {
        "object": "list",
        "data": data,
        "model": body.get("model"),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def ollama_reply(body: JsonObject) -> JsonObject:
    """`/api/embed`'s reply: vectors plus Ollama's nanosecond counters."""
    texts = read_inputs(body) or []
    dimensions = _dimensions(body)
    vectors: list[JsonValue] = [list(pseudo_embedding(text, dimensions)) for text in texts]
    tokens = sum(max(1, estimate_tokens(text)) for text in texts)
    return {
        "model": body.get("model"),
        "embeddings": vectors,
        "total_duration": _LOAD_NS + tokens * _NS_PER_TOKEN,
        "load_duration": _LOAD_NS,
        "prompt_eval_count": tokens,
    }
