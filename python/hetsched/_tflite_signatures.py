"""Reads what LiteRT's interpreter reports from a .tflite file and hetsched's prepared graph no
longer has: the file's own tensor indices of subgraph 0's inputs and outputs (import folds and
renumbers tensors) and the SignatureDefs, with a minimal flatbuffer walker (no dependency on the
flatbuffers package). Only the fields below are read:

    table Model        { subgraphs: [SubGraph] (field 2); ...; signature_defs: [SignatureDef] (7) }
    table SubGraph     { tensors (0); inputs: [int] (1); outputs: [int] (2); ... }
    table SignatureDef { inputs: [TensorMap] (0); outputs: [TensorMap] (1); signature_key: string (2);
                         subgraph_index: uint (4) }
    table TensorMap    { name: string (0); tensor_index: uint (1) }
"""
from __future__ import annotations

import struct
from typing import Dict, List, Optional, Tuple

Signature = Dict[str, List[Tuple[str, int]]]  # {"inputs": [(name, tensor index)], "outputs": [...]}


class _Buffer:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def u32(self, pos: int) -> int:
        return struct.unpack_from("<I", self.data, pos)[0]

    def field(self, table: int, index: int) -> Optional[int]:
        """Position of field `index` of the table at `table`, or None when absent."""
        vtable = table - struct.unpack_from("<i", self.data, table)[0]
        vsize = struct.unpack_from("<H", self.data, vtable)[0]
        slot = 4 + 2 * index
        if slot >= vsize:
            return None
        off = struct.unpack_from("<H", self.data, vtable + slot)[0]
        return table + off if off else None

    def deref(self, pos: int) -> int:
        return pos + self.u32(pos)

    def tables(self, table: int, index: int) -> List[int]:
        pos = self.field(table, index)
        if pos is None:
            return []
        vec = self.deref(pos)
        return [self.deref(vec + 4 + 4 * i) for i in range(self.u32(vec))]

    def ints(self, table: int, index: int) -> List[int]:
        pos = self.field(table, index)
        if pos is None:
            return []
        vec = self.deref(pos)
        return list(struct.unpack_from(f"<{self.u32(vec)}i", self.data, vec + 4))

    def string(self, table: int, index: int) -> str:
        pos = self.field(table, index)
        if pos is None:
            return ""
        s = self.deref(pos)
        return self.data[s + 4:s + 4 + self.u32(s)].decode("utf-8")

    def uint(self, table: int, index: int) -> int:
        pos = self.field(table, index)
        return 0 if pos is None else self.u32(pos)


def read_signatures(data: bytes) -> Dict[str, Signature]:
    """{signature_key: {"inputs": [(name, tensor_index)], "outputs": [...]}} of subgraph 0, in
    the file's order; {} for a model without SignatureDefs (e.g. the MediaPipe models)."""
    buf = _Buffer(data)
    model = buf.deref(0)
    out: Dict[str, Signature] = {}
    for sig in buf.tables(model, 7):
        if buf.uint(sig, 4) != 0:
            continue  # another subgraph: hetsched runs subgraph 0 only
        out[buf.string(sig, 2)] = {
            "inputs": [(buf.string(t, 0), buf.uint(t, 1)) for t in buf.tables(sig, 0)],
            "outputs": [(buf.string(t, 0), buf.uint(t, 1)) for t in buf.tables(sig, 1)],
        }
    return out


def read_io_indices(data: bytes) -> Tuple[List[int], List[int]]:
    """(input tensor indices, output tensor indices) of subgraph 0, as numbered in the file."""
    buf = _Buffer(data)
    subgraphs = buf.tables(buf.deref(0), 2)
    if not subgraphs:
        return [], []
    return buf.ints(subgraphs[0], 1), buf.ints(subgraphs[0], 2)
