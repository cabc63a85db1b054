#!/usr/bin/env python3
"""Tiny synthetic KWS dataset for testing train.py (NOT speech).

Each of the 10 keyword classes is a class-dependent two-tone "word": tone A
then tone B (frequencies fixed per class, jittered +/-3% per clip), 250-400 ms
each, starting at a random onset, random amplitude. "unknown" uses random
tone pairs outside the keyword set, "silence" is low-level noise only.
Writes DIR/<split>/<label>/NNNN.wav (16 kHz mono 16-bit) for splits train,
test-clean, test-10db, test-0db (white noise at that SNR).

    python3 tools/kws/make_synthetic.py --out /tmp/kws-syn --train 30 --test 10 --seed 1
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import LABELS, write_wav  # noqa: E402

SR = 16000
KEYWORD_TONES = [(300, 900), (900, 300), (400, 1200), (1200, 400), (500, 700),
                 (700, 500), (350, 1500), (1500, 350), (600, 2000), (2000, 600)]


def tone(freq, n, rng):
    t = np.arange(n) / SR
    env = np.sin(np.pi * np.arange(n) / n) ** 2
    return env * (np.sin(2 * np.pi * freq * t + rng.uniform(0, 2 * np.pi))
                  + 0.3 * np.sin(4 * np.pi * freq * t))


def clip(label, rng):
    x = np.zeros(SR)
    if label == "silence":
        return rng.standard_normal(SR) * rng.uniform(0.001, 0.01)
    if label == "unknown":
        fa, fb = rng.uniform(250, 2500, size=2)
    else:
        fa, fb = KEYWORD_TONES[LABELS.index(label)]
    fa, fb = fa * rng.uniform(0.97, 1.03), fb * rng.uniform(0.97, 1.03)
    na, nb = rng.integers(4000, 6400, size=2)
    start = rng.integers(1600, SR - na - nb - 1600)
    x[start:start + na] += tone(fa, na, rng)
    x[start + na:start + na + nb] += tone(fb, nb, rng)
    x *= rng.uniform(0.1, 0.5)
    return x + rng.standard_normal(SR) * 0.002


def add_noise(x, snr_db, rng):
    ps = max(np.mean(x ** 2), 1e-6)
    return x + rng.standard_normal(len(x)) * np.sqrt(ps / 10 ** (snr_db / 10))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--train", type=int, default=30, help="clips per class in train")
    ap.add_argument("--test", type=int, default=10, help="clips per class per test split")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    rng = np.random.default_rng(a.seed)
    plan = [("train", a.train, None), ("test-clean", a.test, None),
            ("test-10db", a.test, 10.0), ("test-0db", a.test, 0.0)]
    for split, count, snr in plan:
        for label in LABELS:
            d = os.path.join(a.out, split, label)
            os.makedirs(d, exist_ok=True)
            for i in range(count):
                x = clip(label, rng)
                if snr is not None:
                    x = add_noise(x, snr, rng)
                write_wav(os.path.join(d, f"{i:04d}.wav"), np.clip(x, -1, 0.99))


if __name__ == "__main__":
    main()
