# hetsched.Interpreter, the LiteRT drop-in: same details dicts and signatures as ai_edge_litert's
# Interpreter, same outputs (relative L2 < 1e-4) on the zoo with policy cpu, and gpu on small models.
import itertools

import numpy as np
import pytest

from py_support import ROOT, RUNNABLE, SMALL_MODEL, entry, import_hetsched, model_path, zoo

hetsched = import_hetsched()
LiteRT = pytest.importorskip("ai_edge_litert.interpreter", reason="ai_edge_litert (the reference) is not installed").Interpreter

SEED = 20261205  # per model: zoo.model_seed(SEED, name); inputs uniform in [0, 1)
TOLERANCE = 1e-4
SPREAD_FACTOR = 3  # as tests/conformance/test_litert.py: where LiteRT's own paths disagree
GPU_MODELS = ["face_detection_short_range", "selfie_segmentation_landscape"]  # lavapipe is slow
OWN_FILE = [e for e in RUNNABLE if "reference_file" not in e]  # LiteRT runs the very same file


def litert_outputs(e, inputs):
    return {k: zoo.run_litert(zoo.make_interpreter(zoo.reference_path(e), kernels=k), inputs)
            for k in ("xnnpack", "builtin")}


def run_shim(it, inputs):
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), inputs):
        it.set_tensor(d["index"], x)
    it.invoke()
    return [it.get_tensor(d["index"]) for d in it.get_output_details()]


def check_outputs(name, policy, got, refs):
    bad = []
    for i, g in enumerate(got):
        rs = [r[i] for r in refs.values()]
        assert g.dtype == np.float32 and g.shape == rs[0].shape
        rel = min(zoo.relative_l2(g, r) for r in rs)
        spread = max(zoo.relative_l2(a, b) for a, b in itertools.combinations(rs, 2))
        tol = max(TOLERANCE, SPREAD_FACTOR * spread)
        print(f"{name} [{policy}] output {i}: relative L2 {rel:.3g} (tolerance {tol:.3g}, LiteRT paths {spread:.3g} apart)")
        if not rel < tol:
            bad.append(f"#{i}: {rel:.3g} >= {tol:.3g}")
    assert not bad, f"{name} [{policy}]: " + ", ".join(bad)


@pytest.mark.parametrize("e", RUNNABLE, ids=[e["name"] for e in RUNNABLE])
def test_cpu_outputs_match_litert(e):
    print(f"seed {SEED}")
    inputs = zoo.random_inputs(e, SEED, 0.0, 1.0)
    it = hetsched.Interpreter(model_path=str(ROOT / e["file"]), num_threads=2, policy="cpu")
    check_outputs(e["name"], "cpu", run_shim(it, inputs), litert_outputs(e, inputs))


@pytest.mark.parametrize("name", GPU_MODELS)
def test_gpu_outputs_match_litert(name, tmp_path, monkeypatch):
    if not any(d["usable"] for d in hetsched.devices()):
        pytest.skip("no usable Vulkan device")
    monkeypatch.setenv("HETSCHED_CACHE_DIR", str(tmp_path))
    e = entry(name)
    inputs = zoo.random_inputs(e, SEED, 0.0, 1.0)
    it = hetsched.Interpreter(model_path=str(ROOT / e["file"]), policy="gpu", tune=False)
    got = run_shim(it, inputs)
    assert {st["device"] for st in it.last_report()} == {"gpu"}
    check_outputs(name, "gpu", got, litert_outputs(e, inputs))


@pytest.mark.parametrize("e", OWN_FILE, ids=[e["name"] for e in OWN_FILE])
def test_details_and_signatures_equal_litert(e):
    path = str(ROOT / e["file"])
    ours = hetsched.Interpreter(model_path=path, policy="cpu")
    ref = LiteRT(model_path=path)
    ref.allocate_tensors()
    for mine, theirs in ((ours.get_input_details(), ref.get_input_details()),
                         (ours.get_output_details(), ref.get_output_details())):
        assert len(mine) == len(theirs)
        for a, b in zip(mine, theirs):
            assert set(a) == set(b)
            for k in ("name", "index", "dtype", "quantization"):
                assert a[k] == b[k], (k, a[k], b[k])
            for k in ("shape", "shape_signature"):
                assert a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]), k
            qa, qb = a["quantization_parameters"], b["quantization_parameters"]
            assert set(qa) == set(qb) and qa["quantized_dimension"] == qb["quantized_dimension"]
            assert np.array_equal(qa["scales"], qb["scales"]) and np.array_equal(qa["zero_points"], qb["zero_points"])
            assert a["sparsity_parameters"] == b["sparsity_parameters"]
    assert ours.get_signature_list() == ref.get_signature_list()


def test_signature_runner_matches_invoke():
    e = entry("mobilenet_v2")
    path = str(ROOT / e["file"])
    it = hetsched.Interpreter(model_path=path, policy="cpu")
    sig = it.get_signature_list()
    assert sig == {"serving_default": {"inputs": ["input"], "outputs": ["output_0"]}}
    x = zoo.random_inputs(e, SEED, 0.0, 1.0)[0]
    out = it.get_signature_runner()(input=x)
    assert list(out) == ["output_0"]
    assert np.array_equal(out["output_0"], run_shim(it, [x])[0])
    runner = it.get_signature_runner("serving_default")
    assert runner.get_input_details()["input"]["index"] == it.get_input_details()[0]["index"]
    assert runner.get_output_details()["output_0"]["index"] == it.get_output_details()[0]["index"]
    with pytest.raises(hetsched.InvalidArgumentError, match="missing"):
        runner()
    with pytest.raises(hetsched.InvalidArgumentError):
        it.get_signature_runner("nope")


def test_model_content_tensor_and_buffers():
    e = entry(SMALL_MODEL)
    data = (ROOT / e["file"]).read_bytes()
    it = hetsched.Interpreter(model_content=data, policy="cpu", num_threads=1)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    x = zoo.random_inputs(e, SEED, 0.0, 1.0)[0]
    it.tensor(inp["index"])()[...] = x  # writing the input buffer in place, as LiteRT allows
    it.invoke()
    a = it.get_tensor(out["index"])
    assert np.array_equal(it.get_tensor(inp["index"]), x)
    by_path = hetsched.Interpreter(model_path=str(ROOT / e["file"]), policy="cpu")
    assert np.array_equal(a, run_shim(by_path, [x])[0])
    a[...] = 0  # get_tensor returns a copy
    assert not np.array_equal(a, it.get_tensor(out["index"]))


def test_litert_style_errors():
    e = entry(SMALL_MODEL)
    it = hetsched.Interpreter(model_path=str(ROOT / e["file"]), policy="cpu")
    it.allocate_tensors()
    d = it.get_input_details()[0]
    with pytest.raises(ValueError, match="type"):
        it.set_tensor(d["index"], np.zeros(d["shape"], np.float64))  # LiteRT refuses float64 too
    with pytest.raises(ValueError, match="Dimension mismatch"):
        it.set_tensor(d["index"], np.zeros([1, 2, 3], np.float32))
    outputs = [o["index"] for o in it.get_output_details()]
    intermediate = next(i for i in range(1000) if i != d["index"] and i not in outputs)
    with pytest.raises(hetsched.UnsupportedError, match="intermediate"):
        it.get_tensor(intermediate)
    with pytest.raises(hetsched.InvalidArgumentError, match="not an input"):
        it.set_tensor(outputs[0], np.zeros(it.get_output_details()[0]["shape"], np.float32))
    it.resize_tensor_input(d["index"], list(d["shape"]))  # same shape: fine
    with pytest.raises(hetsched.UnsupportedError, match="resizing"):
        it.resize_tensor_input(d["index"], [2, 128, 128, 3])
    with pytest.raises(hetsched.UnsupportedError, match="delegates"):
        hetsched.Interpreter(model_path=str(ROOT / e["file"]), experimental_delegates=[object()])
    with pytest.raises(hetsched.UnsupportedError):
        it.get_tensor_details()
    with pytest.raises(hetsched.InvalidArgumentError):
        hetsched.Interpreter(policy="cpu")  # neither model_path nor model_content
    assert it.get_signature_list() == {}  # MediaPipe models carry no SignatureDef
    with pytest.raises(hetsched.InvalidArgumentError, match="no SignatureDef"):
        it.get_signature_runner()
    assert it.num_subgraphs() == 1
    with pytest.raises(hetsched.UnsupportedError, match="subgraph"):
        it.get_tensor(d["index"], subgraph_index=1)
    it.reset_all_variables()  # no variables: nothing to do, no error
    assert it.model.name == "face_detection_short_range.tflite" and it.session.policy == "cpu"
