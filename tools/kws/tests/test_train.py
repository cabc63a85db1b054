"""Tests for tools/kws/train.py (PyTorch trainer).

    python3 -m unittest discover -s tools/kws/tests -v
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import make_synthetic  # noqa: E402
import train  # noqa: E402


def reference_gru(p, X):
    """ONNX GRU, linear_before_reset=1, gates z r h, written out per gate; X [T, I] -> h."""
    H = p["R"].shape[1]
    W, R, Wb, Rb = p["W"], p["R"], p["Wb"], p["Rb"]
    sl = [slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)]
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    h = np.zeros(H)
    for x in X:
        z = sig(W[sl[0]] @ x + Wb[sl[0]] + R[sl[0]] @ h + Rb[sl[0]])
        r = sig(W[sl[1]] @ x + Wb[sl[1]] + R[sl[1]] @ h + Rb[sl[1]])
        n = np.tanh(W[sl[2]] @ x + Wb[sl[2]] + r * (R[sl[2]] @ h + Rb[sl[2]]))
        h = (1 - z) * n + z * h
    return h


class ModelLayout(unittest.TestCase):
    def test_onnx_layout_of_the_torch_gru_follows_the_written_out_equations(self):
        import torch
        model = train.KWSModel(hidden=6, seed=3)
        with torch.no_grad():
            for v in model.parameters():
                v.uniform_(-0.8, 0.8)  # non-zero biases exercise every term
        p = model.onnx_params(dict(model.net.named_parameters()))
        X = np.random.default_rng(0).standard_normal((7, train.COEFFS))
        h = reference_gru(p, X)
        logits = p["Wc"] @ h + p["bc"]
        with torch.no_grad():
            ours = model.logits(torch.from_numpy(X[None].astype(np.float32)))[0].numpy()
        np.testing.assert_allclose(ours, logits, atol=1e-5)

    def test_the_exported_onnx_model_gives_torchs_probabilities(self):
        model = train.KWSModel(hidden=8, seed=4)
        F = np.random.default_rng(1).standard_normal((5, train.FRAMES, train.COEFFS)).astype(np.float32)
        mean, std = np.zeros(train.COEFFS, np.float32), np.ones(train.COEFFS, np.float32)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "model.onnx")
            train.export_onnx(model.onnx_params(dict(model.net.named_parameters())), path)
            theirs = train.onnxruntime_probabilities(path, F, mean, std)
        np.testing.assert_allclose(train.predict(model, F, mean, std), theirs, atol=1e-5)

    def test_fake_quant_gives_per_column_levels(self):
        import torch
        w = torch.from_numpy(np.random.default_rng(2).standard_normal((4, 50)))
        for bits, differential, steps in [(4, False, 7), (4, True, 15)]:
            q = train.fake_quant(w, bits, differential).numpy()
            for row, qrow in zip(w.numpy(), q):
                levels = np.unique(np.round(qrow / np.max(np.abs(row)) * steps))
                self.assertLessEqual(len(levels), 2 * steps + 1)
                self.assertAlmostEqual(np.max(np.abs(qrow)), np.max(np.abs(row)))

    def test_hardware_aware_weights_pass_gradients_straight_through(self):
        import torch
        model = train.KWSModel(hidden=4, seed=5)
        w = model.weights(torch.Generator().manual_seed(0), weight_noise=0.1, quant_bits=4)
        self.assertFalse(torch.equal(w["gru.weight_ih_l0"], dict(model.net.named_parameters())["gru.weight_ih_l0"]))
        w["gru.weight_ih_l0"].sum().backward()
        grad = dict(model.net.named_parameters())["gru.weight_ih_l0"].grad
        self.assertTrue(torch.equal(grad, torch.ones_like(grad)))


class Augmentation(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(3)
        self.noise = [0.05 * rng.standard_normal(48000).astype(np.float32)]
        self.speech = np.zeros(9000, dtype=np.float32)
        self.speech[2000:6000] = 0.5 * np.sin(np.arange(4000) * 0.3)

    def test_every_clip_is_one_second_with_a_noise_floor_and_no_digital_silence(self):
        a = train.Augmenter(self.noise, np.random.default_rng(1), noise_prob=0.0)
        for _ in range(20):
            x = a(self.speech, train.LABELS.index("yes"))
            self.assertEqual(len(x), train.CLIP)
            self.assertGreater(np.min(np.abs(x[:400]).max()), 0, "the padding carries a noise floor")
            self.assertLessEqual(np.max(np.abs(x)), 1.0)

    def test_one_seed_gives_the_same_clips(self):
        clips = [train.Augmenter(self.noise, np.random.default_rng(9))(self.speech, 0) for _ in range(2)]
        np.testing.assert_array_equal(clips[0], clips[1])

    def test_silence_is_background_noise_at_a_random_level(self):
        a = train.Augmenter(self.noise, np.random.default_rng(2))
        levels = [np.sqrt(np.mean(a(None, train.LABELS.index("silence")) ** 2)) for _ in range(30)]
        self.assertGreater(max(levels) / min(levels), 10)

    def test_background_noise_lowers_the_snr(self):
        quiet = train.Augmenter(self.noise, np.random.default_rng(4), noise_prob=0.0, speed=False, gain_db=0, shift_ms=0)
        noisy = train.Augmenter(self.noise, np.random.default_rng(4), noise_prob=1.0, snr_min=0, snr_max=0,
                                speed=False, gain_db=0, shift_ms=0)
        clean, mixed = quiet(self.speech, 0), noisy(self.speech, 0)
        self.assertGreater(np.mean((mixed - clean) ** 2), 0.5 * np.mean(clean ** 2))

    def test_spec_augment_masks_frames_and_coefficients_but_never_loudness(self):
        F = np.ones((50, train.FRAMES, train.COEFFS), dtype=np.float32)
        M = train.spec_augment(F, np.random.default_rng(0), prob=1.0)
        self.assertTrue(np.all(M[:, :, 0] != 0) or np.any(np.all(M == 0, axis=2)))
        self.assertLess(M.mean(), 1.0)
        self.assertEqual(train.spec_augment(F, np.random.default_rng(0), prob=0.0).mean(), 1.0)


class TrainingSet(unittest.TestCase):
    def test_unknown_and_silence_take_their_shares_and_synthetic_fills_what_real_lacks(self):
        rng = np.random.default_rng(0)
        clip = np.zeros(100, np.float32)
        real = [(clip, train.label_index(w)) for w in ["yes"] * 300 + ["no"] * 300 + ["on"] * 3 + ["bed"] * 20]
        synthetic = [(clip, train.label_index(w)) for w in ["yes"] * 200 + ["on"] * 200 + ["unknown"] * 500]
        clips, labels, sources = train.assemble_training_set(real, synthetic, rng, 0.1, 0.1,
                                                             synthetic_per_word=50, real_minimum=100)
        count = lambda w: int(np.sum(labels == train.LABELS.index(w)))  # noqa: E731
        self.assertEqual(count("yes"), 350, "300 real + the synthetic cap")
        self.assertEqual(count("on"), 203, "too few real: every synthetic clip")
        keywords = 350 + 300 + 203
        self.assertAlmostEqual(count("unknown") / len(labels), 0.1, delta=0.002)
        self.assertAlmostEqual(count("silence") / len(labels), 0.1, delta=0.002)
        self.assertEqual(count("unknown"), round(0.1 * keywords / 0.8))
        real_unknown = [s for s, y in zip(sources, labels) if y == train.LABELS.index("unknown") and s == "real"]
        self.assertEqual(len(real_unknown), 20, "real unknown words are kept first")


@unittest.skipUnless(shutil.which("sox"), "sox is needed")
class PitchPerturbation(unittest.TestCase):
    def test_a_pitch_variant_moves_the_pitch_and_keeps_the_duration(self):
        t = np.arange(16000) / 16000.0
        tone = (0.3 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
        up, down = train.pitch_variants(tone, [1200, -1200])
        peak = lambda x: int(np.argmax(np.abs(np.fft.rfft(x[2000:14000])))) * 16000 / 12000  # noqa: E731
        self.assertEqual((len(up), len(down)), (16000, 16000))
        self.assertAlmostEqual(peak(up), 880.0, delta=10.0)
        self.assertAlmostEqual(peak(down), 220.0, delta=10.0)

    def test_only_real_clips_get_variants_and_one_seed_gives_the_same_ones(self):
        clip = np.random.default_rng(3).standard_normal(16000).astype(np.float32) * 0.1
        clips, sources = [clip, clip, None], ["real", "synthetic", "noise"]
        a = train.make_pitch_variants(clips, sources, np.random.default_rng(9), 2, 200)
        b = train.make_pitch_variants(clips, sources, np.random.default_rng(9), 2, 200)
        self.assertEqual([len(v) for v in a], [2, 0, 0])
        for x, y in zip(a[0], b[0]):
            np.testing.assert_array_equal(x, y)


def make_fixture_data(root):
    """(real, synthetic): tiny datasets in synthesize.py's layout and, from the
    same tones, Speech Commands' (speakers by file name, a noise file)."""
    synthetic = os.path.join(root, "synthetic")
    make_synthetic.main(["--out", synthetic, "--train", "12", "--test", "4", "--seed", "7"])
    real = os.path.join(root, "real")
    for label in os.listdir(os.path.join(synthetic, "train")):
        word = label.strip("_")
        if word == "silence":
            continue
        os.makedirs(os.path.join(real, word))
        for i, f in enumerate(sorted(os.listdir(os.path.join(synthetic, "train", label)))):
            shutil.copy(os.path.join(synthetic, "train", label, f),
                        os.path.join(real, word, f"{i:04x}{word[:2].encode().hex()}_nohash_0.wav"))
    os.makedirs(os.path.join(real, "_background_noise_"))
    rng = np.random.default_rng(1)
    train.write_wav(os.path.join(real, "_background_noise_", "white.wav"), 0.05 * rng.standard_normal(40000))
    return real, synthetic


class EndToEnd(unittest.TestCase):
    """Both kinds of data on tiny fixtures: Speech Commands' layout and synthesize.py's."""

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp()
        cls.real, cls.synthetic = make_fixture_data(cls.root)
        cls.out = os.path.join(cls.root, "out")
        cls.result = train.main(["--speech-commands", cls.real, "--synthetic", cls.synthetic, "--out", cls.out,
                                 "--hidden", "16", "--epochs", "3", "--seed", "5"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root)

    def test_it_writes_the_model_normalisation_and_report(self):
        for name in ["model.onnx", "normalisation.json", "report.json", "report.md"]:
            self.assertTrue(os.path.exists(os.path.join(self.out, name)), name)
        with open(os.path.join(self.out, "normalisation.json")) as f:
            self.assertEqual(json.load(f)["labels"], train.LABELS)
        self.assertIn("confusion (rows: truth", open(os.path.join(self.out, "report.md")).read())

    def test_real_validation_selects_the_epoch_and_synthetic_splits_are_reported(self):
        self.assertEqual(self.result["selection"], "real-validation")
        self.assertIn("synthetic-test-clean", self.result["splits"])
        self.assertIn(self.result["best_epoch"], [1, 2, 3])

    def test_onnxruntime_agrees_with_torch(self):
        self.assertLess(self.result["onnx_max_abs_diff"], 1e-4)
        self.assertEqual(self.result["onnx_same_class"], 1.0)

    def test_held_out_words_are_not_trained_on_and_are_reported(self):
        word = "left"
        result = train.main(["--speech-commands", self.real, "--synthetic", self.synthetic,
                             "--out", os.path.join(self.root, "held"), "--hidden", "16", "--epochs", "3",
                             "--seed", "5", "--hold-out-real", word])
        held = result["splits"]["real-held-out-words"]
        clips, _ = train.speech_commands.scan(self.real)
        real_clips = sum(1 for c in clips if c.word == word and c.split in ("training", "validation"))
        self.assertEqual(held["clips"], real_clips)
        self.assertEqual(sum(held["confusion"][train.LABELS.index(word)]), real_clips)
        real_training = sum(1 for c in clips if c.word == word and c.split == "training")
        self.assertGreater(real_training, 0)
        self.assertEqual(result["class_counts"][word], self.result["class_counts"][word] - real_training)

    def test_one_seed_reproduces_the_run(self):
        again = train.main(["--speech-commands", self.real, "--synthetic", self.synthetic,
                            "--out", os.path.join(self.root, "again"), "--hidden", "16", "--epochs", "3", "--seed", "5"])
        self.assertEqual([e["loss"] for e in again["log"]], [e["loss"] for e in self.result["log"]])


class DSCNNLayout(unittest.TestCase):
    def test_the_exported_dscnn_gives_torchs_probabilities_with_batch_norm_folded(self):
        import onnx
        import dscnn
        model = train.DSCNNModel(channels=8, seed=4)
        dscnn.randomize(model.net, np.random.default_rng(2))  # batch-norm statistics far from the identity
        F = np.random.default_rng(1).standard_normal((5, train.FRAMES, train.COEFFS)).astype(np.float32)
        mean, std = np.zeros(train.COEFFS, np.float32), np.ones(train.COEFFS, np.float32)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "model.onnx")
            model.export(dict(model.net.named_parameters()), path)
            ops = {n.op_type for n in onnx.load(path).graph.node}
            theirs = train.onnxruntime_probabilities(path, F, mean, std)
        self.assertNotIn("BatchNormalization", ops)
        np.testing.assert_allclose(train.predict(model, F, mean, std), theirs, atol=1e-5)

    def test_every_kernel_is_quantised_per_output_channel_and_batch_norm_is_not(self):
        model = train.DSCNNModel(channels=8, seed=5)
        self.assertEqual(len(model.MATRICES), 1 + 2 * 4 + 1, "first conv, 4 x (depthwise, pointwise), classifier")
        w = model.weights(quant_bits=4, differential=True)
        for k in model.MATRICES:
            for row in w[k].detach().numpy().reshape(len(w[k]), -1):
                steps = row / np.max(np.abs(row)) * 15  # 2^4 - 1 steps per sign, scaled per output channel
                np.testing.assert_allclose(steps, np.round(steps), atol=1e-4, err_msg=k)
        float_params = dict(model.net.named_parameters())
        for k in float_params:
            if k not in model.MATRICES:
                self.assertTrue(w[k] is float_params[k], k)


class DSCNNEndToEnd(unittest.TestCase):
    """--architecture ds-cnn on the same tiny fixtures, hardware-aware as the shipped images."""

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp()
        cls.real, cls.synthetic = make_fixture_data(cls.root)
        cls.out = os.path.join(cls.root, "out")
        cls.result = train.main(["--architecture", "ds-cnn", "--channels", "8", "--speech-commands", cls.real,
                                 "--synthetic", cls.synthetic, "--out", cls.out, "--epochs", "3", "--seed", "5",
                                 "--weight-noise", "0.03", "--fake-quant", "4", "--differential-levels"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root)

    def test_the_model_takes_one_mfcc_image_and_gives_twelve_probabilities(self):
        import onnx
        graph = onnx.load(os.path.join(self.out, "model.onnx")).graph
        dims = lambda v: [d.dim_value for d in v.type.tensor_type.shape.dim]  # noqa: E731
        self.assertEqual((graph.input[0].name, dims(graph.input[0])), ("mfcc", [1, 1, train.FRAMES, train.COEFFS]))
        self.assertEqual((graph.output[0].name, dims(graph.output[0])), ("probabilities", [1, len(train.LABELS)]))
        with open(os.path.join(self.out, "normalisation.json")) as f:
            self.assertTrue(json.load(f)["input_layout"].startswith("[batch=1, channels=1, frames=49"))

    def test_the_report_names_the_architecture(self):
        self.assertEqual(self.result["config"]["architecture"], "ds-cnn")
        self.assertNotIn("hidden", self.result["config"])
        with open(os.path.join(self.out, "report.md")) as f:
            report = f.read()
        self.assertTrue(report.startswith("# KWS DS-CNN training report"))
        self.assertIn("DS-CNN 8 channels", report)

    def test_onnxruntime_agrees_with_torch(self):
        self.assertEqual(self.result["selection"], "real-validation")
        self.assertLess(self.result["onnx_max_abs_diff"], 1e-4)
        self.assertEqual(self.result["onnx_same_class"], 1.0)


if __name__ == "__main__":
    unittest.main()
