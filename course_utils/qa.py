"""The interview question bank (notebook 02): loader, schema checks, filters, scoring, quiz, export.

The bank lives in ``data/interview_qa.yaml``. Everything here except :func:`quiz_widget` is
pure logic with unit tests; the widget only wires it to buttons.

* load and validate: :func:`load_bank` (raises :class:`BankError` listing every problem as
  ``entry '<id>', field '<field>': <what is wrong>``), :func:`validate_entry`,
  :func:`check_links`;
* select and score: :func:`filter_questions`, :func:`grade`, :class:`Score`,
  :class:`QuizSession` (the quiz's state machine);
* show: :func:`render_card` (Markdown or HTML), :func:`static_sample`, :func:`quiz_widget`;
* print: :func:`export_markdown`, and the command line
  ``python -m course_utils.qa export docs/interview_qa.md`` / ``python -m course_utils.qa check``.

Import the module, not names::

    from course_utils import qa
    bank = qa.load_bank()
    hard_cnn = qa.filter_questions(bank.questions, topics=["cnn"], difficulties=["hard"])
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import checks, config

LANGUAGES = ("en", "zh")
DIFFICULTIES = ("easy", "medium", "hard")
SOURCES = ("seed", "course")
MODES = ("flashcards", "multiple-choice")
LETTERS = "abcdefgh"
_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LINK_PATTERN = re.compile(r"^(\d\d_[a-z0-9_]+\.ipynb)(?:#([A-Za-z0-9_-]+))?$")
_SEED_FIELDS = ("file", "section", "answer_zh", "answer_en", "audit")
_REQUIRED = (
    "id",
    "topic",
    "difficulty",
    "source",
    "question",
    "answer",
    "explanation",
    "mistakes",
    "link",
)
_OPTIONAL = ("options", "correct", "seed")

_LABELS = {
    "en": {
        "question": "Question",
        "answer": "Answer",
        "explanation": "Explanation",
        "mistakes": "Common mistakes",
        "options": "Options",
        "correct": "Correct option",
        "related": "Related notebook",
        "source": "Source",
        "seed": "seed",
        "course": "course",
        "your_choice": "Your choice",
        "right": "right",
        "wrong": "wrong",
        "score": "Score",
        "no_questions": "No question matches these filters.",
        "card": "Card",
        "of": "of",
        "english_only": "",
    },
    "zh": {
        "question": "问题",
        "answer": "答案",
        "explanation": "详细解释",
        "mistakes": "常见错误",
        "options": "选项",
        "correct": "正确选项",
        "related": "相关笔记本",
        "source": "来源",
        "seed": "种子材料",
        "course": "课程",
        "your_choice": "你的选择",
        "right": "正确",
        "wrong": "错误",
        "score": "得分",
        "no_questions": "没有符合筛选条件的题目。",
        "card": "第",
        "of": "/",
        "english_only": "（英文）",
    },
}
_CONTROL_LABELS = {
    "en": {
        "reveal": "Reveal answer",
        "knew": "I knew it",
        "missed": "I did not",
        "previous": "◀ Previous",
        "next": "Next ▶",
        "answer": "Answer",
        "topic": "Topic",
        "difficulty": "Difficulty",
    },
    "zh": {
        "reveal": "显示答案",
        "knew": "我答对了",
        "missed": "我没答对",
        "previous": "◀ 上一题",
        "next": "下一题 ▶",
        "answer": "作答",
        "topic": "主题",
        "difficulty": "难度",
    },
}
_DIFFICULTY_NAMES = {
    "en": {"easy": "easy", "medium": "medium", "hard": "hard"},
    "zh": {"easy": "简单", "medium": "中等", "hard": "困难"},
}


class BankError(ValueError):
    """The bank file does not follow the schema; ``problems`` lists every problem found.

    Each problem reads ``entry '<id>', field '<field>': <what is wrong and what is expected>``.
    """

    def __init__(self, problems: Sequence[str], source: str = "the question bank") -> None:
        self.problems = list(problems)
        shown = "\n  - ".join(self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {source}:\n  - {shown}")


@dataclass(frozen=True)
class Option:
    """One multiple-choice option in both languages."""

    en: str
    zh: str

    def text(self, lang: str) -> str:
        """The option in ``lang`` ("en" or "zh")."""
        return getattr(self, _check_lang(lang))


@dataclass(frozen=True)
class SeedInfo:
    """Where a seed question comes from and what was wrong with the seed's answer."""

    file: str
    section: str
    answer_zh: str
    answer_en: str
    audit: str


@dataclass(frozen=True)
class Question:
    """One entry of the bank (see ``data/interview_qa.yaml`` for the meaning of each field)."""

    id: str
    topic: str
    difficulty: str
    source: str
    question: Mapping[str, str]
    answer: Mapping[str, str]
    explanation: str
    mistakes: tuple[str, ...]
    link: str
    options: tuple[Option, ...] = ()
    correct: str | None = None
    seed: SeedInfo | None = None

    @property
    def is_multiple_choice(self) -> bool:
        """True when the entry has options and a correct letter."""
        return bool(self.options)

    @property
    def letters(self) -> tuple[str, ...]:
        """The option letters, ``("a", "b", ...)``; empty for a flashcard-only entry."""
        return tuple(LETTERS[: len(self.options)])

    @property
    def link_file(self) -> str:
        """The notebook file name of ``link`` (without the ``#anchor``)."""
        return self.link.split("#", 1)[0]

    @property
    def link_anchor(self) -> str | None:
        """The ``#anchor`` of ``link`` without the ``#``, or None."""
        return self.link.split("#", 1)[1] if "#" in self.link else None


@dataclass(frozen=True)
class Bank:
    """The loaded bank: topic names and the validated questions, in file order."""

    topics: Mapping[str, Mapping[str, str]]
    questions: tuple[Question, ...]

    def __len__(self) -> int:
        return len(self.questions)

    def by_id(self, question_id: str) -> Question:
        """Return the question with this id.

        Raises:
            KeyError: no such id (the message suggests close matches).
        """
        for question in self.questions:
            if question.id == question_id:
                return question
        close = [q.id for q in self.questions if question_id.split("-")[0] in q.id][:5]
        raise KeyError(f"no question with id {question_id!r}; similar ids: {close}")

    def topic_name(self, topic: str, lang: str = "en") -> str:
        """Human-readable name of ``topic`` in ``lang``."""
        return self.topics[topic][_check_lang(lang)]


# --------------------------------------------------------------------------- validation
def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}.")
    return lang


def _nonempty_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _problem(entry_id: str, field_name: str, message: str) -> str:
    return f"entry {entry_id!r}, field {field_name!r}: {message}"


def _check_bilingual(
    entry_id: str, name: str, value: Any, *, require_chinese: bool = True
) -> list[str]:
    if not isinstance(value, Mapping):
        return [_problem(entry_id, name, f"expected a mapping with keys en and zh, got {value!r}")]
    problems = []
    for lang in LANGUAGES:
        if not _nonempty_text(value.get(lang)):
            problems.append(_problem(entry_id, f"{name}.{lang}", "missing or empty text"))
    extra = set(value) - set(LANGUAGES)
    if extra:
        problems.append(_problem(entry_id, name, f"unknown keys {sorted(extra)}; use en and zh"))
    zh = value.get("zh")
    if require_chinese and _nonempty_text(zh) and not re.search(r"[\u4e00-\u9fff]", zh):
        problems.append(_problem(entry_id, f"{name}.zh", "contains no Chinese characters"))
    return problems


def validate_entry(raw: Any, topics: Iterable[str], index: int = 0) -> list[str]:
    """Check one raw entry (a dict from the YAML file) against the schema.

    Args:
        raw: the entry as loaded from YAML.
        topics: the allowed topic keys.
        index: position in the file, used to name entries that have no usable id.

    Returns:
        A list of problems, each ``entry '<id>', field '<field>': <message>``; empty if valid.
    """
    if not isinstance(raw, Mapping):
        return [_problem(f"#{index}", "(entry)", f"expected a mapping, got {type(raw).__name__}")]
    entry_id = raw.get("id") if _nonempty_text(raw.get("id")) else f"#{index}"
    topics = set(topics)
    problems = [
        _problem(entry_id, name, "required field is missing")
        for name in _REQUIRED
        if name not in raw
    ]
    unknown = set(raw) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        problems.append(_problem(entry_id, "(entry)", f"unknown fields {sorted(unknown)}"))
    if "id" in raw and not (isinstance(raw["id"], str) and _ID_PATTERN.match(raw["id"])):
        problems.append(
            _problem(entry_id, "id", f"{raw['id']!r} must be lowercase words joined by hyphens")
        )
    if "topic" in raw and raw["topic"] not in topics:
        problems.append(
            _problem(entry_id, "topic", f"{raw['topic']!r} is not one of {sorted(topics)}")
        )
    if "difficulty" in raw and raw["difficulty"] not in DIFFICULTIES:
        problems.append(
            _problem(entry_id, "difficulty", f"{raw['difficulty']!r} is not one of {DIFFICULTIES}")
        )
    if "source" in raw and raw["source"] not in SOURCES:
        problems.append(_problem(entry_id, "source", f"{raw['source']!r} is not one of {SOURCES}"))
    for name in ("question", "answer"):
        if name in raw:
            problems += _check_bilingual(entry_id, name, raw[name])
    if "explanation" in raw and not _nonempty_text(raw["explanation"]):
        problems.append(_problem(entry_id, "explanation", "must be a non-empty string"))
    if "mistakes" in raw:
        mistakes = raw["mistakes"]
        if not (isinstance(mistakes, list) and mistakes and all(map(_nonempty_text, mistakes))):
            problems.append(_problem(entry_id, "mistakes", "must be a non-empty list of strings"))
    if "link" in raw and not (isinstance(raw["link"], str) and _LINK_PATTERN.match(raw["link"])):
        problems.append(
            _problem(
                entry_id,
                "link",
                f"{raw.get('link')!r} must be a notebook file name like "
                "'03_cnn_image_classification.ipynb', optionally with '#anchor'",
            )
        )
    problems += _check_choice_fields(entry_id, raw)
    problems += _check_seed_fields(entry_id, raw)
    return problems


def _check_choice_fields(entry_id: str, raw: Mapping[str, Any]) -> list[str]:
    has_options, has_correct = "options" in raw, "correct" in raw
    if has_options != has_correct:
        return [
            _problem(
                entry_id,
                "options" if has_correct else "correct",
                "multiple-choice entries need both options and correct",
            )
        ]
    if not has_options:
        return []
    options = raw["options"]
    if not isinstance(options, list) or not 2 <= len(options) <= len(LETTERS):
        return [_problem(entry_id, "options", f"must be a list of 2 to {len(LETTERS)} options")]
    problems = []
    for number, option in enumerate(options):
        problems += _check_bilingual(entry_id, f"options[{number}]", option, require_chinese=False)
    letters = LETTERS[: len(options)]
    if raw["correct"] not in tuple(letters):
        problems.append(
            _problem(entry_id, "correct", f"{raw['correct']!r} must be one of {list(letters)}")
        )
    texts = [o.get("en") for o in options if isinstance(o, Mapping)]
    if len(set(texts)) != len(texts):
        problems.append(_problem(entry_id, "options", "two options have the same English text"))
    return problems


def _check_seed_fields(entry_id: str, raw: Mapping[str, Any]) -> list[str]:
    source, seed = raw.get("source"), raw.get("seed")
    if source == "seed" and seed is None:
        return [
            _problem(
                entry_id, "seed", "seed entries need a seed block with " + ", ".join(_SEED_FIELDS)
            )
        ]
    if source != "seed" and seed is not None:
        return [_problem(entry_id, "seed", "only entries with source: seed may have a seed block")]
    if seed is None:
        return []
    if not isinstance(seed, Mapping):
        return [_problem(entry_id, "seed", "must be a mapping")]
    problems = [
        _problem(entry_id, f"seed.{name}", "missing or empty text")
        for name in _SEED_FIELDS
        if not _nonempty_text(seed.get(name))
    ]
    extra = set(seed) - set(_SEED_FIELDS)
    if extra:
        problems.append(_problem(entry_id, "seed", f"unknown keys {sorted(extra)}"))
    return problems


def _to_question(raw: Mapping[str, Any]) -> Question:
    seed = raw.get("seed")
    return Question(
        id=raw["id"],
        topic=raw["topic"],
        difficulty=raw["difficulty"],
        source=raw["source"],
        question={lang: raw["question"][lang].strip() for lang in LANGUAGES},
        answer={lang: raw["answer"][lang].strip() for lang in LANGUAGES},
        explanation=raw["explanation"].strip(),
        mistakes=tuple(m.strip() for m in raw["mistakes"]),
        link=raw["link"],
        options=tuple(Option(o["en"].strip(), o["zh"].strip()) for o in raw.get("options", [])),
        correct=raw.get("correct"),
        seed=SeedInfo(**{name: seed[name].strip() for name in _SEED_FIELDS}) if seed else None,
    )


def parse_bank(raw: Any, source: str = "the question bank") -> Bank:
    """Validate a loaded YAML document and build the :class:`Bank`.

    Args:
        raw: the whole document (a mapping with ``topics`` and ``questions``).
        source: name used in error messages (e.g. the file path).

    Raises:
        BankError: listing every schema problem, each with the entry id and field.
    """
    if not isinstance(raw, Mapping):
        raise BankError(["the file must be a mapping with keys topics and questions"], source)
    problems: list[str] = []
    topics = raw.get("topics")
    if not isinstance(topics, Mapping) or not topics:
        problems.append("key 'topics': expected a mapping topic -> {en, zh}")
        topics = {}
    for key, names in topics.items():
        if not (
            isinstance(names, Mapping)
            and set(names) == set(LANGUAGES)
            and all(_nonempty_text(names.get(la)) for la in LANGUAGES)
        ):
            problems.append(f"topic {key!r}: needs exactly an en and a zh name, got {names!r}")
    entries = raw.get("questions")
    if not isinstance(entries, list) or not entries:
        problems.append("key 'questions': expected a non-empty list of entries")
        entries = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        problems += validate_entry(entry, topics, index)
        entry_id = entry.get("id") if isinstance(entry, Mapping) else None
        if isinstance(entry_id, str):
            if entry_id in seen:
                problems.append(
                    _problem(entry_id, "id", f"duplicate: entries #{seen[entry_id]} and #{index}")
                )
            seen.setdefault(entry_id, index)
    if problems:
        raise BankError(problems, source)
    return Bank(
        topics={key: dict(value) for key, value in topics.items()},
        questions=tuple(_to_question(entry) for entry in entries),
    )


def default_path() -> Path:
    """Path of the bundled bank, ``data/interview_qa.yaml``."""
    return config.data_dir() / "interview_qa.yaml"


def load_bank(path: str | Path | None = None) -> Bank:
    """Load and validate the question bank.

    Args:
        path: a YAML file; default :func:`default_path`.

    Returns:
        The :class:`Bank`.

    Raises:
        FileNotFoundError: the file does not exist.
        BankError: the file breaks the schema (every problem is listed with entry id and field).
    """
    import yaml

    path = Path(path) if path is not None else default_path()
    if not path.exists():
        raise FileNotFoundError(
            f"question bank not found at {path}; pass the path of the YAML file."
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise BankError([f"not valid YAML: {error}"], path.name) from error
    return parse_bank(raw, path.name)


def _notebook_anchors(notebook: Path) -> set[str]:
    """Anchors a notebook defines: ``<a id="...">`` tags and heading slugs."""
    anchors: set[str] = set()
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        text = "".join(cell.get("source", []))
        anchors.update(re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", text))
        for heading in re.findall(r"^#+\s+(.+)$", text, flags=re.MULTILINE):
            anchors.add(heading.strip().replace(" ", "-"))
            anchors.add(re.sub(r"[^a-z0-9 -]", "", heading.lower()).strip().replace(" ", "-"))
    return anchors


def check_links(bank: Bank, notebooks_dir: str | Path | None = None) -> list[str]:
    """Return problems with the questions' links: missing notebooks or missing anchors.

    Args:
        bank: the loaded bank.
        notebooks_dir: folder with the notebooks; default ``notebooks/`` of the repository.

    Returns:
        A list of problems (empty when every link resolves).
    """
    folder = Path(notebooks_dir) if notebooks_dir is not None else config.REPO_ROOT / "notebooks"
    problems, anchors_cache = [], {}
    for question in bank.questions:
        notebook = folder / question.link_file
        if not notebook.exists():
            problems.append(_problem(question.id, "link", f"{question.link_file} does not exist"))
            continue
        if question.link_anchor:
            if notebook not in anchors_cache:
                anchors_cache[notebook] = _notebook_anchors(notebook)
            if question.link_anchor not in anchors_cache[notebook]:
                problems.append(
                    _problem(
                        question.id,
                        "link",
                        f"anchor #{question.link_anchor} is not in "
                        f'{question.link_file} (add <a id="{question.link_anchor}"></a>)',
                    )
                )
    return problems


# --------------------------------------------------------------------------- filter and score
def filter_questions(
    questions: Sequence[Question],
    *,
    topics: Iterable[str] | None = None,
    difficulties: Iterable[str] | None = None,
    source: str | None = None,
    multiple_choice: bool | None = None,
) -> list[Question]:
    """Select questions, keeping their order.

    Args:
        questions: the questions to filter (e.g. ``bank.questions``).
        topics: keep these topics (None or empty: all).
        difficulties: keep these difficulties (None or empty: all).
        source: ``"seed"`` or ``"course"`` (None: both).
        multiple_choice: True keeps only multiple-choice entries, False only the others.

    Raises:
        ValueError: an unknown difficulty or source, or a topic no question has.
    """
    topics = set(topics or ())
    difficulties = set(difficulties or ())
    bad = difficulties - set(DIFFICULTIES)
    if bad:
        raise ValueError(f"unknown difficulties {sorted(bad)}; use {DIFFICULTIES}.")
    if source is not None and source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES} or None, got {source!r}.")
    known_topics = {q.topic for q in questions}
    if questions and topics - known_topics:
        raise ValueError(
            f"unknown topics {sorted(topics - known_topics)}; available: {sorted(known_topics)}."
        )
    return [
        q
        for q in questions
        if (not topics or q.topic in topics)
        and (not difficulties or q.difficulty in difficulties)
        and (source is None or q.source == source)
        and (multiple_choice is None or q.is_multiple_choice == multiple_choice)
    ]


def grade(question: Question, choice: str) -> bool:
    """Return whether ``choice`` (a letter, case and spaces ignored) is the right option.

    Raises:
        ValueError: the question is not multiple choice, or ``choice`` is not one of its letters.
        TypeError: ``choice`` is not a string.
    """
    if not question.is_multiple_choice:
        raise ValueError(f"question {question.id!r} is a flashcard, not multiple choice.")
    if not isinstance(choice, str):
        raise TypeError(f"choice must be a letter string such as 'a', got {choice!r}.")
    letter = choice.strip().lower()
    if letter not in question.letters:
        raise ValueError(f"choice must be one of {list(question.letters)}, got {choice!r}.")
    return letter == question.correct


@dataclass(frozen=True)
class Score:
    """A running score; :meth:`record` returns a new Score (the object itself never changes)."""

    answered: int = 0
    correct: int = 0
    by_topic: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    def record(self, topic: str, is_correct: bool) -> Score:
        """Return the score after one more answer on ``topic``."""
        done, right = self.by_topic.get(topic, (0, 0))
        by_topic = {**self.by_topic, topic: (done + 1, right + int(bool(is_correct)))}
        return Score(self.answered + 1, self.correct + int(bool(is_correct)), by_topic)

    @property
    def fraction(self) -> float:
        """Share answered correctly (0.0 before any answer)."""
        return self.correct / self.answered if self.answered else 0.0

    def summary(self, lang: str = "en") -> str:
        """One line such as ``Score: 3/4 (75%)``."""
        label = _LABELS[_check_lang(lang)]["score"]
        if not self.answered:
            return f"{label}: 0/0"
        return f"{label}: {self.correct}/{self.answered} ({self.fraction:.0%})"


class QuizSession:
    """The quiz's state: which questions, which card, revealed or not, and the running score.

    Pure Python (no widgets), so it can be tested and driven from any front end.

    Args:
        bank: the loaded bank.
        mode: ``"flashcards"`` (all questions; you grade yourself) or ``"multiple-choice"``
            (only entries with options; graded automatically).
        topics, difficulties: filters as in :func:`filter_questions`.
        lang: ``"en"`` or ``"zh"``.
        shuffle_seed: None keeps the file order; an int shuffles reproducibly.

    Each question is scored at most once per session: answering again shows the result but does
    not change the score.
    """

    def __init__(
        self,
        bank: Bank,
        mode: str = "flashcards",
        *,
        topics: Iterable[str] | None = None,
        difficulties: Iterable[str] | None = None,
        lang: str = "en",
        shuffle_seed: int | None = None,
    ) -> None:
        self.bank = bank
        self.lang = _check_lang(lang)
        self.score = Score()
        self._scored: set[str] = set()
        self._choices: dict[str, str] = {}
        self.shuffle_seed = shuffle_seed
        self.set_filters(mode, topics=topics, difficulties=difficulties)

    def set_filters(
        self,
        mode: str,
        *,
        topics: Iterable[str] | None = None,
        difficulties: Iterable[str] | None = None,
    ) -> None:
        """Change mode and filters; go back to the first card (the score is kept)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}.")
        self.mode = mode
        selected = filter_questions(
            self.bank.questions,
            topics=topics,
            difficulties=difficulties,
            multiple_choice=True if mode == "multiple-choice" else None,
        )
        if self.shuffle_seed is not None:
            random.Random(self.shuffle_seed).shuffle(selected)
        self.questions = selected
        self.index = 0
        self.revealed = False

    @property
    def current_choice(self) -> str | None:
        """The letter picked for the current multiple-choice card, or None."""
        return self._choices.get(self.current.id) if self.current is not None else None

    @property
    def current(self) -> Question | None:
        """The question on screen, or None when no question matches the filters."""
        return self.questions[self.index] if self.questions else None

    def set_language(self, lang: str) -> None:
        """Switch between ``"en"`` and ``"zh"``."""
        self.lang = _check_lang(lang)

    def reveal(self) -> None:
        """Show the answer and the explanation of the current card."""
        if self.current is not None:
            self.revealed = True

    def next(self) -> None:
        """Go to the next card (wraps around) and hide the answer."""
        if self.questions:
            self.index = (self.index + 1) % len(self.questions)
            self.revealed = False

    def previous(self) -> None:
        """Go to the previous card (wraps around) and hide the answer."""
        if self.questions:
            self.index = (self.index - 1) % len(self.questions)
            self.revealed = False

    def _record(self, question: Question, is_correct: bool) -> None:
        if question.id not in self._scored:
            self._scored.add(question.id)
            self.score = self.score.record(question.topic, is_correct)

    def answer(self, choice: str) -> bool:
        """Answer the current multiple-choice card; reveals it and returns whether it is right.

        Raises:
            ValueError: no current question, or it is not multiple choice, or a bad letter.
        """
        question = self.current
        if question is None:
            raise ValueError("no question matches the filters; change them first.")
        is_correct = grade(question, choice)
        self._choices[question.id] = choice.strip().lower()
        self._record(question, is_correct)
        self.revealed = True
        return is_correct

    def self_grade(self, knew_it: bool) -> None:
        """Flashcards: record whether you knew the answer (only after revealing it).

        Raises:
            ValueError: no current question, or the answer has not been revealed yet.
        """
        question = self.current
        if question is None:
            raise ValueError("no question matches the filters; change them first.")
        if not self.revealed:
            raise ValueError("reveal the answer before grading yourself.")
        self._record(question, bool(knew_it))

    def progress(self) -> str:
        """E.g. ``Card 3 of 12 · Score: 2/2 (100%)``."""
        labels = _LABELS[self.lang]
        if not self.questions:
            return f"{labels['no_questions']} · {self.score.summary(self.lang)}"
        if self.lang == "zh":
            card = f"第 {self.index + 1} 题，共 {len(self.questions)} 题"
        else:
            card = f"Card {self.index + 1} of {len(self.questions)}"
        return f"{card} · {self.score.summary(self.lang)}"

    def render(self, fmt: str = "html") -> str:
        """The current card as HTML or Markdown (see :func:`render_card`)."""
        question = self.current
        if question is None:
            return _LABELS[self.lang]["no_questions"]
        return render_card(
            question,
            self.bank,
            lang=self.lang,
            reveal=self.revealed,
            chosen=self.current_choice,
            fmt=fmt,
        )


# --------------------------------------------------------------------------- rendering
def render_card(
    question: Question,
    bank: Bank,
    *,
    lang: str = "en",
    reveal: bool = False,
    chosen: str | None = None,
    fmt: str = "markdown",
) -> str:
    """Render one card: the question (and options), and if ``reveal`` the answer and more.

    Args:
        question: the entry to show.
        bank: the bank (for topic names).
        lang: ``"en"`` or ``"zh"``; the explanation and common mistakes are in English.
        reveal: show the answer, explanation, mistakes and link.
        chosen: the letter the learner picked, marked right or wrong when revealed.
        fmt: ``"markdown"`` or ``"html"``.

    Raises:
        ValueError: unknown ``lang`` or ``fmt``.
    """
    _check_lang(lang)
    if fmt not in ("markdown", "html"):
        raise ValueError(f"fmt must be 'markdown' or 'html', got {fmt!r}.")
    labels = _LABELS[lang]
    meta = (
        f"{bank.topic_name(question.topic, lang)} · {_DIFFICULTY_NAMES[lang][question.difficulty]}"
        f" · {labels['source']}: {labels[question.source]}"
    )
    blocks: list[tuple[str, Any]] = [("meta", meta), ("question", question.question[lang])]
    if question.is_multiple_choice:
        items = []
        for letter, option in zip(question.letters, question.options, strict=True):
            mark = ""
            if reveal and letter == question.correct:
                mark = " ✅"
            elif reveal and letter == chosen:
                mark = " ❌"
            items.append(f"({letter}) {option.text(lang)}{mark}")
        blocks.append(("list", items))
        if reveal and chosen:
            verdict = labels["right"] if chosen == question.correct else labels["wrong"]
            blocks.append(("para", f"{labels['your_choice']}: ({chosen}), {verdict}."))
    if reveal:
        blocks.append(("heading", labels["answer"]))
        blocks.append(("para", question.answer[lang]))
        blocks.append(("heading", labels["explanation"] + labels["english_only"]))
        blocks.append(("para", question.explanation))
        blocks.append(("heading", labels["mistakes"] + labels["english_only"]))
        blocks.append(("list", list(question.mistakes)))
        blocks.append(("para", f"{labels['related']}: {question.link}"))
    return _blocks_to_html(blocks) if fmt == "html" else _blocks_to_markdown(blocks)


def _blocks_to_markdown(blocks: list[tuple[str, Any]]) -> str:
    lines: list[str] = []
    for kind, content in blocks:
        if kind == "meta":
            lines += [f"*{content}*", ""]
        elif kind == "question":
            lines += [f"**{content}**", ""]
        elif kind == "heading":
            lines += [f"**{content}**", ""]
        elif kind == "list":
            lines += [f"- {item}" for item in content] + [""]
        else:
            lines += [content, ""]
    return "\n".join(lines).rstrip() + "\n"


def _blocks_to_html(blocks: list[tuple[str, Any]]) -> str:
    parts = ['<div style="max-width: 46em; line-height: 1.45">']
    for kind, content in blocks:
        if kind == "meta":
            parts.append(f'<div style="color: #666; font-size: 90%">{html.escape(content)}</div>')
        elif kind == "question":
            parts.append(f"<p><b>{html.escape(content)}</b></p>")
        elif kind == "heading":
            parts.append(f"<p style='margin-bottom: 0.2em'><b>{html.escape(content)}</b></p>")
        elif kind == "list":
            items = "".join(f"<li>{html.escape(item)}</li>" for item in content)
            parts.append(f"<ul style='margin-top: 0.2em'>{items}</ul>")
        else:
            parts.append(f"<p>{html.escape(content)}</p>")
    parts.append("</div>")
    return "\n".join(parts)


def static_sample(
    bank: Bank, *, count: int = 3, lang: str = "en", seed: int = 0, reveal: bool = True
) -> str:
    """Markdown for a reproducible sample of cards: what the quiz shows without a front end.

    Picks one multiple-choice card and ``count - 1`` flashcards of other topics, reproducibly.

    Raises:
        ValueError: ``count`` < 1.
    """
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}.")
    rng = random.Random(seed)
    choice_cards = [q for q in bank.questions if q.is_multiple_choice]
    picked = [rng.choice(choice_cards)] if choice_cards else []
    others = [q for q in bank.questions if q not in picked]
    rng.shuffle(others)
    for question in others:
        if len(picked) >= count:
            break
        if question.topic not in {p.topic for p in picked}:
            picked.append(question)
    parts = []
    for question in picked:
        parts.append(render_card(question, bank, lang=lang, reveal=reveal))
    return "\n---\n\n".join(parts)


# --------------------------------------------------------------------------- export
def export_markdown(bank: Bank) -> str:
    """The whole bank as one printable, bilingual Markdown document (deterministic output).

    Grouped by topic in the order of ``bank.topics``; seed entries show the seed's original
    answer, its translation and the audit.
    """
    counts = {level: sum(q.difficulty == level for q in bank.questions) for level in DIFFICULTIES}
    seeds = sum(q.source == "seed" for q in bank.questions)
    lines = [
        "# Interview questions and answers · 面试题与答案",
        "",
        "<!-- Generated from data/interview_qa.yaml by `make qa-export` "
        "(python -m course_utils.qa export docs/interview_qa.md). Do not edit by hand. -->",
        "",
        f"{len(bank)} questions ({counts['easy']} easy, {counts['medium']} medium, "
        f"{counts['hard']} hard); {seeds} come from the course's seed articles, with the seed's "
        "original answer, its translation and what was wrong with it. Explanations and common "
        "mistakes are in English. The quiz and the runnable demos are in "
        "[notebooks/02_interview_qa.ipynb](../notebooks/02_interview_qa.ipynb).",
        "",
        "## Contents",
        "",
    ]
    grouped = {topic: [q for q in bank.questions if q.topic == topic] for topic in bank.topics}
    for number, (topic, questions) in enumerate(grouped.items(), start=1):
        if questions:
            anchor = f"topic-{topic}"
            lines.append(
                f"{number}. [{bank.topic_name(topic, 'en')} · {bank.topic_name(topic, 'zh')}]"
                f"(#{anchor}) ({len(questions)})"
            )
    lines.append("")
    for topic, questions in grouped.items():
        if not questions:
            continue
        lines += [
            f'<a id="topic-{topic}"></a>',
            "",
            f"## {bank.topic_name(topic, 'en')} · {bank.topic_name(topic, 'zh')}",
            "",
        ]
        for question in questions:
            lines += _export_question(question)
    return "\n".join(lines).rstrip() + "\n"


def _export_question(question: Question) -> list[str]:
    source = "seed" if question.source == "seed" else "course"
    if question.seed:
        source = f"seed: `{question.seed.file}`, {question.seed.section}"
    lines = [
        f"### {question.question['en']}",
        "",
        f"{question.question['zh']}",
        "",
        f"`{question.id}` · {question.difficulty} · {source} · related: "
        f"[{question.link}](../notebooks/{question.link})",
        "",
    ]
    if question.is_multiple_choice:
        for letter, option in zip(question.letters, question.options, strict=True):
            lines.append(f"- ({letter}) {option.en} / {option.zh}")
        lines += ["", f"**Correct option · 正确选项:** ({question.correct})", ""]
    lines += [
        f"**Answer.** {question.answer['en']}",
        "",
        f"**答案。** {question.answer['zh']}",
        "",
        f"**Explanation.** {question.explanation}",
        "",
        "**Common mistakes.**",
        "",
    ]
    lines += [f"- {mistake}" for mistake in question.mistakes] + [""]
    if question.seed:
        quoted = "\n".join(
            f"> {line}" if line else ">" for line in question.seed.answer_zh.splitlines()
        )
        lines += [
            "**The seed's answer (original) · 种子材料的原答案:**",
            "",
            quoted,
            "",
            f"*Translation:* {question.seed.answer_en}",
            "",
            f"**What was wrong or missing.** {question.seed.audit}",
            "",
        ]
    return lines


# --------------------------------------------------------------------------- widget
def quiz_widget(bank: Bank, *, lang: str = "en", shuffle_seed: int | None = 0) -> Any:
    """An ipywidgets quiz: flashcards or multiple choice, filters, language toggle, score.

    The logic is :class:`QuizSession`; this function only lays out controls and wires them.

    Args:
        bank: the loaded bank.
        lang: starting language, ``"en"`` or ``"zh"``.
        shuffle_seed: order of the cards (None: file order).

    Returns:
        An ``ipywidgets.VBox``; its ``session`` attribute is the :class:`QuizSession`.
    """
    import ipywidgets as w

    session = QuizSession(bank, lang=lang, shuffle_seed=shuffle_seed)
    mode = w.ToggleButtons(
        options=[
            ("Flashcards · 闪卡", "flashcards"),
            ("Multiple choice · 选择题", "multiple-choice"),
        ],
        value="flashcards",
    )
    language = w.ToggleButtons(options=[("English", "en"), ("中文", "zh")], value=lang)
    topic = w.Dropdown(
        options=[("All · 全部", "")]
        + [(f"{names['en']} · {names['zh']}", key) for key, names in bank.topics.items()],
    )
    difficulty = w.Dropdown(
        options=[("All · 全部", "")]
        + [(f"{d} · {_DIFFICULTY_NAMES['zh'][d]}", d) for d in DIFFICULTIES],
    )
    card = w.HTML()
    status = w.HTML()
    reveal = w.Button(icon="eye")
    knew = w.Button(button_style="success")
    missed = w.Button(button_style="warning")
    previous = w.Button()
    following = w.Button()
    letters = w.ToggleButtons(options=list(LETTERS[:4]), value=None)
    named = {
        "reveal": reveal,
        "knew": knew,
        "missed": missed,
        "previous": previous,
        "next": following,
        "answer": letters,
        "topic": topic,
        "difficulty": difficulty,
    }

    def refresh() -> None:
        for key, control in named.items():
            control.description = _CONTROL_LABELS[session.lang][key]
        card.value = session.render("html")
        status.value = f"<b>{html.escape(session.progress())}</b>"
        question = session.current
        choice_mode = session.mode == "multiple-choice" and question is not None
        letters.layout.display = "" if choice_mode else "none"
        if choice_mode:
            letters.unobserve(on_letter, "value")
            letters.options = list(question.letters)
            letters.value = session.current_choice
            letters.observe(on_letter, "value")
        flash = session.mode == "flashcards"
        knew.layout.display = missed.layout.display = "" if flash else "none"
        reveal.layout.display = "" if flash else "none"

    def on_filters(_: Any = None) -> None:
        session.set_filters(
            mode.value,
            topics=[topic.value] if topic.value else None,
            difficulties=[difficulty.value] if difficulty.value else None,
        )
        refresh()

    def on_letter(change: Mapping[str, Any]) -> None:
        if change["new"]:
            session.answer(change["new"])
            refresh()

    def on_language(change: Mapping[str, Any]) -> None:
        session.set_language(change["new"])
        refresh()

    def on_grade(knew_it: bool) -> None:
        if session.current is not None:
            session.reveal()
            session.self_grade(knew_it)
            session.next()
            refresh()

    for control in (mode, topic, difficulty):
        control.observe(on_filters, "value")
    language.observe(on_language, "value")
    letters.observe(on_letter, "value")
    reveal.on_click(lambda _: (session.reveal(), refresh()))
    knew.on_click(lambda _: on_grade(True))
    missed.on_click(lambda _: on_grade(False))
    previous.on_click(lambda _: (session.previous(), refresh()))
    following.on_click(lambda _: (session.next(), refresh()))
    refresh()
    box = w.VBox(
        [
            w.HBox([mode, language]),
            w.HBox([topic, difficulty]),
            status,
            card,
            letters,
            w.HBox([reveal, knew, missed, previous, following]),
        ]
    )
    box.session = session
    return box


# --------------------------------------------------------------------------- exercise check
@checks.exercise
def check_new_entry(entry: Any) -> str | None:
    """Exercise check: ``entry`` must be a valid multiple-choice bank entry with source course."""
    if not isinstance(entry, Mapping):
        return "write the entry as a dict, like one item of data/interview_qa.yaml"
    bank = load_bank()
    problems = validate_entry(entry, bank.topics)
    if problems:
        return "the schema check found: " + "; ".join(problems)
    if entry["id"] in {q.id for q in bank.questions}:
        return f"id {entry['id']!r} is already in the bank; choose a new one"
    if entry["source"] != "course":
        return "a question you write yourself has source: course"
    if "options" not in entry:
        return "make it multiple choice: add options (a list of {en, zh}) and correct"
    return None


# --------------------------------------------------------------------------- command line
def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``export PATH`` writes the Markdown export; ``check`` validates the bank.

    ``check`` also checks the links and, with ``--export PATH``, that the export is up to date.
    Returns the exit status (0 on success).
    """
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.qa", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write the bank as Markdown")
    export.add_argument("path", type=Path)
    export.add_argument("--bank", type=Path, default=None)
    check = commands.add_parser("check", help="validate the bank, its links and the export")
    check.add_argument("--bank", type=Path, default=None)
    check.add_argument("--export", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        bank = load_bank(args.bank)
    except BankError as error:
        print(error, file=sys.stderr)
        return 1
    text = export_markdown(bank)
    if args.command == "export":
        args.path.parent.mkdir(parents=True, exist_ok=True)
        args.path.write_text(text, encoding="utf-8")
        print(f"wrote {len(bank)} questions to {args.path}")
        return 0
    problems = check_links(bank)
    if args.export is not None and (
        not args.export.exists() or args.export.read_text(encoding="utf-8") != text
    ):
        problems.append(f"{args.export} is out of date: run make qa-export")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(bank)} questions, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
