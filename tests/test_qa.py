"""Tests for course_utils.qa (the interview bank v2: schema, quiz, spaced repetition) and
scripts/qa_bank.py (export, links, statistics).

The validator is tested on a small bank written here (every rule with a right and a wrong input),
and the bundled bank on the rules it must keep.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import importlib.util
import json
import re

import pytest
import yaml

from course_utils import config, qa

REPO = config.REPO_ROOT
EXPORT, EXPORT_HTML = REPO / "docs" / "interview_qa.md", REPO / "docs" / "interview_qa.html"
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
SEED_SHA256 = {
    "000_2417a2dda061507d.txt": "78e2de87a86577a9f415b4aaf5ffa96fdd9f91c9f843f4cc714c4e8b1cc4fc01",
    "003_435b7772755f4cf4.txt": "25bd87ffa78adaeb5d0622cc76d715bd906a5f5bb106117d48ecb8206c8de90e",
}


def _text(en: str, zh: str) -> dict:
    return {"en": en, "zh": zh}


def _entry(number: int, correct: str | None = None, **changes) -> dict:
    """A valid v2 entry; multiple choice with four options when ``correct`` is a letter."""
    entry = {
        "id": f"cnn-question-{number}",
        "topic": "cnn",
        "difficulty": ("easy", "medium", "hard")[number % 3],
        "source": "course",
        "question": _text(f"What does layer {number} compute?", f"第 {number} 层计算什么？"),
        "answer": _text("A convolution of its input.", "它对输入做卷积。"),
        "explanation": _text("Each output is a weighted sum.", "每个输出都是加权和。"),
        "mistakes": [_text("Calling it a matrix inverse.", "把它说成矩阵求逆。")],
        "link": "03_interview_qa.ipynb#Compute-attention-by-hand",
    }
    if correct:
        options = ["A convolution", "A sort", "A hash", "An inverse"]
        zh = ["卷积", "排序", "哈希", "求逆"]
        entry |= {"options": [_text(e, z) for e, z in zip(options, zh, strict=True)]}
        entry |= {"correct": correct}
    return {**entry, **changes}


def _document(entries: list | None = None) -> dict:
    entries = entries if entries is not None else [_entry(n, "abcd"[n % 4]) for n in range(8)]
    topics = {"cnn": _text("Convolutional networks", "卷积神经网络")}
    return {"version": 2, "topics": topics, "questions": entries}


def _problems(document) -> list[str]:
    with pytest.raises(qa.BankError) as error:
        qa.parse_bank(document, "test")
    return error.value.problems


def _broken(path: str, value, entries: list | None = None) -> dict:
    """The mini bank with ``path`` (keys separated by dots, list indices as numbers) set."""
    document = _document(entries)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = document
    for key in parents:
        target = target[key]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return document


_DELETE = object()


@pytest.fixture(scope="module")
def bank() -> qa.Bank:
    return qa.load_bank()


# --------------------------------------------------------------------------- validator rules
def test_a_valid_v2_bank_loads(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(yaml.safe_dump(_document(), allow_unicode=True), encoding="utf-8")
    bank = qa.load_bank(path)
    assert len(bank) == 8 and bank.questions[0].link == (
        "03_interview_qa.ipynb#Compute-attention-by-hand",
    )
    assert bank.questions[0].explanation["zh"] == "每个输出都是加权和。"
    listed = _document(
        [_entry(1, link=["00_welcome.ipynb", "05_cnn_training.ipynb#Train-the-model"])]
    )
    assert qa.parse_bank(listed).questions[0].link[1] == "05_cnn_training.ipynb#Train-the-model"


def test_rule_duplicate_yaml_keys(tmp_path):
    text = yaml.safe_dump(_document(), allow_unicode=True, sort_keys=False)
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    assert len(qa.load_bank(path)) == 8  # right: no key twice
    twice = text.replace("  topic: cnn\n", "  topic: cnn\n  topic: rnn\n", 1)
    path.write_text(twice, encoding="utf-8")
    with pytest.raises(qa.BankError, match=r"(?s)duplicate key 'topic'.*line 9"):
        qa.load_bank(path)
    # PyYAML's own safe_load would have kept the last value silently:
    assert yaml.safe_load(twice)["questions"][0]["topic"] == "rnn"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("questions.2.hint", "look at the kernel", "entry 'cnn-question-2', field '(entry)'"),
        ("questions.2.answer.fr", "une convolution", "entry 'cnn-question-2', field 'answer'"),
        ("questions.2.mistakes.0.note", "x", "entry 'cnn-question-2', field 'mistakes[0]'"),
        ("extra", 1, "key '(file)'"),
        ("topics.cnn.fr", "réseaux", "key 'topics.cnn'"),
    ],
)
def test_rule_unknown_fields(path, value, expected):
    problems = _problems(_broken(path, value))
    assert len(problems) == 1 and problems[0].startswith(expected), problems
    assert "Additional properties are not allowed" in problems[0]


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("questions.1.question", "What is a kernel?", "question"),
        ("questions.1.question.en", ["What", "is it?"], "question.en"),
        ("questions.1.answer.zh", {"text": "卷积"}, "answer.zh"),
        ("questions.1.explanation", ["one", "two"], "explanation"),
        ("questions.1.mistakes", "Calling it a matrix inverse.", "mistakes"),
        ("questions.1.mistakes.0", "Calling it a matrix inverse.", "mistakes[0]"),
        ("questions.1.options", {"a": "A convolution"}, "options"),
        ("questions.1.correct", 1, "correct"),
        ("questions.1.link", 5, "link"),
        ("questions.1.link", ["03_interview_qa.ipynb", 7], "link"),
        ("questions.1.sources", "https://example.org", "sources"),
        ("questions.1.id", ["cnn", "kernel"], "id"),
        ("questions.1.topic", ["cnn"], "topic"),
        ("questions.1.difficulty", None, "difficulty"),
        ("questions.1.seed", "the first article", "seed"),
    ],
)
def test_rule_wrong_types_name_entry_and_field(path, value, field):
    problems = _problems(_broken(path, value))
    name = "'#1'" if field == "id" else "'cnn-question-1'"
    assert any(p.startswith(f"entry {name}, field '{field}'") for p in problems), problems


@pytest.mark.parametrize(
    "document",
    [None, "a string", [1, 2], {"version": "2", "topics": [], "questions": {}}],
    ids=["empty", "string", "list", "wrong-top-level-types"],
)
def test_rule_wrong_types_of_the_whole_file_never_crash(document):
    problems = _problems(document)
    assert problems and all(p.startswith("key '") for p in problems), problems


def test_rule_wrong_type_of_an_entry():
    problems = _problems(_document([_entry(0), "cnn-question-1", 3]))
    assert "entry '#1', field '(entry)': expected object, got str" in problems
    assert "entry '#2', field '(entry)': expected object, got int" in problems


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("questions.3.question.zh", _DELETE, "question.zh"),
        ("questions.3.answer.en", "   ", "answer.en"),
        ("questions.3.explanation.zh", "", "explanation.zh"),
        ("questions.3.explanation.zh", "Each output is a weighted sum.", "explanation.zh"),
        ("questions.3.mistakes.0.zh", _DELETE, "mistakes[0].zh"),
        ("questions.3.mistakes.0.en", "", "mistakes[0].en"),
        ("questions.3.mistakes", [], "mistakes"),
        ("questions.3.options.1.zh", "", "options[1].zh"),
        ("questions.3.options.1.zh", "A sort, in English", "options[1].zh"),
        ("questions.3.options.2", {"en": "A hash"}, "options[2].zh"),
        ("topics.cnn.zh", "Convolutional networks", None),
    ],
)
def test_rule_missing_translations(path, value, field):
    problems = _problems(_broken(path, value))
    where = "key 'topics.cnn.zh'" if field is None else f"entry 'cnn-question-3', field '{field}'"
    assert any(p.startswith(where) for p in problems), problems


def test_language_neutral_options_may_stay_as_in_english():
    entries = [_entry(n, "abcd"[n % 4]) for n in range(8)]
    entries[0]["options"] = [_text(v, v) for v in ("(14, 14, 16)", "18,496", "512 MiB", "−log 4")]
    entries[1]["mistakes"].append(
        _text("Confusing 准确率 with 精确率.", "把准确率和精确率混为一谈。")
    )
    assert len(qa.parse_bank(_document(entries))) == 8
    entries[0]["options"][2] = _text("Half of a gigabyte", "Half of a gigabyte")
    assert _problems(_document(entries)) == [
        "entry 'cnn-question-0', field 'options[2].zh': write the Chinese text (only a number or "
        "a formula may stay as in en)"
    ]


def test_rule_seed_block_only_for_seed_entries():
    seed = {
        "file": "000_2417a2dda061507d.txt",
        "section": "§4",
        "answer_zh": "深度学习是一种人工智能方法。",
        "answer_en": "Deep learning is an AI method.",
        "audit": "It never says how the network learns.",
    }
    entries = [_entry(0, source="seed", seed=seed)] + [_entry(n) for n in range(1, 3)]
    assert len(qa.parse_bank(_document(entries))) == 3
    no_seed = [_entry(0, source="seed")]
    assert _problems(_document(no_seed)) == [
        "entry 'cnn-question-0', field 'seed': required field is missing"
    ]
    stray = [_entry(0, seed=seed)]
    assert _problems(_document(stray))[0].startswith("entry 'cnn-question-0', field '(entry)'")
    english = [
        _entry(0, source="seed", seed={**seed, "answer_zh": "Deep learning is an AI method."})
    ]
    assert _problems(_document(english))[0].startswith(
        "entry 'cnn-question-0', field 'seed.answer_zh': write the Chinese text"
    )


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ([{"title": "Pricing", "url": "https://example.org/p", "date": "2026-13"}], "date"),
        ([{"title": "Pricing", "url": "www.example.org", "date": "2026-09"}], "url"),
        ([{"url": "https://example.org/p", "date": "2026-09-01"}], "title"),
        ([], None),
    ],
)
def test_rule_sources_need_title_url_and_date(value, field):
    right = [{"title": "Pricing", "url": "https://example.org/p", "date": "2026-09-01"}]
    assert qa.parse_bank(_broken("questions.0.sources", right)).questions[0].sources[0]["date"]
    problems = _problems(_broken("questions.0.sources", value))
    where = "entry 'cnn-question-0', field 'sources" + (f"[0].{field}'" if field else "'")
    assert len(problems) == 1 and problems[0].startswith(where), problems


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("/abs/path/notebook.ipynb", "a notebook file name like"),
        ("03_interview_qa", "a notebook file name like"),
        ("03_interview_qa.ipynb#two words", "a notebook file name like"),
    ],
)
def test_rule_link_format(value, message):
    problems = _problems(_broken("questions.0.link", value))
    assert len(problems) == 1 and message in problems[0], problems
    assert problems[0].startswith("entry 'cnn-question-0', field 'link'")


def test_rule_topic_and_difficulty_and_version():
    assert _problems(_broken("questions.4.topic", "astrology")) == [
        "entry 'cnn-question-4', field 'topic': 'astrology' is not one of ['cnn']"
    ]
    problems = _problems(_broken("questions.4.difficulty", "impossible"))
    assert problems == [
        "entry 'cnn-question-4', field 'difficulty': 'impossible' is not one of "
        "['easy', 'medium', 'hard']"
    ]
    assert _problems(_broken("version", 1)) == ["key 'version': 2 was expected"]
    unused = _broken("topics.gan", _text("Generative adversarial networks", "生成对抗网络"))
    assert _problems(unused) == ["key 'topics.gan': no question has this topic"]


def test_rule_duplicate_questions():
    entries = [_entry(n, "abcd"[n % 4]) for n in range(8)]
    entries[5]["id"] = entries[2]["id"]
    entries[6]["question"] = _text(" what does LAYER 1 compute ", "全新的问题？")
    entries[7]["question"] = _text("A new question?", entries[3]["question"]["zh"] + "  ")
    assert _problems(_document(entries)) == [
        "entry 'cnn-question-2', field 'id': duplicate of entry #2 (same id)",
        "entry 'cnn-question-6', field 'question.en': duplicate of entry #1 (same question.en)",
        "entry 'cnn-question-7', field 'question.zh': duplicate of entry #3 (same question.zh)",
    ]
    options = [_text("A convolution", "卷积"), _text(" a  Convolution", "又一个卷积")]
    assert _problems(_broken("questions.0.options", options)) == [
        "entry 'cnn-question-0', field 'options': two options have the same English text"
    ]


@pytest.mark.parametrize(("letter", "options"), [("d", 3), ("c", 2), ("h", 4)])
def test_rule_correct_letter_in_range(letter, options):
    entries = [_entry(n, "abcd"[n % 4]) for n in range(8)]
    entries[0]["options"] = entries[0]["options"][:options]
    entries[0]["correct"] = "a"
    entries[4]["correct"] = "b"  # keep the letters balanced
    assert qa.parse_bank(_document(entries))
    entries[0]["correct"] = letter
    problems = _problems(_document(entries))
    assert problems[0].startswith(
        f"entry 'cnn-question-0', field 'correct': {letter!r} is out of range"
    )
    assert len(problems) == 1 or "over 40%" in problems[1]
    assert "'z' is not one of" in _problems(_broken("questions.0.correct", "z"))[0]
    assert (
        "'correct' is a dependency of 'options'"
        in _problems(_broken("questions.0.correct", _DELETE))[0]
    )


def test_rule_no_letter_above_40_percent():
    balanced = [_entry(n, "abcd"[n % 4]) for n in range(10)]  # a b c d a b c d a b: 30% each
    assert qa.parse_bank(_document(balanced))
    lopsided = [_entry(n, "b" if n < 5 else "acd"[n % 3]) for n in range(10)]  # b: 5 of 10
    assert _problems(_document(lopsided)) == [
        "key 'correct': 'b' answers 5 of 10 multiple-choice entries, over 40%"
    ]
    assert qa.parse_bank(_document([_entry(0, "a"), _entry(1)]))  # one question cannot balance


def test_validate_entry_is_the_same_check_for_one_entry():
    assert qa.validate_entry(_entry(0, "a"), ["cnn"]) == []
    broken = _entry(0, "d", difficulty="very hard", explanation={"en": "Stride."}, mistakes=[])
    broken["options"] = broken["options"][:3]
    assert qa.validate_entry(broken, ["cnn"], index=7) == [
        "entry 'cnn-question-0', field 'difficulty': 'very hard' is not one of "
        "['easy', 'medium', 'hard']",
        "entry 'cnn-question-0', field 'explanation.zh': required field is missing",
        "entry 'cnn-question-0', field 'mistakes': [] should be non-empty",
        "entry 'cnn-question-0', field 'correct': 'd' is out of range: use one of ['a', 'b', 'c']",
    ]
    assert qa.validate_entry([1], ["cnn"], 3) == [
        "entry '#3', field '(entry)': expected object, got list"
    ]


def test_load_bank_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        qa.load_bank(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions: [unclosed", encoding="utf-8")
    with pytest.raises(qa.BankError, match="not valid YAML"):
        qa.load_bank(bad)


# --------------------------------------------------------------------------- links
def _notebook(folder, name: str, *markdown: str) -> None:
    cells = [{"cell_type": "markdown", "source": text} for text in markdown]
    (folder / name).write_text(json.dumps({"cells": cells}), encoding="utf-8")


def test_link_rule_jupyterlab_heading_ids_and_a_tags(tmp_path):
    _notebook(
        tmp_path,
        "03_interview_qa.ipynb",
        '<a id="attention-by-hand"></a>\n## Compute attention by hand',
        "### Exercise 3.1 — Build a `sliding_window_mask` (★★☆, ~10 min)\n\ntext",
        "```python\n# Not a heading\n```",
    )
    anchors = qa_bank.notebook_anchors(tmp_path / "03_interview_qa.ipynb")
    assert {"attention-by-hand", "Compute-attention-by-hand"} <= anchors
    assert "Exercise-3.1-—-Build-a-sliding_window_mask-(★★☆,-~10-min)" in anchors
    assert "Not-a-heading" not in anchors and "compute-attention-by-hand" not in anchors
    links = [
        "03_interview_qa.ipynb",
        "03_interview_qa.ipynb#Compute-attention-by-hand",
        "03_interview_qa.ipynb#attention-by-hand",
        "03_interview_qa.ipynb#compute-attention-by-hand",  # GitHub's lowercase id: not this rule
        "03_interview_qa.ipynb#Not-a-heading",
        "04_cnn_convolutions.ipynb",
    ]
    bank = qa.parse_bank(_document([_entry(0, link=links)]))
    problems = qa_bank.check_links(bank, tmp_path)
    assert len(problems) == 3, problems
    assert "#compute-attention-by-hand" in problems[0] and "#Not-a-heading" in problems[1]
    assert problems[2].endswith("notebooks/04_cnn_convolutions.ipynb does not exist")


def test_every_link_of_the_bank_resolves(bank):
    assert qa_bank.check_links(bank) == []


# --------------------------------------------------------------------------- shuffling
def test_shuffle_options_is_seeded_and_maps_back():
    question = qa.parse_bank(_document()).questions[1]  # correct: b, "A convolution" is a
    orders = set()
    for attempt in range(20):
        shown, order = qa.shuffle_options(question, f"0/{attempt}")
        assert (shown, order) == qa.shuffle_options(question, f"0/{attempt}")
        assert sorted(order) == [0, 1, 2, 3]
        assert [shown.options[i] for i in range(4)] == [question.options[j] for j in order]
        stored = qa.LETTERS[order[qa.LETTERS.index(shown.correct)]]
        assert stored == question.correct
        assert shown.options[qa.LETTERS.index(shown.correct)] == question.options[1]
        orders.add(order)
    assert len(orders) > 5
    flashcard = qa.parse_bank(_document([_entry(0)])).questions[0]
    assert qa.shuffle_options(flashcard) == (flashcard, ())


def test_same_letter_is_near_chance_on_the_shuffled_quiz(bank):
    """Answering one letter every time scores about 1/k over 1,000 seeded attempts."""
    chance = qa_bank.bank_stats(bank, attempts=10)["chance"]
    for letter in "abcd":
        score = qa_bank.same_letter_score(bank.questions, letter, attempts=1000)
        assert score < 0.40 and abs(score - chance) < 0.06, (letter, score, chance)


def test_shuffling_defeats_a_bank_where_one_letter_always_wins():
    all_b = [dataclasses.replace(q, correct="b") for q in qa.parse_bank(_document()).questions]
    assert all(q.correct == "b" for q in all_b)  # unshuffled, "b" would score 100%
    score = qa_bank.same_letter_score(all_b, "b", attempts=1000)
    assert 0.18 < score < 0.32
    with pytest.raises(ValueError):
        qa_bank.same_letter_score([], "a")


# --------------------------------------------------------------------------- quiz session
def test_quiz_session_grades_the_shuffled_options(tmp_path):
    bank = qa.parse_bank(_document())
    session = qa.QuizSession(bank, "multiple-choice", shuffle_seed=None)
    shown = session.current
    assert shown == session.current  # the same order every time the card is drawn
    original = bank.by_id(shown.id)
    right_text = original.options[qa.LETTERS.index(original.correct)]
    assert shown.options[qa.LETTERS.index(shown.correct)] == right_text
    wrong = next(letter for letter in shown.letters if letter != shown.correct)
    assert session.answer(wrong) is False and session.revealed
    assert session.answer(shown.correct) is True  # shown as right, not scored again
    assert session.results == {shown.id: False}
    assert session.progress() == "Card 1 of 8 · Score: 0/1 (0%)"
    session.next()
    assert session.answer(session.current.correct) is True
    assert session.progress().endswith("Score: 1/2 (50%)")
    with pytest.raises(ValueError, match="one of"):
        session.answer("z")


def test_quiz_session_flashcards_navigation_language_and_filters():
    bank = qa.parse_bank(_document([_entry(n) for n in range(6)]))
    session = qa.QuizSession(bank, difficulties=["easy"])
    assert [q.id for q in session.questions] == ["cnn-question-0", "cnn-question-3"]
    with pytest.raises(ValueError, match="reveal"):
        session.self_grade(True)
    assert "Answer" not in session.render("markdown")
    session.reveal()
    assert "A convolution of its input." in session.render("markdown")
    session.self_grade(True)
    session.self_grade(False)  # same card: counted once
    assert session.results == {"cnn-question-0": True}
    session.next(-1)
    assert session.index == 1
    session.set_language("zh")
    assert session.progress().startswith("第 2 题，共 2 题")
    session.set_language("both")
    assert "第 3 层计算什么？" in session.render("markdown") and "layer 3" in session.render(
        "markdown"
    )
    with pytest.raises(ValueError):
        session.set_language("fr")
    with pytest.raises(ValueError, match="mode must be"):
        session.set_filters("essay")
    empty = qa.QuizSession(bank, "multiple-choice")
    assert empty.current is None and "No question" in empty.render()
    with pytest.raises(ValueError):
        empty.answer("a")


def test_render_card_in_both_languages_and_html():
    sourced = _entry(
        0, "a", sources=[{"title": "Pricing", "url": "https://x.org", "date": "2026-09"}]
    )
    question = qa.parse_bank(_document([sourced])).questions[0]
    bank = qa.parse_bank(_document([sourced]))
    hidden = qa.render_card(question, bank)
    assert question.question["en"] in hidden and question.answer["en"] not in hidden
    shown = qa.render_card(question, bank, reveal=True, chosen="b")
    assert "✅" in shown and "❌" in shown and "(b), wrong" in shown and "(2026-09)" in shown
    both = qa.render_card(question, bank, lang="both", reveal=True)
    for field in ("question", "answer", "explanation"):
        assert question.__dict__[field]["en"] in both and question.__dict__[field]["zh"] in both
    assert "Calling it a matrix inverse. / 把它说成矩阵求逆。" in both and "答案" in both
    assert "**What does layer 0 compute?**\n\n**第 0 层计算什么？**" in both
    neutral = dataclasses.replace(question, options=(_text("18,496", "18,496"), _text("Two", "二")))
    assert "- (a) 18,496\n- (b) Two / 二" in qa.render_card(neutral, bank, lang="both")
    page = qa.render_card(question, bank, reveal=True, fmt="html", lang="zh")
    assert "<li>" in page and "每个输出都是加权和。" in page and "**" not in page
    with pytest.raises(ValueError):
        qa.render_card(question, bank, fmt="pdf")


# --------------------------------------------------------------------------- spaced repetition
def test_leitner_boxes_and_the_due_rule():
    progress = {"session": 1, "questions": {}}
    qa.record_result(progress, "x", True)
    assert progress["questions"]["x"] == {"box": 2, "seen": 1, "right": 1, "last": 1}
    for session, box in [(2, 3), (3, 4), (4, 5), (5, 5)]:
        progress["session"] = session
        qa.record_result(progress, "x", True)
        assert progress["questions"]["x"]["box"] == box
    qa.record_result(progress, "x", False)
    assert progress["questions"]["x"]["box"] == 1 and progress["questions"]["x"]["right"] == 5
    # box b is due 2 ** (b - 1) sessions after its last answer
    progress = {"session": 10, "questions": {}}
    for key, box, last in [
        ("box1", 1, 9),
        ("box2-due", 2, 8),
        ("box2-early", 2, 9),
        ("box3", 3, 7),
    ]:
        progress["questions"][key] = {"box": box, "last": last, "seen": 1, "right": 0}
    keys = {key: qa.review_key(progress, key) for key in progress["questions"]}
    assert keys == {"box1": (0, 1), "box2-due": (0, 2), "box2-early": (2, 11), "box3": (2, 11)}
    assert qa.review_key(progress, "never-seen") == (1, 0)


def test_progress_file_location_and_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_QA_PROGRESS", raising=False)
    default = qa.progress_path()
    assert default.name == "interview_progress.json" and "course_utils" in str(default)
    assert REPO not in default.parents
    monkeypatch.setenv("COURSE_QA_PROGRESS", str(tmp_path / "p.json"))
    assert qa.progress_path() == tmp_path / "p.json"
    assert qa.load_progress(tmp_path / "p.json") == {"version": 1, "session": 0, "questions": {}}
    for bad in ["not json", '{"session": 1}', '{"session": "1", "questions": {}}',
                '{"session": 1, "questions": {"x": {"box": "one"}}}']:  # fmt: skip
        (tmp_path / "p.json").write_text(bad, encoding="utf-8")
        with pytest.raises(ValueError, match="delete it"):
            qa.load_progress(tmp_path / "p.json")


def test_the_next_session_asks_first_what_you_got_wrong(tmp_path):
    bank = qa.parse_bank(_document())
    path = tmp_path / "progress.json"
    first = qa.QuizSession(bank, "multiple-choice", shuffle_seed=1, progress_file=path)
    asked = []
    for number in range(4):  # wrong, right, wrong, right
        asked.append(first.current.id)
        wrong = next(x for x in first.current.letters if x != first.current.correct)
        first.answer(wrong if number % 2 == 0 else first.current.correct)
        first.next()
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["session"] == 1 and len(saved["questions"]) == 4
    second = qa.QuizSession(bank, "multiple-choice", shuffle_seed=2, progress_file=path)
    order = [q.id for q in second.questions]
    assert order[:2] == [asked[0], asked[2]] or order[:2] == [asked[2], asked[0]]
    assert set(order[-2:]) == {asked[1], asked[3]}  # box 2: due again in two sessions
    assert len(order) == 8
    # second attempt at a question: its options are shuffled with attempt number 1
    assert second.current == qa.shuffle_options(bank.by_id(order[0]), "2/1")[0]


def _answer_wrong(session: qa.QuizSession) -> None:
    session.reveal()
    if session.current.is_multiple_choice:
        session.answer(next(x for x in session.current.letters if x != session.current.correct))
    else:
        session.self_grade(False)


def test_mock_interview_is_timed_mixed_and_due_first(tmp_path):
    bank = qa.parse_bank(
        _document([_entry(n, "abcd"[n // 2 % 4] if n % 2 else None) for n in range(12)])
    )
    now = [1000.0]
    path = tmp_path / "progress.json"
    session = qa.QuizSession(
        bank, "mock-interview", count=6, minutes=2, clock=lambda: now[0], progress_file=path
    )
    levels = [q.difficulty for q in session.questions]
    assert len(levels) == 6 and {levels.count(d) for d in qa.DIFFICULTIES} == {2}
    assert session.progress() == "Card 1 of 6 · Score: 0/0 · 2 min left"
    _answer_wrong(session)
    missed = session.current.id
    now[0] += 90
    assert session.progress().endswith("1 min left")
    # in both languages each one fills its own blanks (the browser test found a crash here)
    session.lang = "both"
    assert (
        session.progress()
        == "Card 1 of 6 · 第 1 题，共 6 题 · Score · 得分: 0/1 (0%) · 1 min left · 剩余 1 分钟"
    )
    session.lang = "en"
    now[0] += 31
    assert session.time_left == 0 and session.progress().endswith("time is up")
    session.next()
    session.reveal()
    with pytest.raises(ValueError, match="time is up"):
        session.self_grade(True)
    later = qa.QuizSession(bank, "mock-interview", count=3, minutes=1, progress_file=path)
    assert later.questions[0].id == missed and len(later.questions) == 3
    with pytest.raises(ValueError, match="count >= 1"):
        qa.QuizSession(bank, "mock-interview", count=0)


# --------------------------------------------------------------------------- the bundled bank
def test_bundled_bank_is_v2_bilingual_and_balanced(bank):
    raw = yaml.safe_load(config.data_dir().joinpath("interview_qa.yaml").read_text("utf-8"))
    assert raw["version"] == 2
    stats = qa_bank.bank_stats(bank, attempts=10)
    assert max(stats["correct_letters"].values()) <= 0.4 * stats["multiple_choice"]
    assert set(stats["difficulty"]) == set(qa.DIFFICULTIES) and stats["multiple_choice"] >= 20
    for question in bank.questions:
        for text in [question.question, question.answer, question.explanation, *question.mistakes]:
            assert text["en"].strip() and re.search(r"[\u4e00-\u9fff]", text["zh"]), question.id


def test_every_seed_question_is_in_the_bank_verbatim(bank):
    by_question = {q.question["zh"]: q for q in qa.filter_questions(bank.questions, source="seed")}
    for seed_file, questions in SEED_QUESTIONS.items():
        for text in questions:
            assert text in by_question, f"seed question missing: {text}"
            assert by_question[text].seed["file"] == seed_file
            assert by_question[text].seed["answer_en"] and by_question[text].seed["audit"]


def test_seed_articles_are_in_the_repository_unchanged():
    for name, digest in SEED_SHA256.items():
        assert hashlib.sha256((SEEDS / name).read_bytes()).hexdigest() == digest, name
        assert digest in (SEEDS / "README.md").read_text(encoding="utf-8"), name


def test_seed_originals_are_verbatim_in_the_seed_files(bank):
    def squash(text: str) -> str:
        return re.sub(r"\s+", "", text)

    for question in qa.filter_questions(bank.questions, source="seed"):
        article = squash((SEEDS / question.seed["file"]).read_text(encoding="utf-8"))
        assert squash(question.question["zh"]) in article, question.id
        assert squash(question.seed["answer_zh"]) in article, question.id


def test_no_file_points_outside_the_repository():
    suffixes = {".py", ".md", ".ipynb", ".yaml", ".yml", ".json", ".toml", ".cfg", ""}
    skip = {".git", ".venv", "build", "benchmarks/_runs", "tests/test_qa.py"}
    offenders = [
        path.relative_to(REPO).as_posix()
        for path in REPO.rglob("*")
        if path.is_file()
        and path.suffix in suffixes
        and not any(path.relative_to(REPO).as_posix().startswith(s) for s in skip)
        and "../shared" in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert offenders == [], "these files refer to ../shared, outside the repository"


def test_filter_questions(bank):
    assert qa.filter_questions(bank.questions) == list(bank.questions)
    easy = qa.filter_questions(bank.questions, topics=["cnn"], difficulties=["easy"])
    assert easy and all(q.topic == "cnn" and q.difficulty == "easy" for q in easy)
    choice = qa.filter_questions(bank.questions, multiple_choice=True)
    cards = qa.filter_questions(bank.questions, multiple_choice=False)
    assert len(choice) + len(cards) == len(bank)
    with pytest.raises(ValueError, match="difficulties"):
        qa.filter_questions(bank.questions, difficulties=["trivial"])
    with pytest.raises(ValueError, match="unknown topics"):
        qa.filter_questions(bank.questions, topics=["astrology"])
    with pytest.raises(ValueError, match="source"):
        qa.filter_questions(bank.questions, source="internet")


def test_grade():
    question = qa.parse_bank(_document()).questions[1]  # correct: b
    assert qa.grade(question, "b") is True and qa.grade(question, " B ") is True
    assert qa.grade(question, "a") is False
    with pytest.raises(ValueError, match="one of"):
        qa.grade(question, "e")
    with pytest.raises(TypeError):
        qa.grade(question, 1)
    with pytest.raises(ValueError, match="flashcard"):
        qa.grade(qa.parse_bank(_document([_entry(0)])).questions[0], "a")


# --------------------------------------------------------------------------- export
def test_export_contains_every_question_in_both_languages(bank):
    text = qa_bank.export_markdown(bank)
    page = qa_bank.export_html(text)
    for question in bank.questions:
        assert f"`{question.id}`" in text and f"<code>{question.id}</code>" in page
        for lang in qa.LANGUAGES:
            for field in (question.question, question.answer, question.explanation):
                assert field[lang] in text, (question.id, lang)
                assert qa_bank._markdown().renderInline(field[lang]) in page, (question.id, lang)
            assert all(mistake[lang] in text for mistake in question.mistakes), question.id
            assert all(option[lang] in text for option in question.options), question.id
    seeds = qa.filter_questions(bank.questions, source="seed")
    assert text.count("**What was wrong or missing.**") == len(seeds)


def test_exports_are_up_to_date_with_the_bank(bank):
    text = qa_bank.export_markdown(bank)
    assert EXPORT.read_text(encoding="utf-8") == text, "run `make qa-export` and commit the result"
    assert EXPORT_HTML.read_text(encoding="utf-8") == qa_bank.export_html(text), (
        "run make qa-export"
    )


def test_export_of_a_small_bank_mentions_sources_and_links():
    sourced = _entry(
        0, "a", sources=[{"title": "Pricing", "url": "https://x.org", "date": "2026-09"}]
    )
    text = qa_bank.export_markdown(qa.parse_bank(_document([sourced, _entry(1)])))
    assert "- [Pricing](https://x.org) (2026-09)" in text
    assert (
        "[03_interview_qa.ipynb#Compute-attention-by-hand](../notebooks/03_interview_qa.ipynb#"
        in text
    )
    assert "- (a) A convolution / 卷积" in text and "2 questions (1 easy, 1 medium, 0 hard)" in text
    page = qa_bank.export_html(text)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "<h3>What does layer 0 compute?</h3>" in page and "@media print" in page


def test_command_line(tmp_path):
    document = _document()
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    markdown, page = tmp_path / "out" / "qa.md", tmp_path / "out" / "qa.html"
    assert (
        qa_bank.main(["export", str(markdown), "--html", str(page), "--bank", str(bank_file)]) == 0
    )
    assert "What does layer 7 compute?" in markdown.read_text("utf-8")
    assert "What does layer 7 compute?" in page.read_text("utf-8")
    assert (
        qa_bank.main(
            ["check", "--export", str(markdown), "--html", str(page), "--bank", str(bank_file)]
        )
        == 0
    )
    assert qa_bank.main(["stats", "--bank", str(bank_file)]) == 0
    broken = copy.deepcopy(document)
    broken["questions"][0]["difficulty"] = "extreme"
    bank_file.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    assert qa_bank.main(["check", "--bank", str(bank_file)]) == 1
    bank_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    assert (
        qa_bank.main(["check", "--export", str(tmp_path / "missing.md"), "--bank", str(bank_file)])
        == 1
    )


# --------------------------------------------------------------------------- widget
def test_quiz_widget_wires_the_session(tmp_path):
    bank = qa.parse_bank(
        _document([_entry(n, "abcd"[n // 2 % 4] if n % 2 else None) for n in range(8)])
    )
    widget = qa.quiz_widget(bank, shuffle_seed=None, progress_file=tmp_path / "p.json")
    session = widget.session
    (mode, language), (topic, difficulty, count, minutes) = (
        row.children for row in widget.children[:2]
    )
    status, card, letters, buttons = widget.children[2:]
    reveal, knew, missed, previous, following = buttons.children
    controls = [mode, language, topic, difficulty, count, minutes, letters, *buttons.children]
    assert all(control.description for control in controls)
    assert session.current.id == "cnn-question-0"
    reveal.click()
    assert session.revealed
    knew.click()  # "I knew it" scores and moves on
    assert session.results == {"cnn-question-0": True} and session.index == 1
    assert (tmp_path / "p.json").exists()
    assert reveal.description == "Reveal answer"
    language.value = "zh"
    assert session.current.question["zh"] in card.value and reveal.description == "显示答案"
    mode.value = "multiple-choice"
    letters.value = session.current.correct
    assert sum(session.results.values()) == 2 and "✅" in card.value
    previous.click()
    assert session.index == len(session.questions) - 1
    mode.value = "mock-interview"
    assert (
        count.layout.display == ""
        and len(session.questions) == 8
        and "剩余 20 分钟" in status.value
    )
    count.value = 3
    assert len(session.questions) == 3 and session.deadline is not None
    session.deadline = session.clock() - 1  # the time is up: answers are no longer taken
    letters.value = letters.options[0]
    assert sum(session.results.values()) == 2 and "时间到" in status.value and letters.value is None
