"""Exercise checks: "not attempted yet" / "correct" / a specific hint, and a bool.

Write a check as a function that receives the learner's answer and returns ``None`` (or
``True``) when it is right, or a hint string saying what to fix. Wrap it with :func:`exercise`::

    @checks.exercise
    def flatten_size(answer):
        if answer != 1600:
            return "Work the shapes out layer by layer: 28 -> conv -> pool -> ..."

    flatten_size(None)   # prints "⏳ not attempted yet", returns False
    flatten_size(1600)   # prints "✅ correct", returns True

The wrapped check treats ``None`` and ``...`` (the stub values in exercise cells) as not
attempted, and turns an exception raised while checking into a hint instead of a traceback.
Topic modules (``cnn``, ``text``, ``gan``, ``metrics`` ...) define their own checks with it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

NOT_ATTEMPTED = "⏳ not attempted yet"
CORRECT = "✅ correct"
HINT = "❌ not yet"


def outcome(status: str, message: str = "") -> bool:
    """Print a check outcome and return whether it passed.

    Args:
        status: ``"not_attempted"``, ``"correct"`` or ``"hint"``.
        message: extra text (the hint, or a remark on a correct answer).

    Raises:
        ValueError: unknown ``status``.
    """
    labels = {"not_attempted": NOT_ATTEMPTED, "correct": CORRECT, "hint": HINT}
    if status not in labels:
        raise ValueError(f"status must be one of {', '.join(labels)}; got {status!r}.")
    print(labels[status] + (f": {message}" if message else ""))
    return status == "correct"


def is_stub(value: Any) -> bool:
    """True for the placeholder values exercise cells start with (None or ...)."""
    return value is None or value is Ellipsis


def exercise(check: Callable[..., str | bool | None]) -> Callable[..., bool]:
    """Decorate a check function so it prints a clear outcome and returns a bool.

    The decorated function's first argument is the learner's answer. If it (or any other
    positional argument) is a stub, the outcome is "not attempted yet". A returned string is a
    hint; ``None`` or ``True`` means correct; ``False`` means wrong with a generic hint.
    """

    @functools.wraps(check)
    def wrapper(*args: Any, **kwargs: Any) -> bool:
        if not args or any(is_stub(a) for a in args):
            return outcome(
                "not_attempted", "replace the placeholder (None or ...) with your answer"
            )
        try:
            result = check(*args, **kwargs)
        except Exception as error:  # a wrong answer can fail in any way; report it as a hint
            return outcome("hint", f"checking your answer raised {type(error).__name__}: {error}")
        if result is None or result is True:
            return outcome("correct")
        if result is False:
            return outcome("hint", "that is not it; reread the exercise statement")
        return outcome("hint", str(result))

    wrapper.is_exercise_check = True  # type: ignore[attr-defined]
    return wrapper


def choice(answer: Any, correct: str | set[str], hints: dict[str, str] | None = None) -> bool:
    """Check a multiple-choice answer (a letter such as ``"b"``), case-insensitive.

    Args:
        answer: the learner's choice, or a stub.
        correct: the right letter, or a set of acceptable letters.
        hints: optional hint per wrong letter.
    """
    if is_stub(answer):
        return outcome("not_attempted", "set answer to one of the letters")
    if not isinstance(answer, str):
        return outcome("hint", f"answer with a letter as a string, e.g. 'a'; got {answer!r}")
    key = answer.strip().lower()
    right = {correct} if isinstance(correct, str) else set(correct)
    if key in {c.lower() for c in right}:
        return outcome("correct")
    return outcome("hint", (hints or {}).get(key, f"{answer!r} is not right; think again"))


@exercise
def _demo_sum(answer: Any) -> str | None:
    """Demonstration check used in the welcome notebook: what is 2 + 3?"""
    if answer != 5:
        return f"{answer!r} is not 2 + 3; add the two numbers"
    return None


demo_sum = _demo_sum
