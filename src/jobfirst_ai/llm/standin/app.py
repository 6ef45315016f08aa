"""The stand-in's Starlette app: vendor routes, the `/_standin/*` control routes, and `run()`."""

from __future__ import annotations

import json
import logging

import anyio
import uvicorn
from pydantic import JsonValue
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from jobfirst_ai.llm.standin import embeddings_wire, ollama_wire
from jobfirst_ai.llm.standin.checks import DEEPSEEK_MODELS, first_fault, flavour_of_model
from jobfirst_ai.llm.standin.delivery import (
    JSON_KEEP_ALIVE,
    SSE_KEEP_ALIVE,
    deliver,
    hide_scripted_drops,
    step_headers,
)
from jobfirst_ai.llm.standin.exchanges import ExchangeRecorder
from jobfirst_ai.llm.standin.faults import Fault, Flavour, error_response, fault_for_status, fault_named
from jobfirst_ai.llm.standin.openai_wire import PROFILES, Completion, read_ask
from jobfirst_ai.llm.standin.prompts import JsonObject
from jobfirst_ai.llm.standin.script import RecordedRequest, StandinConfig, StandinState, Step
from jobfirst_ai.llm.standin.turns import compose_turn

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
CONTROL_PREFIX = "/_standin"
_SERDE_SYNTAX = "Failed to deserialize the JSON body into the target type: expected value at line 1 column 1"


def _state(request: Request) -> StandinState:
    state = request.app.state.standin
    assert isinstance(state, StandinState)
    return state


async def _received(request: Request) -> JsonObject | None:
    """Record the request; its JSON object body, or None when the body is not a JSON object."""
    raw = await request.body()
    text = raw.decode("utf-8", errors="replace")
    try:
        body: JsonValue = json.loads(text) if text.strip() else None
    except ValueError:
        body = None
    headers = {name.lower(): value for name, value in request.headers.items()}
    record = RecordedRequest(
        method=request.method, path=request.url.path, headers=headers, body=body, text=text
    )
    _state(request).record(record)
    return body if isinstance(body, dict) else None


def _auth_fault(request: Request, config: StandinConfig) -> Fault | None:
    if config.api_key is None:
        return None
    header = request.headers.get("authorization", "")
    if header == f"Bearer {config.api_key}":
        return None
    if not header.startswith("Bearer "):
        return Fault(
            401, "Authentication Fails (auth header format should be Bearer sk-...)", "authentication_error"
        )
    return Fault(
        401, f"Authentication Fails, Your api key: ****{header[-4:]} is invalid", "authentication_error"
    )


async def scripted_failure(step: Step, flavour: Flavour, model: JsonValue) -> Response:
    """The error a failure step asks for, after its delay: a verbatim body or a canned vendor error."""
    await anyio.sleep(step.delay)
    headers = step_headers(step)
    if isinstance(step.body, str):
        media_type = step.content_type or "text/plain; charset=utf-8"
        return Response(step.body, step.status, headers, media_type=media_type)
    if step.body is not None:
        return JSONResponse(step.body, step.status, headers)
    fault = fault_named(step.error, model=str(model)) if step.error else fault_for_status(step.status)
    if fault.status != step.status:
        fault = Fault(step.status, fault.message, fault.type, fault.code, fault.param, fault.plain_text)
    return error_response(fault, flavour, headers)


async def _chat(request: Request, flavour: Flavour | None) -> Response:
    state = _state(request)
    body = await _received(request)
    if body is None:
        return error_response(Fault(400, _SERDE_SYNTAX), flavour or "deepseek")
    flavour = flavour or flavour_of_model(body.get("model"))
    fault = _auth_fault(request, state.config) or first_fault(flavour, body, state.config)
    if fault is not None:
        return error_response(fault, flavour)
    step = state.next_step() or Step()
    if step.is_failure:
        return await scripted_failure(step, flavour, body.get("model"))
    completion = Completion(flavour, body, compose_turn(read_ask(flavour, body), step, state.cache))
    keep_alive = PROFILES[flavour].keep_alive if step.keep_alive is None else step.keep_alive
    if not keep_alive:
        await anyio.sleep(step.delay)
    if body.get("stream") is True:
        frames, error_frame = completion.frames(), completion.error_frame(step.cut_message)
        alive = SSE_KEEP_ALIVE if keep_alive else None
        return deliver(
            frames, step, media_type="text/event-stream", keep_alive=alive, error_frame=error_frame
        )
    whole = json.dumps(completion.message(), ensure_ascii=False).encode()
    alive = JSON_KEEP_ALIVE if keep_alive else None
    return deliver(_halves(whole), step, media_type="application/json", keep_alive=alive)


def _halves(body: bytes) -> list[bytes]:
    """A non-streamed body as two frames, so `cut_after=1` sends half of the JSON."""
    middle = len(body) // 2
    return [body[:middle], body[middle:]]


async def shared_chat(request: Request) -> Response:
    """`/chat/completions` and `/v1/chat/completions`: DeepSeek, or OpenAI for OpenAI model names."""
    return await _chat(request, None)


async def openai_chat(request: Request) -> Response:
    """`/openai/v1/chat/completions`: always the OpenAI flavour."""
    return await _chat(request, "openai")


async def gemini_chat(request: Request) -> Response:
    """`/v1beta/openai/chat/completions`: Gemini's OpenAI-compatible endpoint."""
    return await _chat(request, "gemini")


async def ollama_chat(request: Request) -> Response:
    """`/api/chat`: Ollama's native chat."""
    state = _state(request)
    body = await _received(request)
    if body is None:
        return error_response(Fault(400, "missing request body"), "ollama")
    installed = state.config.ollama_models
    fault = ollama_wire.missing_model(body, installed) or first_fault("ollama", body, state.config)
    if fault is not None:
        return error_response(fault, "ollama")
    step = state.next_step() or Step()
    if step.is_failure:
        return await scripted_failure(step, "ollama", body.get("model"))
    ask = ollama_wire.read_ask(body)
    reply = ollama_wire.OllamaReply(body, compose_turn(ask, step, state.cache), ask.thinking)
    if not step.keep_alive:
        await anyio.sleep(step.delay)
    alive = JSON_KEEP_ALIVE if step.keep_alive else None
    if ollama_wire.wants_stream(body):
        error_frame = ollama_wire.error_line(step.cut_message)
        return deliver(
            reply.lines(), step, media_type="application/x-ndjson", keep_alive=alive, error_frame=error_frame
        )
    whole = json.dumps(reply.whole(), ensure_ascii=False).encode()
    return deliver(_halves(whole), step, media_type="application/json", keep_alive=alive)


async def _embeddings(request: Request, flavour: Flavour) -> Response:
    """Embeddings in the vendor's shape; scripted steps apply as for chat (failures, delay, headers)."""
    state = _state(request)
    body = await _received(request)
    if body is None:
        return error_response(Fault(400, "missing request body"), flavour)
    auth = None if flavour == "ollama" else _auth_fault(request, state.config)
    fault = auth or embeddings_wire.request_fault(body, flavour, state.config)
    if fault is not None:
        return error_response(fault, flavour)
    step = state.next_step() or Step()
    if step.is_failure:
        return await scripted_failure(step, flavour, body.get("model"))
    await anyio.sleep(step.delay)
    if flavour == "ollama":
        payload = embeddings_wire.ollama_reply(body)
    else:
        payload = embeddings_wire.list_reply(body, as_base64=state.config.embeddings_base64)
    return JSONResponse(payload, headers=step_headers(step))


async def openai_embeddings(request: Request) -> Response:
    """`/v1/embeddings`, `/openai/v1/embeddings`: OpenAI's (DeepSeek has none)."""
    return await _embeddings(request, "openai")


async def gemini_embeddings(request: Request) -> Response:
    """`/v1beta/openai/embeddings`: Gemini's OpenAI-compatible embeddings."""
    return await _embeddings(request, "gemini")


async def ollama_embed(request: Request) -> Response:
    """`/api/embed`: Ollama's native embeddings."""
    return await _embeddings(request, "ollama")


async def deepseek_models(request: Request) -> Response:
    """`GET /models`: DeepSeek's model list."""
    await _received(request)
    data = [{"id": name, "object": "model", "owned_by": "deepseek"} for name in sorted(DEEPSEEK_MODELS)]
    return JSONResponse({"object": "list", "data": data})


async def balance(request: Request) -> Response:
    """`GET /user/balance`: DeepSeek's balance body (amounts are strings)."""
    await _received(request)
    amount = _state(request).config.balance
    info = {
        "currency": "CNY",
        "total_balance": amount,
        "granted_balance": "0.00",
        "topped_up_balance": amount,
    }
    return JSONResponse({"is_available": float(amount) > 0, "balance_infos": [info]})


async def ollama_tags(request: Request) -> Response:
    """`GET /api/tags`: Ollama's installed models."""
    await _received(request)
    return JSONResponse(ollama_wire.tags(_state(request).config.ollama_models))


async def control_script(request: Request) -> Response:
    """`POST /_standin/script` appends steps (a JSON list, or `{"steps": [...]}`); GET shows the count."""
    state = _state(request)
    if request.method == "GET":
        return JSONResponse({"pending": state.pending()})
    payload = json.loads(await request.body() or b"[]")
    steps = payload.get("steps", []) if isinstance(payload, dict) else payload
    try:
        return JSONResponse({"pending": state.script(steps)})
    except (ValueError, TypeError) as error:
        return JSONResponse({"error": str(error)}, 422)


async def control_reset(request: Request) -> Response:
    """`POST /_standin/reset`: forget steps, requests, cache; settings back to their start values."""
    _state(request).reset()
    return JSONResponse({"reset": True})


async def control_requests(request: Request) -> Response:
    """`GET /_standin/requests`: the recorded requests, oldest first."""
    return JSONResponse([record.model_dump(mode="json") for record in _state(request).requests()])


async def control_exchanges(request: Request) -> Response:
    """`GET /_standin/exchanges`: how each response ended (completed, disconnected, aborted), oldest first."""
    return JSONResponse([exchange.model_dump(mode="json") for exchange in _state(request).exchanges()])


async def control_config(request: Request) -> Response:
    """`POST /_standin/config` changes settings (partial JSON object); GET shows them."""
    state = _state(request)
    if request.method == "GET":
        return JSONResponse(state.config.model_dump(mode="json"))
    try:
        return JSONResponse(
            state.configure(**json.loads(await request.body() or b"{}")).model_dump(mode="json")
        )
    except (ValueError, TypeError) as error:
        return JSONResponse({"error": str(error)}, 422)


def create_app(state: StandinState | None = None) -> Starlette:
    """The stand-in server as an ASGI app; pass a `StandinState` to script it in-process."""
    chat = ["POST"]
    routes = [
        Route("/chat/completions", shared_chat, methods=chat),
        Route("/v1/chat/completions", shared_chat, methods=chat),
        Route("/openai/v1/chat/completions", openai_chat, methods=chat),
        Route("/v1beta/openai/chat/completions", gemini_chat, methods=chat),
        Route("/api/chat", ollama_chat, methods=chat),
        Route("/v1/embeddings", openai_embeddings, methods=chat),
        Route("/openai/v1/embeddings", openai_embeddings, methods=chat),
        Route("/v1beta/openai/embeddings", gemini_embeddings, methods=chat),
        Route("/api/embed", ollama_embed, methods=chat),
        Route("/models", deepseek_models),
        Route("/v1/models", deepseek_models),
        Route("/user/balance", balance),
        Route("/api/tags", ollama_tags),
        Route(f"{CONTROL_PREFIX}/script", control_script, methods=["GET", "POST"]),
        Route(f"{CONTROL_PREFIX}/reset", control_reset, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/requests", control_requests),
        Route(f"{CONTROL_PREFIX}/exchanges", control_exchanges),
        Route(f"{CONTROL_PREFIX}/config", control_config, methods=["GET", "POST"]),
    ]
    state = state or StandinState()
    recorder = Middleware(ExchangeRecorder, record=state.record_exchange, skip_prefix=CONTROL_PREFIX)
    app = Starlette(routes=routes, middleware=[recorder])
    app.state.standin = state
    return app


def run(host: str = LOOPBACK, port: int = 8765) -> None:
    """Serve the stand-in until interrupted (loopback only unless `host` says otherwise)."""
    if host not in {LOOPBACK, "localhost", "::1"}:
        logger.warning("stand-in bound to %s: it is reachable from other machines", host)
    hide_scripted_drops()
    uvicorn.run(create_app(), host=host, port=port, log_level="info")
