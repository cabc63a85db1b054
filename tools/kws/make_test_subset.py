#!/usr/bin/env python3
"""Copy a small, balanced, deterministic test subset out of a synthesize.py tree.

    python3 tools/kws/make_test_subset.py --data /tmp/kws-data2 \
        --out firmware/kws-gru/test --per-label 5 \
        --splits test-clean,test-10db,hard-clean,hard-10db

Selection: for each split and each label, the manifest entries of that split
and label sorted by path, first --per-label of them (paths start with a
running clip number, so this is the earliest-synthesised clips; no randomness).
Writes OUT/<split>/<label>/<file>.wav (byte copies) and OUT/manifest.json
(the selected manifest entries, paths relative to OUT, plus "class": the
trainer's label name and "class_index": its index in train.LABELS).
"""
import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import LABELS, label_index  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="synthesize.py output directory")
    ap.add_argument("--out", required=True, help="output directory (must be empty or absent)")
    ap.add_argument("--per-label", type=int, default=5)
    ap.add_argument("--splits", default="test-clean,test-10db,hard-clean,hard-10db")
    a = ap.parse_args()

    if os.path.isdir(a.out) and os.listdir(a.out):
        sys.exit(f"{a.out}: not empty")
    with open(os.path.join(a.data, "manifest.json")) as f:
        manifest = json.load(f)

    chosen = []
    for split in a.splits.split(","):
        entries = [e for e in manifest if e["split"] == split]
        if not entries:
            sys.exit(f"split {split!r} not in {a.data}/manifest.json")
        for label in sorted({e["label"] for e in entries}):
            group = sorted((e for e in entries if e["label"] == label), key=lambda e: e["path"])
            if len(group) < a.per_label:
                sys.exit(f"{split}/{label}: only {len(group)} clips")
            chosen.extend(group[:a.per_label])

    total = 0
    for e in chosen:
        src = os.path.join(a.data, e["path"])
        dst = os.path.join(a.out, e["path"])
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src, dst)
        total += os.path.getsize(dst)
        e["class_index"] = label_index(e["label"])
        e["class"] = LABELS[e["class_index"]]
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump({"source": os.path.abspath(a.data), "per_label": a.per_label,
                   "splits": a.splits.split(","), "labels": LABELS,
                   "clips": chosen}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(chosen)} clips, {total / 1e6:.2f} MB -> {a.out}")


if __name__ == "__main__":
    main()
