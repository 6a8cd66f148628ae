"""Personal-data detection and redaction, and the Laplace mechanism of differential privacy.

Pattern-based detection is a *first pass*, not a guarantee: it finds well-formed e-mail
addresses, phone numbers, URLs and IPv4 addresses with high precision, and names only where the
text itself marks them ("Jane Doe wrote:", the line after "-- " or "Regards,"). Names in running
text, addresses, IDs and anything written creatively are missed. Measure on your own data.

Used by ``notebooks/01_startup_strategy.ipynb``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import checks

PII_KINDS = ("EMAIL", "URL", "IP", "PHONE", "NAME")

_NAME = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
_FULL_NAME = rf"{_NAME}(?: [A-Z]\.)?(?: {_NAME}){{1,2}}"
_PATTERNS: dict[str, re.Pattern[str]] = {
    "URL": re.compile(r"\b(?:https?://|ftp://|www\.)[^\s<>\"'()\[\]{}]+", re.IGNORECASE),
    "EMAIL": re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
    "IP": re.compile(
        r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?!\.?\d)"
    ),
    "PHONE": re.compile(
        r"(?<![\w+])(?:"
        r"\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}"  # international: +34 936 00 23 23
        r"|(?:1[ .-])?\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}"  # North American: (555) 123-4567
        r")(?![\w])"
    ),
    # Names only where the text marks them; group 1 is the name.
    "NAME_ATTRIBUTION": re.compile(
        rf"(?:^|[\s,])({_FULL_NAME})(?: ?<[^>\n]+>| ?\([^)\n]+\))? wrote:", re.MULTILINE
    ),
    "NAME_SIGNATURE": re.compile(rf"^--\s*\n\s*({_FULL_NAME})\s*$", re.MULTILINE),
    "NAME_SIGNOFF": re.compile(
        rf"^(?:Thanks|Thank you|Regards|Best regards|Kind regards|Cheers|Best|Sincerely|Yours)[,!.]?\s*\n\s*({_NAME}(?: {_NAME}){{0,2}})\s*$",
        re.MULTILINE,
    ),
}


@dataclass(frozen=True)
class PiiMatch:
    """One piece of personal data found in a text: its kind, character span and the text."""

    kind: str
    start: int
    end: int
    text: str


def _kinds(kinds: Iterable[str] | None) -> tuple[str, ...]:
    if kinds is None:
        return PII_KINDS
    if isinstance(kinds, str):
        kinds = (kinds,)
    chosen = tuple(kinds)
    unknown = [k for k in chosen if k not in PII_KINDS]
    if unknown:
        raise ValueError(f"unknown PII kind(s) {unknown}; choose from {', '.join(PII_KINDS)}.")
    return chosen


def _phone_ok(candidate: str) -> bool:
    digits = sum(ch.isdigit() for ch in candidate)
    return 7 <= digits <= 15


def find_pii(text: str, kinds: Iterable[str] | None = None) -> list[PiiMatch]:
    """Find e-mail addresses, URLs, IPv4 addresses, phone numbers and marked names in ``text``.

    Overlaps are resolved in favour of the match that starts first (then the longer one), so
    an e-mail inside a URL counts once, as a URL.

    Args:
        text: the text to scan (str).
        kinds: subset of :data:`PII_KINDS`; all by default.

    Returns:
        Non-overlapping :class:`PiiMatch` objects sorted by position.

    Raises:
        TypeError: ``text`` is not a string.
        ValueError: an unknown kind.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}.")
    wanted = _kinds(kinds)
    found: list[PiiMatch] = []
    for kind in wanted:
        if kind == "NAME":
            for key in ("NAME_ATTRIBUTION", "NAME_SIGNATURE", "NAME_SIGNOFF"):
                for m in _PATTERNS[key].finditer(text):
                    found.append(PiiMatch("NAME", m.start(1), m.end(1), m.group(1)))
            continue
        for m in _PATTERNS[kind].finditer(text):
            value = m.group(0).rstrip(".,;:!?")
            if kind == "PHONE" and not _phone_ok(value):
                continue
            found.append(PiiMatch(kind, m.start(), m.start() + len(value), value))
    found.sort(key=lambda p: (p.start, -(p.end - p.start)))
    kept: list[PiiMatch] = []
    for match in found:
        if kept and match.start < kept[-1].end:
            continue
        kept.append(match)
    return kept


def redact(text: str, kinds: Iterable[str] | None = None) -> str:
    """Replace each personal-data match with a placeholder such as ``[EMAIL]``.

    Args:
        text: the text (str).
        kinds: subset of :data:`PII_KINDS` to redact; all by default.

    Returns:
        The redacted text.

    Raises:
        TypeError, ValueError: as :func:`find_pii`.
    """
    pieces, position = [], 0
    for match in find_pii(text, kinds):
        pieces.append(text[position : match.start])
        pieces.append(f"[{match.kind}]")
        position = match.end
    pieces.append(text[position:])
    return "".join(pieces)


def count_pii(
    texts: Iterable[str], kinds: Iterable[str] | None = None
) -> dict[str, dict[str, int]]:
    """Count matches per kind over many texts.

    Args:
        texts: iterable of strings.
        kinds: subset of :data:`PII_KINDS`; all by default.

    Returns:
        ``{"matches": {kind: count}, "texts_with": {kind: number of texts with >= 1}}``, every
        requested kind present (0 when none found).
    """
    wanted = _kinds(kinds)
    matches: Counter[str] = Counter({k: 0 for k in wanted})
    texts_with: Counter[str] = Counter({k: 0 for k in wanted})
    for text in texts:
        found = Counter(m.kind for m in find_pii(text, wanted))
        matches.update(found)
        texts_with.update(found.keys())
    return {"matches": dict(matches), "texts_with": dict(texts_with)}


# --------------------------------------------------------------------------- differential privacy
def _positive(value: Any, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}.")
    return float(value)


def laplace_mechanism(
    value: float,
    sensitivity: float,
    epsilon: float,
    rng: np.random.Generator | None = None,
    size: int | None = None,
) -> float | np.ndarray:
    """Release ``value`` with ε-differential privacy by adding Laplace noise of scale Δ/ε.

    Args:
        value: the true statistic (a number).
        sensitivity: Δ, the most the statistic can change when one person's data is added or
            removed (> 0).
        epsilon: the privacy budget ε (> 0); smaller is more private and noisier.
        rng: a NumPy Generator (for reproducibility); a fresh one by default.
        size: draw this many independent releases (for studying the noise); one by default.

    Returns:
        The noisy value (float), or an array of ``size`` noisy values.

    Raises:
        ValueError: sensitivity or epsilon not > 0.
    """
    scale = _positive(sensitivity, "sensitivity") / _positive(epsilon, "epsilon")
    rng = rng if rng is not None else np.random.default_rng()
    noise = rng.laplace(0.0, scale, size=size)
    return float(value + noise) if size is None else value + noise


def dp_mean(
    values: Sequence[float] | np.ndarray,
    lower: float,
    upper: float,
    epsilon: float,
    rng: np.random.Generator | None = None,
    size: int | None = None,
) -> float | np.ndarray:
    """ε-differentially private mean of values clipped to ``[lower, upper]`` (n treated as public).

    Clipping bounds the sensitivity to ``(upper - lower) / n``; it also biases the mean when
    real values fall outside the bounds, which is the price of the guarantee.

    Args:
        values: 1-D numbers (non-empty).
        lower, upper: clipping bounds, ``lower < upper``.
        epsilon: privacy budget (> 0).
        rng: NumPy Generator.
        size: number of independent releases (None for one).

    Returns:
        The noisy clipped mean (float or array).

    Raises:
        ValueError: empty values, bad bounds or epsilon.
    """
    array = np.asarray(values, dtype=float).ravel()
    if array.size == 0:
        raise ValueError("values is empty; the mean of nothing is undefined.")
    if not (math.isfinite(lower) and math.isfinite(upper) and lower < upper):
        raise ValueError(
            f"need finite bounds with lower < upper, got lower={lower!r}, upper={upper!r}."
        )
    clipped = np.clip(array, lower, upper)
    return laplace_mechanism(
        float(clipped.mean()), (upper - lower) / array.size, epsilon, rng, size
    )


def laplace_error_bound(sensitivity: float, epsilon: float, confidence: float = 0.95) -> float:
    """Error t such that ``|noise| <= t`` with probability ``confidence`` (Laplace scale Δ/ε).

    ``P(|Lap(b)| <= t) = 1 - exp(-t / b)``, so ``t = b · ln(1 / (1 - confidence))``.

    Raises:
        ValueError: bad sensitivity/epsilon, or confidence outside (0, 1).
    """
    scale = _positive(sensitivity, "sensitivity") / _positive(epsilon, "epsilon")
    if not isinstance(confidence, int | float) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), e.g. 0.95; got {confidence!r}.")
    return scale * math.log(1.0 / (1.0 - confidence))


@checks.exercise
def check_epsilon_choice(
    answer: Any, num_people: int = 5783, tolerance: float = 0.005, confidence: float = 0.95
) -> str | None:
    """Exercise: the smallest ε that keeps a DP proportion within ±tolerance with this confidence."""
    if not isinstance(answer, int | float) or isinstance(answer, bool):
        return f"answer with a number (ε), got {type(answer).__name__}"
    needed = math.log(1 / (1 - confidence)) / (num_people * tolerance)
    if answer <= 0:
        return "ε must be positive"
    if math.isclose(answer, needed * num_people, rel_tol=0.05):
        return "the sensitivity of a proportion over n people is 1/n, not 1"
    if math.isclose(answer, 1 / (num_people * tolerance), rel_tol=0.05):
        return "that keeps the *average* error at the tolerance; the exercise asks for 95% of releases: use ln(1/(1-0.95))"
    if answer < needed * 0.98:
        return f"with ε={answer:g} the noise is too large: more than 5% of releases miss by more than {tolerance:g}"
    if answer > needed * 1.05:
        return "that meets the accuracy need but spends more privacy than necessary; find the smallest ε"
    return None
