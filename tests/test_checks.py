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
    assert bool(_square_of_four(stub)) is False
    assert "not attempted yet" in capsys.readouterr().out


def test_correct_answer_passes(capsys):
    assert bool(_square_of_four(16)) is True
    assert capsys.readouterr().out.strip() == checks.CORRECT


def test_wrong_answer_gets_the_specific_hint(capsys):
    assert bool(_square_of_four(8)) is False
    assert "multiply 4 by itself" in capsys.readouterr().out


def test_an_exception_while_checking_becomes_a_hint(capsys):
    @checks.exercise
    def needs_a_model(model):
        return None if model.layers else "add layers"

    assert bool(needs_a_model(42)) is False
    assert "AttributeError" in capsys.readouterr().out


def test_returning_false_gives_a_generic_hint_and_true_passes(capsys):
    assert bool(checks.exercise(lambda a: False)(1)) is False
    assert "not it" in capsys.readouterr().out
    assert bool(checks.exercise(lambda a: True)(1)) is True


def test_choice_is_case_insensitive_with_hints(capsys):
    assert bool(checks.choice(" B ", "b")) is True
    assert bool(checks.choice("a", {"b", "c"}, hints={"a": "a is about pooling"})) is False
    assert "a is about pooling" in capsys.readouterr().out
    assert bool(checks.choice(None, "b")) is False
    assert bool(checks.choice(2, "b")) is False
    assert "letter" in capsys.readouterr().out


def test_outcome_rejects_unknown_status():
    with pytest.raises(ValueError, match="not_attempted, correct, hint"):
        checks.outcome("maybe")


def test_demo_check_used_by_the_welcome_notebook():
    assert (
        bool(checks.demo_sum(5)) is True
        and bool(checks.demo_sum(6)) is False
        and bool(checks.demo_sum(None)) is False
    )


# --------------------------------------------------------------------------- notebook 01
def test_training_cost_check_accepts_the_cost_and_names_the_classic_mistakes(capsys):
    cost = 6 * 1.3e9 * 26e9 / (150e12 * 0.35) / 3600 * 2.0
    assert bool(checks.check_training_cost(cost)) is True
    for wrong, hint in [
        (cost / 2.0, "accelerator-hours"),  # forgot the price
        (cost * 0.35**2, "do not multiply"),  # multiplied by the utilisation
        (cost / 3, "not 2"),  # inference's 2·N·D
        (cost * 3600, "3600"),  # priced seconds
        (cost * 1.5, "6·N·D"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_training_cost(wrong)) is False
        assert hint in capsys.readouterr().out
    assert bool(checks.check_training_cost("2146")) is False
    assert bool(checks.check_training_cost(None)) is False


# --------------------------------------------------------------------------- notebook 02
def test_epsilon_check_accepts_the_smallest_epsilon_and_names_the_classic_mistakes(capsys):
    import math

    needed = math.log(20) / (5783 * 0.005)
    assert bool(checks.check_epsilon_choice(needed)) is True
    for wrong, hint in [
        (needed * 5783, "1/n, not 1"),  # sensitivity 1
        (1 / (5783 * 0.005), "average"),  # mean error instead of the 95% bound
        (needed / 2, "too large"),
        (needed * 2, "smallest"),
        (-1.0, "positive"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_epsilon_choice(wrong)) is False
        assert hint in capsys.readouterr().out
    assert bool(checks.check_epsilon_choice(None)) is False


def test_safe_path_check_rejects_the_classic_wrong_solutions(capsys):
    import os
    from pathlib import Path

    def right(folder, item_id):
        folder = Path(folder).resolve()
        if not isinstance(item_id, str) or not item_id or item_id.startswith("."):
            raise ValueError(f"unsafe id {item_id!r}")
        path = (folder / f"{item_id}.jpg").resolve()
        if path.parent != folder:
            raise ValueError(f"id {item_id!r} would leave {folder}")
        return path

    def naive(folder, item_id):
        return Path(folder) / (item_id + ".jpg")

    def strips_dot_dot_slash(folder, item_id):  # '....//....//evil' becomes '../../evil'
        return str(folder) + "/" + item_id.replace("../", "") + ".jpg"

    def prefix_without_separator(folder, item_id):  # '../downloads_evil/x' passes
        path = os.path.abspath(os.path.join(folder, item_id + ".jpg"))
        if not path.startswith(os.path.abspath(folder)):
            raise ValueError(f"unsafe id {item_id!r}")
        return path

    def wrong_error(folder, item_id):
        if ".." in item_id:
            raise RuntimeError("no")
        return right(folder, item_id)

    assert bool(checks.check_safe_path(right)) is True
    for wrong, hint in [
        (naive, "'../../evil'"),
        (strips_dot_dot_slash, "'....//....//evil'"),
        (prefix_without_separator, "'../downloads_evil/x'"),
        (wrong_error, "not RuntimeError"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_safe_path(wrong)) is False
        assert hint in capsys.readouterr().out
    assert bool(checks.check_safe_path(None)) is False
    assert bool(checks.check_safe_path("not a function")) is False


# --------------------------------------------------------------------------- notebooks 04, 05 (CNN)
def test_check_flatten_size_names_the_classic_mistakes(capsys):
    assert bool(checks.check_flatten_size(None)) is False
    assert "not attempted" in capsys.readouterr().out
    mistakes = {2304: "seed", 1600: "'valid'", 1568: "channels", 3000: "layer by layer"}
    for wrong, hint in mistakes.items():
        assert bool(checks.check_flatten_size(wrong)) is False
        assert hint in capsys.readouterr().out
    assert bool(checks.check_flatten_size("3136")) is False
    assert bool(checks.check_flatten_size(3136)) is True


def _small_cnn(output_activation=None, *, batchnorm=False, dropout=False, input_shape=(28, 28, 1)):
    import keras
    from keras import layers

    stack = [keras.Input(input_shape), layers.Conv2D(2, 3)]
    stack += [layers.BatchNormalization()] if batchnorm else []
    stack += [layers.Flatten()] + ([layers.Dropout(0.1)] if dropout else [])
    return keras.Sequential([*stack, layers.Dense(10, activation=output_activation)])


def _compiled(model, from_logits):
    import keras

    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits))
    return model


def test_check_fixed_seed_model_wants_a_loss_that_matches_the_output(capsys):
    assert bool(checks.check_fixed_seed_model(_compiled(_small_cnn("softmax"), False))) is True
    assert bool(checks.check_fixed_seed_model(_compiled(_small_cnn(None), True))) is True
    capsys.readouterr()
    # the seed's bug: softmax output with from_logits=True, and the reverse
    assert bool(checks.check_fixed_seed_model(_compiled(_small_cnn("softmax"), True))) is False
    assert "from_logits=False" in capsys.readouterr().out
    assert bool(checks.check_fixed_seed_model(_compiled(_small_cnn(None), False))) is False
    assert "from_logits=True" in capsys.readouterr().out
    assert bool(checks.check_fixed_seed_model(_small_cnn("softmax"))) is False
    assert "compile" in capsys.readouterr().out
    # the other seed bug: no channel axis
    assert (
        bool(checks.check_fixed_seed_model(_small_cnn("softmax", input_shape=(28, 28, 3)))) is False
    )
    assert "28, 28, 1" in capsys.readouterr().out


def test_check_bn_dropout_model_needs_both_layers_and_the_accuracy(capsys):
    import keras
    import numpy as np

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).random((20, 28, 28, 1)).astype("float32")
    y = np.zeros(20, int)
    model = _small_cnn("softmax", batchnorm=True, dropout=True)
    reached = float(np.mean(np.asarray(model(x)).argmax(1) == y))
    assert bool(checks.check_bn_dropout_model(model, x, y, reached)) is True
    assert bool(checks.check_bn_dropout_model(model, x, y, reached + 0.01)) is False
    assert "below" in capsys.readouterr().out
    assert (
        bool(checks.check_bn_dropout_model(_small_cnn("softmax", dropout=True), x, y, 0.0)) is False
    )
    assert "BatchNormalization" in capsys.readouterr().out
    assert (
        bool(checks.check_bn_dropout_model(_small_cnn("softmax", batchnorm=True), x, y, 0.0))
        is False
    )
    assert "Dropout" in capsys.readouterr().out


# --------------------------------------------------------------------------- notebook 06
def test_sequence_length_check_wants_the_smallest_length_that_covers_the_share(capsys):
    import numpy as np

    lengths = [10, 20, 30, 40]
    assert bool(checks.check_sequence_length(None, lengths)) is False
    assert "not attempted" in capsys.readouterr().out
    assert bool(checks.check_sequence_length(30, lengths)) is True
    assert bool(checks.check_sequence_length(29, lengths)) is False  # the off-by-one: too short
    assert "only 50.0%" in capsys.readouterr().out
    assert (
        bool(checks.check_sequence_length(35, lengths)) is False
    )  # long enough, but not the smallest
    assert "smallest" in capsys.readouterr().out
    assert bool(checks.check_sequence_length(30.0, lengths)) is True  # a whole float is fine
    np_answer = np.percentile(lengths, 75, method="inverted_cdf")  # what a learner may write
    assert bool(checks.check_sequence_length(np_answer, lengths)) is True
    capsys.readouterr()
    assert bool(checks.check_sequence_length(np.percentile(lengths, 75), lengths)) is False  # 32.5
    assert "between two lengths" in capsys.readouterr().out
    assert bool(checks.check_sequence_length("30", lengths)) is False
    assert "whole number" in capsys.readouterr().out


def _lstm_arrays(seed=3, input_dim=3, units=2):
    import numpy as np

    rng = np.random.default_rng(seed)
    kernel = rng.normal(0, 0.5, (input_dim, 4 * units))
    recurrent = rng.normal(0, 0.5, (units, 4 * units))
    bias = rng.normal(0, 0.5, (4 * units,))
    x_t, h_prev = rng.normal(size=(1, input_dim)), rng.normal(size=(1, units))
    z = x_t @ kernel + h_prev @ recurrent + bias
    return z, (x_t, h_prev, kernel, recurrent, bias)


def test_forget_gate_check_names_the_wrong_block_and_the_missing_sigmoid(capsys):
    import numpy as np

    z, args = _lstm_arrays()
    sigmoid = 1 / (1 + np.exp(-z))
    assert bool(checks.check_forget_gate(sigmoid[:, 2:4], *args)) is True
    assert bool(checks.check_forget_gate(sigmoid[:, 0:2], *args)) is False  # the first block: i
    assert "input gate" in capsys.readouterr().out
    assert bool(checks.check_forget_gate(z[:, 2:4], *args)) is False  # no sigmoid
    assert "sigmoid" in capsys.readouterr().out
    assert bool(checks.check_forget_gate(sigmoid, *args)) is False  # all four blocks
    assert "shape" in capsys.readouterr().out


def test_beats_simple_rnn_check_wants_a_trained_lstm_that_beats_the_f1(capsys):
    import keras
    import numpy as np

    keras.utils.set_random_seed(0)
    x = np.array([[2, 3, 0, 0], [4, 5, 0, 0]] * 6)
    y = np.array([1, 0] * 6)

    def model(kind, mask=True):
        layer = keras.layers.LSTM(4) if kind == "lstm" else keras.layers.SimpleRNN(4)
        return keras.Sequential(
            [keras.Input((4,)), keras.layers.Embedding(8, 4, mask_zero=mask), layer,
             keras.layers.Dense(1, activation="sigmoid")]
        )  # fmt: skip

    assert bool(checks.check_beats_simple_rnn(model("simple_rnn"), x, y, 0.5)) is False
    assert "no LSTM" in capsys.readouterr().out
    assert bool(checks.check_beats_simple_rnn(model("lstm", mask=False), x, y, 0.5)) is False
    assert "mask the padding" in capsys.readouterr().out
    lstm = model("lstm")
    assert bool(checks.check_beats_simple_rnn(lstm, x, y, 0.0)) is False  # untrained (F1 0.444
    assert "not been trained" in capsys.readouterr().out  # beat 0.382 in the notebook)
    lstm.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    assert bool(checks.check_beats_simple_rnn(lstm, x, y, 0.0)) is False  # compiled, not fit
    assert "not been trained" in capsys.readouterr().out
    lstm.fit(x, y, epochs=30, verbose=0)
    assert bool(checks.check_beats_simple_rnn(lstm, x, y, 0.5)) is True
    assert bool(checks.check_beats_simple_rnn(lstm, x, y, 1.0)) is False  # cannot beat a perfect F1
    assert "does not beat" in capsys.readouterr().out


# --------------------------------------------------------------------------- notebook 07
def _seed_generator(first_stride: int = 2, dense_activation: str | None = "relu"):
    """The seed's generator (three transposed convolutions, ReLU on Dense), or the fixed one."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(100,)),
            layers.Dense(7 * 7 * 16, use_bias=False, activation=dense_activation),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Reshape((7, 7, 16)),
            layers.Conv2DTranspose(8, 4, strides=first_stride, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(4, 4, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
        ]
    )


def test_check_generator_28(capsys):
    assert bool(checks.check_generator_28(None)) is False
    assert bool(checks.check_generator_28(_seed_generator())) is False  # the seed's 56x56 output
    assert "strides=1" in capsys.readouterr().out
    assert bool(checks.check_generator_28(_seed_generator(first_stride=1))) is False  # ReLU kept
    assert "relu" in capsys.readouterr().out
    assert checks.check_generator_28(_seed_generator(first_stride=1, dense_activation=None))


def test_check_frechet_by_hand(capsys):
    a, b = [[1.0], [3.0], [5.0], [7.0]], [[2.0], [2.5], [3.0], [3.5]]
    mean_term = (4 - 2.75) ** 2
    for wrong, hint in (
        (mean_term, "mean term"),
        (mean_term + (5**0.5 - 1.25**0.5 / 2) ** 2, "ddof=1"),
        (mean_term + (20 / 3 - 1.25 / 3) ** 2, "not variances"),
        (3.0, "not it"),
    ):
        assert bool(checks.check_frechet_by_hand(wrong, a, b)) is False
        assert hint in capsys.readouterr().out
    expected = mean_term + ((20 / 3) ** 0.5 - (1.25 / 3) ** 0.5) ** 2
    assert bool(checks.check_frechet_by_hand(expected**0.5, a, b)) is False
    assert "square root" in capsys.readouterr().out
    assert bool(checks.check_frechet_by_hand(expected, a, b)) is True


def test_check_balanced_gan(capsys):
    from course_utils import gan

    def small(**settings):
        return gan.build_compiled_dcgan(
            generator=gan.build_generator(8, 4),
            discriminator=gan.build_discriminator(4),
            **settings,
        )

    assert bool(checks.check_balanced_gan(gan.build_generator(8, 4))) is False  # not a DCGAN
    collapsed = small(d_learning_rate=2e-5, g_learning_rate=2e-3, label_smoothing=0.0)
    assert bool(checks.check_balanced_gan(collapsed)) is False
    assert "label_smoothing=0.1" in capsys.readouterr().out
    assert bool(checks.check_balanced_gan(small(d_learning_rate=2e-5))) is False
    assert "discriminator's learning rate" in capsys.readouterr().out
    assert bool(checks.check_balanced_gan(small(beta_1=0.9))) is False  # Adam's default
    assert "beta_1" in capsys.readouterr().out
    assert bool(checks.check_balanced_gan(small())) is True


# --------------------------------------------------------------------------- notebook 08
def test_precision_recall_check_accepts_the_pair_and_names_the_classic_mistakes(capsys):
    (tn, fp), (fn, tp) = checks.EXERCISE_6_1_MATRIX
    assert bool(checks.check_precision_recall((tp / (tp + fp), tp / (tp + fn)))) is True
    for wrong, hint in [
        ((tp / (tp + fn), tp / (tp + fp)), "swapped"),
        (((tp + tn) / 1000, tp / (tp + fn)), "precision = TP / (TP + FP)"),  # accuracy
        ((tp / (tp + fp), tn / (tn + fp)), "recall = TP / (TP + FN)"),  # specificity
        (0.77, "a pair"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_precision_recall(wrong)) is False
        assert hint in capsys.readouterr().out
    assert bool(checks.check_precision_recall(None)) is False


def test_recall_threshold_check_wants_the_highest_threshold_meeting_the_target(capsys):
    import numpy as np

    y_true = np.array([0, 0, 1, 1, 1, 0, 1])
    scores = np.array([0.1, 0.4, 0.35, 0.8, 0.7, 0.75, 0.2])
    # Recall 0.75 needs 3 of the 4 spam scores (0.8, 0.7, 0.35): the threshold is 0.35.
    assert bool(checks.check_recall_threshold(0.35, y_true, scores, 0.75)) is True
    for wrong, hint in [
        (0.2, "higher threshold"),  # off by one: the 4th spam score, recall 1.0
        (0.1, "higher threshold"),
        (0.7, "lower the threshold"),  # only 2 of 4 spam caught
    ]:
        capsys.readouterr()
        assert bool(checks.check_recall_threshold(wrong, y_true, scores, 0.75)) is False
        assert hint in capsys.readouterr().out
    assert bool(checks.check_recall_threshold(None, y_true, scores, 0.75)) is False


def test_metric_choice_check_names_the_product_whose_metric_is_wrong(capsys):
    right = {"a": "recall", "b": "precision", "c": "average precision"}
    assert bool(checks.check_metric_choice(right)) is True
    for wrong, hint in [
        ({**right, "a": "accuracy"}, "(a)"),
        ({**right, "b": "recall"}, "(b)"),
        ({**right, "c": "roc_auc"}, "(c)"),  # flattered by the easy negatives
        ({"a": "recall"}, "keys 'a', 'b' and 'c'"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_metric_choice(wrong)) is False
        assert hint in capsys.readouterr().out


# --------------------------------------------------------------------------- notebook 03
def test_check_causal_mask_names_the_classic_mistakes(capsys):
    import numpy as np

    right = np.tril(np.ones((5, 5), dtype=bool))
    assert bool(checks.check_causal_mask(None)) is False
    assert "not attempted" in capsys.readouterr().out
    for wrong, hint in [
        (right.T, "transpose"),
        (np.tril(right, k=-1), "diagonal"),
        (right.astype(int), "bool"),
        (np.tril(np.ones((6, 6), dtype=bool)), "shape (5, 5)"),
    ]:
        assert bool(checks.check_causal_mask(wrong)) is False
        assert hint in capsys.readouterr().out
    assert bool(checks.check_causal_mask(right)) is True


def test_check_uniform_discriminator_value(capsys):
    import math

    for wrong, hint in [(math.log(4), "sign"), (-math.log(2), "one expectation"), (-1.0, "add")]:
        assert bool(checks.check_uniform_discriminator_value(wrong)) is False
        assert hint in capsys.readouterr().out
    assert bool(checks.check_uniform_discriminator_value(-math.log(4))) is True


def test_check_new_entry(capsys):
    assert bool(checks.check_new_entry(None)) is False
    assert "not attempted" in capsys.readouterr().out
    entry = {
        "id": "my-first-card",
        "topic": "cnn",
        "difficulty": "easy",
        "source": "course",
        "question": {"en": "What does a 1×1 convolution do?", "zh": "1×1 卷积有什么作用？"},
        "answer": {"en": "It mixes channels at each pixel.", "zh": "它在每个像素上混合各个通道。"},
        "explanation": "A 1×1 convolution is a dense layer applied at every position.",
        "mistakes": ["Thinking it does nothing."],
        "link": "05_cnn_training.ipynb",
        "options": [
            {"en": "Mixes channels", "zh": "混合通道"},
            {"en": "Nothing", "zh": "没有作用"},
        ],
        "correct": "a",
    }
    assert bool(checks.check_new_entry(entry)) is True
    flashcard = {k: v for k, v in entry.items() if k not in ("options", "correct")}
    for wrong, hint in [
        ({**entry, "difficulty": "trivial"}, "field 'difficulty'"),
        ({**entry, "id": "cnn-output-shape"}, "already in the bank"),
        (flashcard, "multiple choice"),
        ([entry], "dict"),
    ]:
        assert bool(checks.check_new_entry(wrong)) is False
        assert hint in capsys.readouterr().out


def test_a_check_cell_shows_its_message_and_no_out_true(capsys):
    """A check as the last line of a notebook cell prints its verdict and displays nothing more:
    IPython's formatter returns no data for it, so the kernel sends no `Out: True`."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        for answer, verdict, truth in ((5, checks.CORRECT, True), (6, checks.HINT, False)):
            result = checks.demo_sum(answer)
            assert verdict in capsys.readouterr().out and bool(result) is truth
            assert shell.display_formatter.format(result) == ({}, {})
        assert shell.display_formatter.format(True) != ({}, {})  # what a bare bool would show
    finally:
        InteractiveShell.clear_instance()
