"""Startup-strategy arithmetic made runnable: training compute, memory, cost and FLOP counting.

Everything here is a pure function of its inputs. Hardware speed, utilisation and price are
*arguments*, never constants baked in: look up today's figures for the hardware you can rent and
pass them in. Used by ``notebooks/01_startup_strategy.ipynb``.

The rule of thumb for dense models (Kaplan et al., 2020; Hoffmann et al., 2022)::

    training FLOPs ≈ 6 × N (parameters) × D (training tokens or examples)

2 FLOPs per parameter for the forward pass (one multiply, one add) and about 4 for the backward
pass (gradient with respect to the inputs and with respect to the weights).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from . import checks

# Bytes per number for the data types used in training.
BYTES_PER_DTYPE: dict[str, int] = {
    "float32": 4,
    "bfloat16": 2,
    "float16": 2,
    "int8": 1,
}

# Extra numbers kept per parameter by each optimizer (Adam: first and second moment).
OPTIMIZER_STATES: dict[str, int] = {"sgd": 0, "sgd_momentum": 1, "adam": 2}


@dataclass(frozen=True)
class MemoryEstimate:
    """Training memory in bytes, without activations (see :func:`training_memory`)."""

    weights: float
    gradients: float
    optimizer_state: float
    master_weights: float

    @property
    def total(self) -> float:
        """Sum of all parts, in bytes."""
        return self.weights + self.gradients + self.optimizer_state + self.master_weights


@dataclass(frozen=True)
class ComputeEstimate:
    """Result of :func:`estimate_training`: compute, time, cost and memory of one training run."""

    flops: float
    gpu_hours: float
    wall_clock_hours: float
    cost: float
    memory: MemoryEstimate
    min_gpus_for_memory: int


# --------------------------------------------------------------------------- validation
def _positive(value: Any, name: str, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}.")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}.")
    return float(value)


def _choice(value: Any, valid: dict[str, int], name: str) -> str:
    if not isinstance(value, str) or value not in valid:
        raise ValueError(f"{name} must be one of {', '.join(valid)}; got {value!r}.")
    return value


# --------------------------------------------------------------------------- compute
def training_flops(
    num_parameters: float, num_tokens: float, flops_per_parameter_token: float = 6.0
) -> float:
    """Estimate the floating-point operations (FLOPs) of training a dense model.

    Args:
        num_parameters: N, the number of trainable parameters (> 0).
        num_tokens: D, the number of training tokens (or examples for a plain MLP) processed,
            counting every epoch (> 0).
        flops_per_parameter_token: 6 for training (2 forward + 4 backward); 2 gives inference.

    Returns:
        Total FLOPs as a float (``6 * N * D`` by default).

    Raises:
        TypeError: a non-numeric argument.
        ValueError: an argument <= 0 or not finite.
    """
    n = _positive(num_parameters, "num_parameters")
    d = _positive(num_tokens, "num_tokens")
    k = _positive(flops_per_parameter_token, "flops_per_parameter_token")
    return k * n * d


def gpu_hours(flops: float, peak_flops_per_second: float, utilization: float) -> float:
    """Accelerator-hours needed for ``flops`` at a given peak speed and utilisation.

    Args:
        flops: total FLOPs (> 0), e.g. from :func:`training_flops`.
        peak_flops_per_second: the accelerator's peak FLOP/s for your data type, from its data
            sheet (e.g. ``300e12`` for 300 TFLOP/s).
        utilization: model FLOP utilisation (MFU), the share of the peak you really achieve,
            in (0, 1]. Well-tuned large runs report roughly 0.3-0.6; small jobs often far less.

    Returns:
        Accelerator-hours (float).

    Raises:
        TypeError, ValueError: non-numeric, non-positive, or utilisation above 1.
    """
    f = _positive(flops, "flops")
    peak = _positive(peak_flops_per_second, "peak_flops_per_second")
    u = _positive(utilization, "utilization")
    if u > 1:
        raise ValueError(
            f"utilization is a fraction of the peak in (0, 1], got {utilization!r}; "
            "write 40% as 0.4."
        )
    return f / (peak * u) / 3600.0


def training_memory(
    num_parameters: float, dtype: str = "float32", optimizer: str = "adam"
) -> MemoryEstimate:
    """Bytes for weights, gradients and optimizer state during training (activations excluded).

    With a 16-bit ``dtype`` (mixed precision) a float32 master copy of the weights is kept as
    well, and the optimizer state stays in float32, as in common mixed-precision training.

    Args:
        num_parameters: number of trainable parameters (> 0).
        dtype: one of :data:`BYTES_PER_DTYPE` (``"float32"``, ``"bfloat16"``, ``"float16"``,
            ``"int8"``): the type of the working weights and gradients.
        optimizer: ``"sgd"``, ``"sgd_momentum"`` or ``"adam"``.

    Returns:
        A :class:`MemoryEstimate` (bytes; ``.total`` sums them).

    Raises:
        TypeError, ValueError: bad parameter count, unknown dtype or optimizer.
    """
    n = _positive(num_parameters, "num_parameters")
    width = BYTES_PER_DTYPE[_choice(dtype, BYTES_PER_DTYPE, "dtype")]
    states = OPTIMIZER_STATES[_choice(optimizer, OPTIMIZER_STATES, "optimizer")]
    master = 4 * n if width < 4 else 0.0
    return MemoryEstimate(
        weights=width * n,
        gradients=width * n,
        optimizer_state=4 * states * n,
        master_weights=master,
    )


def estimate_training(
    num_parameters: float,
    num_tokens: float,
    *,
    peak_flops_per_second: float,
    utilization: float,
    price_per_gpu_hour: float,
    num_gpus: int = 1,
    gpu_memory_bytes: float = 80e9,
    dtype: str = "bfloat16",
    optimizer: str = "adam",
) -> ComputeEstimate:
    """Compute, wall-clock time, cost and memory of one training run (the calculator's logic).

    Args:
        num_parameters: N (> 0).
        num_tokens: D, training tokens over all epochs (> 0).
        peak_flops_per_second: peak FLOP/s of ONE accelerator for ``dtype`` (data sheet).
        utilization: achieved share of the peak, in (0, 1].
        price_per_gpu_hour: what you pay per accelerator-hour (>= 0, any currency).
        num_gpus: accelerators used in parallel (int >= 1); assumes perfect scaling.
        gpu_memory_bytes: memory of one accelerator (> 0), to say how many are needed to hold
            the training state at all.
        dtype: working precision, see :func:`training_memory`.
        optimizer: see :func:`training_memory`.

    Returns:
        A :class:`ComputeEstimate`.

    Raises:
        TypeError, ValueError: any bad input, with what was expected.
    """
    if isinstance(num_gpus, bool) or not isinstance(num_gpus, int) or num_gpus < 1:
        raise ValueError(f"num_gpus must be an int >= 1, got {num_gpus!r}.")
    price = _positive(price_per_gpu_hour, "price_per_gpu_hour", allow_zero=True)
    memory_per_gpu = _positive(gpu_memory_bytes, "gpu_memory_bytes")
    flops = training_flops(num_parameters, num_tokens)
    hours = gpu_hours(flops, peak_flops_per_second, utilization)
    memory = training_memory(num_parameters, dtype, optimizer)
    return ComputeEstimate(
        flops=flops,
        gpu_hours=hours,
        wall_clock_hours=hours / num_gpus,
        cost=hours * price,
        memory=memory,
        min_gpus_for_memory=max(1, math.ceil(memory.total / memory_per_gpu)),
    )


def _si(value: float, unit: str = "") -> str:
    for factor, prefix in (
        (1e24, "Y"),
        (1e21, "Z"),
        (1e18, "E"),
        (1e15, "P"),
        (1e12, "T"),
        (1e9, "G"),
        (1e6, "M"),
        (1e3, "k"),
    ):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}".rstrip()


def format_estimate(estimate: ComputeEstimate, currency: str = "$") -> str:
    """One readable paragraph for a :class:`ComputeEstimate` (what the widget prints)."""
    hours = estimate.wall_clock_hours
    days = f" ({hours / 24:,.1f} days)" if hours >= 24 else ""
    return (
        f"Training compute: {_si(estimate.flops, 'FLOP')}\n"
        f"Accelerator-hours: {estimate.gpu_hours:,.{0 if estimate.gpu_hours >= 100 else 1}f}  ->  wall clock {hours:,.1f} h{days}\n"
        f"Cost: {currency}{estimate.cost:,.0f}\n"
        f"Memory for weights + gradients + optimizer state: {_si(estimate.memory.total, 'B')} "
        f"(activations not included) -> at least {estimate.min_gpus_for_memory} accelerator(s) to hold it"
    )


# --------------------------------------------------------------------------- FLOP counting
@dataclass(frozen=True)
class LayerFlops:
    """FLOPs per example of one layer (see :func:`count_layer_flops`)."""

    name: str
    kind: str
    parameters: int
    forward: float
    backward: float

    @property
    def training(self) -> float:
        """Forward + backward FLOPs per example."""
        return self.forward + self.backward


def count_layer_flops(model: Any) -> list[LayerFlops]:
    """Count multiply-add FLOPs per example of a built Keras model, layer by layer.

    Dense: a ``(batch, in) @ (in, out)`` product costs ``2·in·out`` forward; backward costs the
    same again for the weight gradient and again for the input gradient, except in the first
    layer, whose input gradient nobody needs. Conv2D: ``2·k_h·k_w·c_in·c_out`` per output
    position. Bias adds, activations, pooling and the loss are ignored (they are small).

    Args:
        model: a built ``keras.Model`` with Dense/Conv2D layers (other layers count 0 FLOPs).

    Returns:
        One :class:`LayerFlops` per layer, in order.

    Raises:
        TypeError: ``model`` has no ``layers``.
        ValueError: the model is not built (no input shape).
    """
    if not hasattr(model, "layers"):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}.")
    if not model.built:
        raise ValueError(
            "model is not built: give it an input shape (keras.Input) or call it once."
        )
    rows = []
    first_weighted = True
    for layer in model.layers:
        kind = type(layer).__name__
        params = int(layer.count_params())
        forward = 0.0
        if kind == "Dense":
            kernel = layer.kernel.shape
            forward = 2.0 * kernel[0] * kernel[1]
        elif kind == "Conv2D":
            k_h, k_w, c_in, c_out = layer.kernel.shape
            out_h, out_w = layer.output.shape[1:3]
            forward = 2.0 * k_h * k_w * c_in * c_out * out_h * out_w
        if forward:
            backward = forward if first_weighted else 2.0 * forward
            first_weighted = False
        else:
            backward = 0.0
        rows.append(LayerFlops(layer.name, kind, params, forward, backward))
    return rows


def format_layer_flops(rows: list[LayerFlops]) -> str:
    """A text table of :func:`count_layer_flops` rows with totals and the 6·N comparison."""
    lines = [
        f"{'layer':<16}{'kind':<14}{'params':>10}{'forward':>14}{'backward':>14}{'train/param':>13}"
    ]
    for row in rows:
        ratio = f"{row.training / row.parameters:.1f}" if row.parameters else "-"
        lines.append(
            f"{row.name:<16}{row.kind:<14}{row.parameters:>10,}{row.forward:>14,.0f}{row.backward:>14,.0f}{ratio:>13}"
        )
    params = sum(r.parameters for r in rows)
    train = sum(r.training for r in rows)
    lines.append(
        f"{'total':<30}{params:>10,}{sum(r.forward for r in rows):>14,.0f}{sum(r.backward for r in rows):>14,.0f}"
    )
    lines.append(
        f"training FLOPs per example: counted {train:,.0f} | 6·N = {6 * params:,.0f} | ratio {train / (6 * params):.2f}"
    )
    return "\n".join(lines)


def achieved_flops_per_second(flops: float, seconds: float) -> float:
    """FLOP/s achieved when ``flops`` operations took ``seconds`` (both > 0)."""
    return _positive(flops, "flops") / _positive(seconds, "seconds")


# --------------------------------------------------------------------------- exercise checks
@checks.exercise
def check_training_cost(answer: Any) -> str | None:
    """Exercise: cost of 1.3e9 parameters x 26e9 tokens at 150 TFLOP/s, 35 % utilisation, 2.0/hour."""
    expected = 6 * 1.3e9 * 26e9 / (150e12 * 0.35) / 3600 * 2.0
    if not isinstance(answer, int | float):
        return f"answer with a number (the cost), got {type(answer).__name__}"
    if math.isclose(answer, expected / 2.0, rel_tol=0.02):
        return "that is the number of GPU-hours; multiply by the price per hour"
    if math.isclose(answer, expected * 0.35**2, rel_tol=0.02):
        return "divide by the utilisation (you get less than the peak, so it takes longer), do not multiply"
    if math.isclose(answer, expected / 3, rel_tol=0.02):
        return "training costs 6 FLOPs per parameter per token, not 2 (that is inference)"
    if not math.isclose(answer, expected, rel_tol=0.02):
        return (
            "use 6·N·D FLOPs, divide by (peak FLOP/s × utilisation) for seconds, then hours × price"
        )
    return None
