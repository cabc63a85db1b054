#!/usr/bin/env python3
"""The DS-CNN keyword spotter (PyTorch) and its ONNX export.

The architecture is MLPerf Tiny's keyword-spotting reference (Banbury et al.,
"MLPerf Tiny Benchmark", NeurIPS Datasets and Benchmarks 2021; from Zhang et
al., "Hello Edge: Keyword Spotting on Microcontrollers", arXiv:1711.07128):
MFCC frames [1, 1, T=49, 10] -> Conv 64 (10x4, stride 2, 'same') -> BN -> ReLU
-> 4 x [depthwise 3x3 -> BN -> ReLU -> pointwise 1x1 (64) -> BN -> ReLU]
-> average pool over the whole map -> Flatten -> Linear 12 -> Softmax.

    python3 tools/kws/dscnn.py --out model.onnx --seed 1 [--keep-batchnorm]

writes a randomly initialised model (weights ~ U(-a, a) with a = sqrt(3 /
fan-in), batch-norm statistics and affine parameters drawn too, all from one
numpy default_rng(seed)) as PyTorch's exporter writes it: by default each
BatchNormalization is folded into the Conv before it (in float64 here, so the
bytes do not depend on the CPU; the exporter's own fold does); with
--keep-batchnorm (constant folding off) the BatchNormalization nodes stay and
the Swift importer folds them. Training such a model is train.py's job; this
file is the architecture and the export the Swift importer is tested against.
"""
import argparse
import copy
import io

import numpy as np
import torch
from torch import nn

FRAMES = 49
COEFFICIENTS = 10
CLASSES = 12


class DSCNN(nn.Module):
    def __init__(self, channels=64, blocks=4, classes=CLASSES, frames=FRAMES, coefficients=COEFFICIENTS):
        super().__init__()
        # 'same' padding for the 10x4, stride-2 first layer: 49x10 -> 25x5.
        layers = [nn.Conv2d(1, channels, (10, 4), stride=2, padding=(5, 1)), nn.BatchNorm2d(channels), nn.ReLU()]
        for _ in range(blocks):
            layers += [nn.Conv2d(channels, channels, 3, padding=1, groups=channels), nn.BatchNorm2d(channels), nn.ReLU(),
                       nn.Conv2d(channels, channels, 1), nn.BatchNorm2d(channels), nn.ReLU()]
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(channels, classes)
        self.frames, self.coefficients = frames, coefficients

    def forward(self, x):
        """Logits for MFCC frames [N, 1, T, coefficients]."""
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


class WithSoftmax(nn.Module):
    """What the firmware image holds: class probabilities, as train.py's export."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return torch.softmax(self.model(x), dim=1)


def randomize(model, rng):
    """Every parameter and batch-norm statistic from `rng`, in module order."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                fan_in = module.weight[0].numel()
                a = np.sqrt(3.0 / fan_in)
                module.weight.copy_(torch.from_numpy(rng.uniform(-a, a, module.weight.shape).astype(np.float32)))
                module.bias.copy_(torch.from_numpy((rng.standard_normal(module.bias.shape) * 0.1).astype(np.float32)))
            elif isinstance(module, nn.BatchNorm2d):
                c = module.num_features
                module.weight.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, c).astype(np.float32)))
                module.bias.copy_(torch.from_numpy((rng.standard_normal(c) * 0.1).astype(np.float32)))
                module.running_mean.copy_(torch.from_numpy((rng.standard_normal(c) * 0.2).astype(np.float32)))
                module.running_var.copy_(torch.from_numpy(rng.uniform(0.5, 2.0, c).astype(np.float32)))
    return model


def fold_batchnorm(model):
    """A copy of `model` with each BatchNorm2d folded into the Conv2d before it
    (w' = w * g / sqrt(var + eps), b' = (b - mean) * g / sqrt(var + eps) + beta)
    and replaced by an identity. The fold is computed in float64 by numpy and
    rounded once to float32, so the weights are the same bits on every CPU;
    PyTorch's exporter folds in float32 with its CPU kernels, whose last bits
    differ between vector units (AVX2 and AVX-512 give other bytes)."""
    model = copy.deepcopy(model)
    layers = list(model.features)
    with torch.no_grad():
        for n, (conv, bn) in enumerate(zip(layers, layers[1:])):
            if not (isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d)):
                continue
            scale = bn.weight.numpy().astype(np.float64) / np.sqrt(bn.running_var.numpy().astype(np.float64) + bn.eps)
            w = conv.weight.numpy().astype(np.float64) * scale[:, None, None, None]
            b = (conv.bias.numpy().astype(np.float64) - bn.running_mean.numpy().astype(np.float64)) * scale \
                + bn.bias.numpy().astype(np.float64)
            conv.weight.copy_(torch.from_numpy(w.astype(np.float32)))
            conv.bias.copy_(torch.from_numpy(b.astype(np.float32)))
            layers[n + 1] = nn.Identity()
    model.features = nn.Sequential(*layers)
    return model


def export_onnx(model, keep_batchnorm=False, opset=14):
    """The model with a softmax, as ONNX bytes (eval mode, batch 1); without
    `keep_batchnorm`, each BatchNormalization folded into the Conv before it
    (`fold_batchnorm`), as PyTorch's exporter folds it with constant folding on."""
    model.eval()
    if not keep_batchnorm:
        model = fold_batchnorm(model)
    buffer = io.BytesIO()
    torch.onnx.export(WithSoftmax(model), torch.zeros(1, 1, model.frames, model.coefficients), buffer,
                      opset_version=opset, dynamo=False, do_constant_folding=not keep_batchnorm,
                      input_names=["mfcc"], output_names=["probabilities"])
    return buffer.getvalue()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--channels", type=int, default=64)
    ap.add_argument("--keep-batchnorm", action="store_true")
    a = ap.parse_args(argv)
    data = export_onnx(randomize(DSCNN(channels=a.channels), np.random.default_rng(a.seed)), a.keep_batchnorm)
    with open(a.out, "wb") as f:
        f.write(data)
    print(f"{a.out}: {len(data)} bytes")


if __name__ == "__main__":
    main()
