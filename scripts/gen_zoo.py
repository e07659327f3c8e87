#!/usr/bin/env python3
# Generates the Keras part of the model zoo (random weights, fixed seed) as float32 .tflite files.
"""Usage: gen_zoo.py [--models DIR] [--force] [NAME...]

Models (batch 1, float32, weights=None so nothing downloads): MobileNetV1, MobileNetV2,
MobileNetV3-Large (no preprocessing), EfficientNet-B0 (Rescaling/Normalization stem cut off),
ResNet-50 at 224x224, and a small U-Net (256x256, Conv2DTranspose decoder, concatenation skips).
Converted with tf.lite.TFLiteConverter, no optimizations. Every generated model must use only
zoo_manifest.ALLOWED_GENERATED_OPS; generation fails otherwise.

Cache: models/generated.json records, per model, the sha256 of the file and a key (hash of this
script, the manifest and requirements.txt). A model is regenerated only when its file is missing,
its sha256 differs from the record, or the key changed (or --force).
"""
import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from zoo_manifest import ALLOWED_GENERATED_OPS, GENERATED_MODELS, GENERATOR_SEED  # noqa: E402
from quiet_fds import QuietFds as _Quiet  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # deterministic float math on every x86 host


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cache_key() -> str:
    h = hashlib.sha256()
    for p in (HERE / "gen_zoo.py", HERE / "zoo_manifest.py", ROOT / "requirements.txt"):
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


# ---- model builders (each returns a keras.Model with a batch-1 input) ----

def _input(keras, shape):
    return keras.Input(shape=shape, batch_size=1, name="input")


def mobilenet_v1(keras):
    return keras.applications.MobileNet(input_tensor=_input(keras, (224, 224, 3)), weights=None)


def mobilenet_v2(keras):
    return keras.applications.MobileNetV2(input_tensor=_input(keras, (224, 224, 3)), weights=None)


def mobilenet_v3_large(keras):
    return keras.applications.MobileNetV3Large(input_tensor=_input(keras, (224, 224, 3)), weights=None,
                                               include_preprocessing=False)


def efficientnet_b0(keras):
    full = keras.applications.EfficientNetB0(input_tensor=_input(keras, (224, 224, 3)), weights=None)
    # Cut off the Rescaling + Normalization stem: the sub-model starts at the first layer after them.
    layers = full.layers
    first = next(i for i, l in enumerate(layers)
                 if not isinstance(l, (keras.layers.InputLayer, keras.layers.Rescaling, keras.layers.Normalization)))
    inp = _input(keras, (224, 224, 3))
    # Re-apply the remaining layers in order on the new input (EfficientNet's graph is a DAG whose
    # layers are listed in topological order; each node's inputs are looked up by tensor id).
    tensors = {id(layers[first - 1].output): inp}
    for layer in layers[first:]:
        node = layer._inbound_nodes[0]
        args = [tensors[id(t)] for t in node.input_tensors]
        out = layer(args[0] if len(args) == 1 else args)
        tensors[id(layer.output)] = out
    return keras.Model(inp, tensors[id(full.output)], name="efficientnet_b0")


def resnet50(keras):
    return keras.applications.ResNet50(input_tensor=_input(keras, (224, 224, 3)), weights=None)


def unet_seg(keras):
    """A small U-Net: 4 stride-2 encoder stages, 4 Conv2DTranspose decoder stages with skips."""
    L = keras.layers
    x = inp = _input(keras, (256, 256, 3))
    skips = []
    for ch in (16, 32, 64, 96):
        x = L.Conv2D(ch, 3, padding="same", activation="relu")(x)
        skips.append(x)
        x = L.Conv2D(ch, 3, strides=2, padding="same", activation="relu")(x)
    x = L.Conv2D(128, 3, padding="same", activation="relu")(x)
    x = L.DepthwiseConv2D(3, padding="same", activation="relu6")(x)
    for ch, skip in zip((96, 64, 32, 16), reversed(skips)):
        x = L.Conv2DTranspose(ch, 2, strides=2, padding="same")(x)
        x = L.Concatenate()([x, skip])
        x = L.Conv2D(ch, 3, padding="same", activation="relu")(x)
    x = L.Conv2DTranspose(8, 3, strides=1, padding="same", activation="relu")(x)
    out = L.Conv2D(2, 1, activation="sigmoid", name="mask")(x)
    return keras.Model(inp, out, name="unet_seg")


def calibrate_batchnorm(keras, model, seed: int) -> None:
    """Gives every layer with a bias random non-zero biases, then conditions the random network: one
    eager forward pass over random inputs in graph order; each BatchNormalization gets random
    gamma/beta and, as moving mean/variance, the actual statistics of its input. Without this the
    activations of the deep nets decay so far that every classifier outputs a uniform softmax
    (1/1000 everywhere), which would make comparisons vacuous."""
    import numpy as np
    from keras import tree
    rng = np.random.default_rng(seed)
    # Non-zero biases: the converter drops all-zero ones, and the kernels' bias paths need testing.
    for layer in model.layers:
        bias = getattr(layer, "bias", None)
        if bias is not None and hasattr(bias, "assign"):
            bias.assign(rng.uniform(-0.1, 0.1, tuple(bias.shape)).astype(np.float32))
    x = rng.uniform(-1.0, 1.0, size=(4, *model.inputs[0].shape[1:])).astype(np.float32)
    values = {id(model.inputs[0]): keras.ops.convert_to_tensor(x)}
    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            layer = node.operation
            if isinstance(layer, keras.layers.InputLayer) or not node.input_tensors:
                continue
            args, kwargs = node.arguments.fill_in(values)
            if isinstance(layer, keras.layers.BatchNormalization):
                a = keras.ops.convert_to_numpy(args[0]).astype(np.float64)
                axes = tuple(i for i in range(a.ndim) if i != a.ndim - 1)
                c = a.shape[-1]
                layer.gamma.assign(rng.uniform(0.5, 1.5, c).astype(np.float32))
                layer.beta.assign(rng.uniform(-0.2, 0.2, c).astype(np.float32))
                layer.moving_mean.assign(a.mean(axis=axes).astype(np.float32))
                layer.moving_variance.assign(np.maximum(a.var(axis=axes), 1e-6).astype(np.float32))
            out = layer(*args, **kwargs)
            for t, v in zip(tree.flatten(node.outputs), tree.flatten(out)):
                values[id(t)] = v


BUILDERS = {f.__name__: f for f in (mobilenet_v1, mobilenet_v2, mobilenet_v3_large, efficientnet_b0, resnet50, unet_seg)}
assert list(BUILDERS) == GENERATED_MODELS

def generate(name: str) -> bytes:
    with _Quiet():
        import tensorflow as tf
        import keras
        # Fresh layer-name counters so names (and bytes) do not depend on what was built before.
        keras.backend.clear_session()
        keras.utils.set_random_seed(GENERATOR_SEED + GENERATED_MODELS.index(name))
        model = BUILDERS[name](keras)
        calibrate_batchnorm(keras, model, GENERATOR_SEED + GENERATED_MODELS.index(name))
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        converter.optimizations = []
        return converter.convert()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=ROOT / "models")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("names", nargs="*", default=GENERATED_MODELS)
    args = ap.parse_args()
    args.models.mkdir(parents=True, exist_ok=True)
    record_path = args.models / "generated.json"
    record = json.loads(record_path.read_text()) if record_path.is_file() else {}
    key = cache_key()

    from list_ops import describe
    for name in args.names:
        if name not in BUILDERS:
            sys.exit(f"gen_zoo: unknown model {name} (known: {', '.join(GENERATED_MODELS)})")
        path = args.models / f"{name}.tflite"
        rec = record.get(name, {})
        if (not args.force and rec.get("key") == key and path.is_file()
                and _sha(path.read_bytes()) == rec.get("sha256")):
            continue
        print(f"gen_zoo: generating {name}", flush=True)
        data = generate(name)
        tmp = args.models / f".{name}.tflite.tmp"
        tmp.write_bytes(data)
        ops = describe(tmp)["ops"]
        bad = sorted(set(ops) - ALLOWED_GENERATED_OPS)
        if bad:
            sys.exit(f"gen_zoo: {name} uses ops outside the allowed list: {', '.join(bad)} (all: {ops})")
        os.replace(tmp, path)
        record[name] = {"sha256": _sha(data), "key": key, "seed": GENERATOR_SEED + GENERATED_MODELS.index(name)}
        record_path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
        print(f"gen_zoo: {name}.tflite ({len(data)} bytes) ops: {ops}", flush=True)
    print(f"gen_zoo: {len(args.names)} generated models OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
