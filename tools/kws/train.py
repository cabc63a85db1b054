#!/usr/bin/env python3
"""Keyword-spotting trainer (PyTorch) for a GRU or a DS-CNN, with ONNX export.

Models (--architecture), both over 49 frames x 10 MFCC (tools/kws/frontend.mfcc,
normalised per coefficient with the training mean/std) with a softmax over
12 classes:
  gru     one GRU layer (ONNX GRU semantics, linear_before_reset=1, gate order
          z, r, h — PyTorch's GRU is the same cell with gates stored r, z, n)
          and a linear classifier on the last hidden state (the default);
  ds-cnn  MLPerf Tiny's depthwise-separable CNN (tools/kws/dscnn.py), exported
          with each batch norm folded into the convolution before it.

Data, any mix of:
  --speech-commands DIR  real recordings in Speech Commands' layout
                         (speech_commands.py): its training split trains,
                         its validation split selects the epoch and is reported;
                         words outside the ten keywords are "unknown", and
                         "silence" is cut from its _background_noise_ files;
  --synthetic DIR        synthesize.py's output (DIR/<split>/<label>/*.wav):
                         its train split trains (capped per keyword with
                         --synthetic-per-word, except where the real data has
                         fewer than --real-minimum clips of a class), its
                         test and hard splits are reported.

The recipe (Hello Edge / TensorFlow's speech_commands / MLPerf Tiny): a
silence class and an unknown class each a set share of the training set;
every epoch each clip is re-augmented: speed perturbation (which moves pitch
with it), pitch perturbation at constant speed (each real clip's pitch-shifted
variants, made once by sox's pitch effect, one drawn per epoch), volume, time shift up to +/-100 ms, real background noise mixed at a
random SNR, and a noise floor under every clip so that no training clip has
digital silence (short clips are padded with it); SpecAugment-style time and
coefficient masks on the features. Hardware-aware options: weight noise and
straight-through fake quantisation per crossbar column.

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
import speech_commands  # noqa: E402

LABELS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go",
          "unknown", "silence"]
KEYWORDS = LABELS[:10]
SYNTHETIC_SPLITS = ["train", "test-clean", "test-10db", "test-0db",
                    "hard-clean", "hard-10db", "hard-0db"]
FRAMES = 49
COEFFS = frontend.COEFFICIENTS
CLIP = frontend.SAMPLE_RATE  # 1 s
SPEEDS = [(9, 10), (19, 20), (1, 1), (21, 20), (11, 10)]  # resample_poly up/down ratios


# ---------------------------------------------------------------- data

def read_clip(path):
    """Mono float32 samples at 16 kHz (WAV or FLAC), not padded."""
    return speech_commands.read_audio(path)


def write_wav(path, samples):
    pcm = np.round(np.clip(samples, -1, 32767 / 32768) * 32768).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(frontend.SAMPLE_RATE)
        w.writeframes(pcm.tobytes())


def label_index(name):
    """A folder or word name as a class: "_silence_" is silence, any word
    outside the keywords is unknown."""
    name = name.strip("_")
    return LABELS.index(name) if name in LABELS else LABELS.index("unknown")


def load_synthetic_split(root, split):
    """[(samples, label)] of DIR/<split>/<label>/*.wav, or [] when absent."""
    d = os.path.join(root, split)
    if not os.path.isdir(d):
        return []
    out = []
    for lab in sorted(os.listdir(d)):
        ld = os.path.join(d, lab)
        if os.path.isdir(ld):
            out += [(read_clip(os.path.join(ld, f)), label_index(lab))
                    for f in sorted(os.listdir(ld)) if f.lower().endswith(".wav")]
    return out


def fit(samples, length=CLIP):
    """Centre-crop or zero-pad to `length` samples, returning the start offset of the content."""
    samples = np.asarray(samples, dtype=np.float32)
    if len(samples) >= length:
        start = (len(samples) - length) // 2
        return samples[start:start + length], 0
    out = np.zeros(length, dtype=np.float32)
    offset = (length - len(samples)) // 2
    out[offset:offset + len(samples)] = samples
    return out, offset


class Augmenter:
    """Per-epoch waveform augmentation on real background noise."""

    def __init__(self, noise, rng, shift_ms=100.0, noise_prob=0.8, snr_min=0.0, snr_max=25.0,
                 speed=True, gain_db=6.0, floor_dbfs=(-75.0, -50.0)):
        self.noise = [n for n in noise if len(n) >= CLIP]
        self.rng = rng
        self.shift = int(round(shift_ms * frontend.SAMPLE_RATE / 1000))
        self.noise_prob, self.snr = noise_prob, (snr_min, snr_max)
        self.speed, self.gain_db, self.floor = speed, gain_db, floor_dbfs

    def noise_segment(self, rms):
        """One second of a random background recording scaled to RMS `rms`
        (white noise when there are no recordings)."""
        if self.noise:
            n = self.noise[self.rng.integers(len(self.noise))]
            start = self.rng.integers(0, len(n) - CLIP + 1)
            seg = n[start:start + CLIP].astype(np.float32)
        else:
            seg = self.rng.standard_normal(CLIP).astype(np.float32)
        return seg * (rms / max(float(np.sqrt(np.mean(seg ** 2))), 1e-9))

    def silence(self):
        """A silence clip: background noise at a random level, sometimes near digital silence."""
        return self.noise_segment(10 ** (self.rng.uniform(-70, -20) / 20))

    def __call__(self, samples, label):
        from scipy.signal import resample_poly
        rng = self.rng
        x = np.asarray(samples, dtype=np.float32)
        if label == LABELS.index("silence"):
            return self.silence()
        if self.speed:
            up, down = SPEEDS[rng.integers(len(SPEEDS))]
            if up != down:
                x = resample_poly(x, up, down).astype(np.float32)
        x = x * np.float32(10 ** (rng.uniform(-self.gain_db, self.gain_db) / 20))
        x, offset = fit(x)
        if self.shift:
            s = int(rng.integers(-self.shift, self.shift + 1))
            x = np.roll(x, s)
            if s > 0:
                x[:s] = 0
            elif s < 0:
                x[s:] = 0
        # A noise floor under the whole second: real recordings never reach digital silence.
        x = x + self.noise_segment(10 ** (rng.uniform(*self.floor) / 20))
        if rng.random() < self.noise_prob:
            speech_rms = float(np.sqrt(np.mean(x ** 2)))
            snr = rng.uniform(*self.snr)
            x = x + self.noise_segment(speech_rms / 10 ** (snr / 20))
        peak = float(np.max(np.abs(x)))
        return x / peak * 0.99 if peak > 0.99 else x


def pitch_variants(samples, cents):
    """`samples` pitch-shifted by each of `cents` (sox's pitch effect: WSOLA,
    same duration), as float32 arrays."""
    import subprocess
    x = np.ascontiguousarray(samples, dtype=np.float32).tobytes()
    out = []
    for c in cents:
        raw = subprocess.run(["sox", "-R", "-t", "f32", "-r", str(frontend.SAMPLE_RATE), "-c", "1", "-",
                              "-t", "f32", "-", "pitch", str(int(c))],
                             input=x, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout
        out.append(np.frombuffer(raw, dtype=np.float32).copy())
    return out


def make_pitch_variants(clips, sources, rng, count, max_cents, threads=2):
    """Per training clip: `count` pitch-shifted variants (real clips only:
    synthetic speech already varies pitch at synthesis), cents drawn from rng
    uniformly in +/-max_cents. Returns a list aligned with clips (empty lists
    where there are none)."""
    from concurrent.futures import ThreadPoolExecutor
    jobs = []
    for i, (c, src) in enumerate(zip(clips, sources)):
        if src == "real" and c is not None and count > 0:
            jobs.append((i, [int(v) for v in rng.integers(-max_cents, max_cents + 1, size=count)]))
    variants = [[] for _ in clips]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for (i, _), v in zip(jobs, pool.map(lambda job: pitch_variants(clips[job[0]], job[1]), jobs)):
            variants[i] = v
    return variants


def spec_augment(F, rng, time_masks=1, max_frames=6, coefficient_masks=1, max_coefficients=2, prob=0.5):
    """SpecAugment-style masks on normalised features [N, T, C] (set to 0, the mean)."""
    F = F.copy()
    n, T, C = F.shape
    for i in range(n):
        if rng.random() >= prob:
            continue
        for _ in range(time_masks):
            w = rng.integers(0, max_frames + 1)
            t0 = rng.integers(0, T - w + 1)
            F[i, t0:t0 + w] = 0
        for _ in range(coefficient_masks):
            w = rng.integers(0, max_coefficients + 1)
            c0 = rng.integers(1, C - w + 1)  # never c0: it is loudness
            F[i, :, c0:c0 + w] = 0
    return F


def features(waves):
    """[N] clips of 16000 samples -> [N, 49, 10] via frontend.mfcc."""
    return np.stack([frontend.mfcc(w) for w in waves]).astype(np.float32)


def assemble_training_set(real, synthetic, rng, unknown_share, silence_share,
                          synthetic_per_word, real_minimum):
    """(clips, labels, sources): real clips, synthetic clips where they are
    needed or capped, unknown and silence at their shares of the whole.
    A silence clip's samples are None (cut from noise at augmentation)."""
    unknown, silence = LABELS.index("unknown"), LABELS.index("silence")
    per_class = {c: [] for c in range(len(LABELS))}
    for samples, y in real:
        per_class[y].append((samples, "real"))
    real_counts = {c: len(v) for c, v in per_class.items()}
    synthetic_by_class = {c: [] for c in range(len(LABELS))}
    for samples, y in synthetic:
        synthetic_by_class[y].append(samples)
    for c in range(len(LABELS)):
        if c == silence:
            continue
        pool = synthetic_by_class[c]
        order = rng.permutation(len(pool))
        take = len(pool) if c == unknown or real_counts[c] < real_minimum else min(len(pool), synthetic_per_word)
        per_class[c] += [(pool[i], "synthetic") for i in order[:take]]
    keyword_total = sum(len(per_class[c]) for c in range(len(KEYWORDS)))
    # unknown and silence are shares of the whole set: n = share * total, total = keywords + n_u + n_s.
    total = keyword_total / max(1e-9, 1 - unknown_share - silence_share)
    n_unknown = int(round(unknown_share * total))
    pool = per_class[unknown]
    if len(pool) > n_unknown:
        # Keep the real unknown words first; fill with synthetic ones.
        real_u = [p for p in pool if p[1] == "real"]
        synth_u = [p for p in pool if p[1] == "synthetic"]
        keep_real = [real_u[i] for i in rng.permutation(len(real_u))[:n_unknown]]
        rest = n_unknown - len(keep_real)
        per_class[unknown] = keep_real + [synth_u[i] for i in rng.permutation(len(synth_u))[:rest]]
    per_class[silence] = [(None, "noise")] * int(round(silence_share * total))
    clips, labels, sources = [], [], []
    for c in range(len(LABELS)):
        for samples, source in per_class[c]:
            clips.append(samples)
            labels.append(c)
            sources.append(source)
    return clips, np.array(labels, dtype=np.int64), sources


# ---------------------------------------------------------------- model

def fake_quant(w, bits, differential=False):
    """Symmetric per-column quantisation. A crossbar column is one output, i.e.
    one row of the matrix [out, in]. Signed BITS-bit integers (2^(b-1)-1
    positive steps), or with differential=True the simulator's
    differential-pair mapping (2^b-1 steps per sign, ConductanceMapping)."""
    import torch
    steps = (2 ** bits - 1) if differential else (2 ** (bits - 1) - 1)
    scale = w.abs().amax(dim=1, keepdim=True).clamp_min(1e-12)
    return torch.round(torch.clamp(w / scale, -1, 1) * steps) / steps * scale


def fake_quant_per_output(w, bits, differential=False):
    """fake_quant of any weight tensor [out, ...] with one scale per output:
    a convolution's kernel [O, C/groups, kh, kw] is the matrix [O, C/groups*kh*kw]
    the tile compiler maps (im2col), so its output channels are the crossbar
    columns. A matrix is its own view, so a GRU's weights quantise as before."""
    return fake_quant(w.reshape(w.shape[0], -1), bits, differential).reshape(w.shape)


class CrossbarModel:
    """A torch module `net` whose MATRICES (the weights held in crossbars) a
    forward pass can see quantised or noisy, for hardware-aware training.
    Subclasses give net, MATRICES, INPUT_LAYOUT, logits and export."""

    def parameters(self):
        return self.net.parameters()

    def weights(self, generator=None, weight_noise=0.0, quant_bits=0, differential=False):
        """The weights as a forward pass uses them: quantised (straight-through),
        then (training only) Gaussian noise of weight_noise x max|w| per matrix."""
        torch = self.torch
        out = dict(self.net.named_parameters())
        for k in self.MATRICES:
            w = out[k]
            if quant_bits:
                w = w + (fake_quant_per_output(w, quant_bits, differential) - w).detach()
            if weight_noise > 0 and generator is not None:
                noise = torch.randn(w.shape, generator=generator) * (weight_noise * w.detach().abs().max())
                w = w + noise
            out[k] = w
        return out


class KWSModel(CrossbarModel):
    """torch GRU + Linear, with the weights a forward pass uses made explicit
    so that hardware-aware training can quantise them or add noise."""

    MATRICES = ("gru.weight_ih_l0", "gru.weight_hh_l0", "linear.weight")
    INPUT_LAYOUT = "[seq=49, batch=1, features=10], x = (mfcc - mean) / std"

    def __init__(self, hidden, seed):
        import torch
        torch.manual_seed(seed)
        self.torch = torch
        self.net = torch.nn.ModuleDict({
            "gru": torch.nn.GRU(COEFFS, hidden, batch_first=True),
            "linear": torch.nn.Linear(hidden, len(LABELS)),
        })

    def logits(self, x, weights=None):
        """x [B, T, I] normalised features -> [B, C]."""
        from torch.func import functional_call
        weights = weights if weights is not None else dict(self.net.named_parameters())
        gru = {k.split(".", 1)[1]: v for k, v in weights.items() if k.startswith("gru.")}
        lin = {k.split(".", 1)[1]: v for k, v in weights.items() if k.startswith("linear.")}
        _, h = functional_call(self.net["gru"], gru, (x,))
        return functional_call(self.net["linear"], lin, (h[-1],))

    def onnx_params(self, weights):
        """ONNX layout (gates z, r, h): W [3H, I], R [3H, H], Wb, Rb [3H], Wc [C, H], bc [C]."""
        def zrh(a):
            r, z, n = np.split(a.detach().numpy().astype(np.float64), 3, axis=0)
            return np.concatenate([z, r, n], axis=0)
        return {"W": zrh(weights["gru.weight_ih_l0"]), "R": zrh(weights["gru.weight_hh_l0"]),
                "Wb": zrh(weights["gru.bias_ih_l0"]), "Rb": zrh(weights["gru.bias_hh_l0"]),
                "Wc": weights["linear.weight"].detach().numpy().astype(np.float64),
                "bc": weights["linear.bias"].detach().numpy().astype(np.float64)}

    def export(self, weights, path):
        """The hand-written GRU graph (export_onnx) holding `weights`."""
        export_onnx(self.onnx_params(weights), path)


class DSCNNModel(CrossbarModel):
    """dscnn.DSCNN (MLPerf Tiny's DS-CNN) behind KWSModel's interface. Its
    matrices are every convolution kernel and the classifier; batch norm
    stays in float (it folds into the convolutions at export)."""

    INPUT_LAYOUT = "[batch=1, channels=1, frames=49, coefficients=10], x = (mfcc - mean) / std"

    def __init__(self, channels, seed):
        import torch
        import dscnn
        torch.manual_seed(seed)
        self.torch = torch
        self.net = dscnn.DSCNN(channels=channels, frames=FRAMES, coefficients=COEFFS)
        self.MATRICES = tuple(k for k, v in self.net.named_parameters() if k.endswith("weight") and v.dim() > 1)

    def logits(self, x, weights=None):
        """x [B, T, I] normalised features -> [B, C]; the network sees them as a
        one-channel image [B, 1, T, I]. Batch norm follows net.train()/eval()."""
        from torch.func import functional_call
        weights = weights if weights is not None else dict(self.net.named_parameters())
        return functional_call(self.net, weights, (x.unsqueeze(1),))

    def export(self, weights, path):
        """dscnn.export_onnx of a copy of the network holding `weights`.
        Training quantised each kernel before its batch norm; the exporter then
        folds the batch norm in, which scales each output channel by one factor,
        so a folded kernel keeps its per-column levels (on a new scale) and
        the graph has no BatchNormalization left."""
        import copy
        import dscnn
        torch = self.torch
        net = copy.deepcopy(self.net)
        with torch.no_grad():
            for k, v in net.named_parameters():
                v.copy_(weights[k])
        with open(path, "wb") as f:
            f.write(dscnn.export_onnx(net))


def make_model(a):
    """The network --architecture names, initialised from --seed."""
    if a.architecture == "ds-cnn":
        return DSCNNModel(a.channels, a.seed)
    return KWSModel(a.hidden, a.seed)


def predict(model, F, mean, std, weights=None, batch=512):
    torch = model.torch
    model.net.eval()  # batch norm on its running statistics, as deployed
    out = []
    with torch.no_grad():
        for i in range(0, len(F), batch):
            x = torch.from_numpy(((F[i:i + batch] - mean) / std).astype(np.float32))
            out.append(torch.softmax(model.logits(x, weights), dim=1).numpy())
    return np.concatenate(out) if out else np.zeros((0, len(LABELS)), dtype=np.float32)


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


def onnx_input(session, x):
    """One clip's normalised features [T, I] in the layout the model's input
    declares: the GRU's sequence [T, 1, I] or the DS-CNN's image [1, 1, T, I]."""
    return x[None, None] if len(session.get_inputs()[0].shape) == 4 else x[:, None, :]


def onnxruntime_probabilities(path, F, mean, std):
    """The exported model's outputs through onnxruntime, one clip at a time."""
    import onnxruntime
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    x = ((F - mean) / std).astype(np.float32)
    return np.stack([session.run(None, {"mfcc": onnx_input(session, x[i])})[0][0] for i in range(len(x))])


# ---------------------------------------------------------------- report

def class_report(y, predicted):
    """Accuracy, per-class accuracy and the confusion matrix (rows: truth)."""
    confusion = np.zeros((len(LABELS), len(LABELS)), dtype=np.int64)
    for t, p in zip(y, predicted):
        confusion[t, p] += 1
    per_class = {LABELS[c]: (float(confusion[c, c] / confusion[c].sum()) if confusion[c].sum() else None)
                 for c in range(len(LABELS))}
    return {"clips": int(len(y)), "accuracy": float(np.mean(predicted == y)) if len(y) else None,
            "per_class": per_class, "confusion": confusion.tolist()}


def describe_model(c):
    """(report title's name, the model's size) of a run's config."""
    if c.get("architecture", "gru") == "ds-cnn":
        return "DS-CNN", (f"DS-CNN {c['channels']} channels, 4 depthwise-separable blocks "
                          f"(exported with batch norm folded into the convolutions)")
    return "GRU", f"hidden {c['hidden']}"


def write_report(stem, result):
    with open(stem + ".json", "w") as f:
        json.dump(result, f, indent=1)
    c = result["config"]
    name, size = describe_model(c)
    lines = [f"# KWS {name} training report", "",
             f"- {size}, epochs {c['epochs']} (best {result['best_epoch']} by "
             f"{result['selection']}), seed {c['seed']}, batch {c['batch']}, lr {c['lr']:g} cosine",
             f"- weight noise {c['weight_noise']}, fake quant {c['fake_quant'] or 'off'} bits",
             f"- training set: {result['training_set']}",
             f"- pitch: {c.get('pitch_variants', 0)} sox pitch variants per real clip within "
             f"+/-{c.get('pitch_cents', 0)} cents, used with probability {c.get('pitch_prob', 0)}",
             *([f"- real clips of {c['hold_out_real']} not trained on (split real-held-out-words); "
                f"the epoch is chosen on the other validation words"] if c.get("hold_out_real") else []),
             f"- training time {result['train_seconds']:.0f} s on {result['threads']} thread(s)",
             f"- onnxruntime vs torch: max |Δp| {result['onnx_max_abs_diff']:.2e}, "
             f"same class on {100 * result['onnx_same_class']:.2f}% of the selection set", "",
             "| split | clips | accuracy |", "|---|---:|---:|"]
    for split, r in result["splits"].items():
        lines.append(f"| {split} | {r['clips']} | {100 * r['accuracy']:.1f}% |")
    for split, r in result["splits"].items():
        if not split.startswith("real"):
            continue
        lines += ["", f"## {split}: per class and confusion (rows: truth, columns: predicted)", "",
                  "| class | clips | accuracy | " + " | ".join(LABELS) + " |",
                  "|---|---:|---:|" + "---:|" * len(LABELS)]
        for i, name in enumerate(LABELS):
            row = r["confusion"][i]
            acc = r["per_class"][name]
            lines.append(f"| {name} | {sum(row)} | {'—' if acc is None else f'{100 * acc:.1f}%'} | "
                         + " | ".join(str(v) for v in row) + " |")
    if c.get("speech_commands"):
        lines += ["", "Real recordings: Google Speech Commands (P. Warden, \"Speech Commands: A Dataset "
                  "for Limited-Vocabulary Speech Recognition\", arXiv:1804.03209, 2018; CC BY 4.0)."]
    with open(stem + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--speech-commands", help="real recordings in Speech Commands' layout")
    ap.add_argument("--synthetic", help="synthesize.py output: DIR/<split>/<label>/*.wav")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--architecture", choices=["gru", "ds-cnn"], default="gru",
                    help="gru: one GRU layer and a classifier; ds-cnn: MLPerf Tiny's DS-CNN (dscnn.py)")
    ap.add_argument("--hidden", type=int, default=128, help="GRU units (gru)")
    ap.add_argument("--channels", type=int, default=64, help="channels of every convolution (ds-cnn)")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3, help="peak learning rate, cosine decay to 0")
    ap.add_argument("--clip-norm", type=float, default=5.0, help="global gradient-norm clip")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    ap.add_argument("--unknown-share", type=float, default=0.1)
    ap.add_argument("--silence-share", type=float, default=0.1)
    ap.add_argument("--synthetic-per-word", type=int, default=150,
                    help="synthetic clips per keyword where the real data has enough")
    ap.add_argument("--real-minimum", type=int, default=100,
                    help="a keyword with fewer real clips than this takes every synthetic clip")
    ap.add_argument("--noise-prob", type=float, default=0.8,
                    help="probability a training clip gets background noise (per epoch)")
    ap.add_argument("--snr-min", type=float, default=0.0)
    ap.add_argument("--snr-max", type=float, default=25.0)
    ap.add_argument("--shift-ms", type=float, default=100.0)
    ap.add_argument("--no-speed", action="store_true", help="no speed perturbation")
    ap.add_argument("--pitch-variants", type=int, default=2,
                    help="pitch-shifted variants made per real clip (sox; 0: no pitch perturbation)")
    ap.add_argument("--pitch-cents", type=int, default=200, help="pitch shifts drawn in +/- this many cents")
    ap.add_argument("--pitch-prob", type=float, default=0.5,
                    help="probability an epoch uses one of a clip's pitch variants")
    ap.add_argument("--hold-out-real", default="",
                    help="comma-separated words whose real clips are not trained on; all of them "
                         "are reported as the split real-held-out-words (how well synthetic speech "
                         "alone teaches those words)")
    ap.add_argument("--gain-db", type=float, default=6.0, help="random volume of +/- this many dB")
    ap.add_argument("--spec-augment", type=float, default=0.5, help="probability of feature masks per clip")
    ap.add_argument("--weight-noise", type=float, default=0.0,
                    help="training: Gaussian weight noise, FRACTION x max|w| per matrix, per forward pass")
    ap.add_argument("--fake-quant", type=int, default=0,
                    help="straight-through fake quantisation of the matrices to BITS levels per column")
    ap.add_argument("--differential-levels", action="store_true",
                    help="with --fake-quant: 2^BITS-1 steps per sign (simulator's differential pairs)")
    ap.add_argument("--limit", type=int, default=0, help="at most this many clips per source (tests)")
    ap.add_argument("--report", help="write PATH.json and PATH.md (default OUT/report)")
    a = ap.parse_args(argv)
    if not a.speech_commands and not a.synthetic:
        ap.error("give --speech-commands DIR, --synthetic DIR or both")
    if a.pitch_variants < 0 or a.pitch_cents < 0 or not 0.0 <= a.pitch_prob <= 1.0:
        ap.error(f"--pitch-variants and --pitch-cents must be >= 0 and --pitch-prob in [0, 1]; got "
                 f"{a.pitch_variants}, {a.pitch_cents}, {a.pitch_prob}")
    held_out_words = [w.strip() for w in a.hold_out_real.split(",") if w.strip()]

    import torch
    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()

    real_train, real_validation, real_held_out, noise = [], [], [], []
    held_out_validation = []  # per real_validation clip: is its word held out
    if a.speech_commands:
        clips, noise_files = speech_commands.scan(a.speech_commands)
        if a.limit:
            clips = [clips[i] for i in sorted(rng.permutation(len(clips))[:a.limit])]
        for c in clips:
            item = (read_clip(c.path), label_index(c.word))
            if c.word in held_out_words and c.split in ("training", "validation"):
                real_held_out.append(item)
            if c.split == "validation":
                real_validation.append(item)
                held_out_validation.append(c.word in held_out_words)
            elif c.split == "training" and c.word not in held_out_words:
                real_train.append(item)
        noise = [read_clip(n) for n in noise_files]
    synthetic = {s: load_synthetic_split(a.synthetic, s) for s in SYNTHETIC_SPLITS} if a.synthetic else {}
    if a.limit:
        synthetic = {s: [v[i] for i in sorted(rng.permutation(len(v))[:a.limit])] for s, v in synthetic.items()}
    augment = Augmenter(noise, rng, a.shift_ms, a.noise_prob, a.snr_min, a.snr_max,
                        not a.no_speed, a.gain_db)
    clips, labels, sources = assemble_training_set(real_train, synthetic.get("train", []), rng, a.unknown_share,
                                                   a.silence_share, a.synthetic_per_word, a.real_minimum)
    if len(labels) == 0:
        raise SystemExit("train.py: no training clips")
    tp = time.time()
    variants = make_pitch_variants(clips, sources, rng, a.pitch_variants, a.pitch_cents, max(2, a.threads))
    pitch_seconds = time.time() - tp
    counts = {LABELS[c]: int(np.sum(labels == c)) for c in range(len(LABELS))}
    training_set = (f"{len(labels)} clips ({sources.count('real')} real, {sources.count('synthetic')} synthetic, "
                    f"{sources.count('noise')} silence from noise); per class {counts}")
    print(training_set, flush=True)

    # Evaluation sets: real validation as recorded (padded to 1 s with zeros, as the
    # firmware's window would hold them), synthetic splits as written.
    evaluation = {}
    if real_validation:
        evaluation["real-validation"] = ([fit(s)[0] for s, _ in real_validation],
                                         np.array([y for _, y in real_validation]))
    if real_held_out:
        evaluation["real-held-out-words"] = ([fit(s)[0] for s, _ in real_held_out],
                                             np.array([y for _, y in real_held_out]))
    for s in SYNTHETIC_SPLITS[1:]:
        if synthetic.get(s):
            evaluation[f"synthetic-{s}"] = ([fit(x)[0] for x, _ in synthetic[s]], np.array([y for _, y in synthetic[s]]))
    eval_features = {k: features(w) for k, (w, _) in evaluation.items()}
    selection = "real-validation" if "real-validation" in evaluation else \
        ("synthetic-test-clean" if "synthetic-test-clean" in evaluation else None)

    base = [augment(c, y) if c is None else fit(c)[0] + augment.noise_segment(1e-3)
            for c, y in zip(clips, labels)]
    F0 = features(base)
    mean = F0.reshape(-1, COEFFS).mean(axis=0)
    std = F0.reshape(-1, COEFFS).std(axis=0) + 1e-8

    model = make_model(a)
    optimiser = torch.optim.Adam(model.parameters(), lr=a.lr)
    steps = a.epochs * ((len(labels) + a.batch - 1) // a.batch)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=a.lr, total_steps=steps,
                                                    pct_start=0.1, anneal_strategy="cos")
    generator = torch.Generator().manual_seed(a.seed)
    loss_fn = torch.nn.CrossEntropyLoss()
    best, best_epoch, best_state, log = -1.0, 0, None, []
    t1 = time.time()
    # The epoch is chosen on validation words that were trained on: a held-out
    # word's validation clips are what it is measured on, not what picks the model.
    selection_mask = ~np.array(held_out_validation, dtype=bool) if selection == "real-validation" else None

    def pick(i, c):
        if variants[i] and rng.random() < a.pitch_prob:
            return variants[i][int(rng.integers(len(variants[i])))]
        return c if c is not None else np.zeros(CLIP, np.float32)

    for epoch in range(a.epochs):
        F = features([augment(pick(i, c), y) for i, (c, y) in enumerate(zip(clips, labels))])
        X = spec_augment((F - mean) / std, rng, prob=a.spec_augment).astype(np.float32)
        order = rng.permutation(len(labels))
        total = 0.0
        model.net.train()  # batch norm on batch statistics (predict switches to eval)
        for i in range(0, len(order), a.batch):
            idx = order[i:i + a.batch]
            weights = model.weights(generator, a.weight_noise, a.fake_quant, a.differential_levels)
            loss = loss_fn(model.logits(torch.from_numpy(X[idx]), weights), torch.from_numpy(labels[idx]))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip_norm)
            optimiser.step()
            scheduler.step()
            total += float(loss.detach()) * len(idx)
        deployed = model.weights(None, 0.0, a.fake_quant, a.differential_levels)
        entry = {"epoch": epoch + 1, "loss": total / len(labels), "seconds": time.time() - t1}
        if selection:
            Fs, ys = eval_features[selection], evaluation[selection][1]
            if selection_mask is not None:
                Fs, ys = Fs[selection_mask], ys[selection_mask]
            entry["selection_accuracy"] = float(np.mean(np.argmax(predict(model, Fs, mean, std, deployed), 1) == ys))
            if entry["selection_accuracy"] > best:
                best, best_epoch = entry["selection_accuracy"], epoch + 1
                best_state = {k: v.detach().clone() for k, v in model.net.state_dict().items()}
        log.append(entry)
        print(f"epoch {epoch + 1:3d} loss {entry['loss']:.4f} "
              + (f"{selection} {100 * entry['selection_accuracy']:.1f}% " if selection else "")
              + f"({entry['seconds']:.0f} s)", flush=True)
    train_seconds = time.time() - t1
    if best_state is not None:
        model.net.load_state_dict(best_state)
    else:
        best_epoch = a.epochs

    # The exported model carries the weights the network was trained for:
    # quantised (dequantised to float) when --fake-quant is given.
    deployed = model.weights(None, 0.0, a.fake_quant, a.differential_levels)
    with open(os.path.join(a.out, "normalisation.json"), "w") as f:
        json.dump({"mean": mean.astype(float).tolist(), "std": std.astype(float).tolist(), "labels": LABELS,
                   "frames": FRAMES, "coefficients": COEFFS,
                   "input_layout": model.INPUT_LAYOUT}, f, indent=1)
    onnx_path = os.path.join(a.out, "model.onnx")
    model.export(deployed, onnx_path)

    splits = {}
    for k, (_, y) in evaluation.items():
        splits[k] = class_report(y, np.argmax(predict(model, eval_features[k], mean, std, deployed), 1))
        print(f"{k:24s} {100 * splits[k]['accuracy']:.1f}% of {len(y)}", flush=True)
    onnx_diff, onnx_same = 0.0, 1.0
    if selection:
        Fs = eval_features[selection]
        ours = predict(model, Fs, mean, std, deployed)
        theirs = onnxruntime_probabilities(onnx_path, Fs, mean, std)
        onnx_diff = float(np.max(np.abs(ours - theirs)))
        onnx_same = float(np.mean(np.argmax(ours, 1) == np.argmax(theirs, 1)))
    # The other architecture's width would only mislead a reader of the report.
    unused = {"gru": "channels", "ds-cnn": "hidden"}[a.architecture]
    config = {k: v for k, v in vars(a).items() if k != unused}
    result = {"config": config, "training_set": training_set, "class_counts": counts,
              "best_epoch": best_epoch, "selection": selection, "train_seconds": train_seconds,
              "prepare_seconds": t1 - t0, "pitch_variant_seconds": pitch_seconds, "threads": a.threads, "onnx_max_abs_diff": onnx_diff,
              "onnx_same_class": onnx_same, "splits": splits, "log": log}
    write_report(a.report or os.path.join(a.out, "report"), result)
    return result


if __name__ == "__main__":
    main()
