"""Tests for tools/kws/make_stream.py (the firmware's bundled audio stream).
Run: python3 -m unittest discover -s tools/kws/tests
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import unittest
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
TOOL = os.path.join(os.path.dirname(HERE), "make_stream.py")
TEST_DIR = os.path.join(ROOT, "firmware", "kws-gru", "test")
SHIPPED = os.path.join(ROOT, "firmware", "kws-gru", "stream")


def make(out, seed=7):
    subprocess.run([sys.executable, TOOL, "--seed", str(seed), "--test-dir", TEST_DIR, "--out", out],
                   check=True, stdout=subprocess.PIPE)
    with open(os.path.join(out, "labels.json")) as f:
        labels = json.load(f)
    with open(os.path.join(out, "stream.wav"), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return labels, digest


class MakeStreamTests(unittest.TestCase):
    def test_labels_lie_inside_the_stream_in_order_without_overlap(self):
        with tempfile.TemporaryDirectory() as out:
            labels, _ = make(out)
            with wave.open(os.path.join(out, "stream.wav")) as w:
                self.assertEqual((w.getframerate(), w.getnchannels(), w.getsampwidth()), (16000, 1, 2))
                duration = w.getnframes() / 16000
            self.assertAlmostEqual(labels["duration_s"], duration, places=3)
            events = labels["events"]
            self.assertEqual(sum(e["keyword"] for e in events), 20)
            for a, b in zip(events, events[1:]):
                self.assertLess(a["end_s"], b["start_s"])
            for e in events:
                self.assertTrue(0 <= e["start_s"] < e["end_s"] <= duration)

    def test_one_seed_gives_the_same_stream_and_another_seed_another(self):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b, tempfile.TemporaryDirectory() as c:
            self.assertEqual(make(a, 7)[1], make(b, 7)[1])
            self.assertNotEqual(make(a, 7)[1], make(c, 8)[1])

    def test_the_shipped_stream_is_what_its_command_makes(self):
        with open(os.path.join(SHIPPED, "labels.json")) as f:
            shipped = json.load(f)
        with tempfile.TemporaryDirectory() as out:
            labels, digest = make(out, shipped["seed"])
        with open(os.path.join(SHIPPED, "stream.wav"), "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), digest)
        self.assertEqual(labels["events"], shipped["events"])


if __name__ == "__main__":
    unittest.main()
