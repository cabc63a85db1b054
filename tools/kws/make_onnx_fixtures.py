#!/usr/bin/env python3
"""ONNX models + onnxruntime outputs for the Swift ONNX importer's tests.

    python3 tools/kws/make_onnx_fixtures.py --out DIR --seed N \
        [--shipped firmware/kws-gru/model.onnx \
         --shipped-features firmware/kws-gru/test/mfcc-reference.json \
         --norm firmware/kws-gru/normalisation.json]

Writes DIR/<name>.onnx for each case and DIR/cases.json: a list of
{"name", "file", "kind": "valid"|"invalid", "description", ...}. Valid cases
also have "input_shape", "inputs" (3 flat float32 N(0,1) inputs), "outputs"
(onnxruntime's flat outputs) and "output_shape"; invalid ones have
"error_node" (the node the importer must name, null for a corrupt file) and
"error_contains" (a lowercase keyword the error message should contain).
With --shipped also DIR/shipped.json: the shipped model's onnxruntime
probabilities on the first 24 clips of mfcc-reference.json (file order),
normalised as tools/kws/eval_onnx.py does and fed as [49, 1, 10].

Deterministic: every random draw comes from one numpy default_rng(seed) in a
fixed order; models carry fixed producer fields and no timestamps, so the same
seed gives byte-identical files (onnxruntime runs single-threaded).

GRU layout=1 (batch-first GRU, opset 14) is not generated: onnxruntime's CPU
GRU rejects it ("Batchwise recurrent operations (layout == 1) are not
supported"), so there is no reference output for it.
"""
import argparse
import hashlib
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import dscnn

OPSET = 14
IR_VERSION = 8
PRODUCER = "cimfw tools/kws/make_onnx_fixtures.py"
PRODUCER_VERSION = "1"
N_INPUTS = 3
SHIPPED_CLIPS = 24


# ---------------------------------------------------------------- helpers

class Draw:
    """The single random source: weights U(-0.5, 0.5), biases N(0, 0.3²)."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def w(self, *shape):
        return self.rng.uniform(-0.5, 0.5, shape).astype(np.float32)

    def b(self, *shape):
        return (self.rng.standard_normal(shape) * 0.3).astype(np.float32)

    def x(self, *shape):
        return self.rng.standard_normal(shape).astype(np.float32)


def init(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def i64(*v):
    return np.array(v, dtype=np.int64)


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def gru_weights(d, prefix, H, I, dirs=1):
    """W [dirs, 3H, I], R [dirs, 3H, H], B [dirs, 6H] (Wb then Rb)."""
    return [init(prefix + "W", d.w(dirs, 3 * H, I)),
            init(prefix + "R", d.w(dirs, 3 * H, H)),
            init(prefix + "B", d.b(dirs, 6 * H))]


def make_model(nodes, name, inputs, outputs, inits):
    names = [n.name for n in nodes]
    assert all(names) and len(set(names)) == len(names), names
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name=PRODUCER, producer_version=PRODUCER_VERSION)
    model.ir_version = IR_VERSION
    return model


def classifier_tail(d, H, C, src="Y_h"):
    """train.py's tail: Reshape [1, H] -> Gemm(transB=1) -> Softmax(axis 1)."""
    inits = [init("shape_1H", i64(1, H)), init("Wc", d.w(C, H)), init("bc", d.b(C))]
    nodes = [
        helper.make_node("Reshape", [src, "shape_1H"], ["h_last"], name="reshape"),
        helper.make_node("Gemm", ["h_last", "Wc", "bc"], ["logits"], name="classifier",
                         transB=1),
        helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1),
    ]
    return nodes, inits


def trainpy_model(d, name, T, I, H, C, lbr=1, direction="forward", seq_len=None,
                  gru_attrs=None):
    """train.py's export_onnx graph: mfcc [T, 1, I] -> GRU -> Y_h [1, 1, H]
    -> Reshape [1, H] -> Gemm(transB=1) -> Softmax -> probabilities [1, C]."""
    inits = gru_weights(d, "", H, I)
    gru_in = ["mfcc", "W", "R", "B"]
    if seq_len is not None:
        inits.append(init("sequence_lens", np.array([seq_len], dtype=np.int32)))
        gru_in.append("sequence_lens")
    attrs = dict(hidden_size=H, linear_before_reset=lbr, direction=direction)
    attrs.update(gru_attrs or {})
    nodes = [helper.make_node("GRU", gru_in, ["Y", "Y_h"], name="gru", **attrs)]
    tail, tail_inits = classifier_tail(d, H, C)
    return make_model(nodes + tail, name, [vi("mfcc", [T, 1, I])],
                      [vi("probabilities", [1, C])], inits + tail_inits)


# ---------------------------------------------------------------- valid models

def pytorch_batchfirst(d, T=20, I=10, H=32, F=24, C=12):
    inits = gru_weights(d, "gru.", H, I) + [
        init("gru.initial_h", 2 * d.w(1, 1, H)),   # U(-1, 1)
        init("squeeze_axes", i64(1)),
        init("last_index", np.array(-1, dtype=np.int64)),      # scalar
        init("gather_1", np.array(1, dtype=np.int64)),          # scalar
        init("fc1.weight", d.w(F, H)), init("fc1.bias", d.b(F)),
        init("fc2.weight", d.w(C, F)), init("fc2.bias", d.b(C)),
    ]
    nodes = [
        helper.make_node("Transpose", ["input"], ["x_tbi"], name="/Transpose", perm=[1, 0, 2]),
        helper.make_node("GRU", ["x_tbi", "gru.W", "gru.R", "gru.B", "", "gru.initial_h"],
                         ["gru_Y", "gru_Y_h"], name="/gru/GRU", hidden_size=H,
                         linear_before_reset=1),
        helper.make_node("Squeeze", ["gru_Y", "squeeze_axes"], ["y_t1h"], name="/gru/Squeeze"),
        helper.make_node("Gather", ["y_t1h", "last_index"], ["h_last"], name="/Gather", axis=0),
        # Shape chain PyTorch emits for x.reshape(-1, fc1.in_features); folds to [-1, H].
        helper.make_node("Shape", ["fc1.weight"], ["fc1_shape"], name="/Shape"),
        helper.make_node("Gather", ["fc1_shape", "gather_1"], ["in_features"],
                         name="/Gather_1", axis=0),
        helper.make_node("Unsqueeze", ["in_features", "squeeze_axes_0"], ["in_features_1d"],
                         name="/Unsqueeze"),
        helper.make_node("Constant", [], ["minus_one"], name="/Constant",
                         value=numpy_helper.from_array(i64(-1), "minus_one_value")),
        helper.make_node("Constant", [], ["squeeze_axes_0"], name="/Constant_1",
                         value=numpy_helper.from_array(i64(0), "axes0_value")),
        helper.make_node("Concat", ["minus_one", "in_features_1d"], ["flat_shape"],
                         name="/Concat", axis=0),
        helper.make_node("Reshape", ["h_last", "flat_shape"], ["h_flat"], name="/Reshape"),
        helper.make_node("Gemm", ["h_flat", "fc1.weight", "fc1.bias"], ["fc1_out"],
                         name="/fc1/Gemm", transB=1),
        helper.make_node("Relu", ["fc1_out"], ["relu_out"], name="/Relu"),
        helper.make_node("Gemm", ["relu_out", "fc2.weight", "fc2.bias"], ["logits"],
                         name="/fc2/Gemm", transB=1),
        helper.make_node("Softmax", ["logits"], ["output"], name="/Softmax", axis=-1),
    ]
    # Topological order: the Constant feeding Unsqueeze must come first.
    order = ["/Transpose", "/gru/GRU", "/gru/Squeeze", "/Gather", "/Shape", "/Gather_1",
             "/Constant_1", "/Unsqueeze", "/Constant", "/Concat", "/Reshape", "/fc1/Gemm",
             "/Relu", "/fc2/Gemm", "/Softmax"]
    nodes = sorted(nodes, key=lambda n: order.index(n.name))
    return make_model(nodes, "pytorch_batchfirst", [vi("input", [1, T, I])],
                      [vi("output", [1, C])], inits)


def keras_tf2onnx(d, T=49, I=10, H=20, C=12):
    inits = gru_weights(d, "gru/", H, I) + [
        init("squeeze_axes", i64(0)),
        init("dense/kernel", d.w(H, 20)), init("dense/bias", d.b(20)),
        init("dense_1/kernel", d.w(20, 16)), init("dense_1/bias", d.b(16)),
        init("dense_2/kernel", d.w(16, C)), init("dense_2/bias", d.b(C)),
    ]
    nodes = [
        helper.make_node("Transpose", ["input_1"], ["gru/transpose:0"], name="gru/transpose",
                         perm=[1, 0, 2]),
        helper.make_node("GRU", ["gru/transpose:0", "gru/W", "gru/R", "gru/B"],
                         ["", "gru/Y_h:0"], name="gru/GRU", hidden_size=H,
                         linear_before_reset=1, direction="forward"),
        helper.make_node("Squeeze", ["gru/Y_h:0", "squeeze_axes"], ["gru/Squeeze:0"],
                         name="gru/Squeeze"),
    ]
    src = "gru/Squeeze:0"
    for layer, act in (("dense", "Tanh"), ("dense_1", "Sigmoid"), ("dense_2", "Softmax")):
        nodes += [
            helper.make_node("MatMul", [src, f"{layer}/kernel"], [f"{layer}/MatMul:0"],
                             name=f"{layer}/MatMul"),
            helper.make_node("Add", [f"{layer}/MatMul:0", f"{layer}/bias"],
                             [f"{layer}/BiasAdd:0"], name=f"{layer}/BiasAdd"),
        ]
        out = "dense_2" if act == "Softmax" else f"{layer}/{act}:0"
        kw = {"axis": -1} if act == "Softmax" else {}
        nodes.append(helper.make_node(act, [f"{layer}/BiasAdd:0"], [out],
                                      name=f"{layer}/{act}", **kw))
        src = out
    return make_model(nodes, "keras_tf2onnx", [vi("input_1", [1, T, I])],
                      [vi("dense_2", [1, C])], inits)


def gemm_alpha_beta_flatten(d, T=49, I=10, H=12, C=12):
    inits = gru_weights(d, "", H, I) + [init("Wc", d.w(H, C)), init("bc", d.b(C))]
    nodes = [
        helper.make_node("GRU", ["mfcc", "W", "R", "B"], ["Y", "Y_h"], name="gru",
                         hidden_size=H, linear_before_reset=1, direction="forward"),
        helper.make_node("Flatten", ["Y_h"], ["h_flat"], name="flatten", axis=1),
        helper.make_node("Identity", ["h_flat"], ["h_id"], name="identity"),
        helper.make_node("Gemm", ["h_id", "Wc", "bc"], ["logits"], name="classifier",
                         alpha=0.5, beta=2.0, transB=0),
        helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1),
    ]
    return make_model(nodes, "gemm_alpha_beta_flatten", [vi("mfcc", [T, 1, I])],
                      [vi("probabilities", [1, C])], inits)


def pytorch_dscnn(d, channels, keep_batchnorm):
    """tools/kws/dscnn.py's DS-CNN (random weights from d) as PyTorch exports it."""
    model = dscnn.randomize(dscnn.DSCNN(channels=channels), d.rng)
    return onnx.load_from_string(dscnn.export_onnx(model, keep_batchnorm=keep_batchnorm))


def keras_dscnn(d, T=49, I=10, C=16, classes=12, blocks=2):
    """A DS-CNN as tf2onnx writes a Keras one: NHWC input [1, T, I, 1]
    transposed to NCHW, Conv with auto_pad SAME_UPPER (batch norm already
    folded), depthwise Conv (group = C), AveragePool over the whole 25x5 map,
    Reshape, MatMul + Add, Softmax."""
    def conv_init(name, shape):
        fan_in = int(np.prod(shape[1:]))
        a = np.sqrt(3.0 / fan_in)
        return [init(name + "_W", d.rng.uniform(-a, a, shape).astype(np.float32)),
                init(name + "_B", (d.rng.standard_normal(shape[0]) * 0.1).astype(np.float32))]
    inits = conv_init("conv0", (C, 1, 10, 4))
    nodes = [helper.make_node("Transpose", ["input"], ["x_nchw"], name="transpose", perm=[0, 3, 1, 2]),
             helper.make_node("Conv", ["x_nchw", "conv0_W", "conv0_B"], ["c0"], name="conv0",
                              kernel_shape=[10, 4], strides=[2, 2], auto_pad="SAME_UPPER"),
             helper.make_node("Relu", ["c0"], ["a0"], name="relu0")]
    x = "a0"
    for b in range(1, blocks + 1):
        inits += conv_init(f"dw{b}", (C, 1, 3, 3)) + conv_init(f"pw{b}", (C, C, 1, 1))
        nodes += [helper.make_node("Conv", [x, f"dw{b}_W", f"dw{b}_B"], [f"d{b}"], name=f"dw{b}",
                                   kernel_shape=[3, 3], group=C, auto_pad="SAME_UPPER"),
                  helper.make_node("Relu", [f"d{b}"], [f"da{b}"], name=f"dw{b}_relu"),
                  helper.make_node("Conv", [f"da{b}", f"pw{b}_W", f"pw{b}_B"], [f"p{b}"], name=f"pw{b}",
                                   kernel_shape=[1, 1]),
                  helper.make_node("Relu", [f"p{b}"], [f"pa{b}"], name=f"pw{b}_relu")]
        x = f"pa{b}"
    inits += [init("shape_1C", i64(1, C)), init("dense_W", d.w(C, classes)), init("dense_B", d.b(classes))]
    nodes += [helper.make_node("AveragePool", [x], ["pooled"], name="pool", kernel_shape=[25, 5]),
              helper.make_node("Reshape", ["pooled", "shape_1C"], ["flat"], name="flatten"),
              helper.make_node("MatMul", ["flat", "dense_W"], ["mm"], name="dense"),
              helper.make_node("Add", ["mm", "dense_B"], ["logits"], name="dense_bias"),
              helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1)]
    return make_model(nodes, "keras_dscnn", [vi("input", [1, T, I, 1])],
                      [vi("probabilities", [1, classes])], inits)


VALID = [
    ("trainpy_lbr1", "train.py's export_onnx graph: mfcc [49,1,10] -> GRU(lbr=1, H=16) -> "
     "Reshape [1,16] -> Gemm(transB=1) -> Softmax [1,12]",
     lambda d: trainpy_model(d, "trainpy_lbr1", 49, 10, 16, 12, lbr=1)),
    ("trainpy_lbr0", "as trainpy_lbr1 with linear_before_reset=0, H=24",
     lambda d: trainpy_model(d, "trainpy_lbr0", 49, 10, 24, 12, lbr=0)),
    ("pytorch_batchfirst", "PyTorch-style: input [1,20,10] -> Transpose -> GRU(lbr=1, H=32, "
     "initial_h initializer) -> Squeeze -> Gather(-1) -> Reshape(by a Shape/Gather/Unsqueeze/"
     "Concat chain with Constants, folds to [-1,32]) -> Gemm -> Relu -> Gemm -> Softmax [1,12]",
     pytorch_batchfirst),
    ("keras_tf2onnx", "Keras/tf2onnx-style: input [1,49,10] -> Transpose -> GRU(lbr=1, H=20) "
     "Y_h -> Squeeze -> MatMul/Add/Tanh -> MatMul/Add/Sigmoid -> MatMul/Add/Softmax [1,12]",
     keras_tf2onnx),
    ("sequence_lens", "train.py structure, H=16, GRU sequence_lens initializer [37] with T=49: "
     "Y_h is the state after step 36 (0-based)",
     lambda d: trainpy_model(d, "sequence_lens", 49, 10, 16, 12, seq_len=37)),
    ("gemm_alpha_beta_flatten", "GRU(lbr=1, H=12) Y_h -> Flatten(axis 1) -> Identity -> "
     "Gemm(alpha 0.5, beta 2.0, transB=0, B [12,12]) -> Softmax",
     gemm_alpha_beta_flatten),
    ("reverse_direction", "train.py structure, GRU direction=reverse, lbr=1, H=16",
     lambda d: trainpy_model(d, "reverse_direction", 49, 10, 16, 12, direction="reverse")),
    ("large_h128", "train.py structure with H=128 (the shipped size)",
     lambda d: trainpy_model(d, "large_h128", 49, 10, 128, 12)),
    ("pytorch_dscnn", "tools/kws/dscnn.py's DS-CNN (64 channels, MLPerf Tiny's reference) exported by "
     "PyTorch: batch norm folded into the Convs, depthwise Conv (group 64), GlobalAveragePool, Flatten, Gemm, Softmax",
     lambda d: pytorch_dscnn(d, 64, keep_batchnorm=False)),
    ("pytorch_dscnn_batchnorm", "the DS-CNN (24 channels) exported with constant folding off: "
     "BatchNormalization nodes after every Conv, which the importer folds",
     lambda d: pytorch_dscnn(d, 24, keep_batchnorm=True)),
    ("keras_dscnn", "a DS-CNN as tf2onnx writes it: NHWC input transposed, Conv auto_pad SAME_UPPER, "
     "depthwise Conv, AveragePool over the whole map, Reshape, MatMul + Add, Softmax",
     keras_dscnn),
]


# ---------------------------------------------------------------- invalid models

def bidirectional(d, T=49, I=10, H=8, C=12):
    inits = gru_weights(d, "", H, I, dirs=2) + [
        init("shape_1_2H", i64(1, 2 * H)), init("Wc", d.w(C, 2 * H)), init("bc", d.b(C))]
    nodes = [
        helper.make_node("GRU", ["mfcc", "W", "R", "B"], ["Y", "Y_h"], name="gru",
                         hidden_size=H, linear_before_reset=1, direction="bidirectional"),
        helper.make_node("Reshape", ["Y_h", "shape_1_2H"], ["h_last"], name="reshape"),
        helper.make_node("Gemm", ["h_last", "Wc", "bc"], ["logits"], name="classifier",
                         transB=1),
        helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1),
    ]
    return make_model(nodes, "bidirectional", [vi("mfcc", [T, 1, I])],
                      [vi("probabilities", [1, C])], inits)


def unsupported_op(d, T=49, I=10, H=8, C=12):
    """An Erf on the GRU's last state, before the classifier."""
    inits = gru_weights(d, "", H, I) + [init("shape_1H", i64(1, H)), init("Wc", d.w(C, H)), init("bc", d.b(C))]
    nodes = [helper.make_node("GRU", ["mfcc", "W", "R", "B"], ["Y", "Y_h"], name="gru",
                              hidden_size=H, linear_before_reset=1),
             helper.make_node("Reshape", ["Y_h", "shape_1H"], ["h_last"], name="reshape"),
             helper.make_node("Erf", ["h_last"], ["h_erf"], name="erf"),
             helper.make_node("Gemm", ["h_erf", "Wc", "bc"], ["logits"], name="classifier", transB=1),
             helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1)]
    return make_model(nodes, "unsupported_op", [vi("mfcc", [T, 1, I])],
                      [vi("probabilities", [1, C])], inits)


def conv1d(d, T=49, I=10, H=8, C=12):
    """A 1-D Conv ([T, 1, I] read as N=T, C=1, L=I; kernel 3, pad 1) in front of the GRU."""
    inits = [init("conv_W", d.w(1, 1, 3)), init("conv_B", d.b(1))] + gru_weights(d, "", H, I)
    nodes = [helper.make_node("Conv", ["mfcc", "conv_W", "conv_B"], ["smoothed"], name="conv",
                              kernel_shape=[3], pads=[1, 1]),
             helper.make_node("GRU", ["smoothed", "W", "R", "B"], ["Y", "Y_h"], name="gru",
                              hidden_size=H, linear_before_reset=1)]
    tail, tail_inits = classifier_tail(d, H, C)
    return make_model(nodes + tail, "conv1d", [vi("mfcc", [T, 1, I])],
                      [vi("probabilities", [1, C])], inits + tail_inits)


def dscnn_variant(d, name, conv_attrs=None, pool_kernel=(25, 5), T=49, I=10, C=8, classes=12):
    """Conv 10x4 stride 2 -> Relu -> AveragePool -> Flatten -> Gemm -> Softmax, with changes."""
    attrs = dict(kernel_shape=[10, 4], strides=[2, 2], pads=[5, 1, 5, 1])
    attrs.update(conv_attrs or {})
    inits = [init("conv_W", d.w(C, 1, 10, 4)), init("conv_B", d.b(C)), init("Wc", d.w(classes, C)), init("bc", d.b(classes))]
    nodes = [helper.make_node("Conv", ["mfcc", "conv_W", "conv_B"], ["c"], name="conv", **attrs),
             helper.make_node("Relu", ["c"], ["a"], name="relu"),
             helper.make_node("AveragePool", ["a"], ["pooled"], name="pool", kernel_shape=list(pool_kernel)),
             helper.make_node("Flatten", ["pooled"], ["flat"], name="flatten"),
             helper.make_node("Gemm", ["flat", "Wc", "bc"], ["logits"], name="classifier", transB=1),
             helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1)]
    return make_model(nodes, name, [vi("mfcc", [1, 1, T, I])], [vi("probabilities", [1, classes])], inits)


def wrong_shape(d, T=49, I=10, H=8, C=12):
    """hidden_size=8 but R is [1, 24, 6] (should be [1, 24, 8])."""
    inits = [init("W", d.w(1, 3 * H, I)), init("R", d.w(1, 3 * H, H - 2)),
             init("B", d.b(1, 6 * H))]
    nodes = [helper.make_node("GRU", ["mfcc", "W", "R", "B"], ["Y", "Y_h"], name="gru",
                              hidden_size=H, linear_before_reset=1)]
    tail, tail_inits = classifier_tail(d, H, C)
    return make_model(nodes + tail, "wrong_shape", [vi("mfcc", [T, 1, I])],
                      [vi("probabilities", [1, C])], inits + tail_inits)


INVALID = [
    ("bidirectional", "GRU direction=bidirectional (H=8, W/R/B with 2 directions, "
     "Y_h [2,1,8] reshaped to [1,16])", "gru", "bidirectional", bidirectional),
    ("unsupported_op", "an Erf node on the GRU's last state", "erf", "unsupported", unsupported_op),
    ("conv1d", "a 1-D Conv node (kernel 3, pad 1) in front of the GRU, reading frames [T, 1, I]",
     "conv", "image", conv1d),
    ("dilated_conv", "a DS-CNN-like Conv with dilations [2, 2]", "conv", "dilations",
     lambda d: dscnn_variant(d, "dilated_conv", conv_attrs={"dilations": [2, 2], "pads": [9, 3, 9, 3]},
                             pool_kernel=(25, 5))),
    ("partial_average_pool", "AveragePool with a 3x3 kernel over the 25x5 map (not a global average)",
     "pool", "whole map", lambda d: dscnn_variant(d, "partial_average_pool", pool_kernel=(3, 3))),
    ("wrong_shape", "GRU hidden_size=8 but R initializer is [1,24,6]",
     "gru", "shape", wrong_shape),
    ("custom_activations", "train.py structure (H=8) with GRU activations=[Relu, Tanh]",
     "gru", "activation",
     lambda d: trainpy_model(d, "custom_activations", 49, 10, 8, 12,
                             gru_attrs={"activations": ["Relu", "Tanh"]})),
    ("gru_clip", "train.py structure (H=8) with GRU clip=3.0", "gru", "clip",
     lambda d: trainpy_model(d, "gru_clip", 49, 10, 8, 12, gru_attrs={"clip": 3.0})),
]
CORRUPT = ("corrupt", "trainpy_lbr1.onnx's bytes truncated to half their length")


# ---------------------------------------------------------------- running

def session(model_bytes):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.log_severity_level = 4
    return ort.InferenceSession(model_bytes, so, providers=["CPUExecutionProvider"])


def flat(a):
    """Full-precision JSON numbers: float64 repr of each float32 value."""
    return [float(v) for v in np.asarray(a, dtype=np.float32).ravel()]


def dims(value_info):
    return [dm.dim_value for dm in value_info.type.tensor_type.shape.dim]


def write_model(out, name, model):
    data = model.SerializeToString()
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(data)
    return data


def generate(out, seed, shipped=None, shipped_features=None, norm=None):
    os.makedirs(out, exist_ok=True)
    d = Draw(seed)
    cases = []
    blobs = {}
    for name, desc, build in VALID:
        model = build(d)
        onnx.checker.check_model(model)
        data = blobs[name] = write_model(out, name, model)
        shape = dims(model.graph.input[0])
        xs = [d.x(*shape) for _ in range(N_INPUTS)]
        sess = session(data)
        inp = sess.get_inputs()[0].name
        ys = [sess.run(None, {inp: x})[0] for x in xs]
        cases.append({"name": name, "file": name + ".onnx", "kind": "valid",
                      "description": desc, "input_shape": shape,
                      "inputs": [flat(x) for x in xs], "outputs": [flat(y) for y in ys],
                      "output_shape": list(ys[0].shape)})
    for name, desc, node, keyword, build in INVALID:
        write_model(out, name, build(d))
        cases.append({"name": name, "file": name + ".onnx", "kind": "invalid",
                      "description": desc, "error_node": node, "error_contains": keyword})
    name, desc = CORRUPT
    src = blobs["trainpy_lbr1"]
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(src[:len(src) // 2])
    cases.append({"name": name, "file": name + ".onnx", "kind": "invalid",
                  "description": desc, "error_node": None, "error_contains": "corrupt"})
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")

    if shipped:
        with open(shipped, "rb") as f:
            data = f.read()
        with open(shipped_features) as f:
            feats = json.load(f)        # {clip path: MFCC [49][10]}, in file order
        with open(norm) as f:
            nm = json.load(f)
        mean, std = np.array(nm["mean"]), np.array(nm["std"])
        sess = session(data)
        inp = sess.get_inputs()[0].name
        clips = list(feats)[:SHIPPED_CLIPS]
        xs = [((np.array(feats[c]) - mean) / std)[:, None, :].astype(np.float32)
              for c in clips]
        ys = [sess.run(None, {inp: x})[0] for x in xs]
        with open(os.path.join(out, "shipped.json"), "w") as f:
            json.dump({"model": shipped, "sha256": hashlib.sha256(data).hexdigest(),
                       "clips": clips, "input_shape": list(xs[0].shape),
                       "inputs": [flat(x) for x in xs], "outputs": [flat(y) for y in ys],
                       "output_shape": list(ys[0].shape)}, f, indent=1)
            f.write("\n")
    return cases


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--shipped", help="shipped model.onnx")
    ap.add_argument("--shipped-features", help="mfcc-reference.json (raw MFCC [49][10] per clip)")
    ap.add_argument("--norm", help="normalisation.json (mean, std)")
    a = ap.parse_args(argv)
    if a.shipped and not (a.shipped_features and a.norm):
        ap.error("--shipped needs --shipped-features and --norm")
    cases = generate(a.out, a.seed, a.shipped, a.shipped_features, a.norm)
    for c in cases:
        print(f"{c['kind']:8s} {c['name']}")


if __name__ == "__main__":
    main()
