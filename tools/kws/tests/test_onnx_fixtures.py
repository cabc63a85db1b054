"""Tests for tools/kws/make_onnx_fixtures.py.

    python3 -m unittest discover -s tools/kws/tests -v
"""
import json
import os
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.dirname(HERE))
import make_onnx_fixtures as mof  # noqa: E402

SHIPPED = os.path.join(ROOT, "firmware", "kws-gru", "model.onnx")
FEATURES = os.path.join(ROOT, "firmware", "kws-gru", "test", "mfcc-reference.json")
NORM = os.path.join(ROOT, "firmware", "kws-gru", "normalisation.json")
COMMITTED = os.path.join(ROOT, "Tests", "KWSTests", "Fixtures", "onnx")
HAVE_SHIPPED = all(os.path.exists(p) for p in (SHIPPED, FEATURES, NORM))


# ---------------------------------------------------------------- numpy reference

def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def gru(node, env, attrs):
    """ONNX GRU, one direction, batch 1, default activations, float64."""
    names = list(node.input) + [""] * (6 - len(node.input))
    X, W, R = (env[n] for n in names[:3])
    H = attrs["hidden_size"]
    B = env[names[3]][0] if names[3] else np.zeros(6 * H)
    T = X.shape[0]
    steps = int(env[names[4]][0]) if names[4] else T
    h = env[names[5]][0, 0].astype(np.float64) if names[5] else np.zeros(H)
    W, R = W[0], R[0]
    Wz, Wr, Wh = np.split(W, 3)
    Rz, Rr, Rh = np.split(R, 3)
    Wbz, Wbr, Wbh, Rbz, Rbr, Rbh = np.split(B, 6)
    lbr = attrs.get("linear_before_reset", 0)
    order = range(steps)
    if attrs.get("direction", b"forward") in (b"reverse", "reverse"):
        order = reversed(range(steps))
    Y = np.zeros((T, 1, 1, H))
    for t in order:
        x = X[t, 0]
        z = sigmoid(Wz @ x + Wbz + Rz @ h + Rbz)
        r = sigmoid(Wr @ x + Wbr + Rr @ h + Rbr)
        if lbr:
            n = np.tanh(Wh @ x + Wbh + r * (Rh @ h + Rbh))
        else:
            n = np.tanh(Wh @ x + Wbh + Rh @ (r * h) + Rbh)
        h = (1 - z) * n + z * h
        Y[t, 0, 0] = h
    return Y, h[None, None]


def conv2d(x, w, b, a, shape):
    """ONNX Conv, batch 1, dilation 1, float64: pads [top, left, bottom, right] or auto_pad."""
    _, C, H, W = x.shape
    M, Cg, kh, kw = w.shape
    sy, sx = a.get("strides", [1, 1])
    pads = list(a.get("pads", [0, 0, 0, 0]))
    auto = a.get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else auto
    if auto.startswith("SAME"):
        for axis, (size, k, s) in enumerate([(H, kh, sy), (W, kw, sx)]):
            total = max(0, (-(-size // s) - 1) * s + k - size)
            begin = total // 2 if auto == "SAME_UPPER" else total - total // 2
            pads[axis], pads[axis + 2] = begin, total - begin
    xp = np.zeros((C, H + pads[0] + pads[2], W + pads[1] + pads[3]))
    xp[:, pads[0]:pads[0] + H, pads[1]:pads[1] + W] = x[0]
    oh, ow = (xp.shape[1] - kh) // sy + 1, (xp.shape[2] - kw) // sx + 1
    group = a.get("group", 1)
    y = np.zeros((1, M, oh, ow))
    for m in range(M):
        g = m // (M // group)
        for i in range(oh):
            for j in range(ow):
                patch = xp[g * Cg:(g + 1) * Cg, i * sy:i * sy + kh, j * sx:j * sx + kw]
                y[0, m, i, j] = (patch * w[m]).sum() + (b[m] if b is not None else 0)
    return y


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def run_reference(model, x):
    """A small float64 interpreter for the ops the valid fixtures use."""
    from onnx import helper, numpy_helper
    env = {t.name: numpy_helper.to_array(t).astype(
        np.float64 if t.data_type == 1 else numpy_helper.to_array(t).dtype)
        for t in model.graph.initializer}
    env[model.graph.input[0].name] = x.astype(np.float64)
    for node in model.graph.node:
        a = {at.name: helper.get_attribute_value(at) for at in node.attribute}
        i = [env[n] for n in node.input if n]
        op = node.op_type
        if op == "GRU":
            out = gru(node, env, a)
        elif op == "Constant":
            out = [numpy_helper.to_array(a["value"])]
        elif op == "Transpose":
            out = [np.transpose(i[0], a["perm"])]
        elif op == "Squeeze":
            out = [np.squeeze(i[0], axis=tuple(int(v) for v in i[1]))]
        elif op == "Unsqueeze":
            out = [np.expand_dims(i[0], tuple(int(v) for v in i[1]))]
        elif op == "Gather":
            out = [np.take(i[0], i[1], axis=a.get("axis", 0))]
        elif op == "Shape":
            out = [np.array(i[0].shape, dtype=np.int64)]
        elif op == "Concat":
            out = [np.concatenate(i, axis=a["axis"])]
        elif op == "Reshape":
            out = [i[0].reshape([int(v) for v in i[1]])]
        elif op == "Flatten":
            ax = a.get("axis", 1)
            out = [i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)]
        elif op == "Identity":
            out = [i[0]]
        elif op == "Gemm":
            A, Bm = i[0], i[1]
            A = A.T if a.get("transA", 0) else A
            Bm = Bm.T if a.get("transB", 0) else Bm
            out = [a.get("alpha", 1.0) * A @ Bm + a.get("beta", 1.0) * i[2]]
        elif op == "Conv":
            out = [conv2d(i[0], i[1], i[2] if len(i) > 2 else None, a, None)]
        elif op == "BatchNormalization":
            X, scale, bias, mean, var = i
            c = (1, -1) + (1,) * (X.ndim - 2)
            out = [(X - mean.reshape(c)) / np.sqrt(var.reshape(c) + a.get("epsilon", 1e-5)) * scale.reshape(c)
                   + bias.reshape(c)]
        elif op in ("GlobalAveragePool", "AveragePool"):
            out = [i[0].mean(axis=(2, 3), keepdims=True)]
        elif op == "MatMul":
            out = [i[0] @ i[1]]
        elif op == "Add":
            out = [i[0] + i[1]]
        elif op == "Relu":
            out = [np.maximum(i[0], 0)]
        elif op == "Tanh":
            out = [np.tanh(i[0])]
        elif op == "Sigmoid":
            out = [sigmoid(i[0])]
        elif op == "Softmax":
            out = [softmax(i[0], a.get("axis", -1))]
        else:
            raise NotImplementedError(op)
        for name, v in zip(node.output, out):
            if name:
                env[name] = v
    return env[model.graph.output[0].name]


# ---------------------------------------------------------------- tests

class OnnxFixtures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dirs = [os.path.join(cls.tmp.name, s) for s in ("a", "b")]
        kw = dict(shipped=SHIPPED, shipped_features=FEATURES, norm=NORM) if HAVE_SHIPPED else {}
        for d in cls.dirs:
            mof.generate(d, 1, **kw)
        with open(os.path.join(cls.dirs[0], "cases.json")) as f:
            cls.cases = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def load(self, case):
        import onnx
        return onnx.load(os.path.join(self.dirs[0], case["file"]))

    def case(self, name):
        return next(c for c in self.cases if c["name"] == name)

    def test_same_seed_same_bytes(self):
        files = sorted(os.listdir(self.dirs[0]))
        self.assertEqual(files, sorted(os.listdir(self.dirs[1])))
        for fn in files:
            with open(os.path.join(self.dirs[0], fn), "rb") as f1, \
                    open(os.path.join(self.dirs[1], fn), "rb") as f2:
                self.assertEqual(f1.read(), f2.read(), fn)

    def test_other_seed_differs(self):
        with tempfile.TemporaryDirectory() as d:
            mof.generate(d, 2)
            with open(os.path.join(d, "trainpy_lbr1.onnx"), "rb") as f1, \
                    open(os.path.join(self.dirs[0], "trainpy_lbr1.onnx"), "rb") as f2:
                self.assertNotEqual(f1.read(), f2.read())

    def test_case_list_and_size(self):
        names = [c["name"] for c in self.cases]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(names, [v[0] for v in mof.VALID] + [v[0] for v in mof.INVALID]
                         + ["corrupt"])
        total = sum(os.path.getsize(os.path.join(self.dirs[0], fn))
                    for fn in os.listdir(self.dirs[0]))
        self.assertLess(total, 1.5e6)

    def test_valid_models_check_and_reproduce(self):
        import onnx
        for c in self.cases:
            if c["kind"] != "valid":
                continue
            with self.subTest(c["name"]):
                m = self.load(c)
                onnx.checker.check_model(m, full_check=True)
                self.assertEqual(m.opset_import[0].version, 14)
                names = [n.name for n in m.graph.node]
                self.assertTrue(all(names) and len(set(names)) == len(names))
                self.assertEqual(len(c["inputs"]), 3)
                sess = mof.session(m.SerializeToString())
                inp = sess.get_inputs()[0].name
                for x, y in zip(c["inputs"], c["outputs"]):
                    x = np.array(x, dtype=np.float32).reshape(c["input_shape"])
                    got = sess.run(None, {inp: x})[0]
                    self.assertEqual(list(got.shape), c["output_shape"])
                    np.testing.assert_allclose(got.ravel(), y, rtol=0, atol=1e-6)
                    # onnxruntime agrees with an independent float64 evaluation.
                    ref = run_reference(m, x)
                    np.testing.assert_allclose(ref.ravel(), y, rtol=0, atol=1e-5)
                    self.assertAlmostEqual(sum(y), 1.0, places=5)

    def test_valid_graph_features(self):
        ops = lambda c: [n.op_type for n in self.load(c).graph.node]  # noqa: E731
        self.assertEqual(ops(self.case("trainpy_lbr1")), ["GRU", "Reshape", "Gemm", "Softmax"])
        pt = ops(self.case("pytorch_batchfirst"))
        for op in ("Transpose", "Squeeze", "Gather", "Shape", "Unsqueeze", "Concat",
                   "Constant", "Reshape", "Relu"):
            self.assertIn(op, pt)
        gru = {c["name"]: next(n for n in self.load(c).graph.node if n.op_type == "GRU")
               for c in self.cases if c["kind"] == "valid" and "dscnn" not in c["name"]}
        for name in ("pytorch_dscnn", "pytorch_dscnn_batchnorm", "keras_dscnn"):
            self.assertNotIn("GRU", ops(self.case(name)))
        self.assertIn("GlobalAveragePool", ops(self.case("pytorch_dscnn")))
        self.assertNotIn("BatchNormalization", ops(self.case("pytorch_dscnn")))
        self.assertEqual(ops(self.case("pytorch_dscnn_batchnorm")).count("BatchNormalization"), 9)
        self.assertIn("AveragePool", ops(self.case("keras_dscnn")))
        groups = [at.i for n in self.load(self.case("pytorch_dscnn")).graph.node if n.op_type == "Conv"
                  for at in n.attribute if at.name == "group"]
        self.assertEqual(groups.count(64), 4)
        attr = lambda n, k: next((a for a in n.attribute if a.name == k), None)  # noqa: E731
        self.assertEqual(attr(gru["trainpy_lbr0"], "linear_before_reset").i, 0)
        self.assertEqual(attr(gru["trainpy_lbr1"], "linear_before_reset").i, 1)
        self.assertEqual(attr(gru["reverse_direction"], "direction").s, b"reverse")
        self.assertEqual(attr(gru["large_h128"], "hidden_size").i, 128)
        self.assertEqual(gru["pytorch_batchfirst"].input[5], "gru.initial_h")
        self.assertEqual(gru["sequence_lens"].input[4], "sequence_lens")

    def test_sequence_lens_stops_early(self):
        # Y_h is the state after step 36: inputs beyond step 36 do not matter.
        c = self.case("sequence_lens")
        sess = mof.session(self.load(c).SerializeToString())
        x = np.array(c["inputs"][0], dtype=np.float32).reshape(c["input_shape"])
        x[37:] = 5.0
        np.testing.assert_allclose(sess.run(None, {"mfcc": x})[0].ravel(), c["outputs"][0],
                                   atol=1e-6)

    def test_invalid_models(self):
        import onnx
        for c in self.cases:
            if c["kind"] != "invalid":
                continue
            with self.subTest(c["name"]):
                self.assertEqual(c["error_contains"], c["error_contains"].lower())
                path = os.path.join(self.dirs[0], c["file"])
                if c["name"] == "corrupt":
                    self.assertIsNone(c["error_node"])
                    with open(path, "rb") as f:
                        data = f.read()
                    with self.assertRaises(Exception):
                        onnx.load_from_string(data)
                    continue
                m = onnx.load(path)
                node = next(n for n in m.graph.node if n.name == c["error_node"])
                attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
                if c["name"] == "bidirectional":
                    self.assertEqual(attrs["direction"], b"bidirectional")
                elif c["name"] == "unsupported_op":
                    self.assertEqual(node.op_type, "Erf")
                elif c["name"] == "conv1d":
                    self.assertEqual(len(attrs["kernel_shape"]), 1)
                elif c["name"] == "dilated_conv":
                    self.assertEqual(attrs["dilations"], [2, 2])
                elif c["name"] == "partial_average_pool":
                    self.assertEqual(attrs["kernel_shape"], [3, 3])
                elif c["name"] == "wrong_shape":
                    R = next(t for t in m.graph.initializer if t.name == node.input[2])
                    self.assertNotEqual(R.dims[2], attrs["hidden_size"])
                    sess = mof.session(m.SerializeToString())
                    with self.assertRaisesRegex(Exception, "shape"):
                        sess.run(None, {"mfcc": np.zeros([49, 1, 10], np.float32)})
                elif c["name"] == "custom_activations":
                    self.assertEqual(attrs["activations"], [b"Relu", b"Tanh"])
                elif c["name"] == "gru_clip":
                    self.assertEqual(attrs["clip"], 3.0)
                else:
                    self.fail("untested invalid case " + c["name"])

    @unittest.skipUnless(HAVE_SHIPPED, "no firmware/kws-gru")
    def test_shipped(self):
        import hashlib
        import onnx
        with open(os.path.join(self.dirs[0], "shipped.json")) as f:
            s = json.load(f)
        with open(SHIPPED, "rb") as f:
            self.assertEqual(s["sha256"], hashlib.sha256(f.read()).hexdigest())
        self.assertEqual(len(s["inputs"]), 24)
        self.assertEqual(len(s["outputs"]), 24)
        m = onnx.load(SHIPPED)
        for x, y in zip(s["inputs"][:4], s["outputs"][:4]):
            ref = run_reference(m, np.array(x, dtype=np.float32).reshape(49, 1, 10))
            np.testing.assert_allclose(ref.ravel(), y, atol=1e-5)

    @unittest.skipUnless(os.path.isdir(COMMITTED), "no committed fixtures")
    def test_committed_fixtures_are_seed_1(self):
        for fn in sorted(os.listdir(COMMITTED)):
            with open(os.path.join(COMMITTED, fn), "rb") as f1, \
                    open(os.path.join(self.dirs[0], fn), "rb") as f2:
                a, b = f1.read(), f2.read()
            if fn.endswith(".onnx"):
                self.assertEqual(a, b, fn)
                continue
            # Outputs may differ in the last bits with another onnxruntime build.
            ja, jb = json.loads(a), json.loads(b)
            if fn == "shipped.json":
                ja, jb = [ja], [jb]
                for d in ja + jb:
                    d.pop("model")
            for ca, cb in zip(ja, jb):
                self.assertEqual({k: v for k, v in ca.items() if k != "outputs"},
                                 {k: v for k, v in cb.items() if k != "outputs"}, fn)
                if "outputs" in ca:
                    np.testing.assert_allclose(ca["outputs"], cb["outputs"], atol=1e-6)


if __name__ == "__main__":
    unittest.main()
