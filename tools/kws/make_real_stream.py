#!/usr/bin/env python3
"""A labelled stream of real speech for measuring keyword recall the way a
device hears it: validation-speaker clips of Speech Commands, one after
another over a continuous bed of the dataset's own background noise.

    python3 tools/kws/make_real_stream.py --speech-commands ../shared/datasets/speech-commands-subset \
        --out /tmp/real-stream --per-keyword 10 --unknowns 20 --seed 1
    cimfw run --audio /tmp/real-stream/stream.wav --quiet --no-log      # scores against labels.json

Only clips of the validation split (speech_commands.scan: the dataset's lists
or TensorFlow's hash rule) are used, so no speaker in the stream was heard in
training. A keyword with fewer validation clips than --per-keyword
contributes what it has. Each word's span is where its samples exceed 10% of
its peak; it is mixed at its own SNR (drawn from --snr-min-db..--snr-max-db,
the word's power over that span against the bed's), onsets --gap-min-s to
--gap-max-s apart. Every random choice comes from numpy's default_rng(--seed).

Writes OUT/stream.wav (16 kHz mono 16-bit) and OUT/labels.json in the form
`cimfw run` scores against (see make_stream.py). The recordings stay in
../shared: this writes only a derived stream into OUT.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import speech_commands  # noqa: E402
from train import KEYWORDS, write_wav  # noqa: E402

RATE = speech_commands.SAMPLE_RATE


def spoken_span(clip, fraction=0.1):
    """First and one-past-last sample above `fraction` of the clip's peak."""
    loud = np.nonzero(np.abs(clip) >= fraction * np.max(np.abs(clip)))[0]
    return (int(loud[0]), int(loud[-1]) + 1) if len(loud) else (0, len(clip))


def compose(root, out, seed, per_keyword, unknowns, gap, snr, bed_dbfs=-40.0, lead_s=1.5, tail_s=1.5):
    rng = np.random.default_rng(seed)
    clips, noise_files = speech_commands.scan(root)
    validation = [c for c in clips if c.split == "validation"]
    chosen = []
    for word in KEYWORDS:
        pool = [c for c in validation if c.word == word]
        chosen += [pool[i] for i in rng.permutation(len(pool))[:per_keyword]]
    others = [c for c in validation if c.word not in KEYWORDS]
    chosen += [others[i] for i in rng.permutation(len(others))[:unknowns]]
    if not chosen:
        raise SystemExit(f"make_real_stream.py: {root}: no validation clips")
    chosen = [chosen[i] for i in rng.permutation(len(chosen))]
    onsets, t = [], lead_s
    for _ in chosen:
        onsets.append(t)
        t += rng.uniform(*gap)
    words = [speech_commands.read_audio(c.path).astype(np.float64) for c in chosen]
    length = int(round((onsets[-1] + 1.0 + tail_s) * RATE))
    # The bed: the background recordings end to end, from a random start, looped to the length.
    if not noise_files:
        raise SystemExit(f"make_real_stream.py: {root}: no _background_noise_ recordings for the bed")
    bed_source = np.concatenate([speech_commands.read_audio(n).astype(np.float64) for n in noise_files])
    start = int(rng.integers(len(bed_source)))
    bed = np.resize(np.roll(bed_source, -start), length)
    bed *= 10 ** (bed_dbfs / 20) / max(np.sqrt(np.mean(bed ** 2)), 1e-12)
    mixed = bed.copy()
    bed_power = np.mean(bed ** 2)
    events = []
    for clip, onset, word in zip(chosen, onsets, words):
        s, e = spoken_span(word)
        db = float(rng.uniform(*snr))
        gain = np.sqrt(bed_power * 10 ** (db / 10) / max(np.mean(word[s:e] ** 2), 1e-12))
        at = int(round(onset * RATE))
        mixed[at:at + len(word)] += gain * word[:max(0, length - at)]
        events.append({"word": clip.word, "is_keyword": clip.word in KEYWORDS,
                       "start_s": round((at + s) / RATE, 4), "end_s": round((at + e) / RATE, 4),
                       "voice": f"speech-commands:{clip.speaker}", "snr_db": round(db, 2)})
    peak = np.max(np.abs(mixed))
    if peak > 0.98:
        mixed *= 0.98 / peak  # scaling the whole keeps every SNR
    os.makedirs(out, exist_ok=True)
    write_wav(os.path.join(out, "stream.wav"), mixed)
    labels = {"sample_rate": RATE, "duration_s": round(length / RATE, 4), "seed": seed,
              "command": " ".join(sys.argv), "noise": "speech-commands _background_noise_",
              "snr_db_range": list(snr), "events": events}
    with open(os.path.join(out, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1)
    return labels


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--speech-commands", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--per-keyword", type=int, default=10)
    p.add_argument("--unknowns", type=int, default=20)
    p.add_argument("--gap-min-s", type=float, default=1.5)
    p.add_argument("--gap-max-s", type=float, default=3.0)
    p.add_argument("--snr-min-db", type=float, default=10.0)
    p.add_argument("--snr-max-db", type=float, default=20.0)
    a = p.parse_args(argv)
    labels = compose(a.speech_commands, a.out, a.seed, a.per_keyword, a.unknowns,
                     (a.gap_min_s, a.gap_max_s), (a.snr_min_db, a.snr_max_db))
    keywords = sum(e["is_keyword"] for e in labels["events"])
    print(f"{a.out}/stream.wav: {labels['duration_s']:.1f} s, {keywords} keywords, "
          f"{len(labels['events']) - keywords} other words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
