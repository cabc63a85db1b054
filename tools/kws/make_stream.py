#!/usr/bin/env python3
"""Compose the firmware's bundled audio stream: a minute or so of keywords
and other words, apart, over continuous background noise.

The utterances are the dataset tool's held-out test-voice clips shipped in
firmware/kws-gru/test (test-clean): no voice in the stream was heard in
training. Each clip's word is located by its energy envelope so labels.json
says when each word starts and ends. Gaps and a continuous noise bed come
from synthesize.make_noise; everything is drawn from --seed.

    python3 tools/kws/make_stream.py --seed 7 --out firmware/kws-gru/stream

writes stream.wav (16 kHz mono 16-bit) and labels.json:
    {"sample_rate": 16000, "duration_s": ..., "seed": ..., "snr_db": ...,
     "events": [{"word", "keyword", "start_s", "end_s", "clip"}]}
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthesize  # noqa: E402

KEYWORDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
RATE = 16000


def word_span(samples, frame=160, floor_db=-30.0):
    """First and last 10 ms frame whose energy is within floor_db of the loudest."""
    x = samples.astype(np.float64)
    n = len(x) // frame
    energy = np.array([np.mean(x[i * frame:(i + 1) * frame] ** 2) for i in range(n)]) + 1e-9
    db = 10 * np.log10(energy / energy.max())
    loud = np.nonzero(db > floor_db)[0]
    if len(loud) == 0:
        return 0, len(x)
    return int(loud[0] * frame), int(min(len(x), (loud[-1] + 1) * frame))


def compose(test_dir, seed, per_keyword, unknowns, snr_db, gap_range):
    rng = np.random.default_rng(seed)
    with open(os.path.join(test_dir, "manifest.json")) as f:
        clips = [c for c in json.load(f)["clips"] if c["split"] == "test-clean"]
    chosen = []
    for word in KEYWORDS:
        pool = sorted(c["path"] for c in clips if c.get("word") == word and c["label"] == word)
        if len(pool) < per_keyword:
            raise SystemExit(f"{test_dir}: only {len(pool)} test-clean clips of {word!r}; need {per_keyword}")
        chosen += [(word, True, p) for p in rng.choice(pool, per_keyword, replace=False)]
    pool = sorted(c["path"] for c in clips if c["label"] == "_unknown_")
    chosen += [("unknown", False, p) for p in rng.choice(pool, min(unknowns, len(pool)), replace=False)]
    order = rng.permutation(len(chosen))
    pieces, events, t = [], [], 0
    speech_power = []
    for k in order:
        word, is_keyword, path = chosen[k]
        gap = int(rng.uniform(*gap_range) * RATE)
        pieces.append(np.zeros(gap))
        t += gap
        samples = synthesize.read_wav(os.path.join(test_dir, path))[0].astype(np.float64)
        start, end = word_span(samples)
        speech_power.append(np.mean(samples[start:end] ** 2))
        if not is_keyword:
            word = next((c.get("word") for c in clips if c["path"] == path), None) or "unknown"
        events.append({"word": word, "keyword": is_keyword, "start_s": round((t + start) / RATE, 4),
                       "end_s": round((t + end) / RATE, 4), "clip": path})
        pieces.append(samples)
        t += len(samples)
    tail = int(gap_range[1] * RATE)
    pieces.append(np.zeros(tail))
    speech = np.concatenate(pieces)
    noise = synthesize.make_noise("pink", len(speech), int(rng.integers(1 << 62)))
    level = np.sqrt(np.mean(speech_power) / 10 ** (snr_db / 10))
    mixed = speech + noise * level
    peak = np.max(np.abs(mixed))
    if peak > 32000:
        mixed *= 32000 / peak
    return np.round(mixed).astype(np.int16), events


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--test-dir", default="firmware/kws-gru/test", help="the shipped test subset (manifest.json)")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--per-keyword", type=int, default=2, help="utterances of each keyword")
    p.add_argument("--unknowns", type=int, default=5, help="non-keyword utterances")
    p.add_argument("--snr-db", type=float, default=20.0, help="speech power over the noise bed")
    p.add_argument("--gap-min-s", type=float, default=0.6)
    p.add_argument("--gap-max-s", type=float, default=1.4)
    a = p.parse_args(argv)
    stream, events = compose(a.test_dir, a.seed, a.per_keyword, a.unknowns, a.snr_db, (a.gap_min_s, a.gap_max_s))
    os.makedirs(a.out, exist_ok=True)
    synthesize.write_wav(os.path.join(a.out, "stream.wav"), stream)
    labels = {"sample_rate": RATE, "duration_s": round(len(stream) / RATE, 4), "seed": a.seed, "snr_db": a.snr_db,
              "command": "python3 tools/kws/make_stream.py " + " ".join(argv if argv is not None else sys.argv[1:]),
              "events": events}
    with open(os.path.join(a.out, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1)
    print(f"{a.out}/stream.wav: {len(stream) / RATE:.1f} s, {sum(e['keyword'] for e in events)} keywords, "
          f"{sum(not e['keyword'] for e in events)} other words")


if __name__ == "__main__":
    main()
