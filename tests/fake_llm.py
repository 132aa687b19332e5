"""A fake OpenAI-compatible endpoint (an httpx transport) for fast, offline LLM tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from service.llm.factory import build
from service.llm.narrative import NarrativeExtractor
from service.settings import Settings

Answer = Callable[[dict[str, Any], str], dict[str, Any]]  # (request body, user prompt) -> arguments


class FakeLLM:
    """Answers chat completions with whatever `answer` returns, as a tool call or as JSON content."""

    def __init__(self, answer: Answer, prompt_tokens: int = 100, completion_tokens: int = 20) -> None:
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        user = next(m["content"] for m in body["messages"] if m["role"] == "user")
        args = self.answer(body, user)
        message: dict[str, Any] = {"role": "assistant", "content": None}
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            message["tool_calls"] = [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)},
                }
            ]
        else:
            message["content"] = json.dumps(args, ensure_ascii=False)
        return httpx.Response(
            200,
            json={
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {
                    "prompt_tokens": self.prompt_tokens,
                    "completion_tokens": self.completion_tokens,
                    "total_tokens": self.prompt_tokens + self.completion_tokens,
                },
            },
        )

    def extractor(self, tmp_cache: str | None = None, **overrides: Any) -> NarrativeExtractor:
        settings = Settings(
            **{
                "llm_base_url": "http://fake-llm.invalid/v1",
                "llm_model": "fake",
                "llm_cache_dir": tmp_cache,
                "llm_transport_retries": 1,
                **overrides,
            }
        )
        llm = build(settings, http_client=httpx.Client(transport=httpx.MockTransport(self.handler)))
        assert llm is not None
        return llm


def down_extractor(**overrides: Any) -> NarrativeExtractor:
    """An endpoint that refuses every connection."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    settings = Settings(llm_base_url="http://down.invalid/v1", llm_cache_dir=None, llm_transport_retries=2, **overrides)
    llm = build(settings, http_client=httpx.Client(transport=httpx.MockTransport(refuse)))
    assert llm is not None
    return llm
