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


# ---------------------------------------------------------------- sinusoidal absolute
def sinusoid(pos, width, base, layout, scale):
    # pos: float64 tensor of any shape -> [..., width]
    m = torch.arange(width // 2, dtype=D64)
    ang = pos[..., None] / base ** (2 * m / width)
    s, c = ang.sin() * scale, ang.cos() * scale
    if layout == "interleaved":
        return torch.stack((s, c), -1).flatten(-2)
    return torch.cat((s, c), -1)


def sinusoidal_case(name, B, T, D, opts):
    width = D if opts["combine"] == "add" else opts["concatWidth"]
    dt = D if opts["combine"] == "add" else D - width
    tok = randn(B, T, dt)
    pe = sinusoid(torch.arange(T, dtype=D64), width, opts["base"], opts["layout"], opts["scale"])
    x = tok + pe if opts["combine"] == "add" else torch.cat((tok, pe.expand(B, T, width)), -1)
    cases[name] = dict(options=opts, B=B, T=T, D=D, lengths=[T] * B, tok=flat(tok), x=flat(x), pe=flat(pe))


sinusoidal_case("sinusoidal_add", 2, 5, 8, dict(base=10000.0, combine="add", concatWidth=0, layout="interleaved", scale=1.0))
sinusoidal_case("sinusoidal_concat_split", 1, 6, 10, dict(base=100.0, combine="concat", concatWidth=4, layout="split", scale=0.5))


# ---------------------------------------------------------------- learned absolute
B, T, D, P = 2, 5, 4, 7
tok, table = randn(B, T, D), randn(P, D, std=0.5)
cases["learned"] = dict(options=dict(maxPositions=P), B=B, T=T, D=D, lengths=[T, 3], tok=flat(tok),
                        params={"position.learned.table": flat(table)}, x=flat(tok + table[:T]))


# ---------------------------------------------------------------- ALiBi
def geometric(n):
    def pow2(k):
        return [2.0 ** (-8.0 * h / k) for h in range(1, k + 1)]
    p = 2 ** int(math.floor(math.log2(n)))
    return pow2(n) if p == n else pow2(p) + pow2(2 * p)[0::2][: n - p]


def alibi_case(name, B, H, T, form):
    logits = randn(B, H, T, T)
    if form == "symmetric":
        left = right = torch.tensor(geometric(H), dtype=D64)
    else:
        both = geometric(2 * H)
        left, right = torch.tensor(both[1::2], dtype=D64), torch.tensor(both[0::2], dtype=D64)
    i = torch.arange(T, dtype=D64)[:, None]
    j = torch.arange(T, dtype=D64)[None, :]
    bias = torch.where(j < i, -left[:, None, None] * (i - j), -right[:, None, None] * (j - i))  # [H, T, T]
    cases[name] = dict(options=dict(form=form), B=B, H=H, T=T, dh=4, lengths=[T] * B, logits=flat(logits),
                       out=flat(logits + bias), bias=flat(bias), left=flat(left), right=flat(right))


alibi_case("alibi_symmetric_h4", 1, 4, 5, "symmetric")
alibi_case("alibi_bidirectional_h3", 2, 3, 5, "bidirectional")
alibi_case("alibi_symmetric_h6", 1, 6, 3, "symmetric")


# ---------------------------------------------------------------- T5 buckets
def t5_bucket(rel, num_buckets, max_distance):
    # rel = key - query; keys to the right use the upper half
    half = num_buckets // 2
    exact = half // 2
    out = torch.where(rel > 0, torch.full_like(rel, half), torch.zeros_like(rel))
    a = rel.abs()
    large = exact + (torch.log(a.to(D64).clamp(min=1) / exact) / math.log(max_distance / exact) * (half - exact)).floor().long()
    large = large.clamp(max=half - 1)
    return out + torch.where(a < exact, a, large)


def t5_case(name, B, H, T, nb, md):
    logits, table = randn(B, H, T, T), randn(nb, H, std=0.5)
    pos = torch.arange(T)
    bucket = t5_bucket(pos[None, :] - pos[:, None], nb, md)   # [T, T]
    bias = table[bucket].permute(2, 0, 1)                       # [H, T, T]
    cases[name] = dict(options=dict(numBuckets=nb, maxDistance=md), B=B, H=H, T=T, dh=4, lengths=[T] * B,
                       logits=flat(logits), params={"position.t5.bias": flat(table)}, out=flat(logits + bias),
                       buckets=[int(v) for v in bucket.reshape(-1).tolist()])


t5_case("t5_small", 2, 2, 12, 8, 10)
rel = torch.arange(-300, 301)
cases["t5_default_buckets"] = dict(relative=rel.tolist(), buckets=t5_bucket(rel, 32, 128).tolist())


# ---------------------------------------------------------------- scaled relative (seed formula)
def scaled_case(name, B, H, T, width, base, layout, lengths, layers, per_layer, layer):
    logits = randn(B, H, T, T)
    weight = randn(layers if per_layer else 1, H, width, std=0.5)
    w = weight[layer if per_layer else 0]                                  # [H, width]
    i = torch.arange(T, dtype=D64)[:, None]
    j = torch.arange(T, dtype=D64)[None, :]
    out, dist, enc0 = logits.clone(), [], None
    for b, n in enumerate(lengths):
        d = (i - j).abs() + (i + j) / n                                    # [T, T]
        enc = sinusoid(d, width, base, layout, 1.0)                        # [T, T, width]
        out[b] += torch.einsum("hc,ijc->hij", w, enc)
        dist.append(flat(d))
        if b == 0:
            enc0 = enc
    cases[name] = dict(options=dict(width=width, base=base, layout=layout, perLayer=per_layer), B=B, H=H, T=T, dh=4,
                       lengths=lengths, layers=layers, layer=layer, logits=flat(logits),
                       params={"position.scaled.weight": flat(weight)}, out=flat(out), distances0=dist[0], encodings0=flat(enc0))


scaled_case("scaled_shared", 2, 2, 6, 8, 10000.0, "interleaved", [6, 4], 2, False, 1)
scaled_case("scaled_per_layer_split", 1, 3, 5, 6, 50.0, "split", [5], 2, True, 1)


# ---------------------------------------------------------------- Shaw relative keys and values
def shaw_case(name, B, H, T, dh, k, lengths):
    q, logits, probs, o = randn(B, H, T, dh), randn(B, H, T, T), torch.rand(B, H, T, T).to(D64), randn(B, H, T, dh)
    aK, aV = randn(2 * k + 1, dh, std=0.5), randn(2 * k + 1, dh, std=0.5)
    pos = torch.arange(T)
    idx = (pos[None, :] - pos[:, None]).clamp(-k, k) + k                   # [T, T] (query, key)
    scale = 1 / math.sqrt(dh)
    out_logits = logits + scale * torch.einsum("bhid,ijd->bhij", q, aK[idx])
    out_o = o + torch.einsum("bhij,ijd->bhid", probs, aV[idx])
    cases[name] = dict(options=dict(clip=k), B=B, H=H, T=T, dh=dh, lengths=lengths, scale=scale,
                       q=flat(q), logits=flat(logits), probs=flat(probs), o=flat(o),
                       params={"position.shaw.key.0": flat(aK), "position.shaw.value.0": flat(aV)},
                       out_logits=flat(out_logits), out_o=flat(out_o), indices=[int(v) for v in idx.reshape(-1).tolist()])


shaw_case("shaw", 2, 2, 7, 4, 2, [7, 5])


# ---------------------------------------------------------------- FIRE (bidirectional adaptation)
def fire_case(name, B, H, T, hidden, lengths, c, L):
    logits = randn(B, H, T, T)
    w1, b1 = randn(hidden), randn(hidden)
    w2, b2 = randn(H, hidden, std=0.5), randn(H, std=0.5)
    log_c = torch.tensor([math.log(c)], dtype=torch.float32).to(D64)
    thr = torch.tensor([L], dtype=D64)
    cc = log_c.exp()
    psi = lambda x: torch.log(cc * x + 1)
    out = logits.clone()
    i = torch.arange(T, dtype=D64)[:, None].expand(T, T)
    j = torch.arange(T, dtype=D64)[None, :].expand(T, T)
    r = j - i
    for b, n in enumerate(lengths):
        far = torch.where(r > 0, n - 1 - i, i)
        norm = torch.maximum(torch.maximum(far, thr.expand(T, T)), torch.ones(T, T, dtype=D64))
        u = torch.sign(r) * psi(r.abs()) / psi(norm)                        # [T, T]
        hid = torch.relu(u[..., None] * w1 + b1)                              # [T, T, hidden]
        out[b] += (hid @ w2.T + b2).permute(2, 0, 1)                          # [H, T, T]
    cases[name] = dict(options=dict(hidden=hidden, threshold=L), B=B, H=H, T=T, dh=4, lengths=lengths, logits=flat(logits),
                       params={"position.fire.w1": flat(w1), "position.fire.b1": flat(b1), "position.fire.w2": flat(w2),
                               "position.fire.b2": flat(b2), "position.fire.logC": flat(log_c), "position.fire.threshold": flat(thr)},
                       out=flat(out))


fire_case("fire", 2, 2, 9, 5, [9, 6], 0.7, 2.5)
fire_case("fire_wide", 1, 3, 7, 20, [7], 1.3, 3.5)  # 20 hidden: SIMD blocks plus a scalar tail

# ---------------------------------------------------------------- RoPE YaRN and dynamic scaling (appended last, so the
# random draws of every earlier case stay as they were)
def yarn_frequencies(inv, factor, L, alpha, beta):
    # Peng et al. 2023: turns over the original length L decide between keeping (>= beta) and interpolating (<= alpha).
    if factor == 1:
        return inv
    turns = L / (2 * math.pi / inv)
    ramp = ((turns - alpha) / (beta - alpha)).clamp(0, 1)
    return inv / factor * (1 - ramp) + inv * ramp


def rope_scaled_ref(x, opts, lengths):
    """RoPE with a per-sequence factor (fixed, or max(1, n / L) when dynamic); YaRN also scales q and k by 0.1 ln f + 1."""
    B, H, T, dh = x.shape
    r = int(math.floor(opts["rotaryFraction"] * dh + 1e-9)) // 2 * 2
    out = []
    for b in range(B):
        f = max(1.0, lengths[b] / opts["originalLength"]) if opts["dynamic"] else opts["factor"]
        base = opts["base"]
        if opts["scaling"] == "ntkaware" and r > 2:
            base = base * f ** (r / (r - 2))
        inv = base ** (-torch.arange(0, r, 2, dtype=D64) / r)
        pos = torch.arange(T, dtype=D64)
        if opts["scaling"] == "linear":
            pos = pos / f
        m = 1.0
        if opts["scaling"] == "yarn":
            inv = yarn_frequencies(inv, f, opts["originalLength"], opts["alpha"], opts["beta"])
            m = 0.1 * math.log(f) + 1
        ang = pos[:, None] * inv[None, :]
        c, s = ang.cos() * m, ang.sin() * m
        rot, rest = x[b, ..., :r], x[b, ..., r:]
        if opts["pairing"] == "interleaved":
            a, bb = rot[..., 0::2], rot[..., 1::2]
            y = torch.stack((a * c - bb * s, a * s + bb * c), -1).flatten(-2)
        else:
            a, bb = rot[..., : r // 2], rot[..., r // 2:]
            y = torch.cat((a * c - bb * s, a * s + bb * c), -1)
        out.append(torch.cat((y, rest), -1))
    return torch.stack(out)


def rope_scaled_case(name, B, H, T, dh, opts, lengths):
    q, k = randn(B, H, T, dh), randn(B, H, T, dh)
    cases[name] = dict(options=opts, B=B, H=H, T=T, dh=dh, lengths=lengths, q=flat(q), k=flat(k),
                       out_q=flat(rope_scaled_ref(q, opts, lengths)), out_k=flat(rope_scaled_ref(k, opts, lengths)))


def sc(scaling, factor=1.0, L=0, alpha=1.0, beta=32.0, dynamic=False, **rest):
    return dict(ro(scaling=scaling, factor=factor, **rest), originalLength=L, alpha=alpha, beta=beta, dynamic=dynamic)


# base 100, L 64, beta 8 over dh 16: pair 0 kept, pairs 1-4 on the ramp, pairs 5-7 fully interpolated.
rope_scaled_case("rope_yarn", 1, 2, 7, 16, sc("yarn", 4.0, 64, 1.0, 8.0, base=100.0), [7])
rope_scaled_case("rope_dynamic_yarn", 2, 1, 10, 8, sc("yarn", L=4, alpha=0.5, beta=2.0, dynamic=True, base=100.0, pairing="rotatehalf"), [10, 3])
rope_scaled_case("rope_dynamic_ntk", 2, 1, 9, 8, sc("ntkaware", L=6, dynamic=True), [9, 5])
rope_scaled_case("rope_dynamic_linear", 2, 1, 9, 6, sc("linear", L=3, dynamic=True, frac=0.75), [4, 9])

with open("golden.json", "w") as f:
    json.dump(cases, f)
print("wrote", len(cases), "cases")
