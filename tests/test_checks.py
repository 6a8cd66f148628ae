"""Tests of the exercise-check helper."""

from __future__ import annotations

import pytest

from course_utils import checks


@checks.exercise
def _square_of_four(answer):
    if answer != 16:
        return "multiply 4 by itself"
    return None


def _assert_rejects(check, wrong_answers, capsys, not_a_function):
    """Each wrong answer gets a hint containing its text; the stub is "not attempted", and a bare
    value where a function is expected is refused as not a function."""
    for wrong, hint in wrong_answers:
        capsys.readouterr()
        assert bool(check(wrong)) is False
        out = capsys.readouterr().out
        assert checks.HINT in out and hint in out, (hint, out)
    assert bool(check(None)) is False
    assert checks.NOT_ATTEMPTED in capsys.readouterr().out
    assert bool(check(not_a_function)) is False
    assert "function" in capsys.readouterr().out


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


def test_demo_check_used_by_the_nbval_tests():
    assert (
        bool(checks.demo_sum(5)) is True
        and bool(checks.demo_sum(6)) is False
        and bool(checks.demo_sum(None)) is False
    )


# --------------------------------------------------------------------------- notebook 00
def test_scale_pixels_check_wants_true_division_by_255(capsys):
    import numpy as np

    assert bool(checks.check_scale_pixels(lambda images: images / 255)) is True
    assert bool(checks.check_scale_pixels(lambda x: x.astype("float32") * (1 / 255))) is True
    for wrong, hint in [
        (lambda images: images // 255, "true division"),  # integer division: all 0 but white
        (lambda images: images / 256, "divide by 255"),
        (lambda images: (images - 127.5) / 127.5, "[-1, 1]"),  # notebook 07's scaling
        (lambda images: images.reshape(len(images), -1) / 255, "keep the shape"),  # flattened
        (lambda images: np.asarray(images, float), "unchanged"),
        (0.00392, "function"),  # 1/255 as a number
    ]:
        capsys.readouterr()
        assert bool(checks.check_scale_pixels(wrong)) is False
        assert hint in capsys.readouterr().out


def test_dense_param_count_check_counts_every_layer_with_its_biases(capsys):
    import numpy as np

    def right(sizes):
        return sum(n * m + m for n, m in zip(sizes[:-1], sizes[1:], strict=False))

    def with_a_loop(sizes):  # a different valid implementation, returning a NumPy integer
        total = np.int64(0)
        for i in range(1, len(sizes)):
            total += (sizes[i - 1] + 1) * sizes[i]  # one bias per unit, like one more input
        return total

    assert bool(checks.check_dense_param_count(right)) is True
    assert bool(checks.check_dense_param_count(lambda s: float(right(s)))) is True
    assert bool(checks.check_dense_param_count(with_a_loop)) is True
    for wrong, hint in [
        (lambda s: sum(n * m for n, m in zip(s[:-1], s[1:], strict=False)), "not the biases"),
        (lambda s: right(s) + s[0], "the input has no biases"),
        (lambda s: s[0] * s[1] + s[1], "first layer only"),
        (lambda s: 50890, "for [3, 5, 2] the answer is not 50890"),  # copied from the summary
        (lambda s: str(right(s)), "return a number"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_dense_param_count(wrong)) is False
        assert hint in capsys.readouterr().out


# --------------------------------------------------------------------------- notebook 01
def _optimal_model(budget, peak, utilization, price, tokens_per_parameter=20):
    """The right answer: training on tokens_per_parameter · N tokens costs the budget."""
    flops = budget / price * 3600 * peak * utilization
    parameters = (flops / (6 * tokens_per_parameter)) ** 0.5
    return parameters, tokens_per_parameter * parameters


def _optimal_model_for(flops_of):
    """A wrong answer that gets the FLOPs wrong (``flops_of(budget, peak, utilization, price)``)."""

    def answer(budget, peak, utilization, price, tokens_per_parameter=20):
        parameters = (
            flops_of(budget, peak, utilization, price) / (6 * tokens_per_parameter)
        ) ** 0.5
        return parameters, tokens_per_parameter * parameters

    return answer


def test_compute_optimal_model_check_accepts_right_answers_written_differently(capsys):
    import numpy as np

    def as_integer_array(budget, peak, utilization, price, tokens_per_parameter=20):
        parameters = int(
            np.sqrt(budget / price * 3600 * peak * utilization / 6 / tokens_per_parameter)
        )
        return np.array([parameters, parameters * tokens_per_parameter])

    for right in (_optimal_model, as_integer_array):
        assert bool(checks.check_compute_optimal_model(right)) is True
        assert capsys.readouterr().out.strip() == checks.CORRECT


def test_compute_optimal_model_check_names_the_classic_mistakes(capsys):
    wrong_answers = [
        (_optimal_model_for(lambda b, p, u, c: b / c * 3600 * p * u * 3), "inference"),  # 2·N·D
        (_optimal_model_for(lambda b, p, u, c: b / c * p * u), "3600"),  # hours as seconds
        (_optimal_model_for(lambda b, p, u, c: b / c / 3600 * p * u), "do not divide"),
        (_optimal_model_for(lambda b, p, u, c: b / c * 3600 * p), "full peak"),  # no utilisation
        (_optimal_model_for(lambda b, p, u, c: b / c * 3600 * p / u), "multiply the peak"),
        (_optimal_model_for(lambda b, p, u, c: b * 3600 * p * u), "budget is money"),  # no price
        (_optimal_model_for(lambda b, p, u, c: b * c * 3600 * p * u), "do not multiply"),
        (lambda b, p, u, c, t=20: (_optimal_model(b, p, u, c, 1)[0], t * _optimal_model(b, p, u, c, 1)[0]), "N²"),
        (lambda *args: _optimal_model(*args)[::-1], "parameters first"),  # (D, N)
        (lambda b, p, u, c, t=20: _optimal_model(b, p, u, c), "not a fixed 20"),  # ignores t
        (lambda *args: (_optimal_model(*args)[0],) * 2, "tokens_per_parameter ×"),  # D = N
        (lambda *args: (8.87e9, 1.77e11), "does not cost the budget"),  # copied from an output
        (lambda *args: _optimal_model(*args)[0], "pair"),  # N only
    ]  # fmt: skip
    _assert_rejects(
        checks.check_compute_optimal_model, wrong_answers, capsys, not_a_function=2146.0
    )


def _data_for_target(sizes, scores, target):
    """The notebook's solution: a straight line through log(1 - score) against log(size)."""
    import math

    import numpy as np

    slope, intercept = np.polyfit(np.log(sizes), np.log(1 - np.asarray(scores)), 1)
    return math.exp((math.log(1 - target) - intercept) / slope)


def test_data_for_target_check_accepts_right_answers_written_differently(capsys):
    import numpy as np

    def with_log10_and_lstsq(sizes, scores, target):
        x = np.column_stack([np.ones(len(sizes)), np.log10(sizes)])
        (intercept, slope), *_ = np.linalg.lstsq(x, np.log10(1 - np.array(scores)), rcond=None)
        return np.array(10 ** ((np.log10(1 - target) - intercept) / slope))

    for right in (_data_for_target, with_log10_and_lstsq, lambda *a: int(_data_for_target(*a))):
        assert bool(checks.check_data_for_target(right)) is True
        assert capsys.readouterr().out.strip() == checks.CORRECT


def test_data_for_target_check_names_the_classic_mistakes(capsys):
    import math

    import numpy as np

    def score_not_error(sizes, scores, target):  # a line through the score itself
        slope, intercept = np.polyfit(np.log(sizes), scores, 1)
        return math.exp((target - intercept) / slope)

    wrong_answers = [
        (lambda *args: math.log(_data_for_target(*args)), "not its logarithm"),
        (lambda *args: math.log10(_data_for_target(*args)), "not its logarithm"),
        (lambda s, f, t: _data_for_target(s, f, 1 - t), "1 - target"),
        (score_not_error, "fit log(1 - score)"),
        (lambda *args: 2 * _data_for_target(*args), "the answer is not"),
        (lambda *args: 21_500, "the answer is not"),  # a number copied from a run
        (lambda *args: -1.0, "positive number"),
    ]
    _assert_rejects(checks.check_data_for_target, wrong_answers, capsys, not_a_function=21_500)


# --------------------------------------------------------------------------- notebook 02
def _bound_contributions(person_ids, max_per_person):
    """The notebook's solution: count each person's records so far, keep the first k."""
    from collections import Counter

    import numpy as np

    so_far = Counter()
    keep = []
    for person in person_ids:
        so_far[person] += 1
        keep.append(so_far[person] <= max_per_person)
    return np.array(keep, dtype=bool)


def test_bound_contributions_check_accepts_right_answers_written_differently(capsys):
    import numpy as np

    def with_a_dict(person_ids, max_per_person):
        seen = {}
        for person in person_ids:
            seen[person] = seen.get(person, 0) + 1
            yield seen[person] <= max_per_person

    def as_list(person_ids, max_per_person):
        return list(with_a_dict(person_ids, max_per_person))

    def with_numpy(person_ids, max_per_person):
        ids = np.asarray(person_ids)
        rank = np.array([np.sum(ids[:i] == person) for i, person in enumerate(ids)])
        return rank < max_per_person

    for right in (_bound_contributions, as_list, with_numpy):
        assert bool(checks.check_bound_contributions(right)) is True
        assert capsys.readouterr().out.strip() == checks.CORRECT


def test_bound_contributions_check_names_the_classic_mistakes(capsys):
    import numpy as np

    def drop_heavy_people(ids, k):
        ids = list(ids)
        return np.array([ids.count(person) <= k for person in ids])

    wrong_answers = [
        (drop_heavy_people, "do not drop the person"),
        (lambda ids, k: _bound_contributions(list(ids)[::-1], k)[::-1], "not the last k"),
        (lambda ids, k: _bound_contributions(ids, k - 1), "the k-th included"),
        (lambda ids, k: _bound_contributions(ids, k + 1), "not k + 1"),
        (lambda ids, k: np.arange(len(ids)) < k, "for ids"),  # the first k records overall
        (lambda ids, k: np.flatnonzero(_bound_contributions(ids, k)), "boolean mask"),  # indices
        (lambda ids, k: _bound_contributions(ids, k).astype(int), "boolean mask"),
    ]
    _assert_rejects(
        checks.check_bound_contributions, wrong_answers, capsys, not_a_function=[True, False]
    )


def _safe_path(folder, item_id):
    """The notebook's solution: each part a plain name, then the resolved path inside the folder."""
    from pathlib import Path

    from course_utils import data_safety

    *sub_folders, name = item_id.split("/")
    parts = [data_safety.safe_filename(part) for part in sub_folders]
    folder = Path(folder).resolve()
    path = folder.joinpath(*parts, data_safety.safe_filename(name, ".jpg")).resolve()
    if not path.is_relative_to(folder):
        raise ValueError(f"id {item_id!r} would leave {folder}")
    return path


def test_safe_path_check_accepts_right_answers_written_differently(capsys):
    import os

    def with_commonpath(folder, item_id):  # strings, os.path, no per-part rule
        base = os.path.realpath(folder)
        path = os.path.realpath(os.path.join(base, item_id + ".jpg"))
        if os.path.commonpath([base, path]) != base or path == base:
            raise ValueError(item_id)
        return path

    for right in (_safe_path, with_commonpath):
        assert bool(checks.check_safe_path(right)) is True
        assert capsys.readouterr().out.strip() == checks.CORRECT


def test_safe_path_check_rejects_the_classic_wrong_solutions(capsys):
    import os
    from pathlib import Path

    from course_utils import data_safety

    def naive(folder, item_id):
        return Path(folder) / (item_id + ".jpg")

    def strips_dot_dot_slash(folder, item_id):  # '....//....//evil' becomes '../../evil'
        return str(folder) + "/" + item_id.replace("../", "") + ".jpg"

    def prefix_without_separator(folder, item_id):  # '../downloads_evil/x' passes
        path = os.path.abspath(os.path.join(folder, item_id + ".jpg"))
        if not path.startswith(os.path.abspath(folder)):
            raise ValueError(f"unsafe id {item_id!r}")
        return path

    def lexical_only(folder, item_id):  # normalised text, links not followed
        relative = os.path.normpath(item_id + ".jpg")
        if os.path.isabs(relative) or relative.startswith(".."):
            raise ValueError(f"unsafe id {item_id!r}")
        return Path(folder) / relative

    def unresolved_is_relative_to(folder, item_id):  # PurePath.is_relative_to compares text
        path = Path(folder) / f"{item_id}.jpg"
        if not path.is_relative_to(folder):
            raise ValueError(f"unsafe id {item_id!r}")
        return path

    def lesson_safe_filename(folder, item_id):  # refuses every sub-folder
        return Path(folder) / data_safety.safe_filename(item_id, ".jpg")

    def resolves_the_path_only(folder, item_id):
        path = (Path(folder) / f"{item_id}.jpg").resolve()
        if not path.is_relative_to(folder):
            raise ValueError(f"unsafe id {item_id!r}")
        return path

    def wrong_error(folder, item_id):
        if ".." in item_id:
            raise RuntimeError("no")
        return _safe_path(folder, item_id)

    def returns_none(folder, item_id):
        return None if ".." in item_id else _safe_path(folder, item_id)

    for wrong, hint in [
        (naive, "'../../evil'"),
        (strips_dot_dot_slash, "'....//' back into '../'"),
        (prefix_without_separator, "'../downloads_evil/x'"),
        (lexical_only, "symbolic link to another folder"),
        (unresolved_is_relative_to, "'../../evil'"),
        (lesson_safe_filename, "accept sub-folders"),
        (resolves_the_path_only, "resolve the folder too"),
        (wrong_error, "not RuntimeError"),
        (returns_none, "not None"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_safe_path(wrong)) is False
        out = capsys.readouterr().out
        assert checks.HINT in out and hint in out, (hint, out)
    assert bool(checks.check_safe_path(None)) is False
    assert bool(checks.check_safe_path("not a function")) is False


# --------------------------------------------------------------------------- notebooks 04, 05 (CNN)
def _flatten_size(image_size, stack, in_channels=1):
    """A right answer to Exercise 4.1, written with notebook 04's conv_output_size."""
    from course_utils import convolution

    side, channels = image_size, in_channels
    for kind, size, stride, padding, filters in stack:
        side = convolution.conv_output_size(side, size, stride=stride, padding=padding)
        if kind == "conv":
            channels = filters
    return side * side * channels


def _flatten_size_with_keras(image_size, stack, in_channels=1):
    """Another right answer: build the stack and ask Keras."""
    import math

    import keras

    model_layers = [keras.Input((image_size, image_size, in_channels))]
    for kind, size, stride, padding, filters in stack:
        if kind == "conv":
            model_layers.append(keras.layers.Conv2D(filters, size, strides=stride, padding=padding))
        else:
            model_layers.append(keras.layers.MaxPooling2D(size, strides=stride, padding=padding))
    return math.prod(keras.Sequential(model_layers).output_shape[1:])


def test_check_flatten_size_accepts_right_functions_written_differently(capsys):
    import numpy as np

    truths = [checks._flatten_reference(*case[1:]) for case in checks._FLATTEN_CASES]
    assert truths == [
        _flatten_size_with_keras(size, stack, channels)
        for _, size, channels, stack in checks._FLATTEN_CASES
    ]
    assert truths == [3136, 1600, 576, 2352, 588]
    for right in (
        _flatten_size,
        _flatten_size_with_keras,
        lambda size, stack, in_channels=1: float(_flatten_size(size, stack, in_channels)),
        lambda size, stack, in_channels=1: np.int64(_flatten_size(size, stack, in_channels)),
    ):
        assert bool(checks.check_flatten_size(right)) is True
    assert capsys.readouterr().out.count(checks.CORRECT) == 4


def _as_function(mistake):
    return lambda size, stack, in_channels=1: checks._flatten_reference(
        size, in_channels, stack, mistake
    )


def _shape_not_size(image_size, stack, in_channels=1):
    side = round(_flatten_size(image_size, stack, 1) ** 0.5)  # right for these one-channel cases
    return (side, side, 64)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (3136, "3136 is the seed's flatten size; write a function"),
        (2304, "must be a function"),
        (lambda size, stack, in_channels=1: 3136, "returns 3136 whatever the stack"),
        (
            lambda size, stack: _flatten_size(size, stack),
            "must take (image_size, stack, in_channels=1)",
        ),
        (_shape_not_size, "a shape; return the number of values"),
        (
            lambda size, stack, in_channels=1: _flatten_size(size, stack, in_channels) + 0.5,
            "return a whole number",
        ),
        (
            lambda size, stack, in_channels=1: size * size * stack[-1][4],  # pooling has no filters
            "pooling keeps the channels",
        ),
        (
            lambda size, stack, in_channels=1: 2 * _flatten_size(size, stack, in_channels),
            "Flatten sees 3136 values, you say 6272",
        ),
        *[(_as_function(mistake), hint) for mistake, hint in checks._FLATTEN_MISTAKES.items()],
    ],
)
def test_check_flatten_size_names_the_classic_mistakes(wrong, hint, capsys):
    assert bool(checks.check_flatten_size(wrong)) is False
    out = capsys.readouterr().out
    assert checks.HINT in out and hint in out, out


def test_each_flatten_mistake_is_wrong_on_some_case():
    truths = [checks._flatten_reference(*case[1:]) for case in checks._FLATTEN_CASES]
    for mistake in checks._FLATTEN_MISTAKES:
        wrong = [checks._flatten_reference(*case[1:], mistake) for case in checks._FLATTEN_CASES]
        assert wrong != truths, mistake


def test_check_flatten_size_stub_is_not_attempted(capsys):
    assert bool(checks.check_flatten_size(None)) is False
    assert checks.NOT_ATTEMPTED in capsys.readouterr().out


def _fixed_cnn(output_activation="softmax", *, first=None, filters=16, extra=(), hidden=False):
    """The colleague's CNN of Exercise 4.2, uncompiled, with the changes asked for."""
    import keras
    from keras import layers

    stack = [] if first else [keras.Input(shape=(28, 28, 1))]
    stack += [first or layers.Conv2D(filters, 3, activation="relu"), layers.MaxPooling2D(2)]
    stack += [layers.Flatten()] + ([layers.Dense(32, activation="relu")] if hidden else [])
    return keras.Sequential([*stack, layers.Dense(10, activation=output_activation), *extra])


def _compiled(model, loss):
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


def test_check_fixed_seed_model_accepts_either_fix_of_the_loss(capsys):
    import warnings

    import keras

    sparse = keras.losses.SparseCategoricalCrossentropy
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns about input_shape= below
        rights = [
            _compiled(_fixed_cnn(), sparse(from_logits=False)),
            _compiled(_fixed_cnn(), "sparse_categorical_crossentropy"),
            _compiled(_fixed_cnn(), keras.losses.sparse_categorical_crossentropy),
            _compiled(_fixed_cnn(None), sparse(from_logits=True)),  # logits out, from_logits in
            _compiled(_fixed_cnn(None, extra=[keras.layers.Softmax()]), sparse()),
        ]
    for model in rights:
        assert bool(checks.check_fixed_seed_model(model)) is True
    assert capsys.readouterr().out.count(checks.CORRECT) == len(rights)


def test_check_fixed_seed_model_names_the_classic_mistakes(capsys):
    import warnings

    import keras
    from keras import layers

    sparse = keras.losses.SparseCategoricalCrossentropy
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        keras2_input = layers.Conv2D(16, 3, activation="relu", input_shape=(28, 28, 1))
        mistakes = {
            "not input_shape= on a layer": _compiled(_fixed_cnn(first=keras2_input), sparse()),
            "must use from_logits=False": _compiled(_fixed_cnn(), sparse(from_logits=True)),
            "needs from_logits=True": _compiled(_fixed_cnn(None), sparse()),
            "expects one-hot labels": _compiled(_fixed_cnn(), "categorical_crossentropy"),
            "binary cross-entropy is for two classes": _compiled(
                _fixed_cnn(), "binary_crossentropy"
            ),
            "compile the model": _fixed_cnn(),
            "keep the colleague's layers": _compiled(_fixed_cnn(hidden=True), sparse()),
            "softmax twice": _compiled(_fixed_cnn(extra=[layers.Softmax()]), sparse()),
        }
    for hint, model in mistakes.items():
        assert bool(checks.check_fixed_seed_model(model)) is False, hint
        assert hint in capsys.readouterr().out
    no_channel_axis = keras.Sequential(
        [keras.Input((28, 28, 3)), layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(2),
         layers.Flatten(), layers.Dense(10, activation="softmax")]
    )  # fmt: skip
    assert bool(checks.check_fixed_seed_model(_compiled(no_channel_axis, sparse()))) is False
    assert "(None, 28, 28, 1)" in capsys.readouterr().out


def _bn_convnet(*, batchnorm=True, dropout=True, filters=(32, 64)):
    """The keras.io convnet with batch normalisation (Exercise 5.1), on tiny 8x8 images."""
    import keras
    from keras import layers

    stack = [keras.Input(shape=(8, 8, 1))]
    for width in filters:
        stack += [layers.Conv2D(width, 3, padding="same", use_bias=False)]
        stack += [layers.BatchNormalization(momentum=0.9)] if batchnorm else []
        stack += [layers.ReLU(), layers.MaxPooling2D(2)]
    stack += [layers.Flatten()] + ([layers.Dropout(0.2)] if dropout else [])
    return keras.Sequential([*stack, layers.Dense(10, activation="softmax")])


# run_functions_eagerly does not reach tf.data, and TensorFlow says so once per run
_EAGER = pytest.mark.filterwarnings("ignore:Even though the:UserWarning")


@pytest.fixture
def eager():
    """Run Keras' steps eagerly: on these tiny runs, tracing them would cost more than running."""
    import tensorflow as tf

    tf.config.run_functions_eagerly(True)
    yield
    tf.config.run_functions_eagerly(False)


@pytest.fixture(scope="module")
def budget_data():
    """Tiny stand-ins for Exercise 5.1's budget, validation, test and whole training sets."""
    import numpy as np

    rng = np.random.default_rng(0)

    def images(count):
        return rng.random((count, 8, 8, 1), dtype=np.float32), rng.integers(0, 10, count)

    return {"budget": images(24), "validation": images(16), "test": images(48), "fit": images(56)}


def _budget_run(
    data, images="budget", epochs=2, validation="validation", batch_size=24, model=None
):
    """Train (a fresh model, or ``model``) with fit_with_recipe, as the exercise asks."""
    import keras

    from course_utils import cnn

    keras.utils.set_random_seed(0)
    model = model or _bn_convnet()
    history = cnn.fit_with_recipe(
        model,
        *data[images] if isinstance(images, str) else images,
        cnn.train_recipe("course", epochs=epochs, batch_size=batch_size),
        validation_data=data[validation],
        verbose=0,
    )
    return model, history


def _check_budget(model, history, data, target=0.0):
    return checks.check_bn_dropout_model(
        model,
        history,
        budget=data["budget"],
        validation=data["validation"],
        test=data["test"],
        target=target,
        max_epochs=3,
    )


@_EAGER
def test_bn_dropout_check_accepts_a_run_within_the_budget(eager, budget_data, capsys):
    model, history = _budget_run(budget_data)
    assert history.params["samples"] == 24 and history.params["batch_size"] == 24
    assert bool(_check_budget(model, history, budget_data)) is True
    assert "24 training images, 2 epochs" in capsys.readouterr().out
    assert bool(_check_budget(model, history, budget_data, target=1.01)) is False
    assert "below the target 101.0%" in capsys.readouterr().out
    assert bool(_check_budget(model, None, budget_data)) is False  # the stub
    assert checks.NOT_ATTEMPTED in capsys.readouterr().out


@_EAGER
@pytest.mark.parametrize(
    ("run", "hint"),
    [
        ({"images": "fit"}, "you trained on 56 images; the budget is 24 images"),
        ({"epochs": 4}, "you trained for 4 epochs; the budget is 3"),
        ({"images": "test"}, "as many as the test set"),
        ({"validation": "test"}, "you validated on the test set"),
    ],
)
def test_bn_dropout_check_rejects_runs_over_the_budget(eager, budget_data, run, hint, capsys):
    model, history = _budget_run(budget_data, **run)
    assert bool(_check_budget(model, history, budget_data)) is False
    assert hint in capsys.readouterr().out


@_EAGER
def test_bn_dropout_check_notices_training_on_test_images(eager, budget_data, capsys):
    x_test, y_test = budget_data["test"]
    part_of_test = (x_test[:24], y_test[:24])  # as many images as the budget, but test images
    model, history = _budget_run(budget_data, images=part_of_test, epochs=3, batch_size=8)
    assert bool(_check_budget(model, history, budget_data)) is False
    assert "did it train on test images?" in capsys.readouterr().out


@_EAGER
def test_bn_dropout_check_notices_training_after_the_run(eager, budget_data, capsys):
    model, history = _budget_run(budget_data)
    model.fit(*budget_data["budget"], epochs=1, verbose=0)  # one more epoch, same optimiser
    assert bool(_check_budget(model, history, budget_data)) is False
    assert "optimiser steps, not the" in capsys.readouterr().out


@_EAGER
def test_bn_dropout_check_notices_a_training_cell_run_twice(eager, budget_data, capsys):
    model, first = _budget_run(budget_data)
    model, second = _budget_run(budget_data, model=model)  # trains the trained model again
    assert bool(_check_budget(model, first, budget_data)) is False
    assert "the model changed after the run" in capsys.readouterr().out


@_EAGER
def test_bn_dropout_check_wants_the_layers_and_fit_with_recipe(eager, budget_data, capsys):
    import keras

    empty = keras.callbacks.History()
    for model, hint in [
        (_bn_convnet(batchnorm=False), "add layers.BatchNormalization()"),
        (_bn_convnet(dropout=False), "keep a layers.Dropout"),
        (_bn_convnet(filters=(16, 32)), "start from the keras.io convnet"),
        (_bn_convnet(), "comes from another model"),
    ]:
        assert bool(_check_budget(model, empty, budget_data)) is False
        assert hint in capsys.readouterr().out
    model = _bn_convnet()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(*budget_data["budget"], epochs=1, verbose=0)  # without fit_with_recipe
    assert bool(_check_budget(model, history, budget_data)) is False
    assert "train it with fit_with_recipe" in capsys.readouterr().out


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


def _gates(sequence, kernel, recurrent, bias, block=1, sigmoid=True, update=True, after=False):
    """Forget gates (block 1) of an LSTM over (batch, steps, features), or a classic mistake."""
    import numpy as np

    from course_utils import interview

    units = recurrent.shape[0]
    h = c = np.zeros((len(sequence), units))
    gates = []
    for t in range(sequence.shape[1]):
        if after and update:
            h, c = interview.lstm_step(sequence[:, t], h, c, kernel, recurrent, bias)
        z = (sequence[:, t] @ kernel + h @ recurrent + bias)[:, block * units : (block + 1) * units]
        gates.append(1 / (1 + np.exp(-z)) if sigmoid else z)
        if update and not after:
            h, c = interview.lstm_step(sequence[:, t], h, c, kernel, recurrent, bias)
    return np.stack(gates)


def test_forget_gates_check_names_the_wrong_block_the_stale_state_and_the_layout(capsys):
    import keras
    import numpy as np

    def with_keras(sequence, kernel, recurrent, bias):  # a different valid implementation
        units = recurrent.shape[0]
        cell = keras.layers.LSTMCell(units)
        cell.build((None, sequence.shape[-1]))
        cell.set_weights([kernel, recurrent, bias])
        h = c = np.zeros((len(sequence), units), "float32")
        gates = []
        for t in range(sequence.shape[1]):
            x_t = sequence[:, t].astype("float32")
            z = x_t @ kernel + h @ recurrent + bias
            gates.append(1 / (1 + np.exp(-z[:, units : 2 * units])))
            h, (_, c) = cell(x_t, [h, c])
            h, c = np.asarray(h), np.asarray(c)
        return gates

    assert bool(checks.check_forget_gates(_gates)) is True
    assert bool(checks.check_forget_gates(with_keras)) is True
    for wrong, hint in [
        (lambda *a: _gates(*a, block=0), "the input gate i"),
        (lambda *a: _gates(*a, block=3), "output gate"),
        (lambda *a: _gates(*a, sigmoid=False), "apply the sigmoid"),
        (lambda *a: _gates(*a, update=False), "update h"),  # h stays at zero
        (lambda *a: _gates(*a, after=True), "before you step"),
        (lambda *a: _gates(*a).transpose(1, 0, 2), "steps first"),
        (lambda *a: _gates(*a)[-1], "one gate per step"),
        (np.zeros((4, 2, 2)), "function"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_forget_gates(wrong)) is False
        assert hint in capsys.readouterr().out


def _gru(bias_columns=None, value=4.0, rows=(0, 1)):
    """A fresh GRU classifier (as build_rnn_classifier makes it), its bias changed or not."""
    import keras

    from course_utils import rnn

    keras.utils.set_random_seed(0)
    model = rnn.build_rnn_classifier("gru", vocab_size=50, embedding_dim=4, units=4)
    weights = model.get_layer("gru").cell.get_weights()
    if bias_columns is not None:
        for row in rows:
            weights[2][row, bias_columns] = value
    model.get_layer("gru").cell.set_weights(weights)
    return model


def _lstm_classifier():
    from course_utils import rnn

    return rnn.build_rnn_classifier("lstm", vocab_size=50, embedding_dim=4, units=4)


def test_open_gru_check_wants_the_update_gate_bias(capsys):
    assert bool(checks.check_open_gru(_gru(slice(0, 4), rows=(0,)))) is True  # one row: 4
    assert bool(checks.check_open_gru(_gru(slice(0, 4), value=2.0))) is True  # 2 + 2 = 4
    for wrong, hint in [
        (_gru(slice(0, 4)), "adds up to 8.0"),  # 4 in both rows: the statement says 4 in all
        (_gru(), "still Keras' default"),  # weights[2][UNITS:2*UNITS] = 4 selects no row
        (_gru(slice(4, 8)), "reset gate r"),  # the LSTM's second block
        (_gru(slice(8, 12)), "candidate"),
        (_gru(slice(0, 4), value=-4.0), "bias > 0"),
        (_gru(slice(0, 4), value=0.5), "make it about 4"),
        (_gru(slice(0, 12), rows=(0,)), "change only the update gate"),  # every block
        (_lstm_classifier(), "build a GRU classifier"),
        (None, "not attempted"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_open_gru(wrong)) is False
        assert hint in capsys.readouterr().out


def test_beats_simple_rnn_check_wants_a_trained_masked_stacked_lstm(capsys):
    import keras
    import numpy as np

    keras.utils.set_random_seed(0)
    x = np.array([[2, 3, 0, 0], [4, 5, 0, 0]] * 6)
    y = np.array([1, 0] * 6)

    def model(kind, mask=True, depth=2):
        def recurrent(last):
            if kind == "lstm":
                return keras.layers.LSTM(4, return_sequences=not last)
            return keras.layers.SimpleRNN(4, return_sequences=not last)

        stack = [recurrent(last=d == depth - 1) for d in range(depth)]
        return keras.Sequential(
            [keras.Input((4,)), keras.layers.Embedding(8, 4, mask_zero=mask), *stack,
             keras.layers.Dense(1, activation="sigmoid")]
        )  # fmt: skip

    assert bool(checks.check_beats_simple_rnn(model("simple_rnn"), x, y, 0.5)) is False
    assert "no LSTM" in capsys.readouterr().out
    assert bool(checks.check_beats_simple_rnn(model("lstm", depth=1), x, y, 0.5)) is False
    assert "stack a second one" in capsys.readouterr().out  # the lesson's single LSTM
    assert bool(checks.check_beats_simple_rnn(model("lstm", mask=False), x, y, 0.5)) is False
    assert "mask the padding" in capsys.readouterr().out
    lstm = model("lstm")
    assert bool(checks.check_beats_simple_rnn(lstm, x, y, 0.0)) is False  # untrained
    assert "not been trained" in capsys.readouterr().out
    lstm.compile(keras.optimizers.Adam(0.05), loss="binary_crossentropy", run_eagerly=True)
    assert bool(checks.check_beats_simple_rnn(lstm, x, y, 0.0)) is False  # compiled, not fit
    assert "not been trained" in capsys.readouterr().out
    lstm.fit(x, y, epochs=10, verbose=0)  # eagerly: faster than tracing for 10 tiny steps
    assert bool(checks.check_beats_simple_rnn(lstm, x, y, 0.5)) is True
    assert bool(checks.check_beats_simple_rnn(lstm, x, y, 1.0)) is False  # cannot beat a perfect F1
    assert "does not beat" in capsys.readouterr().out


# --------------------------------------------------------------------------- notebook 07
def _upsampling_generator(
    upsamplings=2, padding="same", dense_activation=None, out_activation="tanh", latent_dim=64
):
    """The exercise's generator (UpSampling2D + Conv2D blocks), or one with a classic mistake."""
    import keras
    from keras import layers

    blocks = []
    for _ in range(upsamplings):
        blocks += [layers.UpSampling2D(), layers.Conv2D(8, 3, padding=padding, use_bias=False)]
        blocks += [layers.BatchNormalization(), layers.LeakyReLU(negative_slope=0.2)]
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(7 * 7 * 16, use_bias=False, activation=dense_activation),
            layers.BatchNormalization(),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Reshape((7, 7, 16)),
            *blocks,
            layers.Conv2D(1, 3, padding="same", activation=out_activation),
        ]
    )


def test_check_upsampling_generator(capsys):
    from course_utils import gan

    assert bool(checks.check_upsampling_generator(None)) is False
    assert bool(checks.check_upsampling_generator(_upsampling_generator())) is True
    for wrong, hint in [
        (_upsampling_generator(upsamplings=3), "use two"),  # the seed's 56x56 again
        (_upsampling_generator(padding="valid"), "padding='same'"),
        (_upsampling_generator(out_activation=None), "tanh"),
        (_upsampling_generator(dense_activation="relu"), "linear"),  # the seed's Dense ReLU
        (_upsampling_generator(latent_dim=100), "keras.Input(shape=(64,))"),
        (gan.build_generator(), "not Conv2DTranspose"),  # the lesson's generator
    ]:
        capsys.readouterr()
        assert bool(checks.check_upsampling_generator(wrong)) is False
        assert hint in capsys.readouterr().out


def test_check_frechet_diagonal(capsys):
    import numpy as np

    from course_utils import gan

    def spread(a, b, statistic=np.std):
        return np.sum((statistic(a, axis=0, ddof=1) - statistic(b, axis=0, ddof=1)) ** 2)

    def right(a, b):
        return np.sum((a.mean(axis=0) - b.mean(axis=0)) ** 2) + spread(a, b)

    def from_cov(a, b):  # a different valid implementation: the diagonals of np.cov
        sd_a, sd_b = (np.sqrt(np.diag(np.cov(f, rowvar=False))) for f in (a, b))
        return float(((a.mean(0) - b.mean(0)) ** 2).sum() + ((sd_a - sd_b) ** 2).sum())

    assert bool(checks.check_frechet_diagonal(right)) is True
    assert bool(checks.check_frechet_diagonal(from_cov)) is True
    for wrong, hint in [
        (gan.frechet_distance, "full-covariance"),  # the lesson's function
        (lambda a, b: np.sum((a.mean(0) - b.mean(0)) ** 2 + (a.std(0) - b.std(0)) ** 2), "ddof=1"),
        (lambda a, b: right(a, b) ** 0.5, "square root"),
        (lambda a, b: np.sum((a.mean(0) - b.mean(0)) ** 2), "only the mean term"),
        (lambda a, b: right(a, b) - spread(a, b) + spread(a, b, np.var), "not variances"),
        (lambda a, b: np.full(3, right(a, b)), "one number"),
        (lambda a, b: right(a.ravel()[:, None], b.ravel()[:, None]), "per feature"),  # axis=None
        (lambda a, b: right(a, b[:20]), "not it"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_frechet_diagonal(wrong)) is False
        assert hint in capsys.readouterr().out


def _dcgan_subclass(d_updates=1, g_updates=2, override=True, fresh_noise=True, returns=True):
    """A DCGAN subclass whose train_step updates each network the given number of times."""
    import tensorflow as tf

    from course_utils import gan

    def train_step(self, batch):
        real_images, _, _ = gan.keras.utils.unpack_x_y_sample_weight(batch)
        size = gan.keras.ops.shape(real_images)[0]
        for _ in range(d_updates):
            with tf.GradientTape() as tape:
                d_loss, real_logits, fake_logits = self.discriminator_loss(real_images, True)
            weights = self.discriminator.trainable_weights
            gradients = tape.gradient(d_loss, weights)
            self.d_optimizer.apply_gradients(zip(gradients, weights, strict=True))
        noise = gan.keras.random.normal((size, self.latent_dim), seed=self.seed_generator)
        for _ in range(g_updates):
            if fresh_noise:
                noise = gan.keras.random.normal((size, self.latent_dim), seed=self.seed_generator)
            with tf.GradientTape() as tape:
                logits = self.discriminator(self.generator(noise, training=True), training=True)
                g_loss = self.loss_fn(gan.keras.ops.ones((size, 1)), logits)
            weights = self.generator.trainable_weights
            gradients = tape.gradient(g_loss, weights)
            self.g_optimizer.apply_gradients(zip(gradients, weights, strict=True))
        return self.update_metrics(d_loss, g_loss, real_logits, fake_logits) if returns else {}

    return type("TwoStepDCGAN", (gan.DCGAN,), {"train_step": train_step} if override else {})


def test_check_two_step_gan(capsys):
    from course_utils import gan

    assert bool(checks.check_two_step_gan(_dcgan_subclass())) is True
    for wrong, hint in [
        (_dcgan_subclass(override=False), "override train_step"),
        (_dcgan_subclass(d_updates=2, g_updates=1), "discriminator 2 times"),  # the wrong player
        (_dcgan_subclass(g_updates=1), "generator 1 time"),
        (_dcgan_subclass(fresh_noise=False), "fresh noise"),  # one draw for both G updates
        (_dcgan_subclass(returns=False), "return self.update_metrics"),  # {} crashes in fit
        (gan.build_compiled_dcgan(generator=gan.build_generator(8, 4)), "the class itself"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_two_step_gan(wrong)) is False
        assert hint in capsys.readouterr().out


# --------------------------------------------------------------------------- notebook 08
def test_precision_recall_per_class_check_names_the_classic_mistakes(capsys):
    import numpy as np

    from course_utils import evaluation

    def right(matrix):
        diagonal = np.diag(matrix)
        return (
            evaluation.divide(diagonal, matrix.sum(axis=0)),
            evaluation.divide(diagonal, matrix.sum(axis=1)),
        )

    def with_lists(matrix):  # a different valid implementation: plain Python lists
        k = len(matrix)
        columns = [sum(matrix[i][j] for i in range(k)) for j in range(k)]
        precision = [matrix[j][j] / columns[j] if columns[j] else 0.0 for j in range(k)]
        return precision, [matrix[i][i] / sum(matrix[i]) for i in range(k)]

    assert bool(checks.check_precision_recall_per_class(right)) is True
    assert bool(checks.check_precision_recall_per_class(with_lists)) is True
    with np.errstate(invalid="ignore"):
        for wrong, hint in [
            (lambda m: right(m)[::-1], "swapped the axes"),  # or read the matrix transposed
            (lambda m: right(m.T), "swapped the axes"),
            (lambda m: (np.diag(m) / m.sum(0), np.diag(m) / m.sum(1)), "0/0"),  # nan
            (lambda m: (np.diag(m) / m.sum(), np.diag(m) / m.sum()), "not by all examples"),
            (lambda m: (m[1, 1] / m[:, 1].sum(), m[1, 1] / m[1].sum()), "per class"),  # spam only
            (lambda m: right(m)[0], "a pair"),
            ((100 / 130, 100 / 120), "function"),  # the spam numbers, computed by hand
        ]:
            capsys.readouterr()
            assert bool(checks.check_precision_recall_per_class(wrong)) is False
            assert hint in capsys.readouterr().out


def test_threshold_for_precision_check_wants_the_lowest_threshold_meeting_the_target(capsys):
    import numpy as np

    from course_utils import evaluation

    def right(y_true, scores, target):
        fps, tps, thresholds = evaluation.counts_at_thresholds(y_true, scores)
        return thresholds[np.flatnonzero(tps / (tps + fps) >= target)[-1]]

    def first_drop(y_true, scores, target):  # assumes precision only falls as t falls
        fps, tps, thresholds = evaluation.counts_at_thresholds(y_true, scores)
        return thresholds[np.argmin(tps / (tps + fps) >= target) - 1]

    def highest(y_true, scores, target):  # threshold_for_recall's rule, on precision
        fps, tps, thresholds = evaluation.counts_at_thresholds(y_true, scores)
        return thresholds[np.argmax(tps / (tps + fps) >= target)]

    def one_too_low(y_true, scores, target):
        fps, tps, thresholds = evaluation.counts_at_thresholds(y_true, scores)
        return thresholds[np.flatnonzero(tps / (tps + fps) >= target)[-1] + 1]

    def strictly_above(y_true, scores, target):  # '>' where the target says 'reaches'
        fps, tps, thresholds = evaluation.counts_at_thresholds(y_true, scores)
        return thresholds[np.flatnonzero(tps / (tps + fps) > target + 1e-12)[-1]]

    assert bool(checks.check_threshold_for_precision(right)) is True
    assert bool(checks.check_threshold_for_precision(lambda *a: float(right(*a)) - 1e-9)) is True
    for wrong, hint in [
        (first_drop, "up and down"),
        (strictly_above, "'reaches' means >="),
        (highest, "a lower threshold"),
        (one_too_low, "too low"),
        (lambda y, s, t: evaluation.threshold_for_recall(y, s, t), "too low"),
        (lambda y, s, t: 0.5, "precision"),
        (lambda y, s, t: [right(y, s, t)], "one threshold"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_threshold_for_precision(wrong)) is False
        assert hint in capsys.readouterr().out


def test_precision_at_k_check_names_the_classic_mistakes(capsys):
    import numpy as np

    def right(y_true, scores, k):
        return y_true[np.argsort(-scores)[:k]].mean()

    def with_partition(y_true, scores, k):  # a different valid implementation
        top = np.argpartition(scores, len(scores) - k)[-k:]
        return float(np.sum(y_true[top])) / k

    assert bool(checks.check_precision_at_k(right)) is True
    assert bool(checks.check_precision_at_k(with_partition)) is True
    for wrong, hint in [
        (lambda y, s, k: y[np.argsort(s)[:k]].mean(), "k lowest scores"),
        (lambda y, s, k: y[np.argsort(-s)[:k]].sum() / y.sum(), "recall at k"),
        (lambda y, s, k: y[np.argsort(-s)[: k + 1]].mean(), "one too many"),
        (lambda y, s, k: y[np.argsort(-s)[:k]].sum() / len(y), "divide by k"),
        (lambda y, s, k: y[s >= 0.5].mean(), "it is not"),  # a threshold, not the top k
        (lambda y, s, k: y[np.argsort(-s)[:k]], "one number"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_precision_at_k(wrong)) is False
        assert hint in capsys.readouterr().out


# --------------------------------------------------------------------------- notebook 03
def test_sliding_window_mask_check_names_the_classic_mistakes(capsys):
    import numpy as np

    def right(length, window):
        return np.tril(np.ones((length, length), dtype=bool)) & ~np.tril(
            np.ones((length, length), dtype=bool), k=-window
        )

    def with_indices(length, window):  # a different valid implementation, as nested lists
        return [[0 <= i - j < window for j in range(length)] for i in range(length)]

    def index_grid(length):
        return np.indices((length, length))

    assert bool(checks.check_sliding_window_mask(None)) is False
    assert "not attempted" in capsys.readouterr().out
    assert bool(checks.check_sliding_window_mask(right)) is True
    assert bool(checks.check_sliding_window_mask(with_indices)) is True
    for wrong, hint in [
        (lambda n, w: right(n, w).T, "transpose"),
        (lambda n, w: (lambda i, j: (j <= i) & (i - j <= w))(*index_grid(n)), "one key too many"),
        (lambda n, w: (lambda i, j: (j < i) & (i - j <= w))(*index_grid(n)), "keep the diagonal"),
        (lambda n, w: (lambda i, j: abs(i - j) < w)(*index_grid(n)), "later tokens"),
        (lambda n, w: np.tril(np.ones((n, n), dtype=bool)), "full causal mask"),  # the lesson's
        (lambda n, w: right(n, w).astype(int), "bool"),
        (lambda n, w: right(n + 1, w), "shape (6, 6)"),
        (lambda n, w: right(6, 3), "sliding_window_mask(5, 2) must have shape"),  # hard-coded
    ]:
        capsys.readouterr()
        assert bool(checks.check_sliding_window_mask(wrong)) is False
        assert hint in capsys.readouterr().out


def test_gan_value_from_logits_check_names_the_classic_mistakes(capsys):
    import keras
    import numpy as np

    from course_utils import interview

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    def right(real, fake):
        return interview.gan_value(sigmoid(real), sigmoid(fake))

    def stable(real, fake):  # a different valid implementation: log sigmoid without overflow
        return float(np.mean(-np.logaddexp(0, -real)) + np.mean(-np.logaddexp(0, fake)))

    def with_keras(real, fake):  # minus the two binary cross-entropies, on logits
        bce = keras.losses.BinaryCrossentropy(from_logits=True)
        return -(bce(np.ones_like(real), real) + bce(np.zeros_like(fake), fake))

    for good in (right, stable, with_keras):
        assert bool(checks.check_gan_value_from_logits(good)) is True
    for wrong, hint in [
        (lambda r, f: interview.gan_value(r, f), "sigmoid first"),  # logits as probabilities
        (lambda r, f: -right(r, f), "mind the sign"),
        (lambda r, f: right(r, f) / 2, "d_loss averages"),
        (lambda r, f: np.mean(np.log(sigmoid(r))) + np.mean(np.log(sigmoid(f))), "log(1 - D"),
        (lambda r, f: right(f, r), "swapped"),
        (lambda r, f: np.sum(np.log(sigmoid(r))) + np.sum(np.log(1 - sigmoid(f))), "means"),
        (lambda r, f: -np.log(4), "not V"),  # the guessing value, hard-coded
        (-1.386, "function"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_gan_value_from_logits(wrong)) is False
        assert hint in capsys.readouterr().out


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
        "explanation": {
            "en": "A 1×1 convolution is a dense layer applied at every position.",
            "zh": "1×1 卷积相当于在每个位置上应用同一个全连接层。",
        },
        "mistakes": [{"en": "Thinking it does nothing.", "zh": "以为它什么也不做。"}],
        "link": "05_cnn_training.ipynb",
        "options": [
            {"en": "Mixes channels", "zh": "混合通道"},
            {"en": "Nothing", "zh": "没有作用"},
        ],
        "correct": "a",
    }
    assert bool(checks.check_new_entry(entry)) is True
    flashcard = {k: v for k, v in entry.items() if k not in ("options", "correct")}
    asked = {
        "en": " what is deep learning? Briefly explain its basic principle.",
        "zh": "什么是深度学习？",
    }
    for wrong, hint in [
        ({**entry, "difficulty": "trivial"}, "field 'difficulty'"),
        ({**entry, "source": "seed"}, "source: course"),  # not the schema's seed-block message
        ({**entry, "id": "cnn-output-shape"}, "already in the bank"),
        ({**entry, "question": asked}, "already asks this question"),  # a copy with a new id
        ({**entry, "link": "04_cnn_image_classification.ipynb"}, "no notebooks/04_cnn_image"),
        ({**entry, "link": ["05_cnn_training.ipynb", "09_x.ipynb#Top"]}, "no notebooks/09_x"),
        ({**entry, "explanation": "A dense layer at every pixel."}, "field 'explanation'"),  # v1
        ({**entry, "mistakes": [{"en": "Thinking it does nothing."}]}, "field 'mistakes[0].zh'"),
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


# --------------------------------------------------------------------------- notebook 09
def test_min_p_filter_check_names_the_classic_mistakes(capsys):
    import numpy as np

    def right(logits, min_p):
        p = np.exp(logits - logits.max())
        return np.where(p >= min_p, logits, -np.inf)  # relative to the largest: p_max = 1 here

    def with_softmax(logits, min_p):  # a different valid implementation
        probs = np.exp(logits) / np.exp(logits).sum()
        out = np.full(len(logits), -np.inf)
        keep = probs >= min_p * probs.max()
        out[keep] = logits[keep]
        return out

    assert bool(checks.check_min_p_filter(right)) is True
    assert bool(checks.check_min_p_filter(with_softmax)) is True
    softmax = lambda x: np.exp(x) / np.exp(x).sum()  # noqa: E731

    def top_p_filter(logits, p):  # notebook 09's, without importing Keras
        ranked = np.argsort(-softmax(logits), kind="stable")
        keep = ranked[: np.searchsorted(np.cumsum(softmax(logits)[ranked]), p) + 1]
        return np.where(np.isin(np.arange(len(logits)), keep), logits, -np.inf)

    for wrong, hint in [
        (lambda x, m: np.where(softmax(x) >= m, x, -np.inf), "largest probability"),
        (lambda x, m: np.where(x >= m * x.max(), x, -np.inf), "not logits"),
        (
            lambda x, m: np.where(softmax(x) >= m * softmax(x).max(), softmax(x), -np.inf),
            "not probabilities",
        ),
        (lambda x, m: np.where(softmax(x) >= m * softmax(x).max(), x, 0.0), "keep the ids"),
        (lambda x, m: x, "keep the ids"),  # no filtering at all
        (lambda x, m: np.where(softmax(x) >= m * softmax(x)[0], x, -np.inf), "not the first"),
        (lambda x, m: top_p_filter(x, 1 - m), "not top-p"),  # the same set on sorted p
        (lambda x, m: np.where(softmax(x) >= 0.3 * softmax(x).max(), x, -np.inf), "keep the"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_min_p_filter(wrong)) is False
        assert hint in capsys.readouterr().out


def test_kv_cache_bytes_check_names_the_classic_mistakes(capsys):
    import math

    def right(num_layers, num_kv_heads, head_dim, context_tokens, batch, bytes_per_value):
        return 2 * num_layers * num_kv_heads * head_dim * context_tokens * batch * bytes_per_value

    per = [right(32, heads, 128, 4000, 1, 2) for heads in (32, 8)]
    fits = (int((80e9 - 14e9) // per[0]), int((80e9 - 16e9) // per[1]))
    assert fits == (31, 122)
    assert bool(checks.check_kv_cache_bytes(right, fits)) is True
    as_float = lambda *args: float(math.prod(args) * 2)  # noqa: E731 - a different valid one
    assert bool(checks.check_kv_cache_bytes(as_float, [31.0, 122.0])) is True
    for wrong, answer, hint in [
        (lambda n, h, d, t, b, s: n * h * d * t * b * s, fits, "keys AND values"),
        (lambda n, h, d, t, b, s: 2 * n * d * t * b * s, fits, "num_kv_heads"),
        (lambda n, h, d, t, b, s: 2 * n * h * d * t * s, fits, "multiply by batch"),
        (lambda n, h, d, t, b, s: 2 * n * h * d * t * b, fits, "bytes per value"),
        (lambda n, h, d, t, b, s: 2 * n * h * d * t * b * 2, fits, "not a fixed 2"),
        (lambda n, h, d, t, b, s: 2 * n * h * d * t * b * s * 8, fits, "not bits"),
        (lambda n, h, d, t, b, s: 2 * h * d * t * b * s, fits, "not"),  # forgot the layers
        (lambda *args: f"{2 * math.prod(args) / 1e9} GB", fits, "as a number"),
        (right, (38, 152), "weights take their share"),
        (right, (31, 30), "8 KV heads"),  # Llama 3 priced with d_model = 32 x 128
        (right, (32, 123), "round down"),
        (right, (31.5, 122.0), "//"),
        (right, "31 and 122", "a pair"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_kv_cache_bytes(wrong, answer)) is False
        assert hint in capsys.readouterr().out


def _int4_grouped(kernel, group_size, axis=0, divisor=7, rounding=None, dtype="int8"):
    """Exercise 9.3's answer, or a classic mistake: groups along ``axis``, another divisor or
    rounding, no ValueError (``axis=None``: one scale per column)."""
    import numpy as np

    inputs, outputs = kernel.shape
    if axis is None:
        scale = np.abs(kernel).max(0) / divisor
        return (rounding or np.round)(kernel / scale).astype(dtype), scale
    if axis == 1:  # groups of output columns
        scale = np.abs(kernel).reshape(inputs, -1, group_size).max(2) / divisor
        return (rounding or np.round)(kernel / np.repeat(scale, group_size, 1)).astype(dtype), scale
    if inputs % group_size:
        raise ValueError(f"{inputs} inputs do not split into groups of {group_size}")
    scale = np.abs(kernel).reshape(-1, group_size, outputs).max(1) / divisor
    q = (rounding or np.round)(kernel / np.repeat(scale, group_size, 0))
    return np.clip(q, -7, 7).astype(dtype), scale.astype("float32")


def test_quantize_int4_grouped_check_names_the_classic_mistakes(capsys):
    import numpy as np

    def dequantize(q, scale):
        return (q * np.repeat(scale, len(q) // len(scale), axis=0)).astype(np.float32)

    def with_loops(kernel, group_size):  # a different valid implementation
        if len(kernel) % group_size != 0:
            raise ValueError("inputs must be a multiple of group_size")
        starts = range(0, len(kernel), group_size)
        scale = np.stack([np.abs(kernel[i : i + group_size]).max(0) / 7 for i in starts])
        q = np.rint(kernel / np.repeat(scale, group_size, axis=0)).astype(np.int8)
        return q, scale

    def dequantize_3d(q, scale):
        groups = q.reshape(len(scale), -1, q.shape[1]) * scale[:, None, :]
        return groups.reshape(q.shape).astype(np.float32)

    assert bool(checks.check_quantize_int4_grouped(_int4_grouped, dequantize)) is True
    assert bool(checks.check_quantize_int4_grouped(with_loops, dequantize_3d)) is True

    def strided(kernel, group_size):
        scale = np.abs(kernel).reshape(group_size, -1, kernel.shape[1]).max(0) / 7
        return np.round(kernel / np.tile(scale, (group_size, 1))).astype(np.int8), scale

    def no_value_error(kernel, group_size):  # np.array_split accepts a ragged last group
        groups = np.array_split(kernel, len(kernel) // group_size)
        scale = np.stack([np.abs(group).max(0) / 7 for group in groups])
        sizes = [len(group) for group in groups]
        return np.round(kernel / np.repeat(scale, sizes, axis=0)).astype(np.int8), scale

    def column_scales_repeated(kernel, group_size):  # the right shape, one scale per column
        q, scale = _int4_grouped(kernel, group_size, axis=None)
        return q, np.broadcast_to(scale, (len(kernel) // group_size, len(scale)))

    def column_scales_kept(kernel, group_size):  # one scale per column, keepdims=True
        q, scale = _int4_grouped(kernel, group_size, axis=None)
        return q, scale[None]

    def transposed_scales(kernel, group_size):
        q, scale = _int4_grouped(kernel, group_size)
        return q, scale.T

    for quantize, dequantize_, hint in [
        (lambda w, g: _int4_grouped(w, g, axis=None), dequantize, "no grouping"),
        (column_scales_kept, dequantize, "no grouping"),
        (lambda w, g: _int4_grouped(w, g, axis=1), dequantize, "not output columns"),
        (transposed_scales, dequantize, "not (8, 3)"),
        (strided, dequantize, "consecutive rows"),
        (column_scales_repeated, dequantize, "not one per column"),
        (lambda w, g: _int4_grouped(w, g, divisor=8), dequantize, "with 8"),
        (lambda w, g: _int4_grouped(w, g, divisor=127), dequantize, "not 127"),
        (lambda w, g: _int4_grouped(w, g, rounding=np.trunc), dequantize, "do not truncate"),
        (lambda w, g: _int4_grouped(w, g, rounding=np.floor), dequantize, "q = round"),
        (lambda w, g: _int4_grouped(w, g, dtype="float32"), dequantize, "int8"),
        (_int4_grouped, lambda q, s: q * np.tile(s, (len(q) // len(s), 1)), "np.tile"),
        (
            _int4_grouped,
            lambda q, s: q.astype(float) * np.repeat(s, len(q) // len(s), 0),
            "float32",
        ),
        (_int4_grouped, lambda q, s: dequantize_3d(q, s).reshape(len(s), -1, 8), "float32 (12, 8)"),
        (no_value_error, dequantize, "raise ValueError"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_quantize_int4_grouped(quantize, dequantize_)) is False
        assert hint in capsys.readouterr().out, hint


# --------------------------------------------------------------------------- notebook 10
def test_fit_power_law_check_names_the_classic_mistakes(capsys):
    import numpy as np

    def right(x, y):
        slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
        return float(np.exp(intercept)), float(-slope)

    def with_lstsq(x, y):  # a different valid implementation, in log10
        design = np.stack([np.log10(x), np.ones(len(x))], axis=1)
        (slope, intercept), *_ = np.linalg.lstsq(design, np.log10(y), rcond=None)
        return 10**intercept, -slope

    assert bool(checks.check_fit_power_law(right)) is True
    assert bool(checks.check_fit_power_law(with_lstsq)) is True

    def in_linear_space(x, y):
        from scipy.optimize import curve_fit

        return tuple(curve_fit(lambda x, a, b: a * x**-b, x, y, p0=right(x, y))[0])

    def log10_then_exp(x, y):
        slope, intercept = np.polyfit(np.log10(x), np.log10(y), 1)
        return np.exp(intercept), -slope

    def swapped(x, y):
        slope, intercept = np.polyfit(np.log(y), np.log(x), 1)
        return np.exp(intercept), -slope

    _assert_rejects(
        checks.check_fit_power_law,
        [
            (in_linear_space, "not the curve to y"),
            (log10_then_exp, "a = 10 ** intercept"),
            (lambda x, y: (right(x, y)[0], -right(x, y)[1]), "beta = -slope"),
            (swapped, "log x first"),
            (lambda x, y: right(x, y)[::-1], "(a, beta) in that order"),
            (lambda x, y: (np.log(right(x, y)[0]), right(x, y)[1]), "a = exp(intercept)"),
            (lambda x, y: np.polyfit(np.log(x), np.log(y), 1), "return the pair"),
            (right.__name__, "function"),
        ],
        capsys,
        not_a_function=(7.0, 0.05),
    )


def test_compute_optimal_check_names_the_classic_mistakes(capsys):
    import math

    def right(flops, tokens_per_parameter=20):
        n = math.sqrt(flops / (6 * tokens_per_parameter))
        return n, tokens_per_parameter * n

    def from_tokens(flops, tokens_per_parameter=20):  # a different valid implementation
        d = (flops * tokens_per_parameter / 6) ** 0.5
        return [d / tokens_per_parameter, d]

    assert bool(checks.check_compute_optimal(right)) is True
    assert bool(checks.check_compute_optimal(from_tokens)) is True
    _assert_rejects(
        checks.check_compute_optimal,
        [
            (lambda c, r=20: right(c, r)[::-1], "(D, N)"),
            (lambda c, r=20: (math.sqrt(c / 6),) * 2, "not D = N"),
            (lambda c, r=20: right(3 * c, r), "2 N D is one forward pass"),
            (lambda c, r=20: (c / (6 * r), c / 6), "square root"),
            (lambda c, r=20: right(c), "D = 10 N"),  # a fixed 20 tokens per parameter
            (lambda c, r=20: right(c, r)[0], "the pair"),
        ],
        capsys,
        not_a_function=(1e9, 2e10),
    )


def test_best_per_budget_check_names_the_classic_mistakes(capsys):
    import numpy as np

    def best(losses):
        return np.min(losses, axis=0), np.argmin(losses, axis=0)

    def interior(best_index, num_sizes):
        return 0 < best_index < num_sizes - 1

    def with_loops(losses):  # a different valid implementation, in plain Python
        columns = list(zip(*losses, strict=True))
        indices = [min(range(len(c)), key=c.__getitem__) for c in columns]
        return [c[i] for c, i in zip(columns, indices, strict=True)], indices

    assert bool(checks.check_best_per_budget(best, interior)) is True
    assert bool(checks.check_best_per_budget(with_loops, lambda i, n: i not in (0, n - 1))) is True

    def last_of_ties(losses):
        losses = np.asarray(losses)
        return losses.min(0), len(losses) - 1 - np.argmin(losses[::-1], axis=0)

    for wrong, is_interior, hint in [
        (lambda t: (np.max(t, 0), np.argmax(t, 0)), interior, "min, not max"),
        (last_of_ties, interior, "on a tie"),
        (lambda t: (np.min(t, 1), np.argmin(t, 1)), interior, "down each column"),
        (lambda t: np.min(t, 0), interior, "return (best losses, best indices)"),
        (
            lambda t: (np.min(t, 0), np.argmin(np.asarray(t)[::-1], 0)),
            interior,
            "argmin per column",
        ),
        (best, lambda i, n: i < n - 1, "index 0"),
        (best, lambda i, n: i > 0, "largest size tried"),
        (best, lambda i, n: 0 < i < n, "largest size tried"),
        (best, lambda i, n: True, "index 0"),
        (best, lambda i, n: 0 < i <= n - 1 and n > 2, "largest size tried"),
    ]:
        capsys.readouterr()
        assert bool(checks.check_best_per_budget(wrong, is_interior)) is False
        assert hint in capsys.readouterr().out, hint
