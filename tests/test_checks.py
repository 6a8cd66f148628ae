"""Tests of the exercise-check helper."""

from __future__ import annotations

import pytest

from course_utils import checks


@checks.exercise
def _square_of_four(answer):
    if answer != 16:
        return "multiply 4 by itself"
    return None


@pytest.mark.parametrize("stub", [None, ...])
def test_stub_answers_are_not_attempted(stub, capsys):
    assert _square_of_four(stub) is False
    assert "not attempted yet" in capsys.readouterr().out


def test_correct_answer_passes(capsys):
    assert _square_of_four(16) is True
    assert capsys.readouterr().out.strip() == checks.CORRECT


def test_wrong_answer_gets_the_specific_hint(capsys):
    assert _square_of_four(8) is False
    assert "multiply 4 by itself" in capsys.readouterr().out


def test_an_exception_while_checking_becomes_a_hint(capsys):
    @checks.exercise
    def needs_a_model(model):
        return None if model.layers else "add layers"

    assert needs_a_model(42) is False
    assert "AttributeError" in capsys.readouterr().out


def test_returning_false_gives_a_generic_hint_and_true_passes(capsys):
    assert checks.exercise(lambda a: False)(1) is False
    assert "not it" in capsys.readouterr().out
    assert checks.exercise(lambda a: True)(1) is True


def test_choice_is_case_insensitive_with_hints(capsys):
    assert checks.choice(" B ", "b") is True
    assert checks.choice("a", {"b", "c"}, hints={"a": "a is about pooling"}) is False
    assert "a is about pooling" in capsys.readouterr().out
    assert checks.choice(None, "b") is False
    assert checks.choice(2, "b") is False
    assert "letter" in capsys.readouterr().out


def test_outcome_rejects_unknown_status():
    with pytest.raises(ValueError, match="not_attempted, correct, hint"):
        checks.outcome("maybe")


def test_demo_check_used_by_the_welcome_notebook():
    assert (
        checks.demo_sum(5) is True
        and checks.demo_sum(6) is False
        and checks.demo_sum(None) is False
    )
