#!/usr/bin/env python3
"""GRU keyword-spotting trainer in numpy only, with ONNX export.

Model: one GRU layer (ONNX GRU semantics, linear_before_reset=1, gate order
z, r, h) over 49 frames x 10 MFCC (tools/kws/frontend.mfcc, normalised per
coefficient with the training mean/std), then a linear classifier on the last
hidden state and a softmax over 12 classes.

    z  = sigmoid(Wz x + Wbz + Rz h + Rbz)
    r  = sigmoid(Wr x + Wbr + Rr h + Rbr)
    h~ = tanh(Wh x + Wbh + r * (Rh h + Rbh))
    h  = (1 - z) * h~ + z * h

Weights are stored in ONNX layout: W [3H, I], R [3H, H], Wb [3H], Rb [3H];
classifier Wc [C, H], bc [C].

Data: DIR/<split>/<label>/*.wav, 16 kHz mono 16-bit PCM (stdlib wave).
Label directories not among the 12 class names are mapped to "unknown"
(surrounding underscores are ignored: "_silence_" is "silence").
Augmentation works on waveforms before the frontend (features of augmented
training clips are recomputed every epoch).

See tools/kws/TRAINING.md.
"""
import argparse
import json
import os
import sys
import time
import wave

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frontend  # noqa: E402

LABELS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go",
          "unknown", "silence"]
SPLITS = ["train", "test-clean", "test-10db", "test-0db",
          "hard-clean", "hard-10db", "hard-0db"]
FRAMES = 49
COEFFS = frontend.COEFFICIENTS
CLIP = frontend.SAMPLE_RATE  # 1 s
SHIFT_MAX = frontend.SAMPLE_RATE // 10  # 100 ms


# ---------------------------------------------------------------- data

def read_wav(path):
    """16 kHz mono 16-bit PCM -> float64 samples in [-1, 1), padded/trimmed to 1 s."""
    with wave.open(path, "rb") as w:
        if w.getnchannels() != 1:
            raise ValueError(f"{path}: channels = {w.getnchannels()}, expected 1")
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: sample width = {w.getsampwidth()} bytes, expected 2")
        if w.getframerate() != frontend.SAMPLE_RATE:
            raise ValueError(f"{path}: sample rate = {w.getframerate()}, expected {frontend.SAMPLE_RATE}")
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    x = pcm.astype(np.float64) / 32768.0
    out = np.zeros(CLIP)
    out[:min(CLIP, len(x))] = x[:CLIP]
    return out


def write_wav(path, samples):
    pcm = np.round(np.clip(samples, -1, 32767 / 32768) * 32768).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(frontend.SAMPLE_RATE)
        w.writeframes(pcm.tobytes())


def label_index(name):
    # synthesize.py (like Speech Commands) names the two extra classes
    # "_silence_" and "_unknown_"; strip the underscores so "_silence_" is
    # class "silence", not mapped to "unknown".
    name = name.strip("_")
    return LABELS.index(name) if name in LABELS else LABELS.index("unknown")


def load_split(root, split):
    """Returns (waves [N, 16000], labels [N]) or None if the split is absent."""
    d = os.path.join(root, split)
    if not os.path.isdir(d):
        return None
    waves, labels = [], []
    for lab in sorted(os.listdir(d)):
        ld = os.path.join(d, lab)
        if not os.path.isdir(ld):
            continue
        for f in sorted(os.listdir(ld)):
            if f.lower().endswith(".wav"):
                waves.append(read_wav(os.path.join(ld, f)))
                labels.append(label_index(lab))
    if not waves:
        return None
    return np.stack(waves), np.array(labels, dtype=np.int64)


def features(waves):
    """[N, 16000] -> [N, 49, 10] via frontend.mfcc."""
    return np.stack([frontend.mfcc(w) for w in waves])


def augment(waves, rng, noise_prob, snr_min, snr_max, shift_ms):
    """Waveform augmentation: time shift (zero fill) then white noise at a
    uniformly random SNR in [snr_min, snr_max] dB with probability noise_prob."""
    out = waves.copy()
    n = len(out)
    smax = int(round(shift_ms * frontend.SAMPLE_RATE / 1000))
    if smax > 0:
        shifts = rng.integers(-smax, smax + 1, size=n)
        for i, s in enumerate(shifts):
            if s > 0:
                out[i, s:] = waves[i, :-s]
                out[i, :s] = 0
            elif s < 0:
                out[i, :s] = waves[i, -s:]
                out[i, s:] = 0
    if noise_prob > 0:
        mask = rng.random(n) < noise_prob
        snr = rng.uniform(snr_min, snr_max, size=n)
        noise = rng.standard_normal(out.shape)
        p_sig = np.mean(out ** 2, axis=1)
        for i in np.nonzero(mask)[0]:
            ps = p_sig[i] if p_sig[i] > 1e-10 else 1e-4  # silence: fixed level
            out[i] += noise[i] * np.sqrt(ps / 10 ** (snr[i] / 10))
    return out


# ---------------------------------------------------------------- model

PARAM_NAMES = ["W", "R", "Wb", "Rb", "Wc", "bc"]
MATRICES = ["W", "R", "Wc"]


def init_params(rng, inputs, hidden, classes):
    s_in, s_h = 1 / np.sqrt(inputs), 1 / np.sqrt(hidden)
    R = np.concatenate([np.linalg.qr(rng.standard_normal((hidden, hidden)))[0]
                        for _ in range(3)])
    return {
        "W": rng.uniform(-s_in, s_in, (3 * hidden, inputs)),
        "R": R,
        "Wb": np.zeros(3 * hidden),
        "Rb": np.zeros(3 * hidden),
        "Wc": rng.uniform(-s_h, s_h, (classes, hidden)),
        "bc": np.zeros(classes),
    }


def sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def fake_quant(w, bits, differential=False):
    """Symmetric per-column quantisation. A crossbar column is one output, i.e.
    one row of the ONNX-layout matrix [out, in]. Signed BITS-bit integers
    (2^(b-1)-1 positive steps), or with differential=True the simulator's
    differential-pair mapping (2^b-1 steps per sign, ConductanceMapping)."""
    steps = (2 ** bits - 1) if differential else (2 ** (bits - 1) - 1)
    scale = np.max(np.abs(w), axis=1, keepdims=True)
    scale = np.where(scale > 0, scale, 1.0)
    return np.round(np.clip(w / scale, -1, 1) * steps) / steps * scale


def effective_params(p, rng=None, weight_noise=0.0, quant_bits=0, differential=False):
    """Weights as used in a forward pass: quantised, then (training only)
    Gaussian noise of weight_noise * max|w| per matrix. Gradients w.r.t. these
    are applied to the float weights unchanged (straight-through)."""
    e = dict(p)
    for k in MATRICES:
        w = p[k]
        if quant_bits:
            w = fake_quant(w, quant_bits, differential)
        if weight_noise > 0 and rng is not None:
            w = w + rng.standard_normal(w.shape) * (weight_noise * np.max(np.abs(w)))
        e[k] = w
    return e


def forward(p, X, keep=False):
    """X [T, B, I] -> logits [B, C]; with keep=True also the cache for backward."""
    T, B, _ = X.shape
    H = p["R"].shape[1]
    gx = X @ p["W"].T + p["Wb"]  # [T, B, 3H]
    h = np.zeros((B, H))
    cache = []
    for t in range(T):
        gh = h @ p["R"].T + p["Rb"]
        z = sigmoid(gx[t, :, :H] + gh[:, :H])
        r = sigmoid(gx[t, :, H:2 * H] + gh[:, H:2 * H])
        n = np.tanh(gx[t, :, 2 * H:] + r * gh[:, 2 * H:])
        if keep:
            cache.append((h, z, r, n, gh[:, 2 * H:]))
        h = (1 - z) * n + z * h
    logits = h @ p["Wc"].T + p["bc"]
    return (logits, (X, cache, h)) if keep else logits


def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def loss_and_grads(p, X, y):
    """Mean cross-entropy and its gradients (full BPTT over all T steps)."""
    logits, (X, cache, hT) = forward(p, X, keep=True)
    B = len(y)
    prob = softmax(logits)
    loss = -np.mean(np.log(prob[np.arange(B), y] + 1e-300))
    dlog = prob.copy()
    dlog[np.arange(B), y] -= 1
    dlog /= B
    g = {k: np.zeros_like(v) for k, v in p.items()}
    g["Wc"] = dlog.T @ hT
    g["bc"] = dlog.sum(axis=0)
    dh = dlog @ p["Wc"]
    H = p["R"].shape[1]
    dgx = np.zeros(X.shape[:2] + (3 * H,))
    for t in reversed(range(len(cache))):
        h_prev, z, r, n, ghn = cache[t]
        dz = dh * (h_prev - n)
        dn = dh * (1 - z)
        dh_prev = dh * z
        dan = dn * (1 - n * n)
        daz = dz * z * (1 - z)
        dar = dan * ghn * r * (1 - r)
        dgx[t] = np.concatenate([daz, dar, dan], axis=1)
        dgh = np.concatenate([daz, dar, dan * r], axis=1)
        g["R"] += dgh.T @ h_prev
        g["Rb"] += dgh.sum(axis=0)
        dh = dh_prev + dgh @ p["R"]
    g["W"] = np.einsum("tbg,tbi->gi", dgx, X)
    g["Wb"] = dgx.sum(axis=(0, 1))
    return loss, g


class Adam:
    def __init__(self, params, lr=3e-3, b1=0.9, b2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps, self.t = lr, b1, b2, eps, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, params, grads):
        self.t += 1
        for k in params:
            self.m[k] = self.b1 * self.m[k] + (1 - self.b1) * grads[k]
            self.v[k] = self.b2 * self.v[k] + (1 - self.b2) * grads[k] ** 2
            mh = self.m[k] / (1 - self.b1 ** self.t)
            vh = self.v[k] / (1 - self.b2 ** self.t)
            params[k] -= self.lr * mh / (np.sqrt(vh) + self.eps)


LR_DECAYS = ["none", "cosine", "step"]


def lr_at(kind, lr, step, total_steps, steps_per_epoch=1, step_epochs=10, gamma=0.1):
    """Learning rate for mini-batch STEP (0-based) of TOTAL_STEPS.
    none: constant LR (the behaviour before --lr-decay existed);
    cosine: LR * (1 + cos(pi * step / total_steps)) / 2, from LR at the first
    mini-batch towards 0 at the end of the last epoch (per mini-batch);
    step: LR * GAMMA ** (epoch // STEP_EPOCHS), epoch = step // steps_per_epoch."""
    if kind == "none":
        return lr
    if kind == "cosine":
        return lr * 0.5 * (1.0 + np.cos(np.pi * step / max(total_steps, 1)))
    if kind == "step":
        return lr * gamma ** ((step // max(steps_per_epoch, 1)) // max(step_epochs, 1))
    raise ValueError(f"--lr-decay {kind!r}: expected one of {', '.join(LR_DECAYS)}")


def to_seq(F, mean, std):
    """[N, 49, 10] features -> normalised [49, N, 10]."""
    return np.transpose((F - mean) / std, (1, 0, 2))


def accuracy(p, F, y, mean, std, batch=256):
    correct = 0
    for i in range(0, len(y), batch):
        logits = forward(p, to_seq(F[i:i + batch], mean, std))
        correct += int(np.sum(np.argmax(logits, axis=1) == y[i:i + batch]))
    return correct / len(y)


# ---------------------------------------------------------------- ONNX

def export_onnx(p, path, opset=14):
    """Graph: mfcc [49, 1, 10] -> GRU (linear_before_reset=1) -> Y_h [1, 1, H]
    -> Reshape [1, H] -> Gemm (classifier) -> Softmax -> probabilities [1, C]."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    H = p["R"].shape[1]
    I = p["W"].shape[1]
    C = p["Wc"].shape[0]
    f32 = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731
    inits = [
        numpy_helper.from_array(f32(p["W"])[None], "W"),
        numpy_helper.from_array(f32(p["R"])[None], "R"),
        numpy_helper.from_array(f32(np.concatenate([p["Wb"], p["Rb"]]))[None], "B"),
        numpy_helper.from_array(np.array([1, H], dtype=np.int64), "shape_1H"),
        numpy_helper.from_array(f32(p["Wc"]), "Wc"),
        numpy_helper.from_array(f32(p["bc"]), "bc"),
    ]
    nodes = [
        helper.make_node("GRU", ["mfcc", "W", "R", "B"], ["Y", "Y_h"], name="gru",
                         hidden_size=H, linear_before_reset=1, direction="forward"),
        helper.make_node("Reshape", ["Y_h", "shape_1H"], ["h_last"], name="reshape"),
        helper.make_node("Gemm", ["h_last", "Wc", "bc"], ["logits"], name="classifier",
                         transB=1),
        helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes, "kws_gru",
        [helper.make_tensor_value_info("mfcc", TensorProto.FLOAT, [FRAMES, 1, I])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, C])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="cimfw tools/kws/train.py")
    model.ir_version = min(model.ir_version, 8)
    onnx.checker.check_model(model)
    onnx.save(model, path)


# ---------------------------------------------------------------- main

def save_model(out, p, mean, std, config):
    np.savez(os.path.join(out, "model.npz"), mean=mean, std=std,
             **{k: v for k, v in p.items()})
    with open(os.path.join(out, "normalisation.json"), "w") as f:
        json.dump({"mean": mean.tolist(), "std": std.tolist(), "labels": LABELS,
                   "frames": FRAMES, "coefficients": COEFFS,
                   "input_layout": "[seq=49, batch=1, features=10], x = (mfcc - mean) / std"},
                  f, indent=1)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=1)


def load_model(out):
    z = np.load(os.path.join(out, "model.npz"))
    return {k: z[k] for k in PARAM_NAMES}, z["mean"], z["std"]


def write_report(path, result):
    root, ext = os.path.splitext(path)
    stem = root if ext in (".json", ".md") else path
    with open(stem + ".json", "w") as f:
        json.dump(result, f, indent=1)
    lines = ["# KWS GRU training report", "",
             f"- hidden {result['config']['hidden']}, epochs {result['config']['epochs']}, "
             f"seed {result['config']['seed']}, weight noise {result['config']['weight_noise']}, "
             f"fake quant {result['config']['fake_quant'] or 'off'} bits",
             f"- lr {result['config']['lr']:g}, lr decay {result['config'].get('lr_decay', 'none')}, "
             f"batch {result['config']['batch']}",
             f"- training time {result['train_seconds']:.1f} s "
             f"(feature extraction {result['feature_seconds']:.1f} s)", "",
             "| split | clips | " + " | ".join(result["columns"]) + " |",
             "|---|---:|" + "---:|" * len(result["columns"])]
    for split, r in result["splits"].items():
        lines.append(f"| {split} | {r['clips']} | "
                     + " | ".join(f"{100 * r[c]:.1f}%" for c in result["columns"]) + " |")
    with open(stem + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="DIR/<split>/<label>/*.wav")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--lr-decay", choices=LR_DECAYS, default="none",
                    help="learning-rate schedule: none (constant --lr, default), cosine "
                         "(per mini-batch, --lr to 0 over all epochs), step (x --lr-gamma "
                         "every --lr-step-epochs epochs)")
    ap.add_argument("--lr-step-epochs", type=int, default=10, help="with --lr-decay step")
    ap.add_argument("--lr-gamma", type=float, default=0.1, help="with --lr-decay step")
    ap.add_argument("--clip-norm", type=float, default=5.0, help="global gradient-norm clip")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--noise-prob", type=float, default=0.0,
                    help="probability a training clip gets additive white noise (per epoch)")
    ap.add_argument("--snr-min", type=float, default=0.0)
    ap.add_argument("--snr-max", type=float, default=20.0)
    ap.add_argument("--shift-ms", type=float, default=0.0,
                    help="random time shift up to +/- this many ms (100 = MLPerf Tiny)")
    ap.add_argument("--weight-noise", type=float, default=0.0,
                    help="training: Gaussian weight noise, FRACTION x max|w| per matrix, per forward pass")
    ap.add_argument("--fake-quant", type=int, default=0,
                    help="straight-through fake quantisation of W, R, Wc to BITS signed levels per column")
    ap.add_argument("--differential-levels", action="store_true",
                    help="with --fake-quant: 2^BITS-1 steps per sign (simulator's differential pairs)")
    ap.add_argument("--eval-quant", type=int, default=None,
                    help="report accuracy with weights quantised to BITS per column "
                         "(default: --fake-quant; use for post-training quantisation)")
    ap.add_argument("--eval-weight-noise", type=float, default=None,
                    help="report accuracy under weight noise FRACTION (default: --weight-noise)")
    ap.add_argument("--eval-noise-draws", type=int, default=5,
                    help="weight-noise draws averaged in the report")
    ap.add_argument("--no-onnx", action="store_true")
    ap.add_argument("--report", help="write PATH.json and PATH.md")
    a = ap.parse_args(argv)

    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out, exist_ok=True)
    augmenting = a.noise_prob > 0 or a.shift_ms > 0

    t0 = time.time()
    data = {s: load_split(a.data, s) for s in SPLITS}
    data = {s: d for s, d in data.items() if d is not None}
    if "train" not in data:
        raise SystemExit(f"{a.data}/train: no WAV files")
    feats = {s: features(w) for s, (w, _) in data.items()}
    feature_seconds = time.time() - t0
    mean = feats["train"].reshape(-1, COEFFS).mean(axis=0)
    std = feats["train"].reshape(-1, COEFFS).std(axis=0) + 1e-8
    train_w, train_y = data["train"]
    print(f"loaded {', '.join(f'{s}:{len(d[1])}' for s, d in data.items())} "
          f"in {feature_seconds:.1f} s", flush=True)

    p = init_params(rng, COEFFS, a.hidden, len(LABELS))
    opt = Adam(p, lr=a.lr)
    t1 = time.time()
    log = []
    steps_per_epoch = (len(train_y) + a.batch - 1) // a.batch
    total_steps = steps_per_epoch * a.epochs
    step = 0
    for epoch in range(a.epochs):
        F = features(augment(train_w, rng, a.noise_prob, a.snr_min, a.snr_max, a.shift_ms)) \
            if augmenting else feats["train"]
        order = rng.permutation(len(train_y))
        total, seen = 0.0, 0
        for i in range(0, len(order), a.batch):
            idx = order[i:i + a.batch]
            e = effective_params(p, rng, a.weight_noise, a.fake_quant, a.differential_levels)
            loss, g = loss_and_grads(e, to_seq(F[idx], mean, std), train_y[idx])
            norm = np.sqrt(sum(np.sum(v * v) for v in g.values()))
            if norm > a.clip_norm:
                g = {k: v * (a.clip_norm / norm) for k, v in g.items()}
            opt.lr = lr_at(a.lr_decay, a.lr, step, total_steps, steps_per_epoch,
                           a.lr_step_epochs, a.lr_gamma)
            epoch_lr = opt.lr if i == 0 else epoch_lr
            opt.step(p, g)
            step += 1
            total += loss * len(idx)
            seen += len(idx)
        deployed = effective_params(p, None, 0.0, a.fake_quant, a.differential_levels)
        acc = accuracy(deployed, feats["train"], train_y, mean, std)
        log.append({"epoch": epoch + 1, "loss": total / seen, "train_acc": acc,
                    "lr": float(epoch_lr), "seconds": time.time() - t1})
        print(f"epoch {epoch + 1:3d} loss {total / seen:.4f} train acc {100 * acc:.1f}% "
              f"lr {epoch_lr:.2e} ({time.time() - t1:.1f} s)", flush=True)
    train_seconds = time.time() - t1

    # The exported model carries the weights the network was trained for:
    # quantised (dequantised to float) when --fake-quant is given.
    deployed = effective_params(p, None, 0.0, a.fake_quant, a.differential_levels)
    config = {k: v for k, v in vars(a).items()}
    save_model(a.out, deployed, mean, std, config)
    np.savez(os.path.join(a.out, "float_weights.npz"), **p)
    if not a.no_onnx:
        export_onnx(deployed, os.path.join(a.out, "model.onnx"))

    eq = a.fake_quant if a.eval_quant is None else a.eval_quant
    en = a.weight_noise if a.eval_weight_noise is None else a.eval_weight_noise
    columns = ["float"]
    if eq:
        columns.append(f"quant{eq}")
    if en > 0:
        columns.append(f"noise{en:g}" + (f"+quant{eq}" if eq else ""))
    splits = {}
    erng = np.random.default_rng(a.seed + 1000)
    for s, (_, y) in data.items():
        r = {"clips": int(len(y)), "float": accuracy(p, feats[s], y, mean, std)}
        if eq:
            r[columns[1]] = accuracy(effective_params(p, None, 0.0, eq, a.differential_levels),
                                     feats[s], y, mean, std)
        if en > 0:
            r[columns[-1]] = float(np.mean([
                accuracy(effective_params(p, erng, en, eq, a.differential_levels),
                         feats[s], y, mean, std)
                for _ in range(a.eval_noise_draws)]))
        splits[s] = r
        print(f"{s:12s} " + "  ".join(f"{c} {100 * r[c]:.1f}%" for c in columns), flush=True)
    result = {"config": config, "train_seconds": train_seconds,
              "feature_seconds": feature_seconds, "columns": columns,
              "splits": splits, "log": log}
    with open(os.path.join(a.out, "result.json"), "w") as f:
        json.dump(result, f, indent=1)
    if a.report:
        write_report(a.report, result)
    return result


if __name__ == "__main__":
    main()
