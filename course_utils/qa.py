"""The interview bank of notebook 03: load and validate it, filter, quiz, render.

Schema v2 of ``data/interview_qa.yaml`` (formally: ``interview_qa.schema.json`` beside this file):
``version: 2``, ``topics`` (key -> {en, zh}) and ``questions``: ``id``, ``topic``, ``difficulty``,
``source`` (seed entries add a ``seed`` block), ``question``, ``answer``, ``explanation`` ({en,
zh}), ``mistakes`` ([{en, zh}]), optional ``options`` ([{en, zh}]) with the ``correct`` letter,
``link`` (``NN_name.ipynb[#anchor]`` or a list) and ``sources`` ([{title, url, date}]). Each en is
non-empty and each zh holds Chinese. :func:`load_bank` lists every problem (entry id and field),
also duplicate YAML keys, ids and questions, and a letter answering over 40% of the options.

The quiz shuffles options per attempt (:func:`shuffle_options`) and keeps Leitner boxes in a JSON
file (:func:`progress_path`): right moves a question up a box (at most 5), wrong back to box 1;
box b is due 2**(b-1) sessions after its last answer, and due questions come first.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w
import jsonschema
import platformdirs
import yaml
from markdown_it import MarkdownIt

from . import data

LANGUAGES = ("en", "zh")
DIFFICULTIES = ("easy", "medium", "hard")
SOURCES = ("seed", "course")
MODES = ("flashcards", "multiple-choice", "mock-interview")
LETTERS = "abcdefgh"
_CJK, _WORDS = r"[\u3400-\u9fff]", r"[A-Za-z]{2,}\s+[A-Za-z]{2,}"  # Chinese; two English words
SCHEMA = json.loads(Path(__file__).with_name("interview_qa.schema.json").read_text("utf-8"))

# Interface text: key -> (English, Chinese); the last lines label the widget's controls.
_TEXT = {
    "source": ("Source", "来源"), "seed": ("seed", "种子材料"), "course": ("course", "课程"),
    "easy": ("easy", "简单"), "medium": ("medium", "中等"), "hard": ("hard", "困难"),
    "your_choice": ("Your choice", "你的选择"), "right": ("right", "正确"),
    "wrong": ("wrong", "错误"), "answer": ("Answer", "答案"), "sources": ("Sources", "出处"),
    "explanation": ("Explanation", "详细解释"), "mistakes": ("Common mistakes", "常见错误"),
    "related": ("Related notebook", "相关笔记本"), "score": ("Score", "得分"),
    "card": ("Card {} of {}", "第 {} 题，共 {} 题"), "left": ("{} min left", "剩余 {} 分钟"),
    "over": ("time is up", "时间到"), "no_questions": ("No question matches these filters.", "没有符合筛选条件的题目。"),
    "reveal": ("Reveal answer", "显示答案"), "knew": ("I knew it", "我答对了"),
    "missed": ("I did not", "我没答对"), "previous": ("◀ Previous", "◀ 上一题"),
    "next": ("Next ▶", "下一题 ▶"), "choose": ("Answer", "作答"), "mode": ("Mode", "模式"),
    "topic": ("Topic", "主题"), "difficulty": ("Difficulty", "难度"), "language": ("Language", "语言"),
    "count": ("Questions", "题数"), "minutes": ("Minutes", "分钟"),
}  # fmt: skip


def _check_lang(lang: str) -> str:
    if lang not in (*LANGUAGES, "both"):
        raise ValueError(f"lang must be one of {LANGUAGES} or 'both', got {lang!r}.")
    return lang


def _text(key: str, lang: str, *args: object) -> str:
    pair = [text.format(*args) for text in _TEXT[key]]  # each language fills its own blanks
    return " · ".join(pair) if _check_lang(lang) == "both" else pair[LANGUAGES.index(lang)]


def _pick(text: Mapping[str, str], lang: str, joiner: str = "\n\n") -> str:
    return joiner.join(dict.fromkeys(text[k] for k in LANGUAGES)) if lang == "both" else text[lang]


class BankError(ValueError):
    """The bank breaks the schema; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[str], source: str = "the question bank") -> None:
        self.problems = list(problems)
        shown = "\n  - ".join(self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {source}:\n  - {shown}")


@dataclass(frozen=True)
class Question:
    """One entry of the bank: its fields are the schema (see the module docstring)."""

    id: str
    topic: str
    difficulty: str
    source: str
    question: Mapping[str, str]
    answer: Mapping[str, str]
    explanation: Mapping[str, str]
    mistakes: tuple[Mapping[str, str], ...]
    link: tuple[str, ...] = ()
    options: tuple[Mapping[str, str], ...] = ()
    correct: str | None = None
    sources: tuple[Mapping[str, str], ...] = ()
    seed: Mapping[str, str] | None = None  # file, section, answer_zh, answer_en, audit

    @property
    def is_multiple_choice(self) -> bool:
        """True when the entry has options and a correct letter."""
        return bool(self.options)

    @property
    def letters(self) -> tuple[str, ...]:
        """The option letters, ``("a", "b", ...)``; empty for a flashcard."""
        return tuple(LETTERS[: len(self.options)])


@dataclass(frozen=True)
class Bank:
    """The loaded bank: topic names (key -> {en, zh}) and the questions, in file order."""

    topics: Mapping[str, Mapping[str, str]]
    questions: tuple[Question, ...]

    def __len__(self) -> int:
        return len(self.questions)

    def by_id(self, question_id: str) -> Question:
        """The question with this id; a KeyError suggests similar ids."""
        for question in self.questions:
            if question.id == question_id:
                return question
        close = [q.id for q in self.questions if question_id.split("-")[0] in q.id][:5]
        raise KeyError(f"no question with id {question_id!r}; similar ids: {close}")

    def topic_name(self, topic: str, lang: str = "en") -> str:
        """The readable name of ``topic`` in ``lang``."""
        return _pick(self.topics[topic], _check_lang(lang), " · ")


class _UniqueKeyLoader(yaml.SafeLoader):  # refuses a key written twice (PyYAML keeps the last)
    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        seen = []
        for key_node, _ in node.value:
            if (key := self.construct_object(key_node, deep=True)) in seen:
                message = f"duplicate key {key!r} (the first one is ignored otherwise): keep one"
                raise yaml.constructor.ConstructorError(None, None, message, key_node.start_mark)
            seen.append(key)
        return super().construct_mapping(node, deep)


def _normalised(text: Any) -> str:
    return re.sub(r"[\W_]+", "", str(text).casefold())


def _where(path: Sequence[Any], message: str, entries: Mapping[int, Any]) -> str:
    """One problem line: ``entry '<id>', field 'answer.zh': <message>``."""
    if path[:1] != ["questions"] or len(path) < 2:
        return f"key {'.'.join(map(str, path)) or '(file)'!r}: {message}"
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[2:]).lstrip(".")
    name = entries[path[1]].get("id") if isinstance(entries[path[1]], Mapping) else None
    name = name if isinstance(name, str) and name else f"#{path[1]}"
    return f"entry {name!r}, field {field or '(entry)'!r}: {message}"


def _schema_problems(document: Any, schema: Mapping, entries: Mapping, prefix: list) -> list[str]:
    found = []
    for error in jsonschema.Draft202012Validator(schema).iter_errors(document):
        path, hint = [*prefix, *error.absolute_path], error.schema.get("x-hint", "")
        message = error.message if len(error.message) < 100 else error.message[:96] + " ..."
        if error.validator == "type":
            message = f"expected {error.validator_value}, got {type(error.instance).__name__}"
        if error.validator == "required":
            path, message = path + [error.message.split("'")[1]], "required field is missing"
        elif hint:
            message = hint if error.validator in ("pattern", "oneOf") else f"{message}; {hint}"
        found.append(_where(path, message, entries))
    return found


def _semantic_problems(entries: Mapping[int, Any], topics: Iterable[str]) -> list[str]:
    """What JSON Schema cannot check: topic keys, the correct letter, option translations,
    duplicate ids and questions (same text once casefolded, letters and digits only), and
    a letter answering over 40% of the multiple-choice entries."""
    found, first, letters = [], {}, Counter()
    for index, raw in entries.items():
        raw = raw if isinstance(raw, Mapping) else {}
        topic, options, correct = raw.get("topic"), raw.get("options"), raw.get("correct")
        options = options if isinstance(options, list) else []
        if isinstance(topic, str) and topic not in topics:
            found.append(([index, "topic"], f"{topic!r} is not one of {sorted(topics)}"))
        if options and isinstance(correct, str) and correct in LETTERS:
            letters[correct] += 1
            if LETTERS.index(correct) >= len(options):
                message = f"{correct!r} is out of range: use one of {list(LETTERS[: len(options)])}"
                found.append(([index, "correct"], message))
        texts = [o if isinstance(o, Mapping) else {} for o in options]
        if len({" ".join(str(o.get("en")).casefold().split()) for o in texts}) < len(texts):
            found.append(([index, "options"], "two options have the same English text"))
        for number, option in enumerate(texts):
            zh, neutral = option.get("zh"), not re.search(_WORDS, str(option.get("zh")))
            neutral = neutral and _normalised(zh) == _normalised(option.get("en"))
            if isinstance(zh, str) and not re.search(_CJK, zh) and not neutral:
                message = "write the Chinese text (only a number or a formula may stay as in en)"
                found.append(([index, f"options[{number}]", "zh"], message))
        question = raw.get("question") if isinstance(raw.get("question"), Mapping) else {}
        asked = {f"question.{k}": _normalised(question.get(k)) for k in LANGUAGES}
        keys = {"id": raw.get("id"), **asked}
        for field, key in keys.items():
            if isinstance(key, str) and key and (field, key) in first:
                message = f"duplicate of entry #{first[field, key]} (same {field})"
                found.append(([index, *field.split(".")], message))
            if isinstance(key, str):
                first.setdefault((field, key), index)
    total = sum(letters.values())
    lines = [_where(["questions", *path], message, entries) for path, message in found]
    return lines + [
        f"key 'correct': {letter!r} answers {count} of {total} multiple-choice entries, over 40%"
        for letter, count in sorted(letters.items())
        if count > max(1, 0.4 * total)
    ]


def validate_entry(raw: Any, topics: Iterable[str], index: int = 0) -> list[str]:
    """The problems of one entry (a dict as in the YAML file), ``entry '<id>', field '<field>':
    <message>``; ``topics``: the topic keys; ``index`` names an entry without a usable id."""
    schema = {"$defs": SCHEMA["$defs"], "$ref": "#/$defs/entry"}
    found = _schema_problems(raw, schema, {index: raw}, ["questions", index])
    return found + _semantic_problems({index: raw}, list(topics))


def parse_bank(raw: Any, source: str = "the question bank") -> Bank:
    """The Bank of a loaded YAML document; BankError lists every problem (``source`` names it)."""
    safe = raw if isinstance(raw, Mapping) else {}
    entries = dict(enumerate(safe["questions"] if isinstance(safe.get("questions"), list) else []))
    topics = list(safe["topics"]) if isinstance(safe.get("topics"), Mapping) else []
    problems = _schema_problems(raw, SCHEMA, entries, []) + _semantic_problems(entries, topics)
    used = {str(entry.get("topic")) for entry in entries.values() if isinstance(entry, Mapping)}
    problems += [f"key 'topics.{t}': no question has this topic" for t in topics if t not in used]
    if problems:
        raise BankError(problems, source)
    questions = []
    for entry in map(_clean, entries.values()):
        link = (entry["link"],) if isinstance(entry.get("link"), str) else entry.get("link", ())
        questions.append(Question(**{**entry, "link": link}))
    return Bank({key: dict(names) for key, names in raw["topics"].items()}, tuple(questions))


def _clean(value: Any) -> Any:
    """Strip the strings of a YAML value; lists become tuples (Question is immutable)."""
    if isinstance(value, Mapping):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return tuple(map(_clean, value))
    return value.strip() if isinstance(value, str) else value


def load_bank(path: str | Path | None = None) -> Bank:
    """Load and validate the bank (default: ``data/interview_qa.yaml``, checked against its
    SHA-256); BankError lists every problem, FileNotFoundError says the file is missing."""
    path = Path(path) if path is not None else data.verified_path("interview_qa")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506
    except yaml.YAMLError as error:
        raise BankError([f"not valid YAML: {error}"], path.name) from error
    return parse_bank(raw, path.name)


def filter_questions(
    questions: Sequence[Question],
    *,
    topics: Iterable[str] | None = None,
    difficulties: Iterable[str] | None = None,
    source: str | None = None,
    multiple_choice: bool | None = None,
) -> list[Question]:
    """The questions passing every filter given (None: no filter); ValueError for unknown ones."""
    topics, difficulties = set(topics or ()), set(difficulties or ())
    if unknown := sorted(difficulties - set(DIFFICULTIES)):
        raise ValueError(f"unknown difficulties {unknown}; use {DIFFICULTIES}.")
    if source is not None and source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES} or None, got {source!r}.")
    known = {q.topic for q in questions}
    if questions and topics - known:
        raise ValueError(f"unknown topics {sorted(topics - known)}; available: {sorted(known)}.")
    return [
        q
        for q in questions
        if (not topics or q.topic in topics)
        and (not difficulties or q.difficulty in difficulties)
        and source in (None, q.source)
        and multiple_choice in (None, q.is_multiple_choice)
    ]


def grade(question: Question, choice: str) -> bool:
    """Whether ``choice`` (a letter; case and spaces ignored) is the right option."""
    if not question.is_multiple_choice:
        raise ValueError(f"question {question.id!r} is a flashcard, not multiple choice.")
    if not isinstance(choice, str):
        raise TypeError(f"choice must be a letter string such as 'a', got {choice!r}.")
    if choice.strip().lower() not in question.letters:
        raise ValueError(f"choice must be one of {list(question.letters)}, got {choice!r}.")
    return choice.strip().lower() == question.correct


def shuffle_options(question: Question, seed: Any = 0) -> tuple[Question, tuple[int, ...]]:
    """The question with its options in an order set by its id and ``seed`` (the quiz passes
    ``"<session seed>/<attempt>"``), and the order: shown letter ``x`` is stored letter
    ``LETTERS[order[LETTERS.index(x)]]``."""
    if not (count := len(question.options)):
        return question, ()
    order = random.Random(f"{question.id}/{seed}").sample(range(count), count)
    options = tuple(question.options[i] for i in order)
    correct = LETTERS[order.index(LETTERS.index(question.correct))]
    return dataclasses.replace(question, options=options, correct=correct), tuple(order)


def progress_path() -> Path:
    """The learner's progress file: ``COURSE_QA_PROGRESS``, else in the user's data folder."""
    default = Path(platformdirs.user_data_dir("course_utils")) / "interview_progress.json"
    return Path(os.environ.get("COURSE_QA_PROGRESS") or default)


def load_progress(path: str | Path) -> dict[str, Any]:
    """``{"session": n, "questions": {id: {"box", "last", "seen", "right"}}}`` from ``path``
    (a fresh start if it does not exist; ValueError if it is unreadable)."""
    if not Path(path).exists():
        return {"version": 1, "session": 0, "questions": {}}
    try:
        progress = json.loads(Path(path).read_text(encoding="utf-8"))
        numbers = [progress["session"]]
        for card in progress["questions"].values():
            numbers += [card[key] for key in ("box", "last", "seen", "right")]
        if not all(type(number) is int for number in numbers):
            raise TypeError("a session, box or count is not an integer")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path} is no quiz progress file ({error!r}); delete it.") from error
    return progress


def record_result(progress: dict[str, Any], question_id: str, correct: bool) -> None:
    """Move ``question_id`` to its next Leitner box (right: up one, at most 5; wrong: box 1)."""
    card = progress["questions"].setdefault(question_id, {"box": 1, "seen": 0, "right": 0})
    card.update(box=min(card["box"] + 1, 5) if correct else 1, last=progress["session"])
    card.update(seen=card["seen"] + 1, right=card["right"] + bool(correct))


def review_key(progress: Mapping[str, Any], question_id: str) -> tuple[int, int]:
    """Sort key: due questions first (lowest box first), then unseen ones, then the rest."""
    if (card := progress["questions"].get(question_id)) is None:
        return (1, 0)
    due = card["last"] + 2 ** (card["box"] - 1)
    return (0, card["box"]) if progress["session"] >= due else (2, due)


def mock_interview_set(questions: Sequence[Question], progress: Mapping, count: int) -> list:
    """``count`` questions: the due ones first, then easy, medium and hard ones in turn."""
    ordered = sorted(questions, key=lambda q: review_key(progress, q.id))
    picked = [q for q in ordered if review_key(progress, q.id)[0] == 0][:count]
    rest = [[q for q in ordered if q.difficulty == d and q not in picked] for d in DIFFICULTIES]
    while len(picked) < min(count, len(questions)):
        picked += [level.pop(0) for level in rest if level][: count - len(picked)]
    return picked


class QuizSession:
    """The quiz's state: ``mode`` ``"flashcards"`` (self-graded), ``"multiple-choice"`` or
    ``"mock-interview"`` (``count`` questions of mixed difficulty in ``minutes``); ``**filters``:
    ``topics``, ``difficulties``. ``shuffle_seed`` orders the questions (None: file order) and,
    with the attempt, the options. Results (each question counted once) go to ``progress_file``."""

    def __init__(
        self,
        bank: Bank,
        mode: str = "flashcards",
        *,
        lang: str = "en",
        shuffle_seed: int | None = None,
        progress_file: str | Path | None = None,
        count: int = 10,
        minutes: float = 20,
        clock: Callable[[], float] = time.monotonic,
        **filters: Iterable[str] | None,
    ) -> None:
        self.bank, self.lang, self.shuffle_seed = bank, _check_lang(lang), shuffle_seed
        self.results: dict[str, bool] = {}  # question id -> answered right
        self._choices, self.clock, self.progress_file = {}, clock, progress_file
        self.history = {"session": 0, "questions": {}}  # Leitner boxes, see the module docstring
        if progress_file is not None:
            self.history = load_progress(progress_file)
            self.history["session"] += 1
        self._seen = {key: card["seen"] for key, card in self.history["questions"].items()}
        self.set_filters(mode, count=count, minutes=minutes, **filters)

    def set_filters(
        self, mode: str, *, count: int = 10, minutes: float = 20, **filters: Iterable[str] | None
    ) -> None:
        """Change the mode and the filters (a mock interview starts anew); back to the first card."""
        if mode not in MODES or (mode == MODES[2] and not (count >= 1 and minutes > 0)):
            wanted = f"one of {MODES}, and for a mock interview count >= 1 and minutes > 0"
            raise ValueError(f"mode must be {wanted}; got {mode!r}, {count}, {minutes}.")
        only = True if mode == MODES[1] else None
        self.mode, self.index, self.revealed, self.deadline = mode, 0, False, None
        self.questions = filter_questions(self.bank.questions, **filters, multiple_choice=only)
        if self.shuffle_seed is not None:
            random.Random(self.shuffle_seed).shuffle(self.questions)
        self.questions.sort(key=lambda q: review_key(self.history, q.id))
        if mode == MODES[2]:
            self.questions = mock_interview_set(self.questions, self.history, count)
            self.deadline = self.clock() + 60 * minutes

    @property
    def time_left(self) -> float | None:
        """Seconds left in a mock interview (never below 0); None in the other modes."""
        return None if self.deadline is None else max(0.0, self.deadline - self.clock())

    @property
    def current(self) -> Question | None:
        """The question on screen, its options shuffled for this attempt; None if no question."""
        if not self.questions:
            return None
        question = self.questions[self.index]
        attempt = f"{self.shuffle_seed or 0}/{self._seen.get(question.id, 0)}"
        return shuffle_options(question, attempt)[0]

    def set_language(self, lang: str) -> None:
        """Switch between ``"en"``, ``"zh"`` and ``"both"``."""
        self.lang = _check_lang(lang)

    def reveal(self) -> None:
        """Show the answer of the current card."""
        self.revealed = self.current is not None

    def next(self, step: int = 1) -> None:
        """Go to the next card (``step=-1``: the previous one), wrapping around; hide the answer."""
        if self.questions:
            self.index, self.revealed = (self.index + step) % len(self.questions), False

    def _record(self, is_correct: bool) -> None:
        if self.current is None or self.time_left == 0:
            raise ValueError("no question to answer: change the filters, or the time is up.")
        if self.current.id not in self.results:
            self.results[self.current.id] = is_correct
            record_result(self.history, self.current.id, is_correct)
            if self.progress_file is not None:
                Path(self.progress_file).parent.mkdir(parents=True, exist_ok=True)
                Path(self.progress_file).write_text(json.dumps(self.history, indent=1), "utf-8")

    def answer(self, choice: str) -> bool:
        """Answer the current multiple-choice card: reveal it and return whether it is right."""
        if self.current is None:
            raise ValueError("no question matches the filters; change them first.")
        is_correct = grade(self.current, choice)
        self._record(is_correct)
        self._choices[self.current.id], self.revealed = choice.strip().lower(), True
        return is_correct

    def self_grade(self, knew_it: bool) -> None:
        """Flashcards: record whether you knew the answer (after revealing it, else ValueError)."""
        if self.current is not None and not self.revealed:
            raise ValueError("reveal the answer before grading yourself.")
        self._record(bool(knew_it))

    def progress(self) -> str:
        """E.g. ``Card 3 of 12 · Score: 2/2 (100%)``, plus the minutes left in a mock interview."""
        card = _text("card", self.lang, self.index + 1, len(self.questions))
        right, answered = sum(self.results.values()), len(self.results)
        parts = [card if self.questions else _text("no_questions", self.lang)]
        parts.append(f"{_text('score', self.lang)}: {right}/{answered}")
        parts[-1] += f" ({right / answered:.0%})" if answered else ""
        if self.time_left is not None:
            minutes = int(-(-self.time_left // 60))  # rounded up: 30 seconds is "1 min left"
            parts.append(_text("left" if minutes else "over", self.lang, minutes))
        return " · ".join(parts)

    def render(self, fmt: str = "html") -> str:
        """The current card as HTML or Markdown (see :func:`render_card`)."""
        if self.current is None:
            return _text("no_questions", self.lang)
        chosen = self._choices.get(self.current.id)
        options = dict(lang=self.lang, reveal=self.revealed, chosen=chosen, fmt=fmt)
        return render_card(self.current, self.bank, **options)


def render_card(
    question: Question,
    bank: Bank,
    *,
    lang: str = "en",
    reveal: bool = False,
    chosen: str | None = None,
    fmt: str = "markdown",
) -> str:
    """One card as ``"markdown"`` or ``"html"`` in ``lang`` ``"en"``, ``"zh"`` or ``"both"``; with
    ``reveal``, also the answer, explanation, mistakes, links, sources and the ``chosen`` letter."""
    if fmt not in ("markdown", "html"):
        raise ValueError(f"fmt must be 'markdown' or 'html', got {fmt!r}.")
    source = f"{_text('source', lang)}: {_text(question.source, lang)}"
    topic = f"{bank.topic_name(question.topic, lang)} · {_text(question.difficulty, lang)}"
    asked = _pick(question.question, lang).split("\n\n")
    parts = [f"*{topic} · {source}*", *(f"**{text}**" for text in asked)]
    if question.is_multiple_choice:
        marks = {chosen: " ❌", question.correct: " ✅"} if reveal else {}
        options = zip(question.letters, question.options, strict=True)
        shown = [f"- ({k}) {_pick(o, lang, ' / ')}{marks.get(k, '')}" for k, o in options]
        parts.append("\n".join(shown))
        if reveal and chosen:
            verdict = _text("right" if chosen == question.correct else "wrong", lang)
            parts.append(f"{_text('your_choice', lang)}: ({chosen}), {verdict}.")
    if reveal:
        mistakes = "\n".join(f"- {_pick(m, lang, ' / ')}" for m in question.mistakes)
        parts += [f"**{_text('answer', lang)}**", _pick(question.answer, lang)]
        parts += [f"**{_text('explanation', lang)}**", _pick(question.explanation, lang)]
        parts += [f"**{_text('mistakes', lang)}**", mistakes]
        parts += [f"{_text('related', lang)}: " + ", ".join(question.link)] if question.link else []
        cited = "; ".join(f"[{s['title']}]({s['url']}) ({s['date']})" for s in question.sources)
        parts += [f"{_text('sources', lang)}: {cited}"] if cited else []
    text = "\n\n".join(parts) + "\n"
    if fmt == "markdown":
        return text
    body = MarkdownIt("commonmark", {"html": False}).render(text)
    return f'<div style="max-width: 46em; line-height: 1.45">{body}</div>'


def quiz_widget(
    bank: Bank, *, lang: str = "en", shuffle_seed: int | None = 0, progress_file: Any = None
) -> Any:
    """An ipywidgets quiz (flashcards, multiple choice, timed mock interview) wired to a
    :class:`QuizSession` (the ``VBox``'s ``session``); results go to ``progress_file``."""
    progress_file = progress_path() if progress_file is None else progress_file
    session = QuizSession(bank, lang=lang, shuffle_seed=shuffle_seed, progress_file=progress_file)
    labels = ["Flashcards · 闪卡", "Multiple choice · 选择题", "Mock interview · 模拟面试"]
    fit = {"description_width": "initial"}  # labels as wide as their text
    auto = fit | {"button_width": "auto"}
    mode = w.ToggleButtons(options=list(zip(labels, MODES, strict=True)), style=auto)
    languages = [("English", "en"), ("中文", "zh"), ("Both · 双语", "both")]
    language = w.ToggleButtons(options=languages, value=lang, style=auto)
    every = [("All · 全部", "")]
    topic = w.Dropdown(options=every + [(bank.topic_name(t, "both"), t) for t in bank.topics])
    difficulty = w.Dropdown(options=every + [(_text(d, "both"), d) for d in DIFFICULTIES])
    count = w.BoundedIntText(10, min=1, max=len(bank), style=fit, layout={"width": "10em"})
    minutes = w.BoundedIntText(20, min=1, style=fit, layout={"width": "10em"})
    card, status = w.HTML(), w.HTML()
    letters = w.ToggleButtons(options=["a"], value=None, style=auto)
    topic.style.description_width = difficulty.style.description_width = "initial"
    reveal, previous, following = w.Button(icon="eye"), w.Button(), w.Button()
    knew, missed = w.Button(button_style="success"), w.Button(button_style="warning")
    labelled = dict(reveal=reveal, knew=knew, missed=missed, previous=previous, next=following)
    labelled |= dict(choose=letters, topic=topic, difficulty=difficulty, mode=mode)
    labelled |= dict(language=language, count=count, minutes=minutes)

    def refresh(*_: Any) -> None:
        for key, control in labelled.items():
            control.description = _text(key, "en" if session.lang == "both" else session.lang)
        card.value, status.value = session.render("html"), f"<b>{session.progress()}</b>"
        current = session.current
        choosing = current is not None and current.is_multiple_choice and session.mode != MODES[0]
        letters.layout.display = "" if choosing else "none"
        if choosing:
            letters.unobserve(on_letter, "value")
            letters.options, letters.value = list(current.letters), session._choices.get(current.id)
            letters.observe(on_letter, "value")
        for button in (reveal, knew, missed):
            button.layout.display = "none" if choosing or session.mode == MODES[1] else ""
        for control in (count, minutes):
            control.layout.display = "" if session.mode == MODES[2] else "none"

    def on_filters(_: Any) -> None:
        chosen = {"topics": topic.value, "difficulties": difficulty.value}
        filters = {key: [v] for key, v in chosen.items() if v}
        session.set_filters(mode.value, count=count.value, minutes=minutes.value, **filters)
        refresh()

    def on_letter(change: Mapping[str, Any]) -> None:
        if change["new"] and session.time_left != 0:  # after the time is up, only refresh
            session.answer(change["new"])
        refresh()

    def on_grade(knew_it: bool) -> None:
        if session.current is not None and session.time_left != 0:
            session.reveal()
            session.self_grade(knew_it)
        refresh(session.next())

    for control in (mode, topic, difficulty, count, minutes):
        control.observe(on_filters, "value")
    language.observe(lambda change: refresh(session.set_language(change["new"])), "value")
    letters.observe(on_letter, "value")
    reveal.on_click(lambda _: refresh(session.reveal()))
    knew.on_click(lambda _: on_grade(True))
    missed.on_click(lambda _: on_grade(False))
    previous.on_click(lambda _: refresh(session.next(-1)))
    following.on_click(lambda _: refresh(session.next()))
    refresh()
    rows = [w.HBox([mode, language]), w.HBox([topic, difficulty, count, minutes]), status, card]
    box = w.VBox([*rows, letters, w.HBox([reveal, knew, missed, previous, following])])
    box.session = session
    return box
