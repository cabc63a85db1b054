#!/usr/bin/env python3
"""Google Speech Commands in its own layout, for the keyword-spotting tools.

    ROOT/<word>/<speaker>_nohash_<n>.wav|.flac
    ROOT/_background_noise_/*.wav|.flac
    ROOT/validation_list.txt, ROOT/testing_list.txt   (optional)

The split of a clip comes from the two lists when they are present, and
otherwise from TensorFlow's `which_set` rule: the SHA-1 of the speaker id
(the file name up to `_nohash_`) puts a speaker wholly in one split, 10%
validation and 10% testing by default. Both the full dataset (v0.01, v0.02)
and a subset in the same layout load the same way.

Dataset: P. Warden, "Speech Commands: A Dataset for Limited-Vocabulary
Speech Recognition", arXiv:1804.03209, 2018 (CC BY 4.0).

    python3 tools/kws/speech_commands.py ROOT     # counts per word and split
"""
import argparse
import hashlib
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16000
BACKGROUND = "_background_noise_"
AUDIO_SUFFIXES = (".wav", ".flac")
# TensorFlow's speech_commands/input_data.py: the hash is taken modulo this + 1.
MAX_NUM_WAVS_PER_CLASS = 2 ** 27 - 1


@dataclass(frozen=True)
class Clip:
    word: str
    path: str        # absolute
    speaker: str
    split: str       # "training", "validation" or "testing"


def speaker_of(filename):
    """The speaker id: the file name up to `_nohash_` (the whole stem without it)."""
    base = os.path.basename(filename)
    return re.sub(r"_nohash_.*$", "", os.path.splitext(base)[0])


def which_set(filename, validation_percentage=10.0, testing_percentage=10.0):
    """TensorFlow's rule: a stable split per speaker from the SHA-1 of its id."""
    hashed = hashlib.sha1(speaker_of(filename).encode("utf-8")).hexdigest()
    percentage = (int(hashed, 16) % (MAX_NUM_WAVS_PER_CLASS + 1)) * (100.0 / MAX_NUM_WAVS_PER_CLASS)
    if percentage < validation_percentage:
        return "validation"
    if percentage < validation_percentage + testing_percentage:
        return "testing"
    return "training"


def _read_list(path):
    """A split list's entries as `word/file` with the suffix dropped (lists name .wav files)."""
    with open(path) as f:
        return {os.path.splitext(line.strip())[0] for line in f if line.strip()}


def scan(root, validation_percentage=10.0, testing_percentage=10.0):
    """Every keyword clip under ROOT with its split, and the background-noise files.

    Raises FileNotFoundError when ROOT has no word folder with audio in it.
    """
    root = os.path.abspath(root)
    if not os.path.isdir(root):
        raise FileNotFoundError(f"{root}: not a directory (expected Speech Commands' layout: ROOT/<word>/*.wav)")
    validation = testing = None
    if os.path.exists(os.path.join(root, "validation_list.txt")) and os.path.exists(os.path.join(root, "testing_list.txt")):
        validation = _read_list(os.path.join(root, "validation_list.txt"))
        testing = _read_list(os.path.join(root, "testing_list.txt"))
    clips, noise = [], []
    for word in sorted(os.listdir(root)):
        folder = os.path.join(root, word)
        if not os.path.isdir(folder):
            continue
        files = sorted(f for f in os.listdir(folder) if f.lower().endswith(AUDIO_SUFFIXES))
        if word == BACKGROUND:
            noise = [os.path.join(folder, f) for f in files]
            continue
        for name in files:
            key = f"{word}/{os.path.splitext(name)[0]}"
            if validation is not None:
                split = "validation" if key in validation else "testing" if key in testing else "training"
            else:
                split = which_set(name, validation_percentage, testing_percentage)
            clips.append(Clip(word, os.path.join(folder, name), speaker_of(name), split))
    if not clips:
        raise FileNotFoundError(f"{root}: no <word>/*.wav or *.flac clips (expected Speech Commands' layout)")
    return clips, noise


def read_audio(path):
    """Mono float32 samples in [-1, 1] at 16 kHz from a WAV or FLAC file."""
    import soundfile  # PyPI soundfile (libsndfile): WAV of every kind, FLAC, Ogg
    data, rate = soundfile.read(path, dtype="float32", always_2d=True)
    if rate != SAMPLE_RATE:
        raise ValueError(f"{path}: sample rate {rate} Hz; expected {SAMPLE_RATE} Hz")
    return data.mean(axis=1).astype(np.float32)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Counts of a Speech Commands folder per word and split.")
    ap.add_argument("root")
    a = ap.parse_args(argv)
    try:
        clips, noise = scan(a.root)
    except FileNotFoundError as e:
        print(f"speech_commands.py: {e}", file=sys.stderr)
        return 2
    counts = Counter((c.word, c.split) for c in clips)
    speakers = Counter(c.split for c in {(c.speaker, c.split): c for c in clips}.values())
    print(f"{'word':10} {'training':>9} {'validation':>11} {'testing':>8}")
    for word in sorted({c.word for c in clips}):
        print(f"{word:10} {counts[(word, 'training')]:9} {counts[(word, 'validation')]:11} {counts[(word, 'testing')]:8}")
    print(f"clips {len(clips)}, speakers per split {dict(speakers)}, background-noise files {len(noise)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
