"""Tests for tools/kws/make_stream.py. Run: python3 -m unittest discover -s tools/kws/tests

Needs espeak-ng and sox on PATH; skipped otherwise.
"""
import json
import os
import shutil
import sys
import tempfile
import unittest
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import make_stream  # noqa: E402

ENGINES = all(shutil.which(t) for t in ("espeak-ng", "sox"))
SMALL = ["--per-keyword", "1", "--unknowns", "3"]


def load(out):
    with wave.open(os.path.join(out, "stream.wav"), "rb") as w:
        info = (w.getnchannels(), w.getsampwidth(), w.getframerate())
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    with open(os.path.join(out, "labels.json")) as f:
        labels = json.load(f)
    with open(os.path.join(out, "stream.wav"), "rb") as f:
        raw = f.read()
    return info, samples, labels, raw


@unittest.skipUnless(ENGINES, "espeak-ng and sox are needed")
class SmallStream(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kws-stream-test-")
        cls.outs = {}
        for name, seed in (("a", 3), ("b", 3), ("c", 4)):
            out = os.path.join(cls.tmp, name)
            rc = make_stream.main(["--seed", str(seed), "--out", out] + SMALL)
            if rc != 0:
                raise AssertionError(f"make_stream exited {rc}")
            cls.outs[name] = load(out)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_the_stream_is_16_khz_mono_16_bit(self):
        info, samples, labels, _ = self.outs["a"]
        self.assertEqual(info, (1, 2, 16000))
        self.assertAlmostEqual(labels["duration_s"], len(samples) / 16000, places=3)

    def test_every_keyword_and_the_unknowns_are_labelled(self):
        events = self.outs["a"][2]["events"]
        self.assertEqual(sorted(e["word"] for e in events if e["is_keyword"]), sorted(make_stream.synthesize.KEYWORDS))
        others = [e for e in events if not e["is_keyword"]]
        self.assertEqual(len(others), 3)
        for e in others:
            self.assertIn(e["word"], make_stream.synthesize.UNKNOWN_WORDS)

    def test_labels_lie_within_the_stream_in_order_without_overlap(self):
        _, samples, labels, _ = self.outs["a"]
        duration = len(samples) / 16000
        events = labels["events"]
        for e in events:
            self.assertGreaterEqual(e["start_s"], 0)
            self.assertLess(e["start_s"], e["end_s"])
            self.assertLessEqual(e["end_s"], duration)
            self.assertLessEqual(e["end_s"] - e["start_s"], 1.0)
        for before, after in zip(events, events[1:]):
            self.assertLess(before["end_s"], after["start_s"])
            spacing = after["start_s"] - before["start_s"]
            self.assertGreaterEqual(spacing, 1.5 - 1e-3)
            self.assertLessEqual(spacing, 3.0 + 1e-3)

    def test_words_are_louder_than_the_gaps_at_their_snr(self):
        _, samples, labels, _ = self.outs["a"]
        x = samples.astype(np.float64)
        events = labels["events"]
        # Noise alone: the lead-in before the first word.
        noise_power = np.mean(x[:int(events[0]["start_s"] * 16000) - 160] ** 2)
        for e in events:
            self.assertGreaterEqual(e["snr_db"], 10.0)
            self.assertLessEqual(e["snr_db"], 20.0)
            word = x[int(e["start_s"] * 16000):int(e["end_s"] * 16000)]
            measured = 10 * np.log10(np.mean(word ** 2) / noise_power - 1)
            self.assertAlmostEqual(measured, e["snr_db"], delta=1.5, msg=e)

    def test_only_test_split_voices_speak(self):
        with open(make_stream.DEFAULT_SUMMARY) as f:
            voices = json.load(f)["voices"]
        for e in self.outs["a"][2]["events"]:
            self.assertIn(e["voice"], voices["test"])
            self.assertNotIn(e["voice"], voices["train"])

    def test_the_same_seed_gives_the_same_bytes_and_another_seed_does_not(self):
        self.assertEqual(self.outs["a"][3], self.outs["b"][3])
        self.assertEqual(self.outs["a"][2]["events"], self.outs["b"][2]["events"])
        self.assertNotEqual(self.outs["a"][3], self.outs["c"][3])

    def test_the_readme_gives_the_regenerating_command(self):
        with open(os.path.join(self.tmp, "a", "README.md")) as f:
            readme = f.read()
        self.assertIn("python3 tools/kws/make_stream.py --seed 3 --out", readme)


class Voices(unittest.TestCase):
    def test_a_summary_whose_test_voices_were_trained_on_is_refused(self):
        with tempfile.TemporaryDirectory(prefix="kws-stream-test-") as tmp:
            path = os.path.join(tmp, "summary.json")
            with open(path, "w") as f:
                json.dump({"voices": {"train": ["espeak-ng:en-us+m1"], "test": ["espeak-ng:en-us+m1"]}}, f)
            with self.assertRaisesRegex(make_stream.StreamError, "both test and train"):
                make_stream.test_voices(path)

    def test_a_missing_summary_is_named(self):
        with self.assertRaisesRegex(make_stream.StreamError, "nowhere.json"):
            make_stream.test_voices("/nonexistent/nowhere.json")


if __name__ == "__main__":
    unittest.main()
