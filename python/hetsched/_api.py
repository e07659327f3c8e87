"""The public classes Model and Session, and devices(): typed, checked wrappers of the C++ core."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from . import _hetsched
from ._hetsched import DeviceUnavailableError, InvalidArgumentError

ArrayLike = Any  # anything np.asarray accepts
Inputs = Union[Sequence[ArrayLike], Mapping[str, ArrayLike]]


class TensorSpec(NamedTuple):
    """A model input or output: its name, shape (NHWC, as in the model) and numpy dtype."""

    name: str
    shape: Tuple[int, ...]
    dtype: np.dtype


def _specs(items: List[Dict[str, Any]]) -> List[TensorSpec]:
    return [TensorSpec(t["name"], tuple(t["shape"]), np.dtype(t["dtype"])) for t in items]


class Model:
    """A .tflite model, loaded and prepared once (imported, verified, constants folded, fused).

    Share one Model between several Sessions. Raises InvalidModelError (corrupt file),
    UnsupportedError (ops or dtypes hetsched cannot run) or InvalidArgumentError (missing file).
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"]) -> None:
        self._path = os.fspath(path)
        if not os.path.exists(self._path):
            raise InvalidArgumentError(f"model file '{self._path}' does not exist")
        self._core = _hetsched.Model(self._path)
        self._info = self._core.describe()
        self.inputs: List[TensorSpec] = _specs(self._info["inputs"])
        self.outputs: List[TensorSpec] = _specs(self._info["outputs"])

    @property
    def name(self) -> str:
        """The model's file name (used in every error message)."""
        return self._core.name

    @property
    def path(self) -> str:
        return self._path

    @property
    def op_counts(self) -> Dict[str, int]:
        """Number of ops of each type in the prepared (fused) graph."""
        return dict(self._info["op_counts"])

    @property
    def num_ops(self) -> int:
        return len(self._info["ops"])

    @property
    def macs(self) -> int:
        """Multiply-accumulates of one inference, all ops summed."""
        return int(self._info["total_macs"])

    @property
    def ops(self) -> List[Dict[str, Any]]:
        """One dict per op of the prepared graph: index, type, macs, output_shape."""
        return [dict(o) for o in self._info["ops"]]

    def __repr__(self) -> str:
        ins = ", ".join(f"{t.name}{list(t.shape)}" for t in self.inputs)
        return f"hetsched.Model('{self.name}', {self.num_ops} ops, {self.macs / 1e6:.1f} MMACs, inputs: {ins})"


def _as_input(model: Model, index: int, value: ArrayLike) -> np.ndarray:
    """One input as the C-contiguous float32 array the engine reads.

    Accepted: any array-like of the model's shape whose dtype is float32 (used as it is, copied
    only when not C-contiguous) or another floating type (float16, float64: converted to float32,
    as LiteRT's float32 input tensor would hold them). Integer, bool, complex and object arrays
    are refused, as is any other shape: InvalidArgumentError naming the model, the input and the
    expected shape.
    """
    spec = model.inputs[index]
    array = np.asarray(value)
    where = f"model '{model.name}' input {index} ('{spec.name}')"
    if array.dtype.kind != "f":
        raise InvalidArgumentError(
            f"{where}: expected {spec.dtype} (or another float dtype, converted), got dtype {array.dtype}")
    if array.shape != spec.shape:
        raise InvalidArgumentError(
            f"{where}: expected shape {list(spec.shape)} {spec.dtype}, got shape {list(array.shape)} {array.dtype}")
    return np.ascontiguousarray(array, dtype=np.float32)


class Session:
    """A model prepared for one policy, ready to run repeatedly.

    policy: "cpu", "gpu" (ops without a GPU kernel fall back to the CPU), "auto" (the CPU, the
    GPU and a plan predicted from per-op profiles are prepared; a controller picks the fastest
    by measurement and re-decides between runs when the one running slows down; see decisions),
    "auto:static" (decides once, at prepare), "ratio=R" / "ratio=R:rows" (every splittable op
    split, the CPU taking fraction R of its output slices or rows) or "plan=FILE" (a plan saved
    by `hetsched plan --save`).
    threads: CPU threads, 0 = all. device: Vulkan device index (see devices()), None = the best.
    precision: "fp32" (strict), "fp16" (GPU-only: needs policy "gpu" with every op on the GPU) or
        "mixed" (float32 tensors; the GPU's conv/FC kernels may use tensor cores with float16
        operands and float32 accumulators where the device offers cooperative matrices).
    tune: GPU workgroup tuning at prepare (cached in $HETSCHED_CACHE_DIR); False keeps defaults.

    The GIL is released while the session is prepared and while it runs: sessions in different
    threads run at the same time; one session called from several threads serializes its runs.
    """

    def __init__(
        self,
        model: Union[Model, str, "os.PathLike[str]"],
        policy: str = "auto",
        threads: int = 0,
        device: Optional[int] = None,
        precision: str = "fp32",
        tune: bool = True,
    ) -> None:
        self.model: Model = model if isinstance(model, Model) else Model(model)
        self._core = _hetsched.Session(self.model._core, policy, int(threads), device, precision, bool(tune))
        self._profiling = False

    @property
    def policy(self) -> str:
        return self._core.policy

    @property
    def threads(self) -> int:
        return self._core.threads

    @property
    def precision(self) -> str:
        return self._core.precision

    @property
    def profiling(self) -> bool:
        """Per-step GPU timestamps in last_report() (a barrier around each GPU step; off by
        default so that timed runs carry no profiling cost). CPU steps are always timed."""
        return self._profiling

    @profiling.setter
    def profiling(self, on: bool) -> None:
        self._core.set_profiling(bool(on))
        self._profiling = bool(on)

    def _ordered(self, inputs: Inputs) -> List[np.ndarray]:
        specs = self.model.inputs
        if isinstance(inputs, Mapping):
            names = [t.name for t in specs]
            unknown = [k for k in inputs if k not in names]
            missing = [n for n in names if n not in inputs]
            if unknown or missing:
                raise InvalidArgumentError(
                    f"model '{self.model.name}' has inputs {names}; "
                    + (f"unknown: {unknown}" if unknown else "")
                    + ("; " if unknown and missing else "")
                    + (f"missing: {missing}" if missing else ""))
            values = [inputs[n] for n in names]
        elif isinstance(inputs, np.ndarray) and len(specs) == 1:
            values = [inputs]  # a lone array for a one-input model
        else:
            values = list(inputs)
            if len(values) != len(specs):
                raise InvalidArgumentError(
                    f"model '{self.model.name}' has {len(specs)} inputs "
                    f"({', '.join(t.name for t in specs)}), but {len(values)} were given")
        return [_as_input(self.model, i, v) for i, v in enumerate(values)]

    def run(self, inputs: Inputs) -> List[np.ndarray]:
        """Runs the model once; returns the outputs in model order (new float32 arrays).

        inputs: a list in model input order, or a dict by input name (see _as_input for the
        accepted arrays; a one-input model also takes the array alone)."""
        return self._core.run(self._ordered(inputs))

    def run_dict(self, inputs: Inputs) -> Dict[str, np.ndarray]:
        """run(), with the outputs by name."""
        return {t.name: out for t, out in zip(self.model.outputs, self.run(inputs))}

    def last_run_ms(self) -> float:
        """Wall time of the last run (host clock), ms."""
        return float(self._core.last_report()["total_ms"])

    def last_report(self, as_dataframe: bool = False) -> Any:
        """The last run, one dict per step part: op_index, op_type, device ("cpu"/"gpu"),
        start_ms, end_ms (host clock, from the run's start), wait_ms (waiting for the other
        processor), bytes_copied. A split op has one part per processor. as_dataframe=True gives
        a pandas DataFrame (pandas must be installed)."""
        steps = self._core.last_report()["steps"]
        if not as_dataframe:
            return steps
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("last_report(as_dataframe=True) needs pandas (pip install pandas)") from e
        return pd.DataFrame(steps, columns=["op_index", "op_type", "device", "start_ms", "end_ms", "wait_ms",
                                            "bytes_copied"])

    def last_report_df(self) -> Any:
        """last_report(as_dataframe=True)."""
        return self.last_report(as_dataframe=True)

    def last_run_summary(self) -> Dict[str, Any]:
        """The last run as a whole: total_ms, runner (which executor ran it: "cpu", "gpu" or "co",
        the co-scheduled plan) and events (the `auto` controller's decisions taken right before
        it: dicts with run, session_ms, kind ("decide", "switch", "probe", "fallback"), from, to,
        reason)."""
        r = self._core.last_report()
        return {"total_ms": r["total_ms"], "runner": r["runner"], "events": r["events"]}

    @property
    def plan(self) -> Dict[str, Any]:
        """The plan the session runs now, as `hetsched plan --json` writes it (model, policy, one
        step per op: kind cpu/gpu/split, axis, boundary, predicted_ms). For cpu/gpu sessions the
        trivial plan of that policy; under adaptive `auto` it changes when the controller switches."""
        return json.loads(self._core.plan_json())

    @property
    def current_runner(self) -> str:
        """The executor the next run uses: "cpu", "gpu" or "co" (the co-scheduled plan)."""
        return self._core.current_runner()

    @property
    def decisions(self) -> List[Dict[str, Any]]:
        """Every decision of the `auto` controller so far (see last_run_summary's events);
        empty for the other policies."""
        return list(self._core.decisions())

    @property
    def tuning(self) -> Dict[str, Any]:
        """What GPU workgroup tuning did while the session was prepared (all zero without it):
        enabled, kernels, shapes_timed, cache_hits, changed, deferred, precompiled (candidate
        pipelines other threads compiled ahead of the timing loop), timed_default_us, timed_best_us, tuning_ms,
        tensor_core_kernels (GPU kernels running on tensor cores after tuning's choice)."""
        return dict(self._core.tuning())

    def __repr__(self) -> str:
        return f"hetsched.Session('{self.model.name}', policy='{self.policy}', threads={self.threads})"


def devices() -> List[Dict[str, Any]]:
    """The Vulkan devices (as `hetsched devices --json`: index, name, type, driver, usable,
    limits, features, memory), each with "selected": True on the one a session would pick.
    An empty list when there is no Vulkan device at all."""
    try:
        listing = json.loads(_hetsched.devices_json())
    except DeviceUnavailableError:
        return []
    for d in listing["devices"]:
        d["selected"] = d["index"] == listing["selected"]
    return listing["devices"]
