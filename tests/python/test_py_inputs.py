# Session.run's inputs in every accepted form, and the refused ones (InvalidArgumentError naming the
# model, the input and the expected shape). Documented in hetsched/_api.py (_as_input).
import numpy as np
import pytest

from py_support import SMALL_MODEL, import_hetsched, model_path

hetsched = import_hetsched()
SEED = 99


@pytest.fixture(scope="module")
def session():
    return hetsched.Session(model_path(SMALL_MODEL), policy="cpu", threads=1)


@pytest.fixture(scope="module")
def x(session):
    print(f"inputs: np.random.default_rng({SEED}).uniform(0, 1)")
    return np.random.default_rng(SEED).uniform(0, 1, size=session.model.inputs[0].shape).astype(np.float32)


@pytest.fixture(scope="module")
def reference(session, x):
    return session.run([x])


def assert_same(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype == np.float32 and g.shape == w.shape
        assert np.array_equal(g, w)


def test_non_contiguous_views(session, x, reference):
    wide = np.zeros(x.shape[:3] + (6,), np.float32)
    wide[..., ::2] = x
    view = wide[..., ::2]
    assert not view.flags.c_contiguous
    assert_same(session.run([view]), reference)
    fortran = np.asfortranarray(x)
    assert not fortran.flags.c_contiguous
    assert_same(session.run([fortran]), reference)
    flipped = np.ascontiguousarray(x[:, ::-1])[:, ::-1]  # negative strides, same values
    assert_same(session.run([flipped]), reference)


def test_float64_and_float16_are_converted(session, x, reference):
    assert_same(session.run([x.astype(np.float64)]), reference)  # float32 -> float64 -> float32 is exact
    half = x.astype(np.float16)
    assert_same(session.run([half]), session.run([half.astype(np.float32)]))


def test_nested_lists_are_accepted(session, x, reference):
    assert_same(session.run([x.tolist()]), reference)


def test_inputs_are_not_modified_or_kept(session, x):
    copy = x.copy()
    out = session.run([copy])
    assert np.array_equal(copy, x)
    out2 = session.run([copy * 0])
    assert not np.array_equal(out[0], out2[0])  # the first result is a separate array


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.bool_, np.complex64, object])
def test_non_float_dtypes_are_refused(session, x, dtype):
    bad = x.astype(dtype) if dtype is not object else x.astype(object)
    with pytest.raises(hetsched.InvalidArgumentError, match=r"face_detection_short_range.*input 0 .*dtype"):
        session.run([bad])


def test_wrong_shape_names_model_input_and_expected_shape(session, x):
    name = session.model.inputs[0].name
    with pytest.raises(hetsched.InvalidArgumentError) as err:
        session.run([x[:, :64]])
    msg = str(err.value)
    assert "face_detection_short_range.tflite" in msg and f"'{name}'" in msg, msg
    assert "[1, 128, 128, 3]" in msg and "[1, 64, 128, 3]" in msg, msg
    with pytest.raises(ValueError):  # InvalidArgumentError is a ValueError too
        session.run([x[0]])


def test_wrong_count_and_names(session, x):
    with pytest.raises(hetsched.InvalidArgumentError, match="has 1 inputs"):
        session.run([x, x])
    with pytest.raises(hetsched.InvalidArgumentError, match="has 1 inputs"):
        session.run([])
    with pytest.raises(hetsched.InvalidArgumentError, match=r"unknown: \['nope'\]"):
        session.run({"nope": x})
    with pytest.raises(hetsched.InvalidArgumentError, match="missing"):
        session.run({})
