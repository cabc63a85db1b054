"""speech_commands.py: Speech Commands' layout, its split rule and its lists."""
import os
import shutil
import sys
import tempfile
import unittest
import wave

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import speech_commands as sc  # noqa: E402


def write_wav(path, samples, rate=16000, channels=1):
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


class SpeechCommandsLayoutTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        rng = np.random.default_rng(1)
        for word, speakers in {"yes": ["0a7c2a8d", "1b4c9d2e"], "no": ["0a7c2a8d"], "bed": ["3c5d7e9f"]}.items():
            os.makedirs(os.path.join(self.root, word))
            for s in speakers:
                write_wav(os.path.join(self.root, word, f"{s}_nohash_0.wav"), 0.1 * rng.standard_normal(16000))
        os.makedirs(os.path.join(self.root, sc.BACKGROUND))
        write_wav(os.path.join(self.root, sc.BACKGROUND, "white_noise.wav"), 0.1 * rng.standard_normal(48000))
        with open(os.path.join(self.root, sc.BACKGROUND, "README.md"), "w") as f:
            f.write("not audio\n")

    def tearDown(self):
        shutil.rmtree(self.root)

    def test_every_word_folder_is_read_and_background_noise_kept_apart(self):
        clips, noise = sc.scan(self.root)
        self.assertEqual(sorted(c.word for c in clips), ["bed", "no", "yes", "yes"])
        self.assertEqual([os.path.basename(n) for n in noise], ["white_noise.wav"])
        self.assertEqual({c.speaker for c in clips}, {"0a7c2a8d", "1b4c9d2e", "3c5d7e9f"})

    def test_without_lists_a_speaker_lands_wholly_in_the_split_its_hash_gives(self):
        clips, _ = sc.scan(self.root)
        for c in clips:
            self.assertEqual(c.split, sc.which_set(os.path.basename(c.path)))
        by_speaker = {}
        for c in clips:
            by_speaker.setdefault(c.speaker, set()).add(c.split)
        self.assertTrue(all(len(s) == 1 for s in by_speaker.values()))

    def test_which_set_follows_tensorflows_rule(self):
        # Values from TensorFlow's input_data.which_set (SHA-1 of the speaker id, 10% / 10%),
        # as the dataset's own MANIFEST records them for these speakers.
        self.assertEqual(sc.which_set("004ae714_nohash_0.wav"), "training")
        self.assertEqual(sc.which_set("004ae714_nohash_7.flac"), "training", "the suffix and take do not matter")
        percentages = [sc.which_set(f"{i:08x}_nohash_0.wav") for i in range(4000)]
        share = {s: percentages.count(s) / len(percentages) for s in ("training", "validation", "testing")}
        self.assertAlmostEqual(share["validation"], 0.1, delta=0.02)
        self.assertAlmostEqual(share["testing"], 0.1, delta=0.02)

    def test_the_datasets_own_lists_override_the_hash(self):
        with open(os.path.join(self.root, "validation_list.txt"), "w") as f:
            f.write("yes/1b4c9d2e_nohash_0.wav\n")
        with open(os.path.join(self.root, "testing_list.txt"), "w") as f:
            f.write("bed/3c5d7e9f_nohash_0.wav\n")
        clips, _ = sc.scan(self.root)
        split = {f"{c.word}/{c.speaker}": c.split for c in clips}
        self.assertEqual(split, {"yes/0a7c2a8d": "training", "yes/1b4c9d2e": "validation",
                                 "no/0a7c2a8d": "training", "bed/3c5d7e9f": "testing"})

    def test_flac_and_stereo_wav_read_as_mono_16k(self):
        import soundfile
        stereo = os.path.join(self.root, "yes", "5e6f7a8b_nohash_0.wav")
        left = np.linspace(-0.5, 0.5, 16000, dtype=np.float32)
        soundfile.write(stereo, np.stack([left, -left], axis=1), 16000, subtype="PCM_24")
        flac = os.path.join(self.root, "no", "6f7a8b9c_nohash_0.flac")
        soundfile.write(flac, left, 16000)
        self.assertTrue(np.allclose(sc.read_audio(stereo), 0, atol=1e-6), "stereo is averaged")
        self.assertTrue(np.allclose(sc.read_audio(flac), left, atol=1e-4))
        clips, _ = sc.scan(self.root)
        self.assertIn(flac, [c.path for c in clips])

    def test_a_wrong_rate_or_an_empty_folder_is_refused(self):
        path = os.path.join(self.root, "yes", "7a8b9c0d_nohash_0.wav")
        write_wav(path, np.zeros(8000), rate=8000)
        with self.assertRaisesRegex(ValueError, "8000 Hz"):
            sc.read_audio(path)
        empty = tempfile.mkdtemp()
        try:
            with self.assertRaisesRegex(FileNotFoundError, "no <word>"):
                sc.scan(empty)
        finally:
            shutil.rmtree(empty)


if __name__ == "__main__":
    unittest.main()
