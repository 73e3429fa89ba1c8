"""One grading request to the graded kernel: execute one line, answer its oracle calls, collect its reply.

The line calls the harness in the learner's kernel (``dlgrade.harness.serve``); the reply is one display
output of the harness's MIME type. While the line runs, the kernel asks on its stdin channel for the request
(answered with its text, once) and may ask questions there (oracle calls: the grader's version of another
graded function); they are answered here, in the grader's process, and only for the oracle keys this request
allows. Everything that comes back is untrusted data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import zmq
import zmq.asyncio

from dlgrade.harness import oracle, wire
from dlgrade.harness.serve import MIME, REQUEST_PROMPT

MAX_ORACLE_CALLS = 20_000  # per request: a learner's loop calling the grader forever is cut off


class RequestFailed(Exception):
    """The kernel did not answer: ``kind`` is 'timeout' or 'dead' (the kernel died); ``detail`` says more."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


@dataclass
class Reply:
    """What came back for one request: the harness's payload (or None) and what else the kernel sent."""

    payload: str | None = None
    error: dict[str, Any] | None = None   # the line itself raised (the harness was broken or replaced)
    oracle_calls: int = 0
    stray: list[str] = field(default_factory=list)  # other outputs, kept short for the flags


def _answer_text(answer: Callable[[str, tuple], Any], allowed: frozenset[str], prompt: str) -> str:
    try:
        call = oracle.decode_call(prompt)
    except wire.WireError as exc:
        return wire.dumps({"error": f"bad oracle call: {exc}"})
    if call is None:  # the learner's own input(): there is nobody to type an answer
        return ""
    key, args = call
    if key not in allowed:
        return wire.dumps({"error": f"oracle {key!r} is not available in this exercise"})
    try:
        return wire.dumps({"value": answer(key, tuple(args))})
    except Exception as exc:  # the learner passed arguments the reference cannot take
        return wire.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]})


async def run_request(kc: Any, km: Any, code: str, *, timeout: float, answer: Callable[[str, tuple], Any],
                      allowed: frozenset[str], request: str = "") -> Reply:
    """Execute ``code`` in the kernel and wait for its idle status and reply, answering the harness's ask for
    ``request`` (the first one only: a second ask gets an empty answer) and oracle calls."""
    msg_id = kc.execute(code, silent=False, store_history=False, allow_stdin=True, stop_on_error=False)
    reply = Reply()
    poller = zmq.asyncio.Poller()
    channels = {kc.iopub_channel.socket: kc.iopub_channel, kc.stdin_channel.socket: kc.stdin_channel,
                kc.shell_channel.socket: kc.shell_channel}
    for sock in channels:
        poller.register(sock, zmq.POLLIN)
    deadline = time.monotonic() + timeout
    idle = replied = False
    while not (idle and replied):
        left = deadline - time.monotonic()
        if left <= 0:
            raise RequestFailed("timeout", f"no answer within {timeout:g} s")
        events = dict(await poller.poll(min(left, 1.0) * 1000))
        if not events:
            if not await km.is_alive():
                raise RequestFailed("dead", "the kernel died")
            continue
        for sock in events:
            msg = await channels[sock].get_msg(timeout=0)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "input_request" and content.get("prompt") == REQUEST_PROMPT:
                kc.input(request)
                request = ""
            elif kind == "input_request":
                reply.oracle_calls += 1
                text = (wire.dumps({"error": "too many calls to the grader"})
                        if reply.oracle_calls > MAX_ORACLE_CALLS else
                        _answer_text(answer, allowed, str(content.get("prompt", ""))))
                kc.input(text)
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
            elif kind == "execute_reply":
                replied = True
            elif kind in ("display_data", "execute_result") and MIME in content.get("data", {}):
                reply.payload = content["data"][MIME]
            elif kind == "error":
                reply.error = {"type": str(content.get("ename"))[:100], "message": str(content.get("evalue"))[:300]}
            elif kind == "stream" and len(reply.stray) < 5:
                reply.stray.append(str(content.get("text", ""))[:200])
    return reply
