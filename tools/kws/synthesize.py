#!/usr/bin/env python3
"""Synthesise a keyword-spotting dataset offline with Debian's TTS engines.

Ten Speech Commands keywords (yes no up down left right on off stop go) plus
"unknown" (other short words) and "silence" (background noise only), as 1 s,
16 kHz, mono, 16-bit PCM WAV files.

Engines (shelled out to): espeak-ng (accents x variants, -s speed, -p pitch),
flite (voices from `flite -lv`, duration_stretch and int_f0_target_mean),
festival's text2wave (voices found under /usr/share/festival/voices, optional:
skipped with a note if text2wave is absent), sox (resample to 16 kHz mono
16-bit, trim leading/trailing silence, pad/trim to exactly 16000 samples with
the utterance centred plus a random shift of up to +-100 ms), then, drawn per
clip, a microphone channel (sox highpass and lowpass: a phone or laptop
microphone's band) and a room (sox's reverb: reverberance, HF damping, room
scale, pre-delay), so synthetic speech is not studio-dry like a TTS engine's.

Background noise (white, pink, brown) is generated with numpy from a seed
drawn from the dataset's generator and mixed in at the requested SNR, where
SNR = 10 log10(sum(speech^2) / sum(noise^2)) over the whole 1 s clip.

Reproducibility: every random choice is drawn from
numpy.random.default_rng(--seed) in the parent process, in a fixed order,
before any work is handed to worker processes; workers only execute fully
specified jobs. So the output does not depend on --jobs.

Splits are by voice (synth + voice + variant): train and test never share a
voice; one synthesiser family (--held-out-synth, flite by default) is kept out
of training entirely and forms the "hard" test sets.

    OUT/{train,test-clean,test-10db,test-0db,hard-clean,hard-10db,hard-0db}/<label>/<file>.wav
    OUT/manifest.json   every clip: path, label, split, synth, voice, speed, pitch, snr_db, seed, ...
    OUT/summary.json    counts per split and label

Usage:
    python3 tools/kws/synthesize.py --out DIR --seed 1 --per-word N [--held-out-synth flite] [--jobs 2]
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from concurrent.futures import ProcessPoolExecutor

import numpy as np

SAMPLE_RATE = 16000
CLIP = SAMPLE_RATE  # samples per 1 s clip
MAX_SHIFT = SAMPLE_RATE // 10  # +-100 ms

KEYWORDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
UNKNOWN_WORDS = [
    "bed", "bird", "cat", "dog", "house", "tree", "happy", "wow", "marvin",
    "sheila", "zero", "one", "two", "three", "four", "five", "six", "seven",
    "eight", "nine", "backward", "forward", "follow", "learn", "visual",
    "yellow", "table", "water", "green", "music",
]
SILENCE = "_silence_"
UNKNOWN = "_unknown_"

SPLITS = ["train", "test-clean", "test-10db", "test-0db",
          "hard-clean", "hard-10db", "hard-0db"]
TEST_SNRS = [("clean", None), ("10db", 10.0), ("0db", 0.0)]
NOISE_TYPES = ["white", "pink", "brown"]

ESPEAK_ACCENTS = ["en-us", "en-gb", "en-029", "en-gb-scotland", "en-gb-x-gbclan",
                  "en-gb-x-gbcwmd", "en-gb-x-rp", "en-us-nyc"]
ESPEAK_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8",
                   "f1", "f2", "f3", "f4", "f5", "croak", "klatt", "klatt2",
                   "klatt3", "whisper", "Andy", "Annie", "edward", "linda",
                   "robert", "steph", "travis"]
ESPEAK_SPEED = (120, 220)   # words per minute (-s)
ESPEAK_PITCH = (20, 80)     # 0..99 (-p)
FLITE_STRETCH = (0.8, 1.3)  # duration_stretch (>1 slower)
FLITE_F0 = (80.0, 220.0)    # int_f0_target_mean, Hz
FESTIVAL_STRETCH = (0.8, 1.3)
FESTIVAL_PITCH_CENTS = (-300, 300)  # applied with sox's pitch effect
# Microphone band: browser and phone recordings (Speech Commands was recorded
# that way, Warden 2018) roll off low rumble and, on cheap microphones and 8-16 kHz
# paths, the top of the band.
CHANNEL_HIGHPASS_HZ = (60.0, 300.0)
CHANNEL_LOWPASS_HZ = (3400.0, 7800.0)
# Room: sox reverb's reverberance, HF damping and room scale (percent) and
# pre-delay (ms); small to medium rooms (the speakers recorded at home).
ROOM_REVERBERANCE = (10.0, 70.0)
ROOM_HF_DAMPING = (20.0, 80.0)
ROOM_SCALE = (10.0, 70.0)
ROOM_PRE_DELAY_MS = (0.0, 20.0)

APT_PACKAGE = {"espeak-ng": "espeak-ng", "flite": "flite", "sox": "sox",
               "text2wave": "festival (plus voices, e.g. festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts)"}


class SynthError(RuntimeError):
    pass


def require(tool):
    if shutil.which(tool) is None:
        raise SynthError(f"required program '{tool}' not found on PATH; "
                         f"install it with: apt-get install {APT_PACKAGE[tool]}")


def run(cmd, **kw):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if proc.returncode != 0:
        raise SynthError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n"
                         f"{proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout.decode(errors="replace")


# ---------------------------------------------------------------- voices

def flite_voices():
    out = run(["flite", "-lv"])
    names = out.split(":", 1)[1].split() if ":" in out else out.split()
    # awb_time is a clock-reading voice with a tiny vocabulary, not general TTS.
    return sorted(v for v in names if v != "awb_time")


def festival_voices():
    found = set()
    for d in glob.glob("/usr/share/festival/voices/*/*/"):
        name = os.path.basename(os.path.normpath(d))
        if glob.glob(os.path.join(d, "festvox", "*.scm")):
            found.add(name)
    return sorted(found)


def discover_voices(use_festival=True):
    """All voices as dicts {synth, voice, variant}; sorted for determinism."""
    voices = []
    require("espeak-ng")
    for a in ESPEAK_ACCENTS:
        for v in ESPEAK_VARIANTS:
            voices.append({"synth": "espeak-ng", "voice": a, "variant": v})
    require("flite")
    for v in flite_voices():
        voices.append({"synth": "flite", "voice": v, "variant": ""})
    notes = []
    if use_festival:
        if shutil.which("text2wave") is None:
            notes.append("festival skipped: text2wave not found "
                         "(apt-get install festival festvox-kallpc16k)")
        else:
            fv = festival_voices()
            if not fv:
                notes.append("festival skipped: no voices under /usr/share/festival/voices")
            for v in fv:
                voices.append({"synth": "festival", "voice": v, "variant": ""})
    return voices, notes


def voice_id(v):
    return f"{v['synth']}:{v['voice']}" + (f"+{v['variant']}" if v["variant"] else "")


def split_voices(voices, held_out, test_fraction, rng):
    """Returns {'train': [...], 'test': [...], 'hard': [...]} (disjoint)."""
    families = sorted({v["synth"] for v in voices})
    out = {"train": [], "test": [], "hard": []}
    for fam in families:
        members = [v for v in voices if v["synth"] == fam]
        if fam == held_out:
            out["hard"].extend(members)
            continue
        order = rng.permutation(len(members))
        n_test = max(1, int(round(test_fraction * len(members)))) if len(members) > 1 else 0
        for rank, i in enumerate(order):
            out["test" if rank < n_test else "train"].append(members[i])
    return out


# ---------------------------------------------------------------- audio

def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise SynthError(f"{path}: expected 16-bit PCM, got {8 * w.getsampwidth()}-bit")
        ch = w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        rate = w.getframerate()
    return data.reshape(-1, ch)[:, 0].copy(), rate


def write_wav(path, samples):
    samples = np.asarray(samples, dtype="<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(samples.tobytes())


def make_noise(kind, n, seed):
    """Unit-RMS white/pink/brown noise, generated from its own seed."""
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(n)
    if kind == "white":
        x = white
    else:
        spec = np.fft.rfft(white)
        f = np.arange(len(spec), dtype=np.float64)
        f[0] = 1.0
        spec *= (1.0 / np.sqrt(f)) if kind == "pink" else (1.0 / f)
        spec[0] = 0.0
        x = np.fft.irfft(spec, n=n)
    x = x - x.mean()
    return x / np.sqrt(np.mean(x ** 2))


def mix_at_snr(speech, noise, snr_db):
    """speech: int16 array; noise: unit-RMS float. Returns int16, scaled down
    as a whole if it would clip (which keeps the SNR)."""
    s = speech.astype(np.float64)
    ps = np.mean(s ** 2)
    if ps <= 0:
        raise SynthError("cannot mix at an SNR: speech is all zeros")
    n = noise * np.sqrt(ps / (10.0 ** (snr_db / 10.0)))
    m = s + n
    peak = np.max(np.abs(m))
    if peak > 32000:
        m *= 32000 / peak
    return np.round(m).astype(np.int16)


def measured_snr_db(clean, mixed):
    """SNR of mixed against clean after rescaling clean to best fit (the mix
    may have been scaled down as a whole to avoid clipping)."""
    c = clean.astype(np.float64)
    m = mixed.astype(np.float64)
    g = np.dot(m, c) / np.dot(c, c)
    s = g * c
    return 10 * np.log10(np.sum(s ** 2) / np.sum((m - s) ** 2))


# ---------------------------------------------------------------- jobs

def synthesize_raw(job, tmp):
    """Run the TTS engine; returns path of a wav in tmp."""
    raw = os.path.join(tmp, "raw.wav")
    word = job["word"]
    if job["synth"] == "espeak-ng":
        v = job["voice"] + (f"+{job['variant']}" if job["variant"] else "")
        run(["espeak-ng", "-v", v, "-s", str(job["speed"]), "-p", str(job["pitch"]),
             "-w", raw, word])
    elif job["synth"] == "flite":
        run(["flite", "-voice", job["voice"],
             "--setf", f"duration_stretch={job['speed']}",
             "--setf", f"int_f0_target_mean={job['pitch']}",
             "-t", word, "-o", raw])
    elif job["synth"] == "festival":
        txt = os.path.join(tmp, "word.txt")
        with open(txt, "w") as f:
            f.write(word + "\n")
        run(["text2wave", "-eval", f"(voice_{job['voice']})",
             "-eval", f"(Parameter.set 'Duration_Stretch {job['speed']})",
             txt, "-o", raw])
    else:
        raise SynthError(f"unknown synthesiser {job['synth']!r}")
    return raw


def render_speech(job, tmp):
    """TTS -> sox (16 kHz mono 16-bit, pitch for festival, trim silence) ->
    sox (centre + shift, pad/trim to exactly 16000 samples)."""
    raw = synthesize_raw(job, tmp)
    # sox -R: repeatable mode (fixed dither seed); without it the 16-bit
    # output of rate conversion differs from run to run.
    trimmed = os.path.join(tmp, "trimmed.wav")
    effects = []
    if job["synth"] == "festival" and job["pitch"]:
        effects += ["pitch", str(job["pitch"])]
    effects += ["rate", str(SAMPLE_RATE),
                "silence", "1", "0.005", "0.5%", "reverse",
                "silence", "1", "0.005", "0.5%", "reverse"]
    run(["sox", "-R", raw, "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", "-e", "signed-integer",
         trimmed] + effects)
    with wave.open(trimmed, "rb") as w:
        length = w.getnframes()
    if length == 0:
        raise SynthError(f"{voice_id(job)} produced no audio for {job['word']!r}")
    shift = job["shift"]
    if length >= CLIP:
        # Too long: keep a 1 s window around the centre (shifted).
        start = min(max((length - CLIP) // 2 - shift, 0), length - CLIP)
        effects = ["trim", f"{start}s", f"{CLIP}s"]
    else:
        left = min(max((CLIP - length) // 2 + shift, 0), CLIP - length)
        right = CLIP - length - left
        effects = ["pad", f"{left}s", f"{right}s"]
    effects += channel_and_room_effects(job)
    fixed = os.path.join(tmp, "fixed.wav")
    run(["sox", "-R", trimmed, fixed] + effects)
    data, rate = read_wav(fixed)
    if rate != SAMPLE_RATE or len(data) != CLIP:
        raise SynthError(f"sox produced {len(data)} samples at {rate} Hz, expected {CLIP} at {SAMPLE_RATE}")
    return data


def channel_and_room_effects(job):
    """sox effects for the job's microphone channel and room (either may be
    absent), ending with a trim back to one clip (reverb adds a tail)."""
    effects = []
    channel, room = job.get("channel"), job.get("room")
    if channel:
        effects += ["highpass", str(channel["highpass_hz"]), "lowpass", str(channel["lowpass_hz"])]
    if room:
        effects += ["reverb", str(room["reverberance"]), str(room["hf_damping"]),
                    str(room["room_scale"]), "100", str(room["pre_delay_ms"]),
                    "gain", "-n", "-3"]
    if effects:
        effects += ["trim", "0", f"{CLIP}s"]
    return effects


def draw_channel_and_room(rng, channel_prob, room_prob):
    """(channel, room): each a dict of sox parameters, or None."""
    channel = room = None
    if rng.random() < channel_prob:
        channel = {"highpass_hz": round(float(rng.uniform(*CHANNEL_HIGHPASS_HZ)), 1),
                   "lowpass_hz": round(float(rng.uniform(*CHANNEL_LOWPASS_HZ)), 1)}
    if rng.random() < room_prob:
        room = {"reverberance": round(float(rng.uniform(*ROOM_REVERBERANCE)), 1),
                "hf_damping": round(float(rng.uniform(*ROOM_HF_DAMPING)), 1),
                "room_scale": round(float(rng.uniform(*ROOM_SCALE)), 1),
                "pre_delay_ms": round(float(rng.uniform(*ROOM_PRE_DELAY_MS)), 1)}
    return channel, room


def execute(job):
    """Execute one fully specified job (may run in a worker process).
    Returns a list of manifest entries (a speech job may write several
    versions of the same utterance: clean, 10 dB, 0 dB)."""
    out_dir = job["out"]
    entries = []
    if job["label"] == SILENCE:
        noise = make_noise(job["noise"], CLIP, job["noise_seed"])
        samples = np.round(noise * job["noise_rms"]).clip(-32768, 32767).astype(np.int16)
        versions = [(job["split"], samples, None)]
    else:
        with tempfile.TemporaryDirectory(prefix="kws-") as tmp:
            speech = render_speech(job, tmp)
        versions = []
        for split, snr in job["versions"]:
            if snr is None:
                versions.append((split, speech, None))
            else:
                noise = make_noise(job["noise"], CLIP, job["noise_seed"])
                versions.append((split, mix_at_snr(speech, noise, snr), snr))
    for split, samples, snr in versions:
        rel = os.path.join(split, job["label"], job["name"] + ".wav")
        path = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_wav(path, samples)
        entries.append({
            "path": rel, "label": job["label"], "word": job.get("word"),
            "split": split, "synth": job.get("synth"), "voice": job.get("voice"),
            "variant": job.get("variant"), "speed": job.get("speed"),
            "pitch": job.get("pitch"), "shift_samples": job.get("shift"),
            "channel": job.get("channel"), "room": job.get("room"),
            "noise": job.get("noise") if (snr is not None or job["label"] == SILENCE) else None,
            "snr_db": snr, "noise_rms": job.get("noise_rms"),
            "noise_seed": job.get("noise_seed"), "seed": job["seed"],
        })
    return entries


def draw_prosody(rng, voice):
    if voice["synth"] == "espeak-ng":
        return int(rng.integers(ESPEAK_SPEED[0], ESPEAK_SPEED[1] + 1)), \
               int(rng.integers(ESPEAK_PITCH[0], ESPEAK_PITCH[1] + 1))
    if voice["synth"] == "flite":
        return round(float(rng.uniform(*FLITE_STRETCH)), 3), \
               round(float(rng.uniform(*FLITE_F0)), 1)
    return round(float(rng.uniform(*FESTIVAL_STRETCH)), 3), \
           int(rng.integers(FESTIVAL_PITCH_CENTS[0], FESTIVAL_PITCH_CENTS[1] + 1))


def plan(args, voices):
    """Draw every random choice, in a fixed order, from default_rng(seed)."""
    rng = np.random.default_rng(args.seed)
    if args.held_out_synth not in {v["synth"] for v in voices}:
        raise SynthError(f"--held-out-synth {args.held_out_synth!r} has no voices "
                         f"(available: {sorted({v['synth'] for v in voices})})")
    groups = split_voices(voices, args.held_out_synth, args.test_fraction, rng)
    if not groups["train"] or not groups["test"]:
        raise SynthError("not enough voices to make disjoint train and test sets")
    words = args.words
    jobs = []
    counter = [0]

    def speech_job(group, label, word, versions, noisy_train):
        pool = groups[group]
        if args.pick == "synth":
            # Synth family first (uniformly over the group's families), then voice.
            fams = sorted({v["synth"] for v in pool})
            fam = fams[int(rng.integers(len(fams)))]
            pool = [v for v in pool if v["synth"] == fam]
        voice = pool[int(rng.integers(len(pool)))]
        speed, pitch = draw_prosody(rng, voice)
        shift = int(rng.integers(-MAX_SHIFT, MAX_SHIFT + 1))
        noise = NOISE_TYPES[int(rng.integers(len(NOISE_TYPES)))]
        noise_seed = int(rng.integers(2 ** 63))
        channel, room = draw_channel_and_room(rng, args.channel_prob, args.room_prob)
        if noisy_train is not None:
            if rng.random() < args.train_noise_prob:
                snr = round(float(rng.uniform(*args.train_snr)), 2)
            else:
                snr = None
            versions = [("train", snr)]
        counter[0] += 1
        jobs.append({
            "name": f"{counter[0]:06d}_{word}_{voice_id(voice).replace(':', '_').replace('+', '_')}",
            "label": label, "word": word, "split": versions[0][0], "versions": versions,
            "synth": voice["synth"], "voice": voice["voice"], "variant": voice["variant"],
            "speed": speed, "pitch": pitch, "shift": shift,
            "channel": channel, "room": room, "noise": noise, "noise_seed": noise_seed, "noise_rms": None,
            "seed": args.seed, "out": args.out,
        })

    def silence_job(split):
        noise = NOISE_TYPES[int(rng.integers(len(NOISE_TYPES)))]
        level_db = float(rng.uniform(-60.0, -20.0))  # RMS relative to full scale
        noise_seed = int(rng.integers(2 ** 63))
        counter[0] += 1
        jobs.append({
            "name": f"{counter[0]:06d}_silence_{noise}", "label": SILENCE, "split": split,
            "noise": noise, "noise_seed": noise_seed,
            "noise_rms": round(32768.0 * 10 ** (level_db / 20.0), 3),
            "seed": args.seed, "out": args.out,
        })

    for group, n in (("train", args.per_word), ("test", args.test_per_word),
                     ("hard", args.test_per_word)):
        versions = None if group == "train" else [(f"{group}-{tag}", snr) for tag, snr in TEST_SNRS]
        noisy = True if group == "train" else None
        for word in words:
            for _ in range(n):
                speech_job(group, word, word, versions, noisy)
        for _ in range(args.unknown_per_split if group == "train" else max(1, args.unknown_per_split * args.test_per_word // max(args.per_word, 1))):
            word = UNKNOWN_WORDS[int(rng.integers(len(UNKNOWN_WORDS)))]
            speech_job(group, UNKNOWN, word, versions, noisy)
        n_sil = args.silence_per_split if group == "train" else max(1, args.silence_per_split * args.test_per_word // max(args.per_word, 1))
        for _ in range(n_sil):
            if group == "train":
                silence_job("train")
            else:
                # The same silence clips in each test condition of the group.
                silence_job(f"{group}-clean")
                base = jobs[-1]
                for tag, _snr in TEST_SNRS[1:]:
                    jobs.append(dict(base, split=f"{group}-{tag}"))
    return jobs, groups


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="output directory (must be empty or absent)")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--per-word", type=int, required=True, help="training clips per keyword")
    p.add_argument("--test-per-word", type=int, default=None,
                   help="clean test clips per keyword in test and hard (each also written "
                        "at 10 dB and 0 dB); default max(1, per_word // 3)")
    p.add_argument("--unknown-per-split", type=int, default=None,
                   help="unknown clips in train (default per_word); test/hard scale with test-per-word")
    p.add_argument("--silence-per-split", type=int, default=None,
                   help="silence clips in train (default per_word); test/hard scale with test-per-word")
    p.add_argument("--words", default=",".join(KEYWORDS),
                   help="comma-separated keywords (subset of the ten; default all)")
    p.add_argument("--held-out-synth", default="flite", choices=["espeak-ng", "flite", "festival"])
    p.add_argument("--no-festival", action="store_true", help="do not use festival voices")
    p.add_argument("--test-fraction", type=float, default=0.2,
                   help="fraction of each non-held-out synth's voices kept for test")
    p.add_argument("--train-noise-prob", type=float, default=0.8)
    p.add_argument("--train-snr", type=float, nargs=2, default=[5.0, 30.0], metavar=("LO", "HI"))
    p.add_argument("--pick", choices=["voice", "synth"], default="voice",
                   help="draw each clip's voice uniformly over the group's voices (default), "
                        "or first a synth family uniformly, then a voice of it")
    p.add_argument("--channel-prob", type=float, default=0.7,
                   help="share of speech clips given a random microphone band (highpass + lowpass)")
    p.add_argument("--room-prob", type=float, default=0.6,
                   help="share of speech clips given a random room (sox reverb)")
    p.add_argument("--jobs", type=int, default=1)
    a = p.parse_args(argv)
    a.words = [w.strip() for w in a.words.split(",") if w.strip()]
    bad = [w for w in a.words if w not in KEYWORDS]
    if bad or not a.words or len(set(a.words)) != len(a.words):
        p.error(f"--words must be distinct keywords from {KEYWORDS}; bad: {bad or a.words}")
    if a.per_word < 1:
        p.error("--per-word must be >= 1")
    if a.test_per_word is None:
        a.test_per_word = max(1, a.per_word // 3)
    if a.unknown_per_split is None:
        a.unknown_per_split = a.per_word
    if a.silence_per_split is None:
        a.silence_per_split = a.per_word
    for name in ("test_per_word", "unknown_per_split", "silence_per_split"):
        if getattr(a, name) < 0:
            p.error(f"--{name.replace('_', '-')} must be >= 0")
    if a.test_per_word < 1:
        p.error("--test-per-word must be >= 1")
    if a.jobs < 1:
        p.error("--jobs must be >= 1")
    if not 0.0 < a.test_fraction < 1.0:
        p.error("--test-fraction must be in (0, 1)")
    for name in ("channel_prob", "room_prob"):
        if not 0.0 <= getattr(a, name) <= 1.0:
            p.error(f"--{name.replace('_', '-')} must be in [0, 1], got {getattr(a, name)}")
    if not 0.0 <= a.train_noise_prob <= 1.0:
        p.error("--train-noise-prob must be in [0, 1]")
    if a.train_snr[0] > a.train_snr[1]:
        p.error("--train-snr LO must be <= HI")
    if os.path.exists(a.out) and os.listdir(a.out):
        p.error(f"--out {a.out} exists and is not empty")
    return a


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        require("sox")
        voices, notes = discover_voices(use_festival=not args.no_festival)
        for n in notes:
            print("note:", n, file=sys.stderr)
        jobs, groups = plan(args, voices)
        os.makedirs(args.out, exist_ok=True)
        t0 = time.time()
        if args.jobs == 1:
            results = [execute(j) for j in jobs]
        else:
            with ProcessPoolExecutor(max_workers=args.jobs) as pool:
                results = list(pool.map(execute, jobs, chunksize=8))
        elapsed = time.time() - t0
    except SynthError as e:
        print(f"synthesize.py: error: {e}", file=sys.stderr)
        return 2
    manifest = [e for r in results for e in r]
    for e in manifest:
        e["path"] = e["path"].replace(os.sep, "/")
    summary = {"seed": args.seed, "clips": len(manifest), "splits": {}, "voices": {
        g: sorted(voice_id(v) for v in vs) for g, vs in groups.items()}, "notes": notes}
    for s in SPLITS:
        counts = {}
        for e in manifest:
            if e["split"] == s:
                counts[e["label"]] = counts.get(e["label"], 0) + 1
        summary["splits"][s] = dict(sorted(counts.items()))
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    print(f"{len(manifest)} clips ({len(jobs)} jobs) in {elapsed:.1f} s with --jobs {args.jobs}"
          f" -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
