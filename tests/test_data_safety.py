"""Tests for course_utils.data_safety, generated from notebook 02: personal-data detection,
redaction and the Laplace mechanism. Its downloader is tested in tests/test_download.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import data_safety

# --------------------------------------------------------------------------- personal data

SAMPLE = (
    "On Mon, 9 Sep 2002, Lucas Gonze wrote:\n"
    "> see http://example.org/page?id=3 or mail jane.doe+x@mail.example.co.uk\n"
    "Call (555) 123-4567 or +34 936 00 23 23, server at 192.168.2.90.\n"
    "Version 2.4.18 released on 2002-09-09, order 12345.\n"
    "Regards,\nMatthias Saou\n"
)


def test_find_pii_kinds_and_texts():
    found = {(m.kind, m.text) for m in data_safety.find_pii(SAMPLE)}
    assert found == {
        ("NAME", "Lucas Gonze"),
        ("URL", "http://example.org/page?id=3"),
        ("EMAIL", "jane.doe+x@mail.example.co.uk"),
        ("PHONE", "(555) 123-4567"),
        ("PHONE", "+34 936 00 23 23"),
        ("IP", "192.168.2.90"),
        ("NAME", "Matthias Saou"),
    }
    assert [m.start for m in data_safety.find_pii(SAMPLE)] == sorted(
        m.start for m in data_safety.find_pii(SAMPLE)
    )


def test_no_false_positives_on_dates_versions_and_numbers():
    text = "Released 2002-09-09 at 10:30, version 2.4.18, invoice 12345, 3.14159, 1,000,000 users."
    assert data_safety.find_pii(text) == []
    assert data_safety.find_pii("call 555-1234 or 12 34") == []  # too few digits for a phone


def test_redact_replaces_and_keeps_the_rest():
    redacted = data_safety.redact(SAMPLE)
    for secret in ("Lucas Gonze", "jane.doe", "123-4567", "936 00 23", "192.168", "Matthias"):
        assert secret not in redacted
    assert "[EMAIL]" in redacted and "[PHONE]" in redacted and "[NAME] wrote:" in redacted
    assert "Version 2.4.18 released" in redacted
    assert (
        data_safety.redact("a@b.com and http://x.org", kinds=["EMAIL"])
        == "[EMAIL] and http://x.org"
    )
    assert data_safety.redact("a@b.com and http://x.org", kinds="URL") == "a@b.com and [URL]"


def test_signature_name_and_overlap():
    text = "Bye\n-- \nGary Lawrence Murphy\nhttp://mail.example.com/u@v.com"
    kinds = [m.kind for m in data_safety.find_pii(text)]
    assert kinds == ["NAME", "URL"]  # the e-mail-like part of the URL counts once


def test_find_pii_bad_input():
    with pytest.raises(ValueError, match="unknown PII kind"):
        data_safety.find_pii("x", kinds=["SSN"])
    with pytest.raises(TypeError):
        data_safety.find_pii(b"bytes")


# --------------------------------------------------------------------------- differential privacy


def test_laplace_noise_scale_matches_theory():
    rng = np.random.default_rng(0)
    draws = data_safety.laplace_mechanism(10.0, sensitivity=1.0, epsilon=0.5, rng=rng, size=200_000)
    # Laplace(b): mean absolute deviation b = sensitivity / epsilon = 2.
    assert np.mean(np.abs(draws - 10.0)) == pytest.approx(2.0, rel=0.02)
    bound = data_safety.laplace_error_bound(1.0, 0.5, 0.95)
    assert bound == pytest.approx(2 * math.log(20))
    assert np.mean(np.abs(draws - 10.0) <= bound) == pytest.approx(0.95, abs=0.005)
    single = data_safety.laplace_mechanism(1.0, 1.0, 1.0, rng=np.random.default_rng(1))
    assert isinstance(single, float)


def test_dp_mean_clipping_and_errors():
    rng = np.random.default_rng(0)
    values = np.array([1.0, 2.0, 3.0, 1000.0])
    releases = data_safety.dp_mean(values, 0, 10, epsilon=1e6, rng=rng, size=5)
    assert np.allclose(releases, (1 + 2 + 3 + 10) / 4, atol=1e-3)  # clipped, barely noisy
    with pytest.raises(ValueError, match="epsilon"):
        data_safety.laplace_mechanism(1.0, 1.0, 0)
    with pytest.raises(ValueError, match="sensitivity"):
        data_safety.laplace_mechanism(1.0, -1.0, 1.0)
    with pytest.raises(ValueError, match="lower < upper"):
        data_safety.dp_mean(values, 5, 5, 1.0)
    with pytest.raises(ValueError, match="empty"):
        data_safety.dp_mean([], 0, 1, 1.0)
    with pytest.raises(ValueError, match="holds NaN"):  # was a silent NaN release
        data_safety.dp_mean([1.0, float("nan"), 3.0], 0, 10, 1.0)
    assert np.isfinite(data_safety.dp_mean([1.0, float("inf")], 0, 10, 1.0))  # inf clips to 10
    with pytest.raises(ValueError, match="confidence"):
        data_safety.laplace_error_bound(1.0, 1.0, 95)


def test_noise_scale_refuses_what_is_not_a_finite_positive_number():
    assert data_safety.laplace_error_bound(2.0, 4.0, 1 - math.exp(-1)) == pytest.approx(0.5)
    with pytest.raises(TypeError, match="epsilon must be a number"):
        data_safety.laplace_mechanism(1.0, 1.0, "1")
    with pytest.raises(TypeError, match="sensitivity"):
        data_safety.laplace_error_bound(True, 1.0)
    with pytest.raises(ValueError, match="epsilon must be a finite number"):
        data_safety.laplace_mechanism(1.0, 1.0, float("inf"))
