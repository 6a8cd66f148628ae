"""Convolutional networks for notebook 03: shape arithmetic, builders, training recipe, insight.

Import the module, not names::

    from course_utils import cnn
    cnn.conv_output_size(28, kernel_size=3)          # 26
"""

from __future__ import annotations

import math

_PADDINGS = ("valid", "same")


def _check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a positive int, got {value!r} ({type(value).__name__}).")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}.")
    return value


def conv_output_size(
    size: int, kernel_size: int, stride: int = 1, padding: str = "valid", dilation: int = 1
) -> int:
    """Return the output length along one spatial axis of a convolution or pooling layer.

    Follows Keras (``Conv2D``, ``MaxPooling2D`` ...) exactly:

    * ``"valid"`` (no padding): ``floor((size - effective_kernel) / stride) + 1`` with
      ``effective_kernel = (kernel_size - 1) * dilation + 1``.
    * ``"same"`` (zero padding so that stride 1 keeps the size): ``ceil(size / stride)``.

    For pooling pass the pool size as ``kernel_size`` *and* as ``stride`` (Keras' default
    ``strides=None`` means ``strides=pool_size``).

    Args:
        size: input length along the axis (height or width), >= 1.
        kernel_size: kernel (or pool) length along the axis, >= 1.
        stride: step between windows, >= 1.
        padding: ``"valid"`` or ``"same"`` (case-insensitive).
        dilation: dilation rate, >= 1.

    Returns:
        The output length (int, >= 1).

    Raises:
        TypeError: a size argument is not an int, or ``padding`` is not a string.
        ValueError: a size argument is < 1, ``padding`` is unknown, or with ``"valid"`` padding
            the (dilated) kernel is larger than the input.
    """
    size = _check_positive_int(size, "size")
    kernel_size = _check_positive_int(kernel_size, "kernel_size")
    stride = _check_positive_int(stride, "stride")
    dilation = _check_positive_int(dilation, "dilation")
    if not isinstance(padding, str):
        raise TypeError(f"padding must be a string, 'valid' or 'same'; got {padding!r}.")
    mode = padding.lower()
    if mode not in _PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}.")
    if mode == "same":
        return math.ceil(size / stride)
    effective = (kernel_size - 1) * dilation + 1
    if effective > size:
        raise ValueError(
            f"With padding='valid' the kernel ({kernel_size}, dilation {dilation}: {effective} "
            f"pixels wide) does not fit in an input of size {size}. Use padding='same', a smaller "
            "kernel, or fewer pooling layers before this one."
        )
    return (size - effective) // stride + 1
