# Architecture samplers for the latency dataset: NAS-Bench-101 cells, mobile blocks, encoder-decoders.
"""Pure-Python samplers (numpy only): each returns a JSON-able spec; build.py turns a spec into a
Keras model. Seeded: the same (seed, index) always gives the same spec.

NAS-Bench-101 (Ying et al. 2019), the published space: a cell is a DAG of at most 7 vertices
(input, up to 5 operation vertices, output) and at most 9 edges, upper-triangular adjacency;
operations conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3. Vertices not on an input->output path are
pruned (as the benchmark's ModelSpec does). The network: stem conv3x3 to 128 channels (scalable),
3 stacks of 3 cells, a 2x2 max-pool halving the resolution and the channels doubled between stacks,
global average pool, dense 10.

Mobile blocks: depthwise-separable (MobileNetV1), inverted residual with expansion (MobileNetV2),
optional squeeze-excite and hard-swish (MobileNetV3), random widths, kernels 3/5/7, input
resolutions 96-320.

Encoder-decoders (sample_encdec): full convolutions or BlazeFace blocks at mobile resolutions with
the ops the zoo's detectors, landmark and segmentation models have and the other two families lack:
2x2 pooled and channel-padded shortcuts, PReLU, swish, bilinear upsampling, concatenated skips,
box, mask or large Dense classifier heads.
"""
import numpy as np

NB101_OPS = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]
MAX_VERTICES = 7
MAX_EDGES = 9


def prune(matrix, ops):
    """Removes vertices not on a path from the input (0) to the output (last); None if disconnected."""
    n = len(ops)
    fwd = {0}
    for j in range(1, n):
        if any(matrix[i][j] and i in fwd for i in range(j)):
            fwd.add(j)
    bwd = {n - 1}
    for i in range(n - 2, -1, -1):
        if any(matrix[i][j] and j in bwd for j in range(i + 1, n)):
            bwd.add(i)
    keep = sorted(fwd & bwd)
    if 0 not in keep or n - 1 not in keep:
        return None
    m = [[int(matrix[a][b]) for b in keep] for a in keep]
    return m, [ops[k] for k in keep]


def sample_nb101_cell(rng):
    """A valid NAS-Bench-101 cell: (matrix, ops) with ops[0] = input, ops[-1] = output."""
    while True:
        n = int(rng.integers(3, MAX_VERTICES + 1))
        m = np.triu(rng.integers(0, 2, size=(n, n)), 1)
        ops = ["input"] + [NB101_OPS[int(k)] for k in rng.integers(0, 3, size=n - 2)] + ["output"]
        p = prune(m.tolist(), ops)
        if p is None:
            continue
        m2, ops2 = p
        edges = int(np.sum(m2))
        if edges <= MAX_EDGES and len(ops2) >= 2:
            return {"matrix": m2, "ops": ops2}


def sample_nb101(rng, resolution=32, stem_channels=128):
    return {"family": "nb101", "resolution": int(resolution), "stem_channels": int(stem_channels),
            "stacks": 3, "cells_per_stack": 3, "cell": sample_nb101_cell(rng), "classes": 10}


def _weighted(rng, values, weights=None):
    """rng.choice over values, with the focus weights (by str(value)) when given, else uniform."""
    if not weights:
        return rng.choice(values)
    p = np.array([float(weights.get(str(v), 0.0)) for v in values])
    if p.sum() <= 0:
        return rng.choice(values)
    return values[int(rng.choice(len(values), p=p / p.sum()))]


def _round8(x):
    """x rounded to a multiple of 8 channels, at least 8."""
    return int(max(8, round(float(x) / 8) * 8))


def sample_mobile(rng, min_res=96, max_res=320, width_scale=1.0, focus=None):
    """A mobile-block architecture. `focus` (profiles/gen/adaptive.py): weights by value for
    "resolutions" and "kernels", so sampling concentrates where the predictor errs."""
    focus = focus or {}
    res = int(_weighted(rng, list(range(min_res, max_res + 1, 32)), focus.get("resolutions")))
    act = str(rng.choice(["relu", "relu6", "hard_swish"]))
    blocks = []
    h = res // 2
    stem = _round8(int(rng.choice([16, 24, 32])) * width_scale)
    c = stem
    for _ in range(int(rng.integers(4, 11))):
        kind = str(rng.choice(["ds", "ir", "ir_se"]))
        stride = 2 if (h > 7 and rng.random() < 0.35) else 1
        out = _round8(c * float(rng.choice([1.0, 1.0, 1.5, 2.0])) * width_scale) if stride == 2 \
            else int(rng.choice([c, c, _round8(c * 1.5)]))
        out = min(out, int(320 * max(width_scale, 0.25)))
        blocks.append({"kind": kind, "kernel": int(_weighted(rng, [3, 5, 7], focus.get("kernels"))), "stride": stride,
                       "expansion": int(rng.choice([1, 3, 4, 6])) if kind != "ds" else 1,
                       "out": out, "act": str(rng.choice([act, act, "relu"])),
                       "se_ratio": 0.25 if kind == "ir_se" else 0.0})
        c = out
        h = (h + stride - 1) // stride
    return {"family": "mobile", "resolution": res, "stem_channels": stem,
            "stem_act": act, "blocks": blocks, "head_channels": int(max(16, round(c * 2 / 8) * 8)), "classes": 10}


def sample_encdec(rng, min_res=96, max_res=320, width_scale=1.0):
    """An encoder(-decoder) at mobile resolutions, the zoo's detectors, landmark and segmentation
    models in miniature: a stem conv (kernel 3/5/7, stride 2), 2-4 encoder levels, then either a
    classifier head (global average pool, an optional hidden Dense with ReLU, Dense to 10-1001
    classes) or a decoder (per level: bilinear 2x upsampling, concatenation with the encoder's skip,
    a conv) and a box head (1x1 conv to anchors x values, reshaped to [1, boxes, values]) or a mask
    head (bilinear 2x upsampling, a 3x3 conv to 4-16 channels, a conv to one channel and a sigmoid:
    the full-resolution segmentation heads of the zoo's landmark and selfie models).
    An encoder level is full convolutions ("conv": a stride-2 conv, then 0-2 residual pairs of 3x3
    or 1x1 convs and an Add; up to 1024 channels) or BlazeFace blocks ("blaze": depthwise + 1x1 conv added to a shortcut that is
    max-pooled 2x2 where the block strides and zero-padded on channels where it widens; 0-3 more
    stride-1 blocks, each `grow` channels wider). Activations include PReLU (MediaPipe's models) and
    swish (x * sigmoid(x), EfficientNet's).
    Resolutions are multiples of 32, so every skip matches."""
    lo, hi = (min_res + 31) // 32 * 32, max(32, max_res // 32 * 32)
    res = int(rng.choice(list(range(lo, max(lo, hi) + 1, 32))))
    act = str(rng.choice(["relu", "relu6", "hard_swish", "prelu", "swish"]))
    cap = int(1024 * max(width_scale, 0.25))
    stem = _round8(int(rng.choice([16, 24, 32, 48, 64])) * width_scale)
    levels, c, h = [], stem, res // 2
    skips = [stem]  # the stem's and each level's output channels (skips[-2 - d]: decoder level d's skip)
    for _ in range(int(rng.integers(2, 5))):
        if h % 2 or h < 4:
            break
        out = min(_round8(c * float(rng.choice([1.5, 2.0]))), cap)
        if rng.random() < 0.5:
            lv = {"block": "conv", "out": out, "kernel": int(rng.choice([3, 3, 5])), "residual": int(rng.integers(0, 3)),
                  "residual_kernel": int(rng.choice([1, 3])), "act": str(rng.choice([act, "relu"]))}
            c = out
        else:
            lv = {"block": "blaze", "out": out, "kernel": int(rng.choice([3, 5])), "residual": int(rng.integers(0, 4)),
                  "grow": int(rng.choice([0, 0, 4, 8])), "act": str(rng.choice(["relu", "prelu"]))}
            c = out + lv["residual"] * lv["grow"]
        levels.append(lv)
        skips.append(c)
        h //= 2
    spec = {"family": "encdec", "resolution": res, "stem_channels": stem, "stem_kernel": int(rng.choice([3, 5, 7])),
            "stem_act": act, "levels": levels}
    head = rng.random()
    if head < 0.4:
        spec["head"] = {"kind": "classes", "hidden": int(rng.choice([0, 128, 256, 512, 1024, 1280])),
                        "classes": int(rng.choice([10, 100, 1000, 1001]))}
        spec["decoder"] = []
    else:
        spec["decoder"] = [{"out": _round8(skips[-2 - d] * float(rng.choice([0.5, 1.0]))), "kernel": int(rng.choice([1, 3])),
                            "act": str(rng.choice([act, "relu"]))}
                           for d in range(int(rng.integers(1, len(levels) + 1)))]
        spec["head"] = {"kind": "boxes", "anchors": int(rng.choice([1, 2, 3, 6])), "values": int(rng.choice([1, 2, 4, 16]))} \
            if head < 0.7 else {"kind": "mask", "channels": int(rng.choice([4, 8, 16])), "kernel": int(rng.choice([1, 3]))}
    return spec
