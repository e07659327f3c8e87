"""A drop-in for LiteRT's interpreter: an app switches by changing its import,

    from ai_edge_litert.interpreter import Interpreter   ->   from hetsched import Interpreter

and may pass policy= ("cpu", "gpu", "auto", "ratio=R[:rows]", "plan=FILE"). The details dicts
have LiteRT's keys and values (name, index as numbered in the .tflite file, shape,
shape_signature, dtype, quantization, quantization_parameters, sparsity_parameters). What
hetsched cannot do (delegates, resizing inputs, reading intermediate tensors, other subgraphs)
raises hetsched.UnsupportedError saying so. Shape and dtype errors raise InvalidArgumentError,
a ValueError as in LiteRT.
"""
from __future__ import annotations

import os
import tempfile
from typing import Any, Callable, Dict, List, Optional

import numpy as np

from ._api import Model, Session, devices
from ._hetsched import InvalidArgumentError, UnsupportedError
from ._tflite_signatures import read_io_indices, read_signatures

def _default_policy() -> str:
    """policy=None: `auto` where a usable Vulkan device exists, else `cpu` (LiteRT runs anywhere)."""
    return "auto" if any(d.get("usable") for d in devices()) else "cpu"


class Interpreter:
    """LiteRT's `Interpreter(model_path=..., model_content=..., num_threads=...)`, run by hetsched.

    Extra arguments: policy (None = "auto" when a usable Vulkan device exists, else "cpu"),
    device, precision, tune (as hetsched.Session). num_threads=None uses every hardware thread.
    """

    def __init__(
        self,
        model_path: Optional[str] = None,
        model_content: Optional[bytes] = None,
        experimental_delegates: Optional[List[Any]] = None,
        num_threads: Optional[int] = None,
        experimental_preserve_all_tensors: bool = False,
        policy: Optional[str] = None,
        device: Optional[int] = None,
        precision: str = "fp32",
        tune: bool = True,
        **experimental: Any,
    ) -> None:
        if experimental_delegates:
            raise UnsupportedError("hetsched.Interpreter: experimental_delegates are not supported (hetsched is "
                                   "its own CPU+GPU runtime; choose the processors with policy=)")
        if experimental_preserve_all_tensors:
            raise UnsupportedError("hetsched.Interpreter: experimental_preserve_all_tensors is not supported "
                                   "(intermediate tensors live in a shared arena and are overwritten)")
        # The other experimental_* options tune LiteRT's own CPU path: accepted and ignored.
        unknown = [k for k in experimental if not k.startswith("experimental_")]
        if unknown:
            raise TypeError(f"Interpreter() got unexpected keyword arguments {unknown}")
        if (model_path is None) == (model_content is None):
            raise InvalidArgumentError("hetsched.Interpreter: give exactly one of model_path and model_content")
        if num_threads is not None and num_threads < 1:
            raise InvalidArgumentError(f"hetsched.Interpreter: num_threads should be >= 1, got {num_threads}")
        if model_content is not None:
            self._content = bytes(model_content)
            with tempfile.TemporaryDirectory(prefix="hetsched-") as tmp:  # the loader reads files
                path = os.path.join(tmp, "model_content.tflite")
                with open(path, "wb") as f:
                    f.write(self._content)
                self._model = Model(path)
        else:
            path = os.fspath(model_path)  # type: ignore[arg-type]
            self._model = Model(path)
            with open(path, "rb") as fh:
                self._content = fh.read()
        io = read_io_indices(self._content)
        if len(io[0]) != len(self._model.inputs) or len(io[1]) != len(self._model.outputs):
            raise InvalidArgumentError(f"model '{self._model.name}': subgraph 0 lists {len(io[0])} inputs and "
                                       f"{len(io[1])} outputs, the prepared model {len(self._model.inputs)} and "
                                       f"{len(self._model.outputs)}")
        self._input_index: List[int] = list(io[0])
        self._output_index: List[int] = list(io[1])
        self._options = dict(policy=policy, threads=num_threads or 0, device=device, precision=precision, tune=tune)
        self._session: Optional[Session] = None
        # Tensor buffers by .tflite tensor index: inputs start at zero, outputs are replaced by invoke().
        self._buffers: Dict[int, np.ndarray] = {}
        for idx, spec in zip(self._input_index, self._model.inputs):
            self._buffers[idx] = np.zeros(spec.shape, np.float32)
        for idx, spec in zip(self._output_index, self._model.outputs):
            self._buffers[idx] = np.zeros(spec.shape, np.float32)

    # --- hetsched extras -------------------------------------------------------------------------
    @property
    def session(self) -> Session:
        """The hetsched Session behind the interpreter (made by allocate_tensors())."""
        self.allocate_tensors()
        assert self._session is not None
        return self._session

    @property
    def model(self) -> Model:
        return self._model

    # --- LiteRT's API ----------------------------------------------------------------------------
    def allocate_tensors(self) -> None:
        """Prepares the session (the policy's executors, GPU tuning); later calls do nothing."""
        if self._session is None:
            o = dict(self._options)
            if o["policy"] is None:
                o["policy"] = _default_policy()
            self._session = Session(self._model, **o)

    def _details(self, index: int, spec: Any) -> Dict[str, Any]:
        shape = np.array(spec.shape, dtype=np.int32)
        return {
            "name": spec.name,
            "index": index,
            "shape": shape,
            "shape_signature": shape.copy(),
            "dtype": spec.dtype.type,
            "quantization": (0.0, 0),
            "quantization_parameters": {
                "scales": np.array([], dtype=np.float32),
                "zero_points": np.array([], dtype=np.int32),
                "quantized_dimension": 0,
                "block_size": 0,
            },
            "sparsity_parameters": {},
        }

    def get_input_details(self) -> List[Dict[str, Any]]:
        return [self._details(idx, s) for idx, s in zip(self._input_index, self._model.inputs)]

    def get_output_details(self) -> List[Dict[str, Any]]:
        return [self._details(idx, s) for idx, s in zip(self._output_index, self._model.outputs)]

    def _position(self, tensor_index: int, of: List[int], what: str) -> int:
        tensor_index = int(tensor_index)
        if tensor_index in of:
            return of.index(tensor_index)
        if tensor_index in self._buffers:
            raise InvalidArgumentError(
                f"hetsched.Interpreter: tensor {tensor_index} of model '{self._model.name}' is not an {what}")
        raise UnsupportedError(
            f"hetsched.Interpreter: tensor {tensor_index} of model '{self._model.name}' is not a model input or "
            f"output; hetsched does not expose intermediate tensors (inputs {self._input_index}, outputs "
            f"{self._output_index})")

    def set_tensor(self, tensor_index: int, value: Any) -> None:
        """Copies `value` into input `tensor_index`: float32 of the input's shape exactly (LiteRT's
        rule; other dtypes and shapes raise InvalidArgumentError, a ValueError)."""
        pos = self._position(tensor_index, self._input_index, "input")
        spec = self._model.inputs[pos]
        value = np.asarray(value)
        if value.dtype != spec.dtype:
            raise InvalidArgumentError(
                f"Cannot set tensor: Got value of type {value.dtype} but expected type {spec.dtype} for input "
                f"{tensor_index} ('{spec.name}') of model '{self._model.name}'")
        if value.shape != spec.shape:
            raise InvalidArgumentError(
                f"Cannot set tensor: Dimension mismatch. Got shape {list(value.shape)} but expected "
                f"{list(spec.shape)} for input {tensor_index} ('{spec.name}') of model '{self._model.name}'")
        np.copyto(self._buffers[int(tensor_index)], value)

    def invoke(self) -> None:
        """Runs the model on the inputs set (zeros where none was set)."""
        self.allocate_tensors()
        assert self._session is not None
        outs = self._session.run([self._buffers[i] for i in self._input_index])
        for idx, out in zip(self._output_index, outs):
            self._buffers[idx] = out

    def get_tensor(self, tensor_index: int, subgraph_index: int = 0) -> np.ndarray:
        """A copy of an input or output tensor (LiteRT returns a copy too)."""
        self._check_subgraph(subgraph_index)
        idx = int(tensor_index)
        if idx not in self._buffers:
            self._position(idx, self._output_index, "output")  # raises UnsupportedError
        return self._buffers[idx].copy()

    def tensor(self, tensor_index: int) -> Callable[[], np.ndarray]:
        """A function returning the tensor's buffer itself (writes to an input's buffer are what
        the next invoke() reads; an output's buffer is replaced by each invoke())."""
        idx = int(tensor_index)
        if idx not in self._buffers:
            self._position(idx, self._output_index, "output")
        return lambda: self._buffers[idx]

    def resize_tensor_input(self, input_index: int, tensor_size: Any, strict: bool = False) -> None:
        pos = self._position(input_index, self._input_index, "input")
        if tuple(int(d) for d in tensor_size) != self._model.inputs[pos].shape:
            raise UnsupportedError(
                f"hetsched.Interpreter: resizing input {input_index} of model '{self._model.name}' to "
                f"{list(tensor_size)} is not supported (hetsched plans memory and GPU dispatches for the "
                f"model's shape {list(self._model.inputs[pos].shape)})")

    def get_tensor_details(self, subgraph_index: int = 0) -> List[Dict[str, Any]]:
        raise UnsupportedError("hetsched.Interpreter: get_tensor_details() is not supported (intermediate tensors "
                               "are not exposed); use get_input_details() / get_output_details()")

    def num_subgraphs(self) -> int:
        return 1

    def _check_subgraph(self, subgraph_index: int) -> None:
        if subgraph_index != 0:
            raise UnsupportedError(f"hetsched.Interpreter: only subgraph 0 runs, not {subgraph_index}")

    def get_signature_list(self) -> Dict[str, Dict[str, List[str]]]:
        """{signature_key: {"inputs": [names], "outputs": [names]}}, as LiteRT ({} when the
        model has no SignatureDef)."""
        return {k: {"inputs": [n for n, _ in s["inputs"]], "outputs": [n for n, _ in s["outputs"]]}
                for k, s in read_signatures(self._content).items()}

    def get_signature_runner(self, signature_key: Optional[str] = None) -> "SignatureRunner":
        sigs = read_signatures(self._content)
        if not sigs:
            raise InvalidArgumentError(f"model '{self._model.name}' has no SignatureDef")
        key = signature_key if signature_key is not None else next(iter(sigs))
        if key not in sigs:
            raise InvalidArgumentError(f"model '{self._model.name}' has no signature '{key}' (has {list(sigs)})")
        return SignatureRunner(self, sigs[key])

    def reset_all_variables(self) -> None:
        """Nothing to reset: hetsched runs models without variables."""

    def last_report(self, as_dataframe: bool = False) -> Any:
        """hetsched extra: the per-step report of the last invoke() (see Session.last_report)."""
        return self.session.last_report(as_dataframe=as_dataframe)


class SignatureRunner:
    """LiteRT's signature runner: runner(**inputs by signature name) -> {output name: array}."""

    def __init__(self, interpreter: Interpreter, signature: Dict[str, Any]) -> None:
        self._interpreter = interpreter
        self._inputs = dict(signature["inputs"])
        self._outputs = dict(signature["outputs"])

    def get_input_details(self) -> Dict[str, Dict[str, Any]]:
        details = {d["index"]: d for d in self._interpreter.get_input_details()}
        return {name: details[idx] for name, idx in self._inputs.items()}

    def get_output_details(self) -> Dict[str, Dict[str, Any]]:
        details = {d["index"]: d for d in self._interpreter.get_output_details()}
        return {name: details[idx] for name, idx in self._outputs.items()}

    def __call__(self, **kwargs: Any) -> Dict[str, np.ndarray]:
        missing = [n for n in self._inputs if n not in kwargs]
        unknown = [n for n in kwargs if n not in self._inputs]
        if missing or unknown:
            raise InvalidArgumentError(f"signature inputs are {list(self._inputs)}; missing {missing}, unknown {unknown}")
        for name, value in kwargs.items():
            self._interpreter.set_tensor(self._inputs[name], value)
        self._interpreter.invoke()
        return {name: self._interpreter.get_tensor(idx) for name, idx in self._outputs.items()}
