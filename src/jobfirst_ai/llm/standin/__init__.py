"""The stand-in model server: a local HTTP server speaking DeepSeek, OpenAI, Gemini-compat and Ollama.

Wire shapes follow `shared/providers.md`. Routes:

- `POST /chat/completions`, `/v1/chat/completions`: DeepSeek (OpenAI flavour for `gpt-*`/`o*` models);
  `POST /openai/v1/chat/completions`: OpenAI; `POST /v1beta/openai/chat/completions`: Gemini compat;
  `POST /api/chat`: Ollama native. `GET /models`, `/v1/models`, `/user/balance`, `/api/tags`.
- Embeddings: `POST /v1/embeddings`, `/openai/v1/embeddings` (OpenAI), `/v1beta/openai/embeddings` (Gemini
  compat), `/api/embed` (Ollama): deterministic hashed pseudo-embeddings (see `embeddings_wire.py`).
- Control: `POST /_standin/script` (a JSON list of `Step`s, or `{"steps": [...]}`), `GET /_standin/script`
  (pending count), `POST /_standin/reset`, `GET /_standin/requests`, `GET /_standin/exchanges` (how each
  response ended: completed, or disconnected by the caller mid-stream), `GET|POST /_standin/config`.
  In-process: `ThreadedStandin` (`.url`, `.script()`, `.requests()`, `.exchanges()`, `.reset()`,
  `.configure()`).

Scripted steps are used by chat and embeddings requests in order, one each (`times` repeats a step);
requests that fail the vendor's own checks (retired model, `developer` role...) are answered without
using a step.
With no step queued the default answer replies.

Default answer, deterministic, built from the prompt:

1. The schema: OpenAI `response_format.json_schema.schema` or Ollama `format` (an object) if given;
   else, when the request is in JSON mode or a message contains "json", a JSON schema written between
   `<json_schema>` and `</json_schema>` in any message (e.g. pydantic's `model_json_schema()`), else the
   first JSON object example in the system then user messages (`Return JSON: {"city": "..."}`), whose
   keys become required properties and whose values give the types.
2. The values: quoted from the source text, which is every `<resume>...</resume>` block (then `<job>`,
   `<document>`, `<source>` blocks), or the user messages when there are no such tags. Strings are short
   lines of the source (`name` = its first line, `*email*`/`*phone*` fields the first address/number,
   `format` date/uri/email/uuid honoured), string arrays are skill-like words of the source (three, within
   `minItems`/`maxItems`), numbers are small ints (the middle of `minimum`/`maximum` when both are
   given), booleans false, `enum`/`const`/`$ref`/`anyOf` (first non-null) respected, objects recurse.
3. JSON mode without any schema gives `{"answer": "..."}`; otherwise a one-line plain-text echo.
   DeepSeek JSON mode with no "json" in the messages gives whitespace and `finish_reason: "length"`.

Tokens are estimated (CJK characters one each, other text four characters a token); DeepSeek's prefix
cache is simulated per `user_id` (see `cache.py`).
"""

from __future__ import annotations

from jobfirst_ai.llm.standin.app import create_app, run
from jobfirst_ai.llm.standin.runner import ThreadedStandin
from jobfirst_ai.llm.standin.script import RecordedRequest, StandinConfig, StandinState, Step

__all__ = ["RecordedRequest", "StandinConfig", "StandinState", "Step", "ThreadedStandin", "create_app", "run"]
