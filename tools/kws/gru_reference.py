"""The GRU keyword spotter's forward pass in numpy, exactly as ONNX's GRU
operator defines it (gate order z, r, h; linear_before_reset 0 or 1), then a
dense classifier on the last hidden state and a softmax. The Swift float
runtime (Sources/KWS/Model/FloatRuntime.swift) must match it within 1e-5.
"""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def gru_last_state(frames, W, R, Wb, Rb, linear_before_reset):
    hidden = R.shape[1]
    h = np.zeros(hidden)
    Wz, Wr, Wh = np.split(W, 3)
    Rz, Rr, Rh = np.split(R, 3)
    Wbz, Wbr, Wbh = np.split(Wb, 3)
    Rbz, Rbr, Rbh = np.split(Rb, 3)
    for x in frames:
        z = sigmoid(Wz @ x + Wbz + Rz @ h + Rbz)
        r = sigmoid(Wr @ x + Wbr + Rr @ h + Rbr)
        if linear_before_reset:
            candidate = np.tanh(Wh @ x + Wbh + r * (Rh @ h + Rbh))
        else:
            candidate = np.tanh(Wh @ x + Wbh + Rh @ (r * h) + Rbh)
        h = (1 - z) * candidate + z * h
    return h


def classify(frames, W, R, Wb, Rb, Cw, Cb, linear_before_reset):
    logits = Cw @ gru_last_state(frames, W, R, Wb, Rb, linear_before_reset) + Cb
    e = np.exp(logits - logits.max())
    return e / e.sum()
