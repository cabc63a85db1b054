"""Writes the Swift frontend's test fixtures (Tests/KWSTests/Fixtures):
three deterministic one-second clips (a chirp, a vowel-like harmonic tone,
noise bursts), each over a noise floor as real recordings have, as 16-bit
PCM and 32-bit float WAV, and their MFCCs from frontend.py.

    python3 tools/kws/make_frontend_fixtures.py
"""
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import frontend  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "KWSTests", "Fixtures")


def write_wav(path, samples, float32):
    data = (np.asarray(samples, dtype="<f4").tobytes() if float32
            else np.round(np.clip(samples, -1, 32767 / 32768) * 32768).astype("<i2").tobytes())
    code, bits = (3, 32) if float32 else (1, 16)
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, code, 1, 16000, 16000 * bits // 8, bits // 8, bits)
    with open(path, "wb") as f:
        f.write(header + fmt + b"data" + struct.pack("<I", len(data)) + data)


def clips():
    rng = np.random.default_rng(2026)
    t = np.arange(16000) / 16000.0
    floor = lambda: 0.003 * rng.standard_normal(16000)
    chirp = 0.4 * np.sin(2 * np.pi * (200 * t + 1500 * t * t)) * np.hanning(16000) + floor()
    vowel = sum(0.3 / k * np.sin(2 * np.pi * 140 * k * t) for k in range(1, 12)) * (t > 0.2) * (t < 0.7) + floor()
    bursts = 0.2 * rng.standard_normal(16000) * ((t % 0.25) < 0.08) + floor()
    return {"chirp": chirp, "vowel": vowel, "bursts": bursts}


def main():
    os.makedirs(OUT, exist_ok=True)
    reference = {}
    for name, samples in clips().items():
        write_wav(os.path.join(OUT, name + "-pcm16.wav"), samples, float32=False)
        write_wav(os.path.join(OUT, name + "-float32.wav"), samples, float32=True)
        # The reference is computed from what the files hold, as the Swift side reads them.
        pcm = np.round(np.clip(samples, -1, 32767 / 32768) * 32768) / 32768
        reference[name + "-pcm16.wav"] = frontend.mfcc(pcm).round(6).tolist()
        reference[name + "-float32.wav"] = frontend.mfcc(np.asarray(samples, dtype=np.float32)).round(6).tolist()
    with open(os.path.join(OUT, "mfcc-reference.json"), "w") as f:
        json.dump(reference, f)


if __name__ == "__main__":
    main()
