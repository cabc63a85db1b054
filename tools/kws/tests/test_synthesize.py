"""Tests for tools/kws/synthesize.py. Run: python3 -m unittest discover tools/kws/tests

Needs espeak-ng, flite and sox on PATH (festival optional); skipped otherwise.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(os.path.dirname(HERE), "synthesize.py")
sys.path.insert(0, os.path.dirname(HERE))
import synthesize as syn  # noqa: E402

ENGINES = all(shutil.which(t) for t in ("espeak-ng", "flite", "sox"))
TINY = ["--seed", "7", "--per-word", "2", "--words", "yes,left",
        "--train-noise-prob", "1.0"]


def run_tool(out, extra=(), env=None):
    return subprocess.run([sys.executable, TOOL, "--out", out] + list(TINY) + list(extra),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def tree_hashes(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def read(path):
    with wave.open(path, "rb") as w:
        info = (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes())
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return info, data


@unittest.skipUnless(ENGINES, "espeak-ng, flite and sox are needed")
class TinyDataset(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kws-test-")
        cls.a = os.path.join(cls.tmp, "a")
        cls.b = os.path.join(cls.tmp, "b")
        for out, jobs in ((cls.a, "1"), (cls.b, "2")):
            p = run_tool(out, ["--jobs", jobs])
            if p.returncode != 0:
                raise AssertionError(p.stderr)
        with open(os.path.join(cls.a, "manifest.json")) as f:
            cls.manifest = json.load(f)
        with open(os.path.join(cls.a, "summary.json")) as f:
            cls.summary = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_deterministic_and_independent_of_jobs(self):
        ha, hb = tree_hashes(self.a), tree_hashes(self.b)
        self.assertEqual(sorted(ha), sorted(hb))
        self.assertEqual(ha, hb)
        self.assertGreater(len(ha), 20)

    def test_different_seed_differs(self):
        out = os.path.join(self.tmp, "c")
        p = subprocess.run([sys.executable, TOOL, "--out", out, "--seed", "8", "--per-word", "2",
                            "--words", "yes,left", "--train-noise-prob", "1.0"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotEqual(tree_hashes(self.a), tree_hashes(out))

    def test_layout_and_format(self):
        self.assertEqual(len(self.manifest), self.summary["clips"])
        wavs = set()
        for e in self.manifest:
            self.assertIn(e["split"], syn.SPLITS)
            self.assertEqual(e["path"].split("/")[:2], [e["split"], e["label"]])
            path = os.path.join(self.a, e["path"])
            (ch, width, rate, n), data = read(path)
            self.assertEqual((ch, width, rate, n), (1, 2, 16000, 16000), e["path"])
            self.assertGreater(np.abs(data).max(), 0, e["path"])
            wavs.add(e["path"])
            for key in ("path", "label", "split", "synth", "voice", "speed", "pitch",
                        "snr_db", "seed"):
                self.assertIn(key, e)
        on_disk = {os.path.relpath(os.path.join(d, f), self.a).replace(os.sep, "/")
                   for d, _, fs in os.walk(self.a) for f in fs if f.endswith(".wav")}
        self.assertEqual(wavs, on_disk)
        for split in syn.SPLITS:
            self.assertEqual(set(self.summary["splits"][split]),
                             {"yes", "left", "_unknown_", "_silence_"}, split)

    def test_speech_is_centred_within_shift(self):
        # Clean clips: the utterance's energy centre lies near the middle.
        for e in self.manifest:
            if e["split"] == "test-clean" and e["label"] != "_silence_":
                _, x = read(os.path.join(self.a, e["path"]))
                env = x.astype(float) ** 2
                centre = (env * np.arange(len(x))).sum() / env.sum()
                self.assertLess(abs(centre - 8000), 0.25 * 16000, e["path"])

    def test_snr_of_mixed_clips(self):
        checked = 0
        for e in self.manifest:
            if e["split"] in ("test-10db", "test-0db", "hard-10db", "hard-0db") \
                    and e["label"] != "_silence_":
                clean_path = e["path"].replace(e["split"], e["split"].split("-")[0] + "-clean", 1)
                _, clean = read(os.path.join(self.a, clean_path))
                _, mixed = read(os.path.join(self.a, e["path"]))
                snr = syn.measured_snr_db(clean, mixed)
                self.assertAlmostEqual(snr, e["snr_db"], delta=0.5, msg=e["path"])
                checked += 1
        self.assertGreaterEqual(checked, 8)

    def test_train_noise_recorded(self):
        train = [e for e in self.manifest if e["split"] == "train" and e["label"] != "_silence_"]
        self.assertTrue(train)
        for e in train:  # --train-noise-prob 1.0
            self.assertIsNotNone(e["snr_db"])
            self.assertTrue(5.0 <= e["snr_db"] <= 30.0)
            self.assertIn(e["noise"], syn.NOISE_TYPES)

    def test_voice_disjoint_splits_and_held_out_synth(self):
        def vid(e):
            return (e["synth"], e["voice"], e["variant"])
        speech = [e for e in self.manifest if e["label"] != "_silence_"]
        train = {vid(e) for e in speech if e["split"] == "train"}
        test = {vid(e) for e in speech if e["split"].startswith("test-")}
        hard = {vid(e) for e in speech if e["split"].startswith("hard-")}
        self.assertTrue(train and test and hard)
        self.assertFalse(train & test)
        self.assertFalse(train & hard)
        self.assertFalse(test & hard)
        self.assertNotIn("flite", {v[0] for v in train | test})
        self.assertEqual({v[0] for v in hard}, {"flite"})
        groups = self.summary["voices"]
        self.assertFalse(set(groups["train"]) & set(groups["test"]))
        self.assertFalse(any(v.startswith("flite:") for v in groups["train"] + groups["test"]))


@unittest.skipUnless(ENGINES, "espeak-ng, flite and sox are needed")
class OtherHeldOut(unittest.TestCase):
    def test_espeak_held_out(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "o")
            p = subprocess.run([sys.executable, TOOL, "--out", out, "--seed", "3", "--per-word", "1",
                                "--words", "no", "--held-out-synth", "espeak-ng", "--no-festival"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(out, "manifest.json")) as f:
                m = json.load(f)
            train = {e["synth"] for e in m if e["split"] == "train" and e["synth"]}
            hard = {e["synth"] for e in m if e["split"].startswith("hard-") and e["synth"]}
            self.assertEqual(train, {"flite"})
            self.assertEqual(hard, {"espeak-ng"})


@unittest.skipUnless(shutil.which("text2wave") and shutil.which("sox") and syn.festival_voices(),
                     "festival (text2wave + a voice) not installed")
class Festival(unittest.TestCase):
    def test_festival_job_renders_repeatably(self):
        voice = syn.festival_voices()[0]
        hashes = []
        for _ in range(2):
            with tempfile.TemporaryDirectory() as out:
                job = {"name": "f", "label": "yes", "word": "yes", "split": "train",
                       "versions": [("train", 10.0)], "synth": "festival", "voice": voice,
                       "variant": "", "speed": 1.1, "pitch": 200, "shift": -500,
                       "noise": "pink", "noise_seed": 3, "noise_rms": None, "seed": 1, "out": out}
                (entry,) = syn.execute(job)
                (info, data) = read(os.path.join(out, entry["path"]))
                self.assertEqual(info, (1, 2, 16000, 16000))
                self.assertEqual(entry["synth"], "festival")
                hashes.append(hashlib.sha256(data.tobytes()).hexdigest())
        self.assertEqual(hashes[0], hashes[1])


@unittest.skipUnless(ENGINES, "espeak-ng, flite and sox are needed")
class ChannelAndRoom(unittest.TestCase):
    """A room leaves a reverberant tail after the word; a microphone channel
    takes out the band below its highpass. Both keep the clip one second long."""

    def render(self, channel=None, room=None):
        job = {"name": "r", "label": "yes", "word": "yes", "split": "test-clean",
               "versions": [("test-clean", None)], "synth": "espeak-ng", "voice": "en-us",
               "variant": "m1", "speed": 160, "pitch": 50, "shift": 0, "channel": channel,
               "room": room, "noise": "white", "noise_seed": 1, "noise_rms": None, "seed": 1}
        with tempfile.TemporaryDirectory() as out:
            (entry,) = syn.execute(dict(job, out=out))
            info, data = read(os.path.join(out, entry["path"]))
        self.assertEqual(info, (1, 2, 16000, 16000))
        self.assertEqual((entry["channel"], entry["room"]), (channel, room))
        return data.astype(float)

    def test_room_adds_a_tail(self):
        dry = self.render()
        wet = self.render(room={"reverberance": 70.0, "hf_damping": 20.0, "room_scale": 70.0,
                                "pre_delay_ms": 0.0})
        def tail_share(x):
            end = np.nonzero(np.abs(dry) > 0.01 * np.abs(dry).max())[0][-1]
            window = x[end + 800:end + 4000] ** 2  # 50-250 ms after the dry word ends
            return window.sum() / (x ** 2).sum()
        self.assertGreater(tail_share(wet), 10 * tail_share(dry) + 1e-6)

    def test_channel_removes_low_band(self):
        def low_share(x):
            spectrum = np.abs(np.fft.rfft(x)) ** 2
            return spectrum[:100].sum() / spectrum.sum()  # below 100 Hz (1 Hz bins)
        dry = self.render()
        band = self.render(channel={"highpass_hz": 300.0, "lowpass_hz": 3400.0})
        self.assertLess(low_share(band), 0.5 * low_share(dry))

    def test_draws_are_seeded_and_in_range(self):
        a = [syn.draw_channel_and_room(np.random.default_rng(5), 0.5, 0.5) for _ in range(1)]
        b = [syn.draw_channel_and_room(np.random.default_rng(5), 0.5, 0.5) for _ in range(1)]
        self.assertEqual(a, b)
        rng = np.random.default_rng(1)
        for _ in range(200):
            channel, room = syn.draw_channel_and_room(rng, 1.0, 1.0)
            self.assertTrue(syn.CHANNEL_HIGHPASS_HZ[0] <= channel["highpass_hz"] <= syn.CHANNEL_HIGHPASS_HZ[1])
            self.assertTrue(syn.CHANNEL_LOWPASS_HZ[0] <= channel["lowpass_hz"] <= syn.CHANNEL_LOWPASS_HZ[1])
            self.assertTrue(syn.ROOM_SCALE[0] <= room["room_scale"] <= syn.ROOM_SCALE[1])
        self.assertEqual(syn.draw_channel_and_room(rng, 0.0, 0.0), (None, None))


class Errors(unittest.TestCase):
    def check_fails(self, extra, needle, env=None, out=None):
        with tempfile.TemporaryDirectory() as tmp:
            p = subprocess.run([sys.executable, TOOL, "--out", out or os.path.join(tmp, "o")] + extra,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.assertEqual(p.returncode, 2)
        self.assertIn(needle, p.stderr)

    def test_bad_arguments(self):
        self.check_fails(["--seed", "1", "--per-word", "0"], "--per-word must be >= 1")
        self.check_fails(["--seed", "1", "--per-word", "1", "--words", "yes,banana"], "banana")
        self.check_fails(["--seed", "1", "--per-word", "1", "--jobs", "0"], "--jobs must be >= 1")
        self.check_fails(["--seed", "1", "--per-word", "1", "--room-prob", "1.5"], "--room-prob must be in [0, 1], got 1.5")
        self.check_fails(["--seed", "1", "--per-word", "1", "--held-out-synth", "say"], "invalid choice")
        self.check_fails(["--per-word", "1"], "--seed")

    def test_non_empty_out(self):
        with tempfile.TemporaryDirectory() as tmp:
            open(os.path.join(tmp, "x"), "w").close()
            self.check_fails(["--seed", "1", "--per-word", "1"], "not empty", out=tmp)

    @unittest.skipUnless(shutil.which("sox"), "sox needed")
    def test_missing_engine_names_package(self):
        with tempfile.TemporaryDirectory() as bindir:
            os.symlink(shutil.which("sox"), os.path.join(bindir, "sox"))
            env = dict(os.environ, PATH=bindir)
            self.check_fails(["--seed", "1", "--per-word", "1"],
                             "apt-get install espeak-ng", env=env)

    def test_missing_festival_is_optional(self):
        if shutil.which("espeak-ng") and shutil.which("flite"):
            path = os.environ["PATH"]
            try:
                with tempfile.TemporaryDirectory() as bindir:
                    for t in ("espeak-ng", "flite"):
                        os.symlink(shutil.which(t), os.path.join(bindir, t))
                    os.environ["PATH"] = bindir
                    voices, notes = syn.discover_voices()
            finally:
                os.environ["PATH"] = path
            self.assertNotIn("festival", {v["synth"] for v in voices})
            self.assertTrue(any("text2wave" in n for n in notes))


class Units(unittest.TestCase):
    VOICES = ([{"synth": "espeak-ng", "voice": "en-us", "variant": f"m{i}"} for i in range(1, 9)]
              + [{"synth": "festival", "voice": "kal_diphone", "variant": ""}]
              + [{"synth": "flite", "voice": v, "variant": ""} for v in ("kal", "slt")])

    def plan(self, *extra):
        with tempfile.TemporaryDirectory() as tmp:
            args = syn.parse_args(["--out", os.path.join(tmp, "o"), "--seed", "4",
                                   "--per-word", "20"] + list(extra))
            return syn.plan(args, self.VOICES)

    def test_plan_is_seeded(self):
        a, ga = self.plan()
        b, gb = self.plan()
        strip = lambda jobs: [{k: v for k, v in j.items() if k != "out"} for j in jobs]  # noqa: E731
        self.assertEqual(strip(a), strip(b))
        self.assertEqual(ga, gb)
        self.assertEqual(len(ga["hard"]), 2)
        self.assertEqual({v["synth"] for v in ga["train"]}, {"espeak-ng", "festival"})

    def test_pick_synth_balances_families(self):
        def festival_share(jobs):
            train = [j for j in jobs if j["split"] == "train" and j["label"] != "_silence_"]
            return sum(j["synth"] == "festival" for j in train) / len(train)
        self.assertLess(festival_share(self.plan()[0]), 0.3)
        self.assertGreater(festival_share(self.plan("--pick", "synth")[0]), 0.35)


    def test_noise_is_seeded_and_unit_rms(self):
        for kind in syn.NOISE_TYPES:
            a, b = syn.make_noise(kind, 16000, 5), syn.make_noise(kind, 16000, 5)
            self.assertTrue(np.array_equal(a, b))
            self.assertAlmostEqual(float(np.sqrt(np.mean(a ** 2))), 1.0, places=6)
        # Pink/brown have more low-frequency energy than white.
        def low_share(x):
            s = np.abs(np.fft.rfft(x)) ** 2
            return s[:len(s) // 10].sum() / s.sum()
        w, p, br = (low_share(syn.make_noise(k, 16000, 1)) for k in ("white", "pink", "brown"))
        self.assertLess(w, p)
        self.assertLess(p, br)

    def test_mix_at_snr(self):
        rng = np.random.default_rng(0)
        speech = (3000 * np.sin(np.arange(16000) * 0.05) * (rng.random(16000) > 0.3)).astype(np.int16)
        for snr in (30.0, 10.0, 0.0, -5.0):
            mixed = syn.mix_at_snr(speech, syn.make_noise("pink", 16000, 9), snr)
            self.assertAlmostEqual(syn.measured_snr_db(speech, mixed), snr, delta=0.5)


if __name__ == "__main__":
    unittest.main()
