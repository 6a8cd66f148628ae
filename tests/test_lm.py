"""Tests of the language-model code notebook 09 exports to course_utils.lm, against Keras where
Keras has the same thing (attention, LoRA)."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from course_utils import lm  # noqa: E402

VOCAB, CONTEXT = 40, 12


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    gpt = lm.build_gpt(VOCAB, CONTEXT, d_model=16, num_heads=2, num_layers=2)
    # Non-zero biases and norms, so a forgotten bias or norm parameter shows.
    rng = np.random.default_rng(1)
    gpt.set_weights([w + 0.1 * rng.normal(size=w.shape).astype(w.dtype) for w in gpt.get_weights()])
    return gpt


def _ids(seed: int, length: int = CONTEXT) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, VOCAB, size=length).astype("int32")


def test_tokenizer_round_trip_and_unknown_characters():
    tokenizer = lm.CharTokenizer("春花秋月何时了春花春", vocab_size=3)
    assert tokenizer.chars == [lm.CharTokenizer.UNKNOWN, "春", "花"]
    ids = tokenizer.encode("春花月")
    assert ids.dtype == np.int32 and ids.tolist() == [1, 2, 0]
    assert tokenizer.decode(ids) == "春花" + lm.CharTokenizer.UNKNOWN
    with pytest.raises(ValueError, match="vocab_size"):
        lm.CharTokenizer("abc", 1)
    with pytest.raises(TypeError, match="non-empty str"):
        lm.CharTokenizer("", 5)


def test_bigram_probabilities_are_normalised_counts():
    ids = np.array([0, 1, 0, 1, 0, 2])
    log_probs = lm.bigram_log_probs(ids, 3, smoothing=0.5)
    np.testing.assert_allclose(np.exp(log_probs).sum(axis=1), 1.0)
    # after 0: pairs (0,1) twice, (0,2) once, plus 0.5 each -> (0.5, 2.5, 1.5) / 4.5
    np.testing.assert_allclose(np.exp(log_probs[0]), [0.5 / 4.5, 2.5 / 4.5, 1.5 / 4.5])
    assert lm.bigram_loss(log_probs, ids) == pytest.approx(-log_probs[ids[:-1], ids[1:]].mean())
    with pytest.raises(ValueError, match="smoothing"):
        lm.bigram_log_probs(ids, 3, smoothing=0)


def test_attention_matches_keras_multi_head_attention_with_causal_mask():
    attention = lm.CausalSelfAttention(d_model=24, num_heads=3)
    x = np.random.default_rng(2).normal(size=(2, 9, 24)).astype("float32")
    ours = keras.ops.convert_to_numpy(attention(x))
    mha = lm.copy_into_keras_mha(attention)
    theirs = keras.ops.convert_to_numpy(mha(x, x, use_causal_mask=True))
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    unmasked = keras.ops.convert_to_numpy(mha(x, x))  # the mask matters: without it they differ
    assert np.abs(ours - unmasked).max() > 1e-3


def test_causal_mask_does_not_leak_the_future(model):
    ids = _ids(3)
    changed = ids.copy()
    changed[8:] = (changed[8:] + 1) % VOCAB
    a = keras.ops.convert_to_numpy(model(ids[None]))[0]
    b = keras.ops.convert_to_numpy(model(changed[None]))[0]
    np.testing.assert_allclose(a[:8], b[:8], atol=1e-6)  # positions before the change
    assert np.abs(a[8:] - b[8:]).max() > 1e-4
    assert lm.causal_mask(3).tolist() == [[1, 0, 0], [1, 1, 0], [1, 1, 1]]


def test_numpy_forward_pass_matches_keras_and_the_kv_cache_matches_no_cache(model):
    weights = lm.export_weights(model)
    ids = _ids(4)
    keras_logits = keras.ops.convert_to_numpy(model(ids[None]))[0]
    full = lm.forward_sequence(weights, ids)
    np.testing.assert_allclose(full, keras_logits, atol=1e-4)
    cache = lm.new_cache(weights)
    cached = np.stack([lm.forward_step(weights, token, cache) for token in ids])
    np.testing.assert_allclose(cached, full, atol=1e-4)
    assert cache[0]["k"].shape == (CONTEXT, 16) and len(cache) == 2
    np.testing.assert_allclose(
        lm.forward_sequence(weights, ids, last_only=True)[-1], full[-1], atol=1e-5
    )


def test_int8_round_trip_error_is_at_most_half_a_step():
    kernel = np.random.default_rng(5).normal(size=(33, 7)).astype("float32")
    kernel[:, 3] = 0.0  # an all-zero column must not divide by zero
    q, scale = lm.quantize_int8(kernel)
    assert q.dtype == np.int8 and scale.shape == (7,) and np.abs(q).max() <= 127
    error = np.abs(q * scale - kernel)
    assert np.all(error <= scale / 2 + 1e-7)
    assert np.all(q[:, 3] == 0)
    with pytest.raises(ValueError, match="2-D"):
        lm.quantize_int8(np.zeros(3))


def test_int8_model_is_close_to_float_and_four_times_smaller(model):
    weights = lm.export_weights(model)
    quantized = lm.quantize_weights(weights)
    ids = _ids(6)
    diff = np.abs(lm.forward_sequence(quantized, ids) - lm.forward_sequence(weights, ids)).max()
    assert 0 < diff < 0.1
    dense = sum(
        block[name][0].nbytes
        for block in weights["blocks"]
        for name in ("query", "key", "value", "attention_output", "mlp_in", "mlp_out")
    )
    saved = lm.weight_bytes(weights) - lm.weight_bytes(quantized)
    assert saved > 0.7 * dense  # int8 kernels (1 byte) replace float32 ones (4 bytes), plus scales


def test_lora_trains_only_the_adapters_with_the_expected_count():
    keras.utils.set_random_seed(0)
    base = lm.build_gpt(VOCAB, CONTEXT, d_model=16, num_heads=2, num_layers=2)
    ids = np.stack([_ids(7), _ids(8)])
    before = keras.ops.convert_to_numpy(base(ids))
    lm.add_lora(base, rank=2)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(base(ids)), before, atol=1e-6)  # B = 0
    trainable = sum(int(np.prod(v.shape)) for v in base.trainable_weights)
    assert trainable == 2 * 2 * 2 * (16 + 16)  # layers x (query, value) x rank x (in + out)
    # Keras's own LoRA on the same Dense layers trains the same number of parameters.
    reference = keras.layers.Dense(16)
    reference.build((None, 16))
    reference.enable_lora(2)
    adapters = [reference.lora_kernel_a, reference.lora_kernel_b]
    assert sum(int(np.prod(v.shape)) for v in adapters) * 4 == trainable
    with pytest.raises(TypeError, match="Dense"):
        lm.LoRADense(keras.layers.LayerNormalization(), rank=2)


@pytest.mark.parametrize(
    ("rule", "options", "expected"),
    [("greedy", {}, {0}), ("top_k", {"k": 2}, {0, 1}), ("top_p", {"p": 0.7}, {0, 1})],
)
def test_decoding_rules_on_fixed_logits(rule, options, expected):
    logits = np.log(np.array([0.5, 0.3, 0.15, 0.05]))
    rng = np.random.default_rng(0)
    drawn = {lm.sample_next(logits, rng, rule, **options) for _ in range(200)}
    assert drawn == expected


def test_filters_and_temperature():
    logits = np.log(np.array([0.5, 0.3, 0.15, 0.05]))
    assert np.isfinite(lm.top_k_filter(logits, 3)).tolist() == [True, True, True, False]
    assert np.isfinite(lm.top_p_filter(logits, 0.5)).tolist() == [True, False, False, False]
    assert np.isfinite(lm.top_p_filter(logits, 0.81)).sum() == 3  # 0.5 + 0.3 < 0.81
    assert np.isfinite(lm.top_p_filter(logits, 1.0)).all()
    np.testing.assert_allclose(lm.softmax(logits), [0.5, 0.3, 0.15, 0.05])
    sharp, flat = lm.softmax(logits, 0.5), lm.softmax(logits, 2.0)
    assert sharp[0] > 0.5 > flat[0]
    for bad in [lambda: lm.softmax(logits, 0), lambda: lm.top_k_filter(logits, 0)]:
        with pytest.raises(ValueError):
            bad()
    with pytest.raises(ValueError, match="rule"):
        lm.sample_next(logits, np.random.default_rng(0), "beam")


def test_flop_count_and_cost_formula():
    flops = lm.forward_flops_per_token(vocab_size=100, context_length=7, d_model=8, num_layers=1)
    assert flops["dense layers"] == 2 * (4 * 64 + 8 * 64 + 8 * 100)
    assert flops["attention scores and mixing"] == 2 * 2 * 4 * 8
    assert lm.dollars_per_million_tokens(1000, 3.6) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        lm.dollars_per_million_tokens(0, 1.0)


def test_lstm_width_matches_the_parameter_count():
    units = lm.matching_lstm_units(50_000, vocab_size=300, d_model=16)
    built = lm.build_lstm_lm(300, 16, units).count_params()
    neighbours = [lm.build_lstm_lm(300, 16, u).count_params() for u in (units - 1, units + 1)]
    assert all(abs(built - 50_000) <= abs(n - 50_000) for n in neighbours)


def test_sample_windows_shift_targets_by_one():
    ids = np.arange(100, dtype=np.int32)
    x, y = lm.sample_windows(ids, 10, 5, seed=0)
    assert x.shape == y.shape == (5, 10)
    np.testing.assert_array_equal(y, x + 1)
    with pytest.raises(ValueError, match="longer"):
        lm.sample_windows(ids[:5], 10, 1, seed=0)


def test_decoding_explorer_shows_every_rule_headless(monkeypatch, capsys):
    from course_utils import widgets

    monkeypatch.setenv("COURSE_STATIC_WIDGETS", "1")
    calls = []

    def fake_generate(rule, temperature, k, p, seed):
        calls.append((rule, temperature, k, p, seed))
        return f"text by {rule}"

    widgets.decoding_explorer(fake_generate)
    out = capsys.readouterr().out
    assert [c[0] for c in calls] == ["greedy", "temperature", "top_k", "top_p"]
    assert calls[0][1:] == (0.8, 10, 0.9, 0)
    assert "text by top_p" in out and "Static picture" in out
    with pytest.raises(TypeError, match="generate must be a function"):
        widgets.decoding_explorer("not a function")


def test_scaling_curves_draws_both_panels_and_the_fit():
    import matplotlib.pyplot as plt

    from course_utils import plotting

    figure = plotting.scaling_curves(
        {"small": ([1e9, 2e9], [6.0, 5.8]), "large": ([1e9, 2e9], [6.1, 5.7])},
        {"C = 1e9": ([1e5, 2e5], [6.0, 6.1]), "C = 2e9": ([1e5, 2e5], [5.8, 5.7])},
        fit=([1e9, 2e9], [6.0, 5.7], "fit"),
    )
    left, right = figure.axes
    assert len(left.lines) == 3 and len(right.lines) == 2  # the fit is on the compute panel
    assert left.get_xscale() == right.get_xscale() == "log"
    plt.close(figure)


def test_split_poems_keeps_whole_poems_and_is_fixed_by_the_seed():
    poems = [f"poem {i}" for i in range(50)]
    train, validation = lm.split_poems(poems)
    assert len(validation) == 5 and len(train) == 45
    assert sorted(train + validation) == sorted(poems)  # every poem once, none cut
    assert lm.split_poems(poems) == (train, validation)
    assert lm.split_poems(poems, seed=1) != (train, validation)
    with pytest.raises(ValueError, match="validation_share"):
        lm.split_poems(poems, validation_share=1.0)
    with pytest.raises(ValueError, match="too few"):
        lm.split_poems(poems[:3])


def test_compile_lm_warms_up_then_decays_to_its_final_fraction():
    def rates(**kwargs):
        model = lm.compile_lm(lm.build_gpt(VOCAB, CONTEXT, d_model=8, num_heads=2), 100, **kwargs)
        schedule = model.optimizer._learning_rate  # Keras 3 keeps the schedule object here
        return [float(schedule(step)) for step in (0, 5, 10, 55, 100)]

    warm = rates(learning_rate=0.01, warmup_steps=10)
    assert warm[0] == 0.0 and warm[1] == pytest.approx(0.005) and warm[2] == pytest.approx(0.01)
    assert warm[4] == pytest.approx(0.001)  # a tenth at the end
    flat = rates(learning_rate=0.01, warmup_steps=10, final_fraction=1.0)
    assert flat[2:] == pytest.approx([0.01] * 3)  # constant after the warm-up
    assert rates(learning_rate=0.01)[0] == pytest.approx(0.01)  # no warm-up: starts at the top
    with pytest.raises(ValueError, match="warmup_steps"):
        rates(warmup_steps=100)
    with pytest.raises(ValueError, match="final_fraction"):
        rates(final_fraction=2.0)
