"""Writes firmware/kws-gru/test/mfcc-reference.json: frontend.py's MFCCs of
every clip in the shipped test set (6 decimals), which the Swift frontend is
tested against (Tests/KWSTests/ShippedTestSetTests.swift).

    python3 tools/kws/make_testset_features.py
"""
import json
import os
import sys
import wave

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import frontend  # noqa: E402

TEST = os.path.join(os.path.dirname(__file__), "..", "..", "firmware", "kws-gru", "test")


def main():
    with open(os.path.join(TEST, "manifest.json")) as f:
        clips = json.load(f)["clips"]
    out = {}
    for clip in sorted(clips, key=lambda c: c["path"]):
        with wave.open(os.path.join(TEST, clip["path"])) as w:
            samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2") / 32768.0
        out[clip["path"]] = frontend.mfcc(samples).round(6).tolist()
    with open(os.path.join(TEST, "mfcc-reference.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
