"""The interview question bank of notebook 03: load and validate it, filter, score, quiz, render.

:func:`load_bank` raises :class:`BankError` with one line per schema problem. :class:`QuizSession`
is the quiz's state (pure Python, tested); :func:`quiz_widget` only wires it to buttons.
"""

from __future__ import annotations

import dataclasses
import html
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w
import yaml

from . import config

LANGUAGES = ("en", "zh")
DIFFICULTIES = ("easy", "medium", "hard")
SOURCES = ("seed", "course")
MODES = ("flashcards", "multiple-choice")
LETTERS = "abcdefgh"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LINK = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb(?:#[A-Za-z0-9_-]+)?$")

# Interface text: key -> (English, Chinese); the last lines label the widget's controls.
_TEXT = {
    "source": ("Source", "来源"), "seed": ("seed", "种子材料"), "course": ("course", "课程"),
    "easy": ("easy", "简单"), "medium": ("medium", "中等"), "hard": ("hard", "困难"),
    "your_choice": ("Your choice", "你的选择"), "right": ("right", "正确"),
    "wrong": ("wrong", "错误"), "answer": ("Answer", "答案"),
    "explanation": ("Explanation", "详细解释"), "mistakes": ("Common mistakes", "常见错误"),
    "english_only": ("", "（英文）"), "related": ("Related notebook", "相关笔记本"),
    "score": ("Score", "得分"), "card": ("Card {} of {}", "第 {} 题，共 {} 题"),
    "no_questions": ("No question matches these filters.", "没有符合筛选条件的题目。"),
    "reveal": ("Reveal answer", "显示答案"), "knew": ("I knew it", "我答对了"),
    "missed": ("I did not", "我没答对"), "previous": ("◀ Previous", "◀ 上一题"),
    "next": ("Next ▶", "下一题 ▶"), "choose": ("Answer", "作答"),
    "topic": ("Topic", "主题"), "difficulty": ("Difficulty", "难度"),
}  # fmt: skip


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}.")
    return lang


def _text(key: str, lang: str) -> str:
    return _TEXT[key][LANGUAGES.index(_check_lang(lang))]


class BankError(ValueError):
    """The bank breaks the schema; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[str], source: str = "the question bank") -> None:
        self.problems = list(problems)
        shown = "\n  - ".join(self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {source}:\n  - {shown}")


@dataclass(frozen=True)
class SeedInfo:
    """Where a seed question comes from, the seed's answer, and what was wrong with it."""

    file: str
    section: str
    answer_zh: str
    answer_en: str
    audit: str


@dataclass(frozen=True)
class Question:
    """One entry of the bank: its fields are the schema (``data/interview_qa.yaml``)."""

    id: str
    topic: str
    difficulty: str
    source: str
    question: Mapping[str, str]
    answer: Mapping[str, str]
    explanation: str
    mistakes: tuple[str, ...]
    link: str
    options: tuple[Mapping[str, str], ...] = ()
    correct: str | None = None
    seed: SeedInfo | None = None

    @property
    def is_multiple_choice(self) -> bool:
        """True when the entry has options and a correct letter."""
        return bool(self.options)

    @property
    def letters(self) -> tuple[str, ...]:
        """The option letters, ``("a", "b", ...)``; empty for a flashcard."""
        return tuple(LETTERS[: len(self.options)])


_FIELDS = [f.name for f in dataclasses.fields(Question)]
_REQUIRED = [f.name for f in dataclasses.fields(Question) if f.default is dataclasses.MISSING]
_SEED_FIELDS = [f.name for f in dataclasses.fields(SeedInfo)]


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
        return self.topics[topic][_check_lang(lang)]


def _has_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _text_fields(
    name: str, value: Any, keys: Sequence[str], chinese: bool = False
) -> list[tuple[str, str]]:
    """(field, problem) pairs for a mapping that needs non-empty text under exactly ``keys``."""
    if not isinstance(value, Mapping):
        return [(name, f"expected a mapping with keys {', '.join(keys)}, got {value!r}")]
    missing = [key for key in keys if not _has_text(value.get(key))]
    found = [(f"{name}.{key}", "missing or empty text") for key in missing]
    unknown = sorted(set(value) - set(keys))
    if unknown:
        found.append((name, f"unknown keys {unknown}; use {', '.join(keys)}"))
    if chinese and _has_text(value.get("zh")) and not re.search(r"[\u4e00-\u9fff]", value["zh"]):
        found.append((f"{name}.zh", "contains no Chinese characters"))
    return found


def _choice_problems(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    if ("options" in raw) != ("correct" in raw):
        name = "options" if "correct" in raw else "correct"
        return [(name, "multiple-choice entries need both options and correct")]
    options = raw.get("options", [])
    if not isinstance(options, list) or ("options" in raw and not 2 <= len(options) <= 8):
        return [("options", f"must be a list of 2 to {len(LETTERS)} options")]
    found = []
    for number, option in enumerate(options):
        found += _text_fields(f"options[{number}]", option, LANGUAGES)
    letters = list(LETTERS[: len(options)])
    if options and raw["correct"] not in letters:
        found.append(("correct", f"{raw['correct']!r} must be one of {letters}"))
    texts = [option.get("en") for option in options if isinstance(option, Mapping)]
    if len(set(texts)) != len(texts):
        found.append(("options", "two options have the same English text"))
    return found


def _seed_problems(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    seed, is_seed = raw.get("seed"), raw.get("source") == "seed"
    if is_seed and seed is None:
        return [("seed", "seed entries need a seed block with " + ", ".join(_SEED_FIELDS))]
    if not is_seed and seed is not None:
        return [("seed", "only entries with source: seed may have a seed block")]
    return [] if seed is None else _text_fields("seed", seed, _SEED_FIELDS)


def validate_entry(raw: Any, topics: Iterable[str], index: int = 0) -> list[str]:
    """The problems of one entry (a dict from the YAML file); empty if it is valid.

    Each problem reads ``entry '<id>', field '<field>': <message>``; ``topics`` are the allowed
    topic keys, and ``index`` (the position in the file) names an entry without a usable id.
    """
    if not isinstance(raw, Mapping):
        return [f"entry '#{index}', field '(entry)': expected a mapping, got {type(raw).__name__}"]
    found = [(name, "required field is missing") for name in _REQUIRED if name not in raw]
    if set(raw) - set(_FIELDS):
        found.append(("(entry)", f"unknown fields {sorted(set(raw) - set(_FIELDS))}"))
    if "id" in raw and not (isinstance(raw["id"], str) and _ID.match(raw["id"])):
        found.append(("id", f"{raw['id']!r} must be lowercase words joined by hyphens"))
    choices = {"topic": sorted(topics), "difficulty": DIFFICULTIES, "source": SOURCES}
    for name, allowed in choices.items():
        if name in raw and raw[name] not in allowed:
            found.append((name, f"{raw[name]!r} is not one of {allowed}"))
    for name in ("question", "answer"):
        found += _text_fields(name, raw[name], LANGUAGES, chinese=True) if name in raw else []
    if "explanation" in raw and not _has_text(raw["explanation"]):
        found.append(("explanation", "must be a non-empty string"))
    mistakes = raw.get("mistakes", ["(reported above)"])
    if not (isinstance(mistakes, list) and mistakes and all(map(_has_text, mistakes))):
        found.append(("mistakes", "must be a non-empty list of strings"))
    if "link" in raw and not (isinstance(raw["link"], str) and _LINK.match(raw["link"])):
        example = "'05_cnn_training.ipynb', optionally with '#anchor'"
        found.append(("link", f"{raw['link']!r} must be a notebook file name like {example}"))
    found += _choice_problems(raw) + _seed_problems(raw)
    entry_id = raw["id"] if _has_text(raw.get("id")) else f"#{index}"
    return [f"entry {entry_id!r}, field {name!r}: {message}" for name, message in found]


def _clean(value: Any) -> Any:
    """Strip the strings of a YAML value; lists become tuples (Question is immutable)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return tuple(_clean(item) for item in value)
    if isinstance(value, Mapping):
        return {key: _clean(item) for key, item in value.items()}
    return value


def parse_bank(raw: Any, source: str = "the question bank") -> Bank:
    """Validate a loaded YAML document (``topics`` and ``questions``) and build the Bank.

    Raises:
        BankError: listing every problem; ``source`` (e.g. the file name) names the document.
    """
    if not isinstance(raw, Mapping):
        raise BankError(["the file must be a mapping with keys topics and questions"], source)
    problems: list[str] = []
    topics = raw.get("topics")
    if not isinstance(topics, Mapping) or not topics:
        problems.append("key 'topics': expected a mapping topic -> {en, zh}")
        topics = {}
    for key, names in topics.items():
        if _text_fields(key, names, LANGUAGES):
            problems.append(f"topic {key!r}: needs exactly an en and a zh name, got {names!r}")
    entries = raw.get("questions")
    if not isinstance(entries, list) or not entries:
        problems.append("key 'questions': expected a non-empty list of entries")
        entries = []
    first: dict[str, int] = {}
    for index, entry in enumerate(entries):
        problems += validate_entry(entry, topics, index)
        entry_id = entry.get("id") if isinstance(entry, Mapping) else None
        if isinstance(entry_id, str) and entry_id in first:
            duplicate = f"duplicate: entries #{first[entry_id]} and #{index}"
            problems.append(f"entry {entry_id!r}, field 'id': {duplicate}")
        elif isinstance(entry_id, str):
            first[entry_id] = index
    if problems:
        raise BankError(problems, source)
    questions = []
    for entry in map(_clean, entries):
        seed = SeedInfo(**entry["seed"]) if entry.get("seed") else None
        questions.append(Question(**{**entry, "seed": seed}))
    return Bank({key: dict(names) for key, names in topics.items()}, tuple(questions))


def default_path() -> Path:
    """The bundled bank, ``data/interview_qa.yaml``."""
    return config.data_dir() / "interview_qa.yaml"


def load_bank(path: str | Path | None = None) -> Bank:
    """Load and validate the question bank (default: :func:`default_path`).

    Raises:
        FileNotFoundError: the file does not exist.
        BankError: the file is not YAML or breaks the schema (every problem is listed).
    """
    path = Path(path) if path is not None else default_path()
    if not path.exists():
        raise FileNotFoundError(f"question bank not found at {path}; pass the YAML file's path.")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
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
    """The questions that pass every filter given, in their order (None or empty: no filter).

    An unknown difficulty or source, or a topic no question has, raises ValueError.
    """
    topics, difficulties = set(topics or ()), set(difficulties or ())
    if difficulties - set(DIFFICULTIES):
        unknown = sorted(difficulties - set(DIFFICULTIES))
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
    """Whether ``choice`` (a letter; case and spaces ignored) is the right option.

    Raises ValueError for a flashcard or a letter that is no option, TypeError for a non-string.
    """
    if not question.is_multiple_choice:
        raise ValueError(f"question {question.id!r} is a flashcard, not multiple choice.")
    if not isinstance(choice, str):
        raise TypeError(f"choice must be a letter string such as 'a', got {choice!r}.")
    if choice.strip().lower() not in question.letters:
        raise ValueError(f"choice must be one of {list(question.letters)}, got {choice!r}.")
    return choice.strip().lower() == question.correct


@dataclass(frozen=True)
class Score:
    """A running score; :meth:`record` returns a new Score."""

    answered: int = 0
    correct: int = 0

    def record(self, is_correct: bool) -> Score:
        """The score after one more answer."""
        return Score(self.answered + 1, self.correct + bool(is_correct))

    @property
    def fraction(self) -> float:
        """Share answered correctly (0.0 before any answer)."""
        return self.correct / self.answered if self.answered else 0.0

    def summary(self, lang: str = "en") -> str:
        """One line such as ``Score: 3/4 (75%)``."""
        text = f"{_text('score', lang)}: {self.correct}/{self.answered}"
        return f"{text} ({self.fraction:.0%})" if self.answered else text


class QuizSession:
    """The quiz's state, in pure Python: the selected questions, the card shown, the score.

    ``mode`` is ``"flashcards"`` (self-graded) or ``"multiple-choice"`` (graded at once);
    ``**filters`` are ``topics`` and ``difficulties``; ``shuffle_seed=None`` keeps the file order.
    Each question is scored once: answering it again shows the result, the score stays.
    """

    def __init__(
        self,
        bank: Bank,
        mode: str = "flashcards",
        *,
        lang: str = "en",
        shuffle_seed: int | None = None,
        **filters: Iterable[str] | None,
    ) -> None:
        self.bank, self.lang, self.shuffle_seed = bank, _check_lang(lang), shuffle_seed
        self.score, self._scored, self._choices = Score(), set(), {}
        self.set_filters(mode, **filters)

    def set_filters(self, mode: str, **filters: Iterable[str] | None) -> None:
        """Change the mode and the filters; back to the first card (the score is kept)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}.")
        choice_only = True if mode == "multiple-choice" else None
        self.mode = mode
        self.questions = filter_questions(
            self.bank.questions, **filters, multiple_choice=choice_only
        )
        if self.shuffle_seed is not None:
            random.Random(self.shuffle_seed).shuffle(self.questions)
        self.index, self.revealed = 0, False

    @property
    def current(self) -> Question | None:
        """The question on screen, or None when no question matches the filters."""
        return self.questions[self.index] if self.questions else None

    @property
    def current_choice(self) -> str | None:
        """The letter picked for the current card, or None."""
        return self._choices.get(self.current.id) if self.current else None

    def set_language(self, lang: str) -> None:
        """Switch between ``"en"`` and ``"zh"``."""
        self.lang = _check_lang(lang)

    def reveal(self) -> None:
        """Show the answer of the current card."""
        self.revealed = self.current is not None

    def next(self, step: int = 1) -> None:
        """Go to the next card (``step=-1``: the previous one), wrapping around; hide the answer."""
        if self.questions:
            self.index, self.revealed = (self.index + step) % len(self.questions), False

    def previous(self) -> None:
        """Go to the previous card."""
        self.next(-1)

    def _record(self, is_correct: bool) -> None:
        if self.current is None:
            raise ValueError("no question matches the filters; change them first.")
        if self.current.id not in self._scored:
            self._scored.add(self.current.id)
            self.score = self.score.record(is_correct)

    def answer(self, choice: str) -> bool:
        """Answer the current multiple-choice card: reveal it and return whether it is right."""
        if self.current is None:
            raise ValueError("no question matches the filters; change them first.")
        is_correct = grade(self.current, choice)
        self._choices[self.current.id] = choice.strip().lower()
        self._record(is_correct)
        self.revealed = True
        return is_correct

    def self_grade(self, knew_it: bool) -> None:
        """Flashcards: record whether you knew the answer (after revealing it, else ValueError)."""
        if self.current is not None and not self.revealed:
            raise ValueError("reveal the answer before grading yourself.")
        self._record(bool(knew_it))

    def progress(self) -> str:
        """E.g. ``Card 3 of 12 · Score: 2/2 (100%)``."""
        card = _text("card", self.lang).format(self.index + 1, len(self.questions))
        if not self.questions:
            card = _text("no_questions", self.lang)
        return f"{card} · {self.score.summary(self.lang)}"

    def render(self, fmt: str = "html") -> str:
        """The current card as HTML or Markdown (see :func:`render_card`)."""
        if self.current is None:
            return _text("no_questions", self.lang)
        options = {"reveal": self.revealed, "chosen": self.current_choice, "fmt": fmt}
        return render_card(self.current, self.bank, lang=self.lang, **options)


_MARKDOWN = {"meta": "*{}*", "question": "**{}**", "heading": "**{}**", "para": "{}"}
_HTML = {
    "meta": '<div style="color: #666; font-size: 90%">{}</div>',
    "question": "<p><b>{}</b></p>",
    "heading": "<p style='margin-bottom: 0.2em'><b>{}</b></p>",
    "para": "<p>{}</p>",
}


def render_card(
    question: Question,
    bank: Bank,
    *,
    lang: str = "en",
    reveal: bool = False,
    chosen: str | None = None,
    fmt: str = "markdown",
) -> str:
    """One card in ``fmt`` ``"markdown"`` or ``"html"``: the question and its options.

    With ``reveal``, also the answer, the explanation and common mistakes (in English), the link,
    and the ``chosen`` letter marked right or wrong. Raises ValueError on an unknown lang or fmt.
    """
    if fmt not in ("markdown", "html"):
        raise ValueError(f"fmt must be 'markdown' or 'html', got {fmt!r}.")
    topic = bank.topic_name(question.topic, lang)
    source = f"{_text('source', lang)}: {_text(question.source, lang)}"
    meta = f"{topic} · {_text(question.difficulty, lang)} · {source}"
    blocks: list[tuple[str, Any]] = [("meta", meta), ("question", question.question[lang])]
    if question.is_multiple_choice:
        marks = {chosen: " ❌", question.correct: " ✅"} if reveal else {}
        options = zip(question.letters, question.options, strict=True)
        blocks.append(("list", [f"({k}) {text[lang]}{marks.get(k, '')}" for k, text in options]))
        if reveal and chosen:
            verdict = _text("right" if chosen == question.correct else "wrong", lang)
            blocks.append(("para", f"{_text('your_choice', lang)}: ({chosen}), {verdict}."))
    if reveal:
        english_only = _text("english_only", lang)
        blocks += [
            ("heading", _text("answer", lang)),
            ("para", question.answer[lang]),
            ("heading", _text("explanation", lang) + english_only),
            ("para", question.explanation),
            ("heading", _text("mistakes", lang) + english_only),
            ("list", list(question.mistakes)),
            ("para", f"{_text('related', lang)}: {question.link}"),
        ]
    if fmt == "markdown":
        parts = []
        for kind, content in blocks:
            if kind == "list":
                parts.append("\n".join(f"- {item}" for item in content))
            else:
                parts.append(_MARKDOWN[kind].format(content))
        return "\n\n".join(parts) + "\n"
    parts = ['<div style="max-width: 46em; line-height: 1.45">']
    for kind, content in blocks:
        if kind == "list":
            items = "".join(f"<li>{html.escape(item)}</li>" for item in content)
            parts.append(f"<ul style='margin-top: 0.2em'>{items}</ul>")
        else:
            parts.append(_HTML[kind].format(html.escape(content)))
    return "\n".join(parts + ["</div>"])


def static_sample(bank: Bank, *, count: int = 3, seed: int = 0) -> str:
    """Markdown of a reproducible sample of revealed cards: the quiz without a front end.

    One multiple-choice card, then ``count - 1`` (>= 0) cards of other topics.
    """
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}.")
    rng = random.Random(seed)
    picked = [rng.choice([q for q in bank.questions if q.is_multiple_choice])]
    others = [q for q in bank.questions if q not in picked]
    rng.shuffle(others)
    for question in others:
        if len(picked) < count and question.topic not in {p.topic for p in picked}:
            picked.append(question)
    return "\n---\n\n".join(render_card(q, bank, reveal=True) for q in picked)


def quiz_widget(bank: Bank, *, lang: str = "en", shuffle_seed: int | None = 0) -> Any:
    """An ipywidgets quiz: flashcards or multiple choice, filters, language toggle, score.

    The logic is :class:`QuizSession`, the returned ``VBox``'s ``session`` attribute; this
    function only lays out the controls and wires them to it.
    """
    session = QuizSession(bank, lang=lang, shuffle_seed=shuffle_seed)
    modes = [("Flashcards · 闪卡", MODES[0]), ("Multiple choice · 选择题", MODES[1])]
    mode = w.ToggleButtons(options=modes)
    language = w.ToggleButtons(options=[("English", "en"), ("中文", "zh")], value=lang)
    every = [("All · 全部", "")]
    topics = [(f"{names['en']} · {names['zh']}", key) for key, names in bank.topics.items()]
    topic = w.Dropdown(options=every + topics)
    difficulty = w.Dropdown(options=every + [(f"{d} · {_text(d, 'zh')}", d) for d in DIFFICULTIES])
    card, status = w.HTML(), w.HTML()
    reveal, previous, following = w.Button(icon="eye"), w.Button(), w.Button()
    knew, missed = w.Button(button_style="success"), w.Button(button_style="warning")
    letters = w.ToggleButtons(options=list(LETTERS[:4]), value=None)
    labelled = {"reveal": reveal, "knew": knew, "missed": missed, "previous": previous}
    labelled |= {"next": following, "choose": letters, "topic": topic, "difficulty": difficulty}

    def refresh(*_: Any) -> None:
        for key, control in labelled.items():
            control.description = _text(key, session.lang)
        card.value = session.render("html")
        status.value = f"<b>{html.escape(session.progress())}</b>"
        choosing = session.mode == "multiple-choice" and session.current is not None
        letters.layout.display = "" if choosing else "none"
        if choosing:
            letters.unobserve(on_letter, "value")
            letters.options, letters.value = list(session.current.letters), session.current_choice
            letters.observe(on_letter, "value")
        for button in (reveal, knew, missed):
            button.layout.display = "" if session.mode == "flashcards" else "none"

    def on_filters(_: Any) -> None:
        chosen = {"topics": topic.value, "difficulties": difficulty.value}
        session.set_filters(mode.value, **{key: [v] for key, v in chosen.items() if v})
        refresh()

    def on_letter(change: Mapping[str, Any]) -> None:
        if change["new"]:
            refresh(session.answer(change["new"]))

    def on_grade(knew_it: bool) -> None:
        if session.current is not None:
            session.reveal()
            session.self_grade(knew_it)
            refresh(session.next())

    for control in (mode, topic, difficulty):
        control.observe(on_filters, "value")
    language.observe(lambda change: refresh(session.set_language(change["new"])), "value")
    letters.observe(on_letter, "value")
    reveal.on_click(lambda _: refresh(session.reveal()))
    knew.on_click(lambda _: on_grade(True))
    missed.on_click(lambda _: on_grade(False))
    previous.on_click(lambda _: refresh(session.previous()))
    following.on_click(lambda _: refresh(session.next()))
    refresh()
    buttons = w.HBox([reveal, knew, missed, previous, following])
    rows = [w.HBox([mode, language]), w.HBox([topic, difficulty]), status, card, letters, buttons]
    box = w.VBox(rows)
    box.session = session
    return box
