#!/usr/bin/env python3
"""Accuracy of a shipped model.onnx + normalisation.json on a WAV tree, with onnxruntime.

    python3 tools/kws/eval_onnx.py --model firmware/kws-gru/model.onnx \
        --norm firmware/kws-gru/normalisation.json --data firmware/kws-gru/test

DATA/<split>/<label>/*.wav; features from frontend.mfcc, normalised with the
json's mean/std, fed in the layout the model's input declares ([49, 1, 10] for
the GRU, [1, 1, 49, 10] for the DS-CNN); prints accuracy per split (and --json PATH).
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frontend  # noqa: E402
from train import LABELS, fit, label_index, onnx_input, read_clip  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--norm", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--json", help="write per-split results here")
    a = ap.parse_args()

    import onnxruntime as ort
    sess = ort.InferenceSession(a.model, providers=["CPUExecutionProvider"])
    with open(a.norm) as f:
        norm = json.load(f)
    assert norm["labels"] == LABELS, norm["labels"]
    mean, std = np.array(norm["mean"]), np.array(norm["std"])
    inp = sess.get_inputs()[0].name

    results = {}
    for split in sorted(os.listdir(a.data)):
        d = os.path.join(a.data, split)
        if not os.path.isdir(d):
            continue
        n = ok = 0
        for lab in sorted(os.listdir(d)):
            ld = os.path.join(d, lab)
            if not os.path.isdir(ld):
                continue
            for fn in sorted(os.listdir(ld)):
                if not fn.endswith(".wav"):
                    continue
                x = (frontend.mfcc(fit(read_clip(os.path.join(ld, fn)))[0]) - mean) / std
                p = sess.run(None, {inp: onnx_input(sess, x).astype(np.float32)})[0]
                ok += int(np.argmax(p) == label_index(lab))
                n += 1
        results[split] = {"clips": n, "correct": ok, "accuracy": ok / n}
        print(f"{split:12s} {ok:4d}/{n:<4d} {100 * ok / n:5.1f}%")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
