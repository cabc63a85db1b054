"""Tests for tools/kws/train.py.

    python3 -m unittest discover -s tools/kws/tests -v
"""
import json
import os
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import make_synthetic  # noqa: E402
import train  # noqa: E402


def tiny_model(rng, I=3, H=4, C=5):
    p = train.init_params(rng, I, H, C)
    # Non-zero biases so every term of the equations is exercised.
    for k in ("Wb", "Rb", "bc"):
        p[k] = rng.standard_normal(p[k].shape) * 0.3
    return p


def reference_step(p, x, h):
    """ONNX GRU, linear_before_reset=1, gates z r h, written out per gate."""
    H = len(h)
    W, R, Wb, Rb = p["W"], p["R"], p["Wb"], p["Rb"]
    sl = [slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)]
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    z = sig(W[sl[0]] @ x + Wb[sl[0]] + R[sl[0]] @ h + Rb[sl[0]])
    r = sig(W[sl[1]] @ x + Wb[sl[1]] + R[sl[1]] @ h + Rb[sl[1]])
    n = np.tanh(W[sl[2]] @ x + Wb[sl[2]] + r * (R[sl[2]] @ h + Rb[sl[2]]))
    return (1 - z) * n + z * h


class GRUMath(unittest.TestCase):
    def test_forward_matches_written_out_equations(self):
        rng = np.random.default_rng(0)
        p = tiny_model(rng)
        X = rng.standard_normal((6, 2, 3))
        logits = train.forward(p, X)
        for b in range(2):
            h = np.zeros(4)
            for t in range(6):
                h = reference_step(p, X[t, b], h)
            np.testing.assert_allclose(logits[b], p["Wc"] @ h + p["bc"], rtol=1e-12, atol=1e-12)

    def test_gradient_check_finite_differences(self):
        rng = np.random.default_rng(1)
        p = tiny_model(rng)
        X = rng.standard_normal((7, 3, 3))
        y = np.array([0, 2, 4])
        _, g = train.loss_and_grads(p, X, y)
        eps = 1e-6
        worst = 0.0
        for k in train.PARAM_NAMES:
            num = np.zeros_like(p[k])
            for idx in np.ndindex(p[k].shape):
                old = p[k][idx]
                p[k][idx] = old + eps
                lp, _ = train.loss_and_grads(p, X, y)
                p[k][idx] = old - eps
                lm, _ = train.loss_and_grads(p, X, y)
                p[k][idx] = old
                num[idx] = (lp - lm) / (2 * eps)
            rel = np.linalg.norm(num - g[k]) / max(np.linalg.norm(num) + np.linalg.norm(g[k]), 1e-12)
            worst = max(worst, rel)
            self.assertLess(rel, 1e-4, f"{k}: relative error {rel:.2e}")
        print(f"\n  gradient check: worst relative error {worst:.2e}")

    def test_fake_quant_levels_per_column(self):
        rng = np.random.default_rng(2)
        w = rng.standard_normal((6, 5))
        q = train.fake_quant(w, 4)
        for row_w, row_q in zip(w, q):
            s = np.max(np.abs(row_w))
            levels = row_q / s * 7
            np.testing.assert_allclose(levels, np.round(levels), atol=1e-9)
            self.assertLessEqual(len(np.unique(np.round(levels))), 15)
            self.assertAlmostEqual(np.max(np.abs(row_q)), s)

    def test_weight_noise_scale(self):
        rng = np.random.default_rng(3)
        p = tiny_model(rng, I=50, H=50)
        e = train.effective_params(p, np.random.default_rng(4), weight_noise=0.1)
        d = e["R"] - p["R"]
        expected = 0.1 * np.max(np.abs(p["R"]))
        self.assertAlmostEqual(np.std(d) / expected, 1.0, delta=0.05)
        np.testing.assert_array_equal(e["Wb"], p["Wb"])


class LearningRateSchedule(unittest.TestCase):
    def test_none_is_constant(self):
        for step in (0, 1, 57, 999):
            self.assertEqual(train.lr_at("none", 3e-3, step, 1000), 3e-3)

    def test_cosine(self):
        lr, total = 3e-3, 1000
        v = [train.lr_at("cosine", lr, k, total) for k in range(total)]
        self.assertEqual(v[0], lr)
        self.assertAlmostEqual(v[500], lr / 2, delta=1e-12)
        self.assertLess(v[-1], lr * 1e-5)
        self.assertGreater(v[-1], 0.0)
        self.assertTrue(all(a > b for a, b in zip(v, v[1:])), "strictly decreasing")

    def test_step(self):
        # 10 mini-batches per epoch, x0.1 every 3 epochs
        lr = 1e-2
        got = [train.lr_at("step", lr, k, 100, 10, 3, 0.1) for k in (0, 29, 30, 59, 60, 99)]
        want = [lr, lr, lr * 0.1, lr * 0.1, lr * 0.01, lr * 0.001]
        for g, w in zip(got, want):
            self.assertAlmostEqual(g, w, delta=1e-15)

    def test_unknown_kind(self):
        with self.assertRaises(ValueError):
            train.lr_at("linear", 1e-3, 0, 10)


class Augmentation(unittest.TestCase):
    def test_label_dirs_of_synthesize(self):
        # synthesize.py writes _silence_ / _unknown_ directories
        self.assertEqual(train.label_index("_silence_"), train.LABELS.index("silence"))
        self.assertEqual(train.label_index("_unknown_"), train.LABELS.index("unknown"))
        self.assertEqual(train.label_index("silence"), train.LABELS.index("silence"))
        self.assertEqual(train.label_index("yes"), 0)
        self.assertEqual(train.label_index("marvin"), train.LABELS.index("unknown"))

    def test_shift_and_noise(self):
        rng = np.random.default_rng(5)
        w = np.zeros((4, train.CLIP))
        w[:, 8000] = 1.0
        s = train.augment(w, rng, 0.0, 0, 0, 100)
        pos = np.argmax(s, axis=1)
        self.assertTrue(np.all(np.abs(pos - 8000) <= 1600))
        x = np.sin(np.arange(train.CLIP) * 0.1)[None].repeat(200, axis=0)
        n = train.augment(x, rng, 1.0, 10.0, 10.0, 0)
        snr = 10 * np.log10(np.mean(x ** 2) / np.mean((n - x) ** 2))
        self.assertAlmostEqual(snr, 10.0, delta=0.1)


class EndToEnd(unittest.TestCase):
    """Synthetic tone dataset: training learns, export matches onnxruntime."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.data = os.path.join(cls.tmp.name, "data")
        cls.out = os.path.join(cls.tmp.name, "out")
        make_synthetic.main(["--out", cls.data, "--train", "20", "--test", "8", "--seed", "7"])
        cls.result = train.main(["--data", cls.data, "--out", cls.out, "--hidden", "64",
                                 "--epochs", "8", "--seed", "1",
                                 "--report", os.path.join(cls.out, "report")])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_learns_well_above_chance(self):
        acc = self.result["splits"]["test-clean"]["float"]
        print(f"\n  synthetic test-clean accuracy {100 * acc:.1f}% (chance 8.3%)")
        self.assertGreater(acc, 0.6)

    def test_report_files(self):
        with open(os.path.join(self.out, "report.json")) as f:
            r = json.load(f)
        self.assertEqual(set(r["splits"]), {"train", "test-clean", "test-10db", "test-0db"})
        with open(os.path.join(self.out, "report.md")) as f:
            self.assertIn("| test-0db |", f.read())
        with open(os.path.join(self.out, "normalisation.json")) as f:
            n = json.load(f)
        self.assertEqual(len(n["mean"]), 10)
        self.assertEqual(len(n["std"]), 10)

    def test_seed_reproduces(self):
        out2 = os.path.join(self.tmp.name, "out2")
        r2 = train.main(["--data", self.data, "--out", out2, "--hidden", "64",
                         "--epochs", "8", "--seed", "1", "--no-onnx"])
        self.assertEqual([e["loss"] for e in r2["log"]], [e["loss"] for e in self.result["log"]])

    def test_lr_decay_none_is_the_old_behaviour(self):
        # The default (no --lr-decay) and an explicit "none" are the constant
        # learning rate of the trainer before the option existed: same losses.
        self.assertTrue(all(e["lr"] == 3e-3 for e in self.result["log"]))
        self.assertEqual(self.result["config"]["lr_decay"], "none")
        out3 = os.path.join(self.tmp.name, "out3")
        r3 = train.main(["--data", self.data, "--out", out3, "--hidden", "64",
                         "--epochs", "8", "--seed", "1", "--no-onnx", "--lr-decay", "none"])
        self.assertEqual([e["loss"] for e in r3["log"]], [e["loss"] for e in self.result["log"]])

    def test_lr_decay_cosine_trains(self):
        out4 = os.path.join(self.tmp.name, "out4")
        r4 = train.main(["--data", self.data, "--out", out4, "--hidden", "64",
                         "--epochs", "8", "--seed", "1", "--no-onnx", "--lr-decay", "cosine"])
        lrs = [e["lr"] for e in r4["log"]]
        self.assertEqual(lrs[0], 3e-3)  # first mini-batch of epoch 1
        self.assertTrue(all(a > b for a, b in zip(lrs, lrs[1:])), lrs)
        self.assertLess(lrs[-1], 3e-3 * 0.05)
        self.assertNotEqual([e["loss"] for e in r4["log"]], [e["loss"] for e in self.result["log"]])
        acc = r4["splits"]["test-clean"]["float"]
        print(f"\n  synthetic test-clean accuracy with cosine decay {100 * acc:.1f}%")
        self.assertGreater(acc, 0.6)

    def test_onnx_matches_numpy(self):
        try:
            import onnxruntime as ort
        except ImportError:
            self.skipTest("onnxruntime is not installed (pip install onnxruntime)")
        p, mean, std = train.load_model(self.out)
        sess = ort.InferenceSession(os.path.join(self.out, "model.onnx"),
                                    providers=["CPUExecutionProvider"])
        rng = np.random.default_rng(9)
        waves, _ = train.load_split(self.data, "test-0db")
        inputs = [train.to_seq(train.features(waves[i:i + 1]), mean, std) for i in range(0, 40, 8)]
        inputs += [rng.standard_normal((49, 1, 10)) * s for s in (0.5, 1.0, 3.0)]
        worst = 0.0
        for x in inputs:
            x32 = x.astype(np.float32)
            ref = train.softmax(train.forward(p, x32.astype(np.float64)))
            got = sess.run(["probabilities"], {"mfcc": x32})[0]
            self.assertEqual(got.shape, (1, 12))
            worst = max(worst, float(np.max(np.abs(got - ref))))
            np.testing.assert_allclose(got, ref, atol=1e-5, rtol=0)
        print(f"\n  onnxruntime vs numpy: max |diff| {worst:.2e} over {len(inputs)} inputs")


if __name__ == "__main__":
    unittest.main()
