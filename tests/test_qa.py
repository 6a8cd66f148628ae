"""Tests for course_utils.qa (the interview bank, its schema, quiz logic) and scripts/qa_bank.py."""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import re

import pytest
import yaml

from course_utils import config, qa

REPO = config.REPO_ROOT
EXPORT = REPO / "docs" / "interview_qa.md"
SEEDS = REPO / "docs" / "seeds"
_SPEC = importlib.util.spec_from_file_location("qa_bank", REPO / "scripts" / "qa_bank.py")
qa_bank = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(qa_bank)

# The seed questions the bank must contain, verbatim (see issue 7).
SEED_QUESTIONS = {
    "000_2417a2dda061507d.txt": [
        "什么是深度学习？请简要介绍其基本原理。",
        "请解释卷积神经网络（CNN）的工作原理。",
        "请简述循环神经网络（RNN）和长短时记忆网络（LSTM）的区别。",
        "请解释注意力机制（Attention Mechanism）的作用和原理。",
        "请简述生成对抗网络（GAN）的工作原理。",
    ],
    "003_435b7772755f4cf4.txt": [
        "请解释什么是深度学习？它有哪些主要应用领域？",
        "请简要介绍卷积神经网络（CNN）的基本原理和主要结构。",
        "请简要介绍生成对抗网络（GAN）的基本原理和应用场景。",
        "AI 大模型训练所需的数据量和计算资源如何获取？",
        "如何评估 AI 大模型的性能？",
    ],
}


@pytest.fixture(scope="module")
def bank() -> qa.Bank:
    return qa.load_bank()


@pytest.fixture(scope="module")
def raw_bank() -> dict:
    return yaml.safe_load(qa.default_path().read_text(encoding="utf-8"))


def _problems_for(raw_bank: dict, index: int, **changes) -> list[str]:
    """Schema problems after changing fields of entry ``index`` (None deletes a field)."""
    document = copy.deepcopy(raw_bank)
    entry = document["questions"][index]
    for name, value in changes.items():
        if value is None:
            entry.pop(name, None)
        else:
            entry[name] = value
    with pytest.raises(qa.BankError) as error:
        qa.parse_bank(document, "test")
    return error.value.problems


# --------------------------------------------------------------------------- the bundled bank
def test_bank_size_topics_and_difficulties(bank):
    assert len(bank) >= 60
    per_topic = {
        topic: len(qa.filter_questions(bank.questions, topics=[topic])) for topic in bank.topics
    }
    assert set(per_topic) == {
        "basics",
        "optimisation",
        "cnn",
        "rnn",
        "attention",
        "gan",
        "metrics",
        "large-models",
        "data",
        "mlops",
        "startup",
    }
    assert min(per_topic.values()) >= 5, per_topic
    assert {q.difficulty for q in bank.questions} == set(qa.DIFFICULTIES)
    assert len({q.id for q in bank.questions}) == len(bank)
    assert sum(q.is_multiple_choice for q in bank.questions) >= 20


def test_every_entry_is_bilingual_and_complete(bank):
    for question in bank.questions:
        for lang in qa.LANGUAGES:
            assert question.question[lang] and question.answer[lang], question.id
        assert re.search(r"[\u4e00-\u9fff]", question.answer["zh"]), question.id
        assert len(question.answer["en"]) > 80, f"{question.id}: answer too short"
        assert len(question.explanation) > 80, f"{question.id}: explanation too short"
        assert question.mistakes, question.id


def test_every_seed_question_is_in_the_bank_verbatim(bank):
    seed_entries = qa.filter_questions(bank.questions, source="seed")
    by_question = {q.question["zh"]: q for q in seed_entries}
    for seed_file, questions in SEED_QUESTIONS.items():
        for text in questions:
            assert text in by_question, f"seed question missing: {text}"
            entry = by_question[text]
            assert entry.seed.file == seed_file
            assert entry.seed.answer_en and entry.seed.audit


SEED_SHA256 = {
    "000_2417a2dda061507d.txt": "78e2de87a86577a9f415b4aaf5ffa96fdd9f91c9f843f4cc714c4e8b1cc4fc01",
    "003_435b7772755f4cf4.txt": "25bd87ffa78adaeb5d0622cc76d715bd906a5f5bb106117d48ecb8206c8de90e",
}


def test_seed_articles_are_in_the_repository_unchanged():
    for name, digest in SEED_SHA256.items():
        assert hashlib.sha256((SEEDS / name).read_bytes()).hexdigest() == digest, name
        assert digest in (SEEDS / "README.md").read_text(encoding="utf-8"), name


def test_no_file_points_outside_the_repository():
    suffixes = {".py", ".md", ".ipynb", ".yaml", ".yml", ".json", ".toml", ".cfg", ""}
    skip = {".git", ".venv", "benchmarks/_runs", "tests/test_qa.py"}
    offenders = [
        path.relative_to(REPO).as_posix()
        for path in REPO.rglob("*")
        if path.is_file()
        and path.suffix in suffixes
        and not any(path.relative_to(REPO).as_posix().startswith(s) for s in skip)
        and "../shared" in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert offenders == [], "these files refer to ../shared, outside the repository"


def test_seed_originals_are_verbatim_in_the_seed_files(bank):
    def squash(text: str) -> str:
        return re.sub(r"\s+", "", text)

    for question in qa.filter_questions(bank.questions, source="seed"):
        article = squash((SEEDS / question.seed.file).read_text(encoding="utf-8"))
        assert squash(question.question["zh"]) in article, question.id
        assert squash(question.seed.answer_zh) in article, question.id


def test_every_link_points_to_an_existing_notebook_and_anchor(bank):
    assert qa_bank.check_links(bank) == []


def test_check_links_reports_missing_files_and_anchors(bank, tmp_path):
    notebook = tmp_path / "03_interview_qa.ipynb"
    notebook.write_text(
        '{"cells": [{"cell_type": "markdown", "source": ["<a id=\\"attention-by-hand\\"></a>\\n",'
        ' "## Compute attention by hand"]}]}',
        encoding="utf-8",
    )
    problems = qa_bank.check_links(bank, tmp_path)
    assert any("04_cnn_convolutions.ipynb does not exist" in p for p in problems)
    assert any("#gan-minimax-value" in p for p in problems)
    assert not any("#attention-by-hand" in p for p in problems)


# --------------------------------------------------------------------------- schema errors
def test_schema_error_names_entry_id_and_field(raw_bank):
    entry_id = raw_bank["questions"][3]["id"]
    problems = _problems_for(raw_bank, 3, difficulty="impossible")
    assert problems == [
        f"entry {entry_id!r}, field 'difficulty': 'impossible' is not one of "
        "('easy', 'medium', 'hard')"
    ]


def test_schema_errors_missing_translation_and_fields(raw_bank):
    entry = raw_bank["questions"][5]
    broken_answer = {"en": entry["answer"]["en"]}
    problems = _problems_for(raw_bank, 5, answer=broken_answer, explanation=None)
    assert f"entry {entry['id']!r}, field 'answer.zh': missing or empty text" in problems
    assert f"entry {entry['id']!r}, field 'explanation': required field is missing" in problems


def test_schema_errors_multiple_choice_and_seed(raw_bank):
    choice_index = next(i for i, e in enumerate(raw_bank["questions"]) if "options" in e)
    choice_id = raw_bank["questions"][choice_index]["id"]
    problems = _problems_for(raw_bank, choice_index, correct="z")
    assert any(p.startswith(f"entry {choice_id!r}, field 'correct'") for p in problems)
    problems = _problems_for(raw_bank, choice_index, correct=None)
    assert (
        f"entry {choice_id!r}, field 'correct': multiple-choice entries need both options and correct"
        in problems
    )

    seed_index = next(i for i, e in enumerate(raw_bank["questions"]) if e["source"] == "seed")
    seed_id = raw_bank["questions"][seed_index]["id"]
    problems = _problems_for(raw_bank, seed_index, seed=None)
    assert any(p.startswith(f"entry {seed_id!r}, field 'seed'") for p in problems)


def test_schema_errors_duplicate_id_bad_link_unknown_topic(raw_bank):
    first_id = raw_bank["questions"][0]["id"]
    problems = _problems_for(raw_bank, 1, id=first_id)
    assert any(f"entry {first_id!r}, field 'id': duplicate" in p for p in problems)
    problems = _problems_for(raw_bank, 2, link="/abs/path/notebook.ipynb", topic="astrology")
    assert len(problems) == 2
    assert any("field 'link'" in p for p in problems)
    assert any("field 'topic'" in p and "'astrology'" in p for p in problems)


def test_entry_without_id_is_named_by_position(raw_bank):
    problems = _problems_for(raw_bank, 7, id=None)
    assert "entry '#7', field 'id': required field is missing" in problems


def test_validate_entry_accepts_a_valid_entry(raw_bank):
    assert qa.validate_entry(raw_bank["questions"][0], raw_bank["topics"]) == []


def test_load_bank_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        qa.load_bank(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions: [unclosed", encoding="utf-8")
    with pytest.raises(qa.BankError, match="not valid YAML"):
        qa.load_bank(bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text("topics: {}\nquestions: []\n", encoding="utf-8")
    with pytest.raises(qa.BankError, match="questions"):
        qa.load_bank(empty)


# --------------------------------------------------------------------------- filtering
def test_filter_questions(bank):
    everything = qa.filter_questions(bank.questions)
    assert everything == list(bank.questions)
    cnn_easy = qa.filter_questions(bank.questions, topics=["cnn"], difficulties=["easy"])
    assert cnn_easy and all(q.topic == "cnn" and q.difficulty == "easy" for q in cnn_easy)
    seeds = qa.filter_questions(bank.questions, source="seed")
    assert len(seeds) >= 10 and all(q.seed is not None for q in seeds)
    choice = qa.filter_questions(bank.questions, multiple_choice=True)
    cards = qa.filter_questions(bank.questions, multiple_choice=False)
    assert len(choice) + len(cards) == len(bank)
    two_topics = qa.filter_questions(bank.questions, topics=["gan", "rnn"])
    assert [q.id for q in two_topics] == [q.id for q in bank.questions if q.topic in ("gan", "rnn")]


def test_filter_questions_rejects_unknown_values(bank):
    with pytest.raises(ValueError, match="difficulties"):
        qa.filter_questions(bank.questions, difficulties=["trivial"])
    with pytest.raises(ValueError, match="unknown topics"):
        qa.filter_questions(bank.questions, topics=["astrology"])
    with pytest.raises(ValueError, match="source"):
        qa.filter_questions(bank.questions, source="internet")


# --------------------------------------------------------------------------- scoring
def test_grade(bank):
    question = bank.by_id("cnn-output-shape")
    assert qa.grade(question, "b") is True
    assert qa.grade(question, " B ") is True
    assert qa.grade(question, "a") is False
    with pytest.raises(ValueError, match="one of"):
        qa.grade(question, "e")
    with pytest.raises(TypeError):
        qa.grade(question, 1)
    with pytest.raises(ValueError, match="flashcard"):
        qa.grade(bank.by_id("basics-backpropagation"), "a")


def test_score_is_immutable():
    start = qa.Score()
    after = start.record(True).record(False).record(True)
    assert (start.answered, start.correct) == (0, 0)
    assert (after.answered, after.correct) == (3, 2)
    assert after.fraction == pytest.approx(2 / 3)
    assert after.summary() == "Score: 2/3 (67%)"
    assert after.summary("zh") == "得分: 2/3 (67%)"
    assert start.summary() == "Score: 0/0"


def test_quiz_session_multiple_choice_scores_each_question_once(bank):
    session = qa.QuizSession(bank, "multiple-choice", topics=["cnn"])
    assert session.questions and all(q.is_multiple_choice for q in session.questions)
    question = session.current
    wrong = next(letter for letter in question.letters if letter != question.correct)
    assert session.answer(wrong) is False
    assert session.revealed
    assert session.answer(question.correct) is True  # shown as right, but not scored again
    assert (session.score.answered, session.score.correct) == (1, 0)
    session.next()
    assert not session.revealed
    assert session.answer(session.current.correct) is True
    assert (session.score.answered, session.score.correct) == (2, 1)


def test_quiz_session_flashcards_navigation_language_and_filters(bank):
    session = qa.QuizSession(bank, topics=["attention"], difficulties=["medium"])
    count = len(session.questions)
    assert count >= 2
    with pytest.raises(ValueError, match="reveal"):
        session.self_grade(True)
    assert "Answer" not in session.render("markdown")
    session.reveal()
    assert "Answer" in session.render("markdown")
    session.self_grade(True)
    session.self_grade(False)  # same card: not counted twice
    assert (session.score.answered, session.score.correct) == (1, 1)
    session.previous()
    assert session.index == count - 1
    session.next()
    assert session.index == 0
    session.set_language("zh")
    assert session.current.question["zh"] in session.render("markdown")
    assert session.progress().startswith(f"第 1 题，共 {count} 题")
    session.set_filters("flashcards", topics=["gan"], difficulties=["hard"])
    assert all(q.topic == "gan" and q.difficulty == "hard" for q in session.questions)
    assert session.score.answered == 1  # the score survives a filter change
    with pytest.raises(ValueError):
        session.set_language("fr")
    with pytest.raises(ValueError):
        session.set_filters("essay")


def test_quiz_session_empty_selection_and_shuffle(bank):
    session = qa.QuizSession(bank, "multiple-choice", topics=["basics"], difficulties=["hard"])
    if session.current is None:
        assert "No question" in session.render()
        with pytest.raises(ValueError):
            session.answer("a")
    first = qa.QuizSession(bank, shuffle_seed=3).questions
    again = qa.QuizSession(bank, shuffle_seed=3).questions
    assert first == again and sorted(q.id for q in first) == sorted(q.id for q in bank.questions)
    assert first != list(bank.questions)


# --------------------------------------------------------------------------- rendering and export
def test_render_card_hides_and_reveals(bank):
    question = bank.by_id("gan-optimal-discriminator")
    hidden = qa.render_card(question, bank)
    assert question.question["en"] in hidden and question.answer["en"] not in hidden
    shown = qa.render_card(question, bank, reveal=True, chosen="a")
    assert question.answer["en"] in shown and "✅" in shown and "❌" in shown
    chinese = qa.render_card(question, bank, lang="zh", reveal=True)
    assert question.answer["zh"] in chinese and "（英文）" in chinese
    page = qa.render_card(question, bank, reveal=True, fmt="html")
    assert "<li>" in page and "p_data(x) / (p_data(x) + p_g(x))" in page
    with pytest.raises(ValueError):
        qa.render_card(question, bank, fmt="pdf")


def test_static_sample_is_reproducible(bank):
    sample = qa.static_sample(bank, count=3, seed=1)
    assert sample == qa.static_sample(bank, count=3, seed=1)
    assert sample.count("\n---\n") == 2
    assert "✅" in sample  # the multiple-choice card shows its right answer


def test_export_is_up_to_date_with_the_bank(bank):
    assert EXPORT.exists(), "run: make qa-export"
    assert EXPORT.read_text(encoding="utf-8") == qa_bank.export_markdown(bank), (
        "docs/interview_qa.md is out of date: run `make qa-export` and commit it"
    )


def test_export_contains_every_question_and_the_seed_audits(bank):
    text = qa_bank.export_markdown(bank)
    for question in bank.questions:
        assert f"`{question.id}`" in text
        assert question.question["zh"] in text
    assert text.count("**What was wrong or missing.**") == len(
        qa.filter_questions(bank.questions, source="seed")
    )


def test_command_line_export_and_check(bank, tmp_path, raw_bank):
    target = tmp_path / "out" / "qa.md"
    assert qa_bank.main(["export", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == qa_bank.export_markdown(bank)
    broken = copy.deepcopy(raw_bank)
    broken["questions"][0]["difficulty"] = "extreme"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    assert qa_bank.main(["check", "--bank", str(path)]) == 1
    assert qa_bank.main(["check", "--export", str(tmp_path / "missing.md")]) == 1


# --------------------------------------------------------------------------- widget
def test_quiz_widget_wires_the_session(bank):
    widget = qa.quiz_widget(bank, shuffle_seed=None)
    session = widget.session
    assert session.current.id == bank.questions[0].id
    controls = widget.children
    mode, language = controls[0].children
    buttons = controls[5].children  # reveal, knew, missed, previous, next
    buttons[0].click()
    assert session.revealed
    buttons[1].click()  # "I knew it" scores and moves on
    assert session.score.answered == 1 and session.index == 1
    assert buttons[0].description == "Reveal answer"
    language.value = "zh"
    assert session.current.question["zh"] in controls[3].value
    assert buttons[0].description == "显示答案"
    mode.value = "multiple-choice"
    letters = controls[4]
    letters.value = session.current.correct
    assert session.score.correct == 2


def test_topic_names_need_exactly_en_and_zh(raw_bank):
    document = copy.deepcopy(raw_bank)
    document["topics"]["rnn"] = {"en": "RNN", "LSTM and GRU": None, "zh": "循环神经网络"}
    with pytest.raises(qa.BankError, match="topic 'rnn'"):
        qa.parse_bank(document)
