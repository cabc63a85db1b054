"""Writes Tests/KWSTests/Fixtures/gru-reference.json: random GRU models of
several sizes, both linear_before_reset values, inputs, and the numpy
reference's class probabilities (float32 weights and inputs, float64 maths).

    python3 tools/kws/make_runtime_fixtures.py
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import gru_reference  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "KWSTests", "Fixtures", "gru-reference.json")


def main():
    rng = np.random.default_rng(7)
    cases = []
    for inputs, hidden, classes, steps in [(10, 8, 12, 49), (10, 64, 12, 49), (3, 5, 4, 7), (10, 32, 12, 49)]:
        for lbr in (1, 0):
            f32 = lambda *shape, scale=0.5: (scale * rng.standard_normal(shape)).astype(np.float32)
            W, R = f32(3 * hidden, inputs), f32(3 * hidden, hidden, scale=0.5 / np.sqrt(hidden))
            Wb, Rb = f32(3 * hidden, scale=0.1), f32(3 * hidden, scale=0.1)
            Cw, Cb = f32(classes, hidden), f32(classes, scale=0.1)
            frames = f32(steps, inputs, scale=1.0)
            p = gru_reference.classify(*(a.astype(np.float64) for a in (frames, W, R, Wb, Rb, Cw, Cb)), lbr)
            # 9 significant digits round-trip a float32 exactly and keep the file small.
            short = lambda a: [float("%.9g" % v) for v in np.asarray(a).ravel()]
            cases.append({
                "inputs": inputs, "hidden": hidden, "classes": classes, "steps": steps, "linear_before_reset": lbr,
                "W": short(W), "R": short(R), "Wb": short(Wb), "Rb": short(Rb),
                "Cw": short(Cw), "Cb": short(Cb), "frames": short(frames),
                "probabilities": p.tolist(),
            })
    with open(OUT, "w") as f:
        json.dump(cases, f)


if __name__ == "__main__":
    main()
