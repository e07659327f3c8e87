# Builds a Keras model from an architecture spec (archs.py) and converts it to .tflite.
"""BN is folded: every conv has a bias and no BatchNormalization (what the converter would fold).
NAS-Bench-101 channel rule (the benchmark's compute_vertex_channels): the output's channels are
split evenly over the vertices feeding it (concatenated), a vertex fed by the input gets a 1x1
projection of it, and vertex inputs are summed. Where the benchmark truncates a wider input to a
narrower vertex (a channel slice, which hetsched does not import), a 1x1 projection is used instead.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from quiet_fds import QuietFds as _Quiet  # noqa: E402


def _act(keras, x, act):
    L = keras.layers
    if act == "relu":
        return L.ReLU()(x)
    if act == "relu6":
        return L.ReLU(max_value=6.0)(x)
    if act == "hard_swish":
        return L.Multiply()([x, L.ReLU(max_value=6.0)(L.Lambda(lambda t: t + 3.0)(x)) * (1.0 / 6.0)])
    if act == "prelu":
        return L.PReLU(shared_axes=[1, 2])(x)
    if act == "swish":
        return L.Activation("swish")(x)
    return x


def _conv(keras, x, ch, k, stride=1, act="relu"):
    y = keras.layers.Conv2D(ch, k, strides=stride, padding="same", use_bias=True)(x)
    return _act(keras, y, act)


def _vertex_channels(matrix, out_channels):
    """Channels per vertex (benchmark rule): the output split over the vertices feeding it."""
    n = len(matrix)
    ch = [0] * n
    ch[0] = -1
    ch[n - 1] = out_channels
    feeders = [i for i in range(1, n - 1) if matrix[i][n - 1]]
    if feeders:
        per, extra = divmod(out_channels, len(feeders))
        for j, i in enumerate(feeders):
            ch[i] = per + (1 if j < extra else 0)
    # Vertices not feeding the output directly take the widest of their successors.
    for i in range(n - 2, 0, -1):
        if not matrix[i][n - 1]:
            ch[i] = max([ch[j] for j in range(i + 1, n - 1) if matrix[i][j]] or [out_channels])
    return ch


def _cell(keras, x, cell, out_channels):
    L = keras.layers
    m, ops = cell["matrix"], cell["ops"]
    n = len(ops)
    ch = _vertex_channels(m, out_channels)
    vals = [x] + [None] * (n - 1)
    for j in range(1, n - 1):
        ins = []
        for i in range(j):
            if not m[i][j]:
                continue
            v = vals[i]
            if i == 0 or int(v.shape[-1]) != ch[j]:
                v = _conv(keras, v, ch[j], 1)  # projection (input) or width change (benchmark: truncation)
            ins.append(v)
        y = ins[0] if len(ins) == 1 else L.Add()(ins)
        op = ops[j]
        if op == "conv3x3-bn-relu":
            y = _conv(keras, y, ch[j], 3)
        elif op == "conv1x1-bn-relu":
            y = _conv(keras, y, ch[j], 1)
        else:
            y = L.MaxPooling2D(3, strides=1, padding="same")(y)
        vals[j] = y
    feeders = [vals[i] for i in range(1, n - 1) if m[i][n - 1]]
    out = feeders[0] if len(feeders) == 1 else (L.Concatenate()(feeders) if feeders else None)
    if m[0][n - 1]:
        proj = _conv(keras, x, out_channels, 1)
        out = proj if out is None else L.Add()([out, proj])
    return out


def build_nb101(keras, spec):
    L = keras.layers
    r = spec["resolution"]
    inp = keras.Input(shape=(r, r, 3), batch_size=1, name="input")
    c = spec["stem_channels"]
    x = _conv(keras, inp, c, 3)
    for s in range(spec["stacks"]):
        if s > 0:
            x = L.MaxPooling2D(2, strides=2, padding="same")(x)
            c *= 2
        for _ in range(spec["cells_per_stack"]):
            x = _cell(keras, x, spec["cell"], c)
    x = L.GlobalAveragePooling2D()(x)
    x = L.Dense(spec["classes"])(x)
    return keras.Model(inp, x)


def _se(keras, x, ratio):
    L = keras.layers
    c = int(x.shape[-1])
    s = L.GlobalAveragePooling2D(keepdims=True)(x)
    s = L.Conv2D(max(8, int(c * ratio)), 1, use_bias=True)(s)
    s = L.ReLU()(s)
    s = L.Conv2D(c, 1, use_bias=True, activation="sigmoid")(s)
    return L.Multiply()([x, s])


def build_mobile(keras, spec):
    L = keras.layers
    r = spec["resolution"]
    inp = keras.Input(shape=(r, r, 3), batch_size=1, name="input")
    x = _conv(keras, inp, spec["stem_channels"], 3, stride=2, act=spec["stem_act"])
    for b in spec["blocks"]:
        cin = int(x.shape[-1])
        if b["kind"] == "ds":
            y = L.DepthwiseConv2D(b["kernel"], strides=b["stride"], padding="same", use_bias=True)(x)
            y = _act(keras, y, b["act"])
            y = _conv(keras, y, b["out"], 1, act=b["act"])
        else:
            y = x
            if b["expansion"] > 1:
                y = _conv(keras, y, cin * b["expansion"], 1, act=b["act"])
            y = L.DepthwiseConv2D(b["kernel"], strides=b["stride"], padding="same", use_bias=True)(y)
            y = _act(keras, y, b["act"])
            if b["se_ratio"] > 0:
                y = _se(keras, y, b["se_ratio"])
            y = _conv(keras, y, b["out"], 1, act="none")
            if b["stride"] == 1 and cin == b["out"]:
                y = L.Add()([x, y])
        x = y
    x = _conv(keras, x, spec["head_channels"], 1, act=spec["stem_act"])
    x = L.GlobalAveragePooling2D()(x)
    x = L.Dense(spec["classes"])(x)
    return keras.Model(inp, x)

def _blaze(keras, x, out, kernel, stride, act):
    """A BlazeFace block: depthwise + 1x1 conv, added to the shortcut (max-pooled where it strides,
    zero-padded on channels where the block widens), then the activation."""
    L = keras.layers
    cin = int(x.shape[-1])
    y = L.DepthwiseConv2D(kernel, strides=stride, padding="same", use_bias=True)(x)
    y = _conv(keras, y, out, 1, act="none")
    s = x
    if stride == 2:
        s = L.MaxPooling2D(2, strides=2, padding="same")(s)
    if out > cin:
        s = L.Lambda(lambda t, extra=out - cin: keras.ops.pad(t, [[0, 0], [0, 0], [0, 0], [0, extra]]))(s)
    return _act(keras, L.Add()([y, s]), act)


def build_encdec(keras, spec):
    L = keras.layers
    r = spec["resolution"]
    inp = keras.Input(shape=(r, r, 3), batch_size=1, name="input")
    x = _conv(keras, inp, spec["stem_channels"], spec["stem_kernel"], stride=2, act=spec["stem_act"])
    skips = [x]
    for lv in spec["levels"]:
        if lv["block"] == "blaze":
            x = _blaze(keras, x, lv["out"], lv["kernel"], 2, lv["act"])
            for r in range(lv["residual"]):
                x = _blaze(keras, x, lv["out"] + (r + 1) * lv["grow"], lv["kernel"], 1, lv["act"])
        else:
            x = _conv(keras, x, lv["out"], lv["kernel"], stride=2, act=lv["act"])
            for _ in range(lv["residual"]):
                y = _conv(keras, x, lv["out"], lv["residual_kernel"], act=lv["act"])
                y = _conv(keras, y, lv["out"], lv["residual_kernel"], act="none")
                x = L.Add()([x, y])
        skips.append(x)
    head = spec["head"]
    if head["kind"] == "classes":
        x = L.GlobalAveragePooling2D()(x)
        if head["hidden"] > 0:
            x = L.Dense(head["hidden"], activation="relu")(x)
        x = L.Dense(head["classes"])(x)
        return keras.Model(inp, x)
    for d, dec in enumerate(spec["decoder"]):
        x = L.UpSampling2D(2, interpolation="bilinear")(x)
        x = L.Concatenate()([x, skips[-2 - d]])
        x = _conv(keras, x, dec["out"], dec["kernel"], act=dec["act"])
    if head["kind"] == "mask":
        x = L.UpSampling2D(2, interpolation="bilinear")(x)
        x = _conv(keras, x, head["channels"], 3, act="relu")
        x = L.Conv2D(1, head["kernel"], padding="same", use_bias=True, activation="sigmoid")(x)
        return keras.Model(inp, x)
    x = _conv(keras, x, head["anchors"] * head["values"], 1, act="none")
    x = L.Reshape((-1, head["values"]))(x)
    return keras.Model(inp, x)


BUILDERS = {"nb101": build_nb101, "mobile": build_mobile, "encdec": build_encdec}


def to_tflite(spec, seed):
    with _Quiet():
        import keras
        import tensorflow as tf
        keras.backend.clear_session()
        keras.utils.set_random_seed(int(seed))
        model = BUILDERS[spec["family"]](keras, spec)
        conv = tf.lite.TFLiteConverter.from_keras_model(model)
        conv.optimizations = []
        return conv.convert()

