"""Golden values for the scaled scheme's embedding form, computed in numpy (float64) straight from the seed's formula.

Run from this folder: /usr/bin/python3 make_scaled_embedding.py  ->  scaled_embedding.json (committed).

For token i (1-based) of a sequence of real length N, model dimension D:
    P_i = p_i + PE(d_ii),  d_ii = 2 i / N,
    PE(x)_k = sin(x / base^(k / D)) + cos(x / base^((k - 1) / D)),  k = 0 .. D-1,
    p_i = the usual sinusoidal absolute encoding of the token's 0-based position t = i - 1:
          sin(t / base^(2m / D)) and cos(t / base^(2m / D)) for m < D/2, at dims (2m, 2m+1) (interleaved)
          or (m, D/2 + m) (split).
Padded positions (t >= N) get p alone. The embeddings hook outputs x = token embedding + P.
"""
import json

import numpy as np

rng = np.random.default_rng(20261129)


def absolute(t, D, base, layout):
    p = np.zeros(D)
    for m in range(D // 2):
        angle = t / base ** (2 * m / D)
        s, c = (2 * m, 2 * m + 1) if layout == "interleaved" else (m, D // 2 + m)
        p[s], p[c] = np.sin(angle), np.cos(angle)
    return p


def seed_pe(x, D, base):
    k = np.arange(D, dtype=np.float64)
    return np.sin(x / base ** (k / D)) + np.cos(x / base ** ((k - 1) / D))


def table(T, N, D, base, layout):
    rows = []
    for t in range(T):
        i = t + 1                     # the seed's 1-based position
        row = absolute(t, D, base, layout)
        if i <= N:
            row = row + seed_pe(2 * i / N, D, base)
        rows.append(row)
    return np.array(rows)


def case(D, base, layout, T, lengths):
    B = len(lengths)
    tok = rng.standard_normal((B, T, D)).astype(np.float32).astype(np.float64)
    tables = np.stack([table(T, n, D, base, layout) for n in lengths])
    return {
        "options": {"base": base, "layout": layout},
        "D": D, "T": T, "B": B, "lengths": lengths,
        "tok": tok.reshape(-1).tolist(),
        "tables": tables.reshape(-1).tolist(),
        "out": (tok + tables).reshape(-1).tolist(),
        # d_ii of the first sequence, for the hand check of the 1-based positions
        "diagonal0": [2 * (t + 1) / lengths[0] for t in range(lengths[0])],
    }


cases = {
    "interleaved_d8": case(8, 10000.0, "interleaved", 6, [6, 4, 1]),
    "split_d12_base100": case(12, 100.0, "split", 5, [5, 3]),
}

with open("scaled_embedding.json", "w") as f:
    json.dump(cases, f, indent=1)
    f.write("\n")
print("wrote scaled_embedding.json:", ", ".join(cases))
