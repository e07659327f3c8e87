#!/usr/bin/env python3
# Rewrites MediaPipe's custom Convolution2DTransposeBias as a builtin TRANSPOSE_CONV so LiteRT can run the model.
"""Usage: replace_custom_transpose.py MODEL.tflite [OUT.tflite]   (default OUT: MODEL.litert.tflite)

The custom op (MediaPipe selfie segmentation) takes (input, weights [O,KH,KW,I], bias [O]) and
12 bytes of options: int32 padding (TfLitePadding: 1 = SAME, 2 = VALID), stride_w, stride_h.
Builtin TRANSPOSE_CONV takes (output_shape int32 [4], weights [O,KH,KW,I], input, bias) with
TransposeConvOptions{padding, stride_w, stride_h}; the bias input needs op version 3.
The weights and bias stay behind their DEQUANTIZE ops (fp16 constants), which LiteRT handles.
Writes the file only when its content would change; exits non-zero if the model has no such op.
"""
import struct
import sys
from pathlib import Path

import numpy as np
from ai_edge_litert import schema_py_generated as schema
from ai_edge_litert.tools import flatbuffer_utils

CUSTOM_CODE = "Convolution2DTransposeBias"
TFLITE_PADDING = {1: schema.Padding.SAME, 2: schema.Padding.VALID}  # TfLitePadding -> schema Padding
TRANSPOSE_CONV_BIAS_VERSION = 3


def _custom_code(code) -> str:
    c = code.customCode
    return c.decode() if isinstance(c, bytes) else (c or "")


def rewrite(model) -> int:
    """Replaces every custom transpose op in place; returns how many were replaced."""
    custom_idx = [i for i, c in enumerate(model.operatorCodes)
                  if max(c.builtinCode, c.deprecatedBuiltinCode) == schema.BuiltinOperator.CUSTOM
                  and _custom_code(c) == CUSTOM_CODE]
    if not custom_idx:
        return 0
    code = schema.OperatorCodeT()
    code.builtinCode = schema.BuiltinOperator.TRANSPOSE_CONV
    code.deprecatedBuiltinCode = schema.BuiltinOperator.TRANSPOSE_CONV
    code.version = TRANSPOSE_CONV_BIAS_VERSION
    model.operatorCodes.append(code)
    new_code_idx = len(model.operatorCodes) - 1

    replaced = 0
    for sg in model.subgraphs:
        for op in sg.operators:
            if op.opcodeIndex not in custom_idx:
                continue
            opts = bytes(op.customOptions) if op.customOptions is not None else b""
            if len(opts) != 12:
                sys.exit(f"{CUSTOM_CODE}: expected 12 bytes of options, got {len(opts)}")
            padding, stride_w, stride_h = struct.unpack("<3i", opts)
            if padding not in TFLITE_PADDING:
                sys.exit(f"{CUSTOM_CODE}: unknown padding {padding}")
            x, w, b = (int(i) for i in op.inputs)
            out = int(op.outputs[0])
            out_shape = np.asarray(sg.tensors[out].shape, dtype=np.int32)
            if len(out_shape) != 4 or len(sg.tensors[w].shape) != 4:
                sys.exit(f"{CUSTOM_CODE}: expected 4-D output and weights")

            # The output_shape constant: a new buffer and a new int32 tensor.
            buf = schema.BufferT()
            buf.data = np.frombuffer(out_shape.astype("<i4").tobytes(), dtype=np.uint8)
            model.buffers.append(buf)
            t = schema.TensorT()
            t.shape = np.asarray([4], dtype=np.int32)
            t.type = schema.TensorType.INT32
            t.buffer = len(model.buffers) - 1
            name = sg.tensors[out].name
            t.name = (name.decode() if isinstance(name, bytes) else name) + "/output_shape"
            sg.tensors.append(t)
            shape_idx = len(sg.tensors) - 1

            options = schema.TransposeConvOptionsT()
            options.padding = TFLITE_PADDING[padding]
            options.strideW = stride_w
            options.strideH = stride_h
            options.fusedActivationFunction = schema.ActivationFunctionType.NONE
            op.opcodeIndex = new_code_idx
            op.inputs = np.asarray([shape_idx, w, x, b], dtype=np.int32)
            op.builtinOptionsType = schema.BuiltinOptions.TransposeConvOptions
            op.builtinOptions = options
            op.customOptions = None
            op.customOptionsFormat = schema.CustomOptionsFormat.FLEXBUFFERS
            replaced += 1
    return replaced


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    src = Path(sys.argv[1])
    dst = Path(sys.argv[2]) if len(sys.argv) == 3 else src.with_suffix(".litert.tflite")
    model = flatbuffer_utils.read_model(str(src))
    n = rewrite(model)
    if n == 0:
        print(f"replace_custom_transpose: {src}: no {CUSTOM_CODE} op", file=sys.stderr)
        return 1
    data = bytes(flatbuffer_utils.convert_object_to_bytearray(model))
    if not dst.is_file() or dst.read_bytes() != data:
        tmp = dst.with_name("." + dst.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(dst)
    print(f"replace_custom_transpose: {src.name} -> {dst.name} ({n} op replaced)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
