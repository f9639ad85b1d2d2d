"""Golden values for the position-encoding schemes, written independently of the C# code in PyTorch (float64).

Run from this folder: /usr/bin/python3 make_golden.py  ->  golden.json (committed; the tests need no Python).
Each case stores its options, its inputs (float32 values), any learned parameters, and the expected outputs.
"""
import json
import math

import torch

torch.manual_seed(1234)
D64 = torch.float64


def randn(*shape, std=1.0):
    # float32 values (what C# feeds in), promoted to float64 for the reference maths
    return (torch.randn(*shape) * std).float().to(D64)


def flat(t):
    return [float(v) for v in t.reshape(-1).tolist()]


cases = {}


# ---------------------------------------------------------------- RoPE / xPos
def rope_ref(x, base, pairing, frac, scaling, factor, xpos=None, lengths=None, is_key=False):
    B, H, T, dh = x.shape
    r = int(math.floor(frac * dh + 1e-9)) // 2 * 2
    if scaling == "ntkaware" and r > 2:
        base = base * factor ** (r / (r - 2))
    inv = base ** (-torch.arange(0, r, 2, dtype=D64) / r)           # [r/2]
    pos = torch.arange(T, dtype=D64)
    if scaling == "linear":
        pos = pos / factor
    ang = pos[:, None] * inv[None, :]                                # [T, r/2]
    c, s = ang.cos(), ang.sin()
    rot, rest = x[..., :r], x[..., r:]
    if pairing == "interleaved":
        a, b = rot[..., 0::2], rot[..., 1::2]
    else:
        a, b = rot[..., : r // 2], rot[..., r // 2:]
    if xpos is not None:
        gamma, sb = xpos
        zeta = (torch.arange(0, r, 2, dtype=D64) / r + gamma) / (1 + gamma)   # [r/2]
        n = pos.new_tensor([[t - L // 2 for t in range(T)] for L in lengths])  # [B, T]
        sc = zeta[None, None, :] ** ((-n if is_key else n)[:, :, None] / sb)    # [B, T, r/2]
        sc = sc[:, None]                                                        # [B, 1, T, r/2]
    else:
        sc = 1.0
    ya = (a * c - b * s) * sc
    yb = (a * s + b * c) * sc
    if pairing == "interleaved":
        y = torch.stack((ya, yb), -1).flatten(-2)
    else:
        y = torch.cat((ya, yb), -1)
    return torch.cat((y, rest), -1)


def rope_case(name, B, H, T, dh, opts, lengths, xpos=None):
    q, k = randn(B, H, T, dh), randn(B, H, T, dh)
    args = (opts["base"], opts["pairing"], opts["rotaryFraction"], opts["scaling"], opts["factor"])
    cases[name] = dict(
        options=opts, B=B, H=H, T=T, dh=dh, lengths=lengths, q=flat(q), k=flat(k),
        out_q=flat(rope_ref(q, *args, xpos=xpos, lengths=lengths)),
        out_k=flat(rope_ref(k, *args, xpos=xpos, lengths=lengths, is_key=True)))


def ro(base=10000.0, pairing="interleaved", frac=1.0, scaling="none", factor=1.0, **extra):
    return dict(base=base, pairing=pairing, rotaryFraction=frac, scaling=scaling, factor=factor, **extra)


rope_case("rope_interleaved", 2, 2, 6, 8, ro(), [6, 4])
rope_case("rope_rotatehalf_fraction", 2, 2, 6, 8, ro(base=100.0, pairing="rotatehalf", frac=0.5), [6, 4])
rope_case("rope_linear", 1, 2, 7, 6, ro(scaling="linear", factor=2.0), [7])
rope_case("rope_ntk", 1, 2, 7, 8, ro(pairing="rotatehalf", scaling="ntkaware", factor=4.0), [7])
rope_case("xpos_interleaved", 2, 2, 6, 8, ro(gamma=0.4, scaleBase=4.0), [6, 3], xpos=(0.4, 4.0))
rope_case("xpos_rotatehalf_fraction", 2, 1, 5, 8, ro(pairing="rotatehalf", frac=0.75, gamma=0.4, scaleBase=8.0), [5, 5], xpos=(0.4, 8.0))

with open("golden.json", "w") as f:
    json.dump(cases, f)
print("wrote", len(cases), "cases")
