#!/usr/bin/env python3
"""Compose the firmware's bundled audio stream: about a minute of keywords
and other words over continuous background noise, with labels.

Every utterance is synthesised afresh by the dataset tool's own pipeline
(synthesize.render_speech: espeak-ng, then sox to 16 kHz mono 16-bit,
silence-trimmed and centred in 1 s) with a voice from the model's TEST
split, read from the dataset summary the model was trained from
(firmware/kws-gru/dataset-summary.json, "voices"); the tool refuses a voice
that is also in the training split. So no voice in the stream was heard in
training.

The stream: each keyword --per-keyword times and --unknowns other words
(synthesize.UNKNOWN_WORDS), in a random order, word onsets --gap-min-s to
--gap-max-s apart, after a lead-in of silence, over a continuous pink noise
bed. Each word gets its own SNR, drawn from --snr-min-db..--snr-max-db,
defined as the word's power over its spoken span (where the synthesiser's
output is non-zero) against the bed's power. Every random choice is drawn
from numpy.random.default_rng(--seed) in a fixed order, and sox runs in
repeatable mode, so the same seed gives the same bytes.

    python3 tools/kws/make_stream.py --seed 7 --out firmware/kws-gru/stream

writes OUT/stream.wav (16 kHz mono 16-bit), OUT/labels.json:
    {"sample_rate", "duration_s", "seed", "command", "noise", "snr_db_range",
     "events": [{"word", "is_keyword", "start_s", "end_s", "voice", "snr_db"}]}
and OUT/README.md (what it is and the command that regenerates it).
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthesize  # noqa: E402

RATE = synthesize.SAMPLE_RATE
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_SUMMARY = os.path.join(ROOT, "firmware", "kws-gru", "dataset-summary.json")


class StreamError(RuntimeError):
    pass


def test_voices(summary_path):
    """The test split's voices ({synth, voice, variant}) from a dataset summary,
    checked to share none with the training split."""
    try:
        with open(summary_path) as f:
            voices = json.load(f)["voices"]
        test, train = voices["test"], voices["train"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise StreamError(f"{summary_path}: cannot read voices.test and voices.train ({e}); "
                          "expected the summary.json that synthesize.py writes")
    shared = sorted(set(test) & set(train))
    if shared:
        raise StreamError(f"{summary_path}: voices in both test and train: {shared}")
    if not test:
        raise StreamError(f"{summary_path}: voices.test is empty; expected the held-out test voices")
    out = []
    for vid in sorted(test):
        synth, _, rest = vid.partition(":")
        voice, _, variant = rest.partition("+")
        if synth != "espeak-ng":
            # Only espeak-ng voices carry their identity in the id alone; others are skipped.
            continue
        out.append({"synth": synth, "voice": voice, "variant": variant})
    if not out:
        raise StreamError(f"{summary_path}: no espeak-ng voice in voices.test")
    return out


def plan(seed, voices, per_keyword, unknowns, gap_range, snr_range, lead_in_s):
    """Every random choice, in a fixed order: the words, their order, and for
    each its voice, prosody, onset gap and SNR; then the noise seed."""
    rng = np.random.default_rng(seed)
    words = [(w, True) for w in synthesize.KEYWORDS for _ in range(per_keyword)]
    others = rng.choice(len(synthesize.UNKNOWN_WORDS), size=unknowns, replace=unknowns > len(synthesize.UNKNOWN_WORDS))
    words += [(synthesize.UNKNOWN_WORDS[int(k)], False) for k in others]
    order = rng.permutation(len(words))
    jobs = []
    onset = lead_in_s
    for k in order:
        word, is_keyword = words[int(k)]
        voice = voices[int(rng.integers(len(voices)))]
        speed, pitch = synthesize.draw_prosody(rng, voice)
        if jobs:
            onset += float(rng.uniform(*gap_range))
        snr = round(float(rng.uniform(*snr_range)), 2)
        jobs.append({"word": word, "is_keyword": is_keyword, "onset_s": onset, "snr_db": snr,
                     "synth": voice["synth"], "voice": voice["voice"], "variant": voice["variant"],
                     "speed": speed, "pitch": pitch, "shift": 0})
    noise_seed = int(rng.integers(2 ** 63))
    return jobs, noise_seed


def spoken_span(clip):
    """First and one-past-last non-zero sample: sox trimmed the silence and
    padded with exact zeros, so this is the word."""
    nz = np.nonzero(clip)[0]
    if len(nz) == 0:
        raise StreamError("the synthesiser produced an all-zero clip")
    return int(nz[0]), int(nz[-1]) + 1


def compose(jobs, noise_seed, tail_s):
    clips = []
    with tempfile.TemporaryDirectory(prefix="kws-stream-") as tmp:
        for job in jobs:
            try:
                clips.append(synthesize.render_speech(job, tmp).astype(np.float64))
            except synthesize.SynthError as e:
                raise StreamError(str(e))
    spans = [spoken_span(c) for c in clips]
    starts = [int(round(j["onset_s"] * RATE)) - s for j, (s, _) in zip(jobs, spans)]
    length = max(st + e for st, (_, e) in zip(starts, spans)) + int(round(tail_s * RATE))
    noise = synthesize.make_noise("pink", length, noise_seed)  # unit RMS
    # The bed sits at a fixed level; each word is scaled to its SNR against it.
    bed_rms = 32768 * 10 ** (-40 / 20)  # -40 dBFS
    mixed = noise * bed_rms
    events = []
    for job, clip, (s, e), st in zip(jobs, clips, spans, starts):
        power = np.mean(clip[s:e] ** 2)
        gain = np.sqrt(bed_rms ** 2 * 10 ** (job["snr_db"] / 10) / power)
        mixed[st + s:st + e] += gain * clip[s:e]
        vid = synthesize.voice_id({"synth": job["synth"], "voice": job["voice"], "variant": job["variant"]})
        events.append({"word": job["word"], "is_keyword": job["is_keyword"],
                       "start_s": round((st + s) / RATE, 4), "end_s": round((st + e) / RATE, 4),
                       "voice": vid, "snr_db": job["snr_db"]})
    peak = np.max(np.abs(mixed))
    if peak > 32000:
        mixed *= 32000 / peak  # scaling the whole keeps every SNR
    return np.round(mixed).astype(np.int16), events


README = """# The bundled audio stream

`stream.wav`: {duration:.1f} s of 16 kHz mono 16-bit audio: {keywords} keywords
({per_keyword} of each of {keyword_list}) and {others} other words, word onsets
{gap_min}–{gap_max} s apart, over continuous pink noise, each word at its own SNR
between {snr_min} and {snr_max} dB (the word's power over its spoken span against
the noise). `labels.json`: every word with `is_keyword`, `start_s`, `end_s`
(its spoken span in the stream), the voice that spoke it and its SNR.

The words were synthesised by tools/kws/synthesize.py's pipeline with voices
of the model's test split only (firmware/kws-gru/dataset-summary.json): no
voice here was heard in training. `cimfw run` plays this stream by default
and scores its detections against `labels.json`.

Regenerate (same seed, same bytes; needs espeak-ng, sox and numpy):

```sh
{command}
```
"""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--summary", default=DEFAULT_SUMMARY,
                   help="the dataset summary naming the test voices (synthesize.py's summary.json)")
    p.add_argument("--per-keyword", type=int, default=2, help="utterances of each keyword")
    p.add_argument("--unknowns", type=int, default=8, help="non-keyword words")
    p.add_argument("--gap-min-s", type=float, default=1.5, help="shortest onset-to-onset spacing")
    p.add_argument("--gap-max-s", type=float, default=3.0, help="longest onset-to-onset spacing")
    p.add_argument("--snr-min-db", type=float, default=10.0)
    p.add_argument("--snr-max-db", type=float, default=20.0)
    p.add_argument("--lead-in-s", type=float, default=1.5, help="noise before the first word")
    p.add_argument("--tail-s", type=float, default=1.5, help="noise after the last word")
    a = p.parse_args(sys.argv[1:] if argv is None else argv)
    if a.per_keyword < 1 or a.unknowns < 0:
        p.error("--per-keyword must be >= 1 and --unknowns >= 0")
    if not 1.0 < a.gap_min_s <= a.gap_max_s:
        p.error("--gap-min-s must exceed 1.0 (a word lasts up to 1 s) and be <= --gap-max-s")
    if a.snr_min_db > a.snr_max_db:
        p.error("--snr-min-db must be <= --snr-max-db")
    try:
        synthesize.require("espeak-ng")
        synthesize.require("sox")
        voices = test_voices(a.summary)
        jobs, noise_seed = plan(a.seed, voices, a.per_keyword, a.unknowns, (a.gap_min_s, a.gap_max_s),
                                (a.snr_min_db, a.snr_max_db), a.lead_in_s)
        stream, events = compose(jobs, noise_seed, a.tail_s)
    except (StreamError, synthesize.SynthError) as e:
        print(f"make_stream.py: error: {e}", file=sys.stderr)
        return 2
    os.makedirs(a.out, exist_ok=True)
    synthesize.write_wav(os.path.join(a.out, "stream.wav"), stream)
    args = sys.argv[1:] if argv is None else list(argv)
    command = "python3 tools/kws/make_stream.py " + " ".join(args)
    labels = {"sample_rate": RATE, "duration_s": round(len(stream) / RATE, 4), "seed": a.seed,
              "command": command, "noise": "pink", "snr_db_range": [a.snr_min_db, a.snr_max_db],
              "events": events}
    with open(os.path.join(a.out, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1)
        f.write("\n")
    keywords = sum(e["is_keyword"] for e in events)
    with open(os.path.join(a.out, "README.md"), "w") as f:
        f.write(README.format(duration=len(stream) / RATE, keywords=keywords, per_keyword=a.per_keyword,
                              keyword_list=" ".join(synthesize.KEYWORDS), others=len(events) - keywords,
                              gap_min=a.gap_min_s, gap_max=a.gap_max_s, snr_min=a.snr_min_db, snr_max=a.snr_max_db,
                              command=command))
    print(f"{a.out}/stream.wav: {len(stream) / RATE:.1f} s, {keywords} keywords, {len(events) - keywords} other words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
