"""The graded kernel's side of a grading request: call the learner's function on the inputs sent, send back
what happened, as plain data. Nothing here knows the expected values or decides anything.

The grader executes one line in the learner's kernel per request::

    __import__("dlgrade.harness.serve", fromlist=["serve"]).serve(lambda: (EXPR))

where EXPR is the test cell's target (``predict``, ``one_op(Add, "add")``), evaluated in the notebook's
namespace. The request itself (the calls' inputs, as wire text) arrives on the kernel's stdin channel, as the
answer to an input request with prompt :data:`REQUEST_PROMPT`: kept out of the executed line, which IPython
transforms, compiles and echoes to every frontend (a lesson's 1,000 digits three times made a 12 MB line that
took 3.6 s before the learner's function was even called). The reply is one display output of type
:data:`MIME` holding the reports. Whatever the learner's code does to this module, the worst it can achieve is
to send back outputs of its choosing, which is what its function could return anyway: the verdict is computed
by the grader.
"""
from __future__ import annotations

from functools import partial
from typing import Any, Callable

from . import adapters, functions, invoke, oracle, wire

MIME = "application/vnd.dlgrade.reports+json"
REQUEST_PROMPT = "\x00dlgrade-request"  # the input request that fetches the request being served


def _raw_input() -> Callable[[str], str]:
    from IPython import get_ipython

    kernel = getattr(get_ipython(), "kernel", None)
    if kernel is None:  # not in a Jupyter kernel (a test driving serve directly): plain input()
        return input
    return kernel.raw_input


def _undefined(exc: BaseException) -> dict[str, Any]:
    return {"error": {"kind": "undefined", "type": type(exc).__name__, "message": str(exc)[:300],
                      "where": invoke.where(exc)}, "mutated": [], "warnings": [], "printed": ""}


def run(target: Callable[[], Any], request: dict[str, Any], answer: oracle.Answer) -> list[dict[str, Any]]:
    """Run every call of a decoded request on the function ``target()`` gives; one report per call."""
    try:
        fn = target()
    except Exception as exc:  # the function (or the class an adapter wraps) is not defined: an earlier cell failed
        return [_undefined(exc) for _ in request["calls"]]
    subs = {name: oracle.stand_in(key, name, answer) for name, key in request.get("oracles", {}).items()}
    reports = []
    for spec in request["calls"]:
        adapter = partial(adapters.ADAPTERS[spec["adapter"]], answer=answer) if spec.get("adapter") else None
        reports.append(invoke.call(fn, spec["args"], exercise=request["exercise"],
                                   blocked=tuple(request.get("blocked", ())),
                                   allow_dlkit=bool(request.get("allow_dlkit")), adapter=adapter,
                                   substitutes=subs))
    return reports


def serve(target: Callable[[], Any], request: str | None = None) -> None:
    """Answer one grading request in a graded kernel (see the module docstring); `request` None: fetch it
    from the grader on the stdin channel."""
    from IPython.display import publish_display_data

    raw_input = _raw_input()
    if request is None:
        request = raw_input(REQUEST_PROMPT)
    decoded = wire.loads(request, materialize=functions.materialize)
    reports = run(target, decoded, oracle.kernel_answer(raw_input))
    invoke.flush()
    try:
        text = wire.dumps({"reports": reports})
    except Exception as exc:  # an output that cannot be encoded (a learner's object): say so as data
        text = wire.dumps({"reports": [], "error": f"{type(exc).__name__}: {exc}"[:300]})
    publish_display_data({MIME: text})
