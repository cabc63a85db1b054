#!/usr/bin/env python3
"""Compares the HIL guest's firmware runs with the same run on
boards/virtual-eval.toml, and prints the tier's one-line result.

    compare.py REFERENCE.jsonl CONSOLE.txt [--kernel NAME] [--seconds N]

Detections must be the same (keyword and stream time); energy per inference
(median) must agree within the INA226's bound at boards/hil-qemu.toml's
calibration: three power LSBs (25 x Current_LSB = 2.44 mW, SBOS547 section
7.5) over the median inference's board time, plus 1 % for a load that moves
between conversions -- the tolerance the HardwareInLoop suite holds a
sample to. Exit 0 when the guest passed every check and both runs match.
"""
import argparse
import json
import re
import sys

POWER_LSB_W = 25 * 3.2 / 32768  # boards/hil-qemu.toml: max_current_amps 3.2


def load_reference(path):
    summary, detections = None, []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        if event.get("event") == "summary":
            summary = event
        elif event.get("event") == "detection":
            detections.append((event["keyword"], event["stream_s"]))
    if summary is None:
        sys.exit(f"compare.py: {path} has no summary line (did the reference run fail?)")
    return summary, detections


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("reference")
    parser.add_argument("console")
    parser.add_argument("--kernel", default="?")
    parser.add_argument("--seconds", type=int, default=0)
    args = parser.parse_args()
    ref, ref_detections = load_reference(args.reference)
    text = open(args.console, encoding="utf-8", errors="replace").read()
    result = re.search(r"HIL RESULT: pass=(\d+) fail=(\d+)", text)
    kernel = re.search(r"HIL: kernel ([^,\s]+)", text)
    ok = result is not None and result.group(2) == "0"
    parts = []
    for variant in ("i2c", "smbus"):
        summary = None
        for m in re.finditer(rf"^HIL SUMMARY {variant} (\{{.*\}})$", text, re.M):
            summary = json.loads(m.group(1))
        detections = [(e["keyword"], e["stream_s"]) for e in
                      (json.loads(m.group(1)) for m in re.finditer(rf"^HIL DETECTION {variant} (\{{.*\}})$", text, re.M))]
        wall = re.search(rf"^HIL RUN {variant} (\S+)", text, re.M)
        if summary is None:
            if re.search(rf"^HIL SKIP: {variant} firmware run", text, re.M):
                parts.append(f"{variant}: firmware run not asked for")
                continue
            ok = False
            parts.append(f"{variant}: no firmware summary")
            continue
        e_ref, e = ref["energy_per_inference_median_j"], summary.get("energy_per_inference_median_j", float("nan"))
        t = ref.get("inference_median_s", 0.0)
        bound = 3 * POWER_LSB_W * t + 0.01 * e_ref
        same = detections == ref_detections
        within = abs(e - e_ref) <= bound
        ok = ok and same and within and summary["inferences"] == ref["inferences"]
        print(f"  {variant:5s} firmware run: {summary['inferences']} inferences ({ref['inferences']} on virtual-eval), "
              f"{len(detections)} detections ({'the same' if same else 'DIFFERENT from'} virtual-eval's {len(ref_detections)}), "
              f"{e * 1e6:.3f} uJ per inference (virtual-eval {e_ref * 1e6:.3f} uJ, |diff| {abs(e - e_ref) * 1e6:.3f} uJ, "
              f"bound {bound * 1e6:.3f} uJ), {summary['power_monitor']['samples']} INA226 samples, "
              f"{wall.group(1) if wall else '?'} s in the guest")
        parts.append(f"{variant} {len(detections)} detections {'=' if same else '!='} virtual-eval, "
                     f"{e * 1e6:.2f} uJ/inference vs {e_ref * 1e6:.2f} ({'within' if within else 'OUTSIDE'} {bound * 1e6:.2f})")
    checks = f"{result.group(1)} passed, {result.group(2)} failed" if result else "the guest did not finish"
    print(f"HIL tier ({args.kernel}, {kernel.group(1) if kernel else '?'}): {'PASS' if ok else 'FAIL'}: "
          f"{checks}; " + "; ".join(parts) + f"; {args.seconds} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
