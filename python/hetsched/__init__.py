"""hetsched: run TensorFlow Lite (.tflite) models on the CPU, the Vulkan GPU, or both at once.

    import hetsched
    model = hetsched.Model("models/mobilenet_v2.tflite")
    session = hetsched.Session(model, policy="auto")
    (probs,) = session.run([image])          # or session.run({"input_1": image})
    session.last_report()                    # one dict per step: op, device, start/end ms

Errors are `hetsched.Error` subclasses, one per C++ error kind (InvalidModelError,
UnsupportedError, InvalidArgumentError (also a ValueError), ResourceExhaustedError,
DeviceUnavailableError, InternalError), carrying the C++ message (model, op, tensor).
`hetsched.Interpreter` is a drop-in for LiteRT's `Interpreter` (see hetsched/interpreter.py).
"""
from __future__ import annotations

from ._hetsched import (
    DeviceUnavailableError,
    Error,
    InternalError,
    InvalidArgumentError,
    InvalidModelError,
    ResourceExhaustedError,
    UnsupportedError,
    cpu_simd_target,
)
from ._api import Model, Session, TensorSpec, devices
from .interpreter import Interpreter

__version__ = "0.1.0"

__all__ = [
    "Model",
    "Session",
    "TensorSpec",
    "Interpreter",
    "devices",
    "cpu_simd_target",
    "Error",
    "InvalidModelError",
    "UnsupportedError",
    "InvalidArgumentError",
    "ResourceExhaustedError",
    "DeviceUnavailableError",
    "InternalError",
]
