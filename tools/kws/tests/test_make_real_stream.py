"""make_real_stream.py: a labelled stream of validation-speaker clips over the dataset's noise."""
import json
import os
import shutil
import sys
import tempfile
import unittest
import wave

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import make_real_stream  # noqa: E402
import speech_commands as sc  # noqa: E402
from train import write_wav  # noqa: E402


class RealStreamTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.out = os.path.join(self.root, "out")
        data = os.path.join(self.root, "sc")
        rng = np.random.default_rng(2)
        speakers = [f"{i:08x}" for i in range(400)]
        self.validation = [s for s in speakers if sc.which_set(f"{s}_nohash_0.wav") == "validation"][:3]
        self.training = [s for s in speakers if sc.which_set(f"{s}_nohash_0.wav") == "training"][:2]
        tone = 0.5 * np.sin(np.arange(8000) * 0.2) * np.hanning(8000)
        for word in ["yes", "no", "bed"]:
            os.makedirs(os.path.join(data, word))
            for s in self.validation + self.training:
                write_wav(os.path.join(data, word, f"{s}_nohash_0.wav"), np.concatenate([np.zeros(4000), tone, np.zeros(4000)]))
        os.makedirs(os.path.join(data, sc.BACKGROUND))
        write_wav(os.path.join(data, sc.BACKGROUND, "white.wav"), 0.1 * rng.standard_normal(32000))
        self.data = data

    def tearDown(self):
        shutil.rmtree(self.root)

    def test_only_validation_speakers_are_used_and_labels_match_the_audio(self):
        labels = make_real_stream.compose(self.data, self.out, seed=3, per_keyword=5, unknowns=2,
                                          gap=(1.5, 2.0), snr=(10.0, 10.0))
        events = labels["events"]
        self.assertEqual(sorted(e["word"] for e in events), ["bed", "bed", "no", "no", "no", "yes", "yes", "yes"],
                         "a keyword with fewer validation clips than asked gives what it has")
        self.assertTrue(all(e["voice"].split(":")[1] in self.validation for e in events))
        self.assertEqual([e["is_keyword"] for e in events], [e["word"] != "bed" for e in events])
        with wave.open(os.path.join(self.out, "stream.wav")) as w:
            self.assertEqual((w.getframerate(), w.getnchannels()), (16000, 1))
            samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
        self.assertAlmostEqual(len(samples) / 16000, labels["duration_s"], places=3)
        with open(os.path.join(self.out, "labels.json")) as f:
            self.assertEqual(json.load(f)["events"], events)
        # Each word's span is louder than the bed by about its 10 dB SNR.
        bed = samples[: int(1.4 * 16000)]
        for e in events:
            span = samples[int(e["start_s"] * 16000): int(e["end_s"] * 16000)]
            ratio = 10 * np.log10(np.mean(span ** 2) / np.mean(bed ** 2))
            self.assertGreater(ratio, 7.0, e)

    def test_one_seed_gives_the_same_bytes(self):
        make_real_stream.compose(self.data, self.out, 3, 2, 1, (1.5, 2.0), (10.0, 20.0))
        first = open(os.path.join(self.out, "stream.wav"), "rb").read()
        make_real_stream.compose(self.data, self.out, 3, 2, 1, (1.5, 2.0), (10.0, 20.0))
        self.assertEqual(first, open(os.path.join(self.out, "stream.wav"), "rb").read())


if __name__ == "__main__":
    unittest.main()
