"""Tests for course_utils.privacy: PII detection/redaction and the Laplace mechanism."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import privacy

SAMPLE = (
    "On Mon, 9 Sep 2002, Lucas Gonze wrote:\n"
    "> see http://example.org/page?id=3 or mail jane.doe+x@mail.example.co.uk\n"
    "Call (555) 123-4567 or +34 936 00 23 23, server at 192.168.2.90.\n"
    "Version 2.4.18 released on 2002-09-09, order 12345.\n"
    "Regards,\nMatthias Saou\n"
)


def test_find_pii_kinds_and_texts():
    found = {(m.kind, m.text) for m in privacy.find_pii(SAMPLE)}
    assert found == {
        ("NAME", "Lucas Gonze"),
        ("URL", "http://example.org/page?id=3"),
        ("EMAIL", "jane.doe+x@mail.example.co.uk"),
        ("PHONE", "(555) 123-4567"),
        ("PHONE", "+34 936 00 23 23"),
        ("IP", "192.168.2.90"),
        ("NAME", "Matthias Saou"),
    }


def test_no_false_positives_on_dates_versions_and_numbers():
    text = "Released 2002-09-09 at 10:30, version 2.4.18, invoice 12345, 3.14159, 1,000,000 users."
    assert privacy.find_pii(text) == []


def test_redact_replaces_and_keeps_the_rest():
    redacted = privacy.redact(SAMPLE)
    for secret in (
        "Lucas Gonze",
        "jane.doe",
        "123-4567",
        "936 00 23",
        "192.168",
        "Matthias",
        "example.org",
    ):
        assert secret not in redacted
    assert "[EMAIL]" in redacted and "[PHONE]" in redacted and "[NAME] wrote:" in redacted
    assert "Version 2.4.18 released" in redacted
    only_email = privacy.redact("a@b.com and http://x.org", kinds=["EMAIL"])
    assert only_email == "[EMAIL] and http://x.org"


def test_signature_name_and_overlap():
    text = "Bye\n-- \nGary Lawrence Murphy\nhttp://mail.example.com/u@v.com"
    kinds = [m.kind for m in privacy.find_pii(text)]
    assert kinds == ["NAME", "URL"]  # the e-mail-like part of the URL counts once


def test_count_pii_and_bad_input():
    counts = privacy.count_pii([SAMPLE, "nothing here", "x@y.org"])
    assert counts["matches"]["EMAIL"] == 2 and counts["texts_with"]["EMAIL"] == 2
    assert counts["matches"]["PHONE"] == 2 and counts["texts_with"]["PHONE"] == 1
    assert set(counts["matches"]) == set(privacy.PII_KINDS)
    with pytest.raises(ValueError, match="unknown PII kind"):
        privacy.find_pii("x", kinds=["SSN"])
    with pytest.raises(TypeError):
        privacy.find_pii(b"bytes")


def test_laplace_noise_scale_matches_theory():
    rng = np.random.default_rng(0)
    draws = privacy.laplace_mechanism(10.0, sensitivity=1.0, epsilon=0.5, rng=rng, size=200_000)
    # Laplace(b): mean absolute deviation b = sensitivity / epsilon = 2.
    assert np.mean(np.abs(draws - 10.0)) == pytest.approx(2.0, rel=0.02)
    bound = privacy.laplace_error_bound(1.0, 0.5, 0.95)
    assert bound == pytest.approx(2 * math.log(20))
    assert np.mean(np.abs(draws - 10.0) <= bound) == pytest.approx(0.95, abs=0.005)
    single = privacy.laplace_mechanism(1.0, 1.0, 1.0, rng=np.random.default_rng(1))
    assert isinstance(single, float)


def test_dp_mean_clipping_and_errors():
    rng = np.random.default_rng(0)
    values = np.array([1.0, 2.0, 3.0, 1000.0])
    releases = privacy.dp_mean(values, 0, 10, epsilon=1e6, rng=rng, size=5)
    assert np.allclose(releases, (1 + 2 + 3 + 10) / 4, atol=1e-3)  # clipped, barely noisy
    with pytest.raises(ValueError, match="epsilon"):
        privacy.laplace_mechanism(1.0, 1.0, 0)
    with pytest.raises(ValueError, match="sensitivity"):
        privacy.laplace_mechanism(1.0, -1.0, 1.0)
    with pytest.raises(ValueError, match="lower < upper"):
        privacy.dp_mean(values, 5, 5, 1.0)
    with pytest.raises(ValueError, match="empty"):
        privacy.dp_mean([], 0, 1, 1.0)
    with pytest.raises(ValueError, match="confidence"):
        privacy.laplace_error_bound(1.0, 1.0, 95)


def test_epsilon_exercise_check():
    needed = math.log(20) / (5783 * 0.005)
    assert privacy.check_epsilon_choice(needed) is True
    assert privacy.check_epsilon_choice(needed / 2) is False
    assert privacy.check_epsilon_choice(needed * 5783) is False
    assert privacy.check_epsilon_choice(None) is False
