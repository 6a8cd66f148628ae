"""The self-check quizzes: notebooks call ``checks.quiz(id, answer)``, answers live in quizzes.yaml.

Every quiz in a notebook has exactly one entry in ``course_utils/quizzes.yaml`` (and every entry a
quiz), no check cell shows its answer letter, and the correct letters are spread over a-d.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from course_utils import checks

# Notebooks whose quizzes still call checks.choice with the answer beside the question.
# Converted by a follow-up; remove when done.
PENDING: set[str] = set()

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LETTERS = "abcd"
QUIZ_CALL = re.compile(r"""checks\.quiz\(\s*["']([^"']+)["']""")
# checks.choice(answer, "b", ...) or checks.choice(answer, {"b", "c"}, ...): the letter in the cell
CHOICE_WITH_LETTER = re.compile(r"""checks\.choice\(\s*[^,()]+,\s*\{?\s*["'][a-dA-D]["']""")


def _code_cells(path: Path) -> list[tuple[str, bool]]:
    """(source, is a hidden solution) of each code cell of the notebook."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            cells.append((source, "solution" in cell.get("metadata", {}).get("tags", [])))
    return cells


def _quiz_ids(path: Path, *, solutions: bool = False) -> list[str]:
    """The quiz ids the notebook's check cells use (or, with ``solutions``, its solution cells)."""
    return [
        quiz_id
        for source, is_solution in _code_cells(path)
        if is_solution == solutions
        for quiz_id in QUIZ_CALL.findall(source)
    ]


@pytest.fixture(scope="module")
def bank() -> dict[str, dict]:
    return yaml.safe_load(checks.QUIZZES.read_text(encoding="utf-8")) or {}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_each_quiz_id_has_an_entry_for_its_notebook(path, bank):
    for quiz_id in _quiz_ids(path) + _quiz_ids(path, solutions=True):
        assert quiz_id in bank, f"{path.name}: add quiz {quiz_id!r} to {checks.QUIZZES.name}"
        assert bank[quiz_id].get("notebook") == path.stem, (
            f"{quiz_id!r} is used in {path.name} but its entry says notebook: "
            f"{bank[quiz_id].get('notebook')!r}"
        )
    used = _quiz_ids(path)
    for quiz_id in _quiz_ids(path, solutions=True):
        assert quiz_id in used, (
            f"{path.name}: solution checks {quiz_id!r}, which no check cell uses"
        )


def test_every_entry_is_used_exactly_once(bank):
    uses = Counter(quiz_id for path in NOTEBOOKS for quiz_id in _quiz_ids(path))
    unused = sorted(set(bank) - set(uses))
    assert not unused, f"entries no notebook uses (remove them): {unused}"
    repeated = sorted(quiz_id for quiz_id, count in uses.items() if count > 1)
    assert not repeated, f"quiz ids used by more than one check cell: {repeated}"


def test_entries_have_one_letter_answers_and_hints_for_wrong_letters_only(bank):
    for quiz_id, entry in bank.items():
        assert set(entry) <= {"notebook", "answer", "hints"}, f"{quiz_id}: unknown keys"
        answer = entry.get("answer")
        assert isinstance(answer, str) and len(answer) == 1 and answer in LETTERS, (
            f"{quiz_id}: answer must be one letter a-d, got {answer!r}"
        )
        hints = entry.get("hints") or {}
        assert set(hints) <= set(LETTERS) - {answer}, (
            f"{quiz_id}: hints must be keyed by wrong letters, got {sorted(hints)} (answer {answer})"
        )
        assert all(isinstance(hint, str) and hint.strip() for hint in hints.values()), quiz_id


def test_entries_sit_under_their_notebook_comment(bank):
    group = None
    for line in checks.QUIZZES.read_text(encoding="utf-8").splitlines():
        if match := re.fullmatch(r"# notebooks/(\w+)\.ipynb", line):
            group = match.group(1)
        elif match := re.fullmatch(r"([\w-]+):", line):
            assert bank[match.group(1)]["notebook"] == group, (
                f"{match.group(1)} sits under '# notebooks/{group}.ipynb'"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_no_check_cell_shows_its_answer(path):
    if path.stem in PENDING:
        pytest.skip("converted by a follow-up")
    shown = [source for source, _ in _code_cells(path) if CHOICE_WITH_LETTER.search(source)]
    assert not shown, (
        f"{path.name}: use checks.quiz(quiz_id, answer) and put the letter in "
        f"{checks.QUIZZES.name}, not checks.choice(answer, 'x'):\n" + "\n---\n".join(shown)
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_correct_letters_are_spread(path, bank):
    if path.stem in PENDING:
        pytest.skip("converted by a follow-up")
    answers = Counter(bank[quiz_id]["answer"] for quiz_id in _quiz_ids(path) if quiz_id in bank)
    limit = math.ceil(0.4 * sum(answers.values()))
    crowded = {letter: count for letter, count in answers.items() if count > limit}
    assert not crowded, (
        f"{path.name}: at most {limit} of its {sum(answers.values())} quizzes may share a correct "
        f"letter; reorder the options ({dict(answers)})"
    )


TOY_BANK = {
    "toy-quiz": {
        "notebook": "00_welcome",
        "answer": "c",
        "hints": {
            "a": "a is the training set",
            "b": "b is the test set",
            "d": "d is not an option",
        },
    },
    "other-quiz": {"notebook": "00_welcome", "answer": "a", "hints": {}},
}


@pytest.fixture
def toy_bank(monkeypatch):
    monkeypatch.setattr(checks, "_quiz_bank", lambda: TOY_BANK)


@pytest.mark.parametrize("answer", ["c", "C", " c ", "C\n"])
def test_quiz_accepts_the_right_letter(toy_bank, answer, capsys):
    assert bool(checks.quiz("toy-quiz", answer)) is True
    assert capsys.readouterr().out.strip() == checks.CORRECT


@pytest.mark.parametrize("wrong", ["a", "b", "d", " B "])
def test_quiz_rejects_a_wrong_letter_with_its_hint(toy_bank, wrong, capsys):
    assert bool(checks.quiz("toy-quiz", wrong)) is False
    out = capsys.readouterr().out
    assert checks.HINT in out and TOY_BANK["toy-quiz"]["hints"][wrong.strip().lower()] in out


def test_quiz_without_hint_or_answer(toy_bank, capsys):
    assert bool(checks.quiz("other-quiz", "b")) is False
    assert "not right" in capsys.readouterr().out
    assert bool(checks.quiz("toy-quiz", None)) is False
    assert checks.NOT_ATTEMPTED in capsys.readouterr().out


def test_quiz_unknown_id_names_the_known_ids(toy_bank):
    with pytest.raises(KeyError, match="no quiz 'no-such-quiz'.*known: other-quiz, toy-quiz"):
        checks.quiz("no-such-quiz", "a")


def test_quiz_reads_the_yaml_file(tmp_path, monkeypatch, capsys):
    quizzes = tmp_path / "quizzes.yaml"
    quizzes.write_text(
        'file-quiz:\n  notebook: 00_welcome\n  answer: b\n  hints:\n    a: "read it again"\n',
        encoding="utf-8",
    )
    checks._quiz_bank.cache_clear()
    monkeypatch.setattr(checks, "QUIZZES", quizzes)
    try:
        assert bool(checks.quiz("file-quiz", "B")) is True
        assert bool(checks.quiz("file-quiz", "a")) is False
        assert "read it again" in capsys.readouterr().out
    finally:
        checks._quiz_bank.cache_clear()
