"""Oracles: a learner's function under test may call *other* graded functions; those calls are answered by
whoever grades (the grader's reference), so one mistake costs points once, in the exercise where it is.

While grading, the answer comes from the grader's process over the kernel's stdin channel (an input request
whose prompt is the call, as plain data): the kernel never holds the reference. While learning, the answer
is computed in the learner's kernel by the check itself. Either way the learner's function sees a plain
function with the right signature.
"""
from __future__ import annotations

from typing import Any, Callable

from . import wire

PROMPT = "\x00dlgrade-oracle:"  # an input request whose prompt starts with this is an oracle call

Answer = Callable[[str, tuple], Any]  # (oracle key, args) -> the reference's value


def stand_in(key: str, name: str, answer: Answer) -> Callable[..., Any]:
    """A function called ``name`` whose calls are answered by ``answer(key, args)``."""
    def oracle(*args: Any) -> Any:
        return answer(key, args)
    oracle.__name__ = oracle.__qualname__ = name
    oracle.__doc__ = f"the grader's version of `{name}` (your own is graded in its own exercise)"
    return oracle


def kernel_answer(raw_input: Callable[[str], str]) -> Answer:
    """An ``Answer`` that asks the grader through the kernel's stdin channel (``raw_input`` sends the request)."""
    def ask(key: str, args: tuple) -> Any:
        reply = raw_input(PROMPT + wire.dumps({"key": key, "args": list(args)}))
        answer = wire.loads(reply)
        if not isinstance(answer, dict) or "value" not in answer:
            raise RuntimeError(f"the grader could not answer for `{key}`: {answer.get('error') if isinstance(answer, dict) else answer}")
        return answer["value"]
    return ask


def decode_call(prompt: str) -> tuple[str, list] | None:
    """The (key, args) of an oracle call, or None when ``prompt`` is an ordinary input() prompt."""
    if not prompt.startswith(PROMPT):
        return None
    call = wire.loads(prompt[len(PROMPT):])
    if not isinstance(call, dict) or not isinstance(call.get("key"), str) or not isinstance(call.get("args"), list):
        raise wire.WireError("an oracle call must be {key, args}")
    return call["key"], call["args"]
