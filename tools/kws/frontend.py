"""MFCC frontend for the keyword spotter, in numpy: the reference the Swift
frontend (Sources/KWS/Audio/MFCCFrontend.swift) must match within 1e-3.

Definition (Hello Edge's MFCC configuration, Zhang et al., arXiv 1711.07128): 16 kHz mono; 640-sample periodic Hann
window, 320-sample hop (49 frames per second); 1024-point FFT magnitude;
40 triangular mel filters on the HTK mel scale, unnormalised, 20-4000 Hz;
log(x + 1e-6); orthonormal DCT-II; the first 10 coefficients.
"""
import numpy as np

SAMPLE_RATE = 16000
WINDOW = 640
HOP = 320
FFT = 1024
MEL_BANDS = 40
LOW_HZ = 20.0
HIGH_HZ = 4000.0
COEFFICIENTS = 10
LOG_FLOOR = 1e-6


def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + f / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def mel_filters():
    edges = mel_to_hz(np.linspace(hz_to_mel(LOW_HZ), hz_to_mel(HIGH_HZ), MEL_BANDS + 2))
    freqs = np.arange(FFT // 2 + 1) * SAMPLE_RATE / FFT
    bank = np.zeros((MEL_BANDS, FFT // 2 + 1))
    for m in range(MEL_BANDS):
        left, centre, right = edges[m], edges[m + 1], edges[m + 2]
        rising = (freqs - left) / (centre - left)
        falling = (right - freqs) / (right - centre)
        w = np.where(freqs <= centre, rising, falling)
        w[(freqs <= left) | (freqs >= right)] = 0.0
        bank[m] = np.maximum(w, 0.0)
    return bank


def dct_matrix():
    m = np.arange(MEL_BANDS)
    table = np.zeros((COEFFICIENTS, MEL_BANDS))
    for i in range(COEFFICIENTS):
        scale = np.sqrt(1.0 / MEL_BANDS) if i == 0 else np.sqrt(2.0 / MEL_BANDS)
        table[i] = scale * np.cos(np.pi * i * (m + 0.5) / MEL_BANDS)
    return table


def mfcc(samples):
    samples = np.asarray(samples, dtype=np.float64)
    frames = 0 if len(samples) < WINDOW else 1 + (len(samples) - WINDOW) // HOP
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WINDOW) / WINDOW)
    bank, table = mel_filters(), dct_matrix()
    out = np.zeros((frames, COEFFICIENTS))
    for t in range(frames):
        frame = samples[t * HOP: t * HOP + WINDOW] * window
        magnitude = np.abs(np.fft.rfft(frame, n=FFT))
        out[t] = table @ np.log(bank @ magnitude + LOG_FLOOR)
    return out
