"""Golden values for the managed Transformer engine, written independently of the C# code in PyTorch.

Run from this folder: /usr/bin/python3 make_golden.py  ->  golden.json (committed; the tests need no Python).
Tiny pre-LayerNorm encoder + mean pooling + linear head, ragged batch, cross-entropy with class weights and
label smoothing, then two torch.optim.AdamW steps with linear warm-up and global gradient-norm clipping.
Cases: "none" (no position information) and "rope" (interleaved RoPE, base 10000, on q and k of every layer).
Parameter names and layouts match the C# engine (torch nn.Linear layout [out, in]).
"""
import json
import math

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
V, D, H, L, FF, C = 50, 16, 2, 2, 32, 3
B, T = 3, 7
LENGTHS = [7, 4, 2]
DH = D // H
CLASS_WEIGHTS = [1.0, 2.0, 0.5]
SMOOTHING = 0.1
PEAK_LR, WARMUP, TOTAL, CLIP, WD = 0.01, 4, 10, 0.5, 0.1


def init_params(gen):
    def normal(*shape, std=0.3):
        return (torch.randn(*shape, generator=gen) * std).float().double()

    p = {"token_embedding.weight": normal(V, D, std=1.0)}
    for l in range(L):
        q = f"layers.{l}."
        p[q + "norm1.weight"] = 1 + normal(D, std=0.2)
        p[q + "norm1.bias"] = normal(D, std=0.2)
        p[q + "attention.qkv.weight"] = normal(3 * D, D)
        p[q + "attention.qkv.bias"] = normal(3 * D, std=0.1)
        p[q + "attention.out.weight"] = normal(D, D)
        p[q + "attention.out.bias"] = normal(D, std=0.1)
        p[q + "norm2.weight"] = 1 + normal(D, std=0.2)
        p[q + "norm2.bias"] = normal(D, std=0.2)
        p[q + "ffn.up.weight"] = normal(FF, D)
        p[q + "ffn.up.bias"] = normal(FF, std=0.1)
        p[q + "ffn.down.weight"] = normal(D, FF)
        p[q + "ffn.down.bias"] = normal(D, std=0.1)
    p["final_norm.weight"] = 1 + normal(D, std=0.2)
    p["final_norm.bias"] = normal(D, std=0.2)
    p["head.weight"] = normal(C, D)
    p["head.bias"] = normal(C, std=0.1)
    return p


def rope(x):
    # x [B,H,T,dh]; pairs (2i, 2i+1) turn by t * 10000^(-2i/dh)
    inv = 10000.0 ** (-torch.arange(0, DH, 2, dtype=torch.float64) / DH)
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
    c, s = ang.cos(), ang.sin()
    a, b = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2] = a * c - b * s
    out[..., 1::2] = a * s + b * c
    return out


def forward(p, ids, lengths, scheme):
    real = torch.arange(T)[None, :] < lengths[:, None]              # [B,T]
    x = p["token_embedding.weight"][ids] * real[..., None]           # padding rows are zeros
    for l in range(L):
        q = f"layers.{l}."
        h = F.layer_norm(x, (D,), p[q + "norm1.weight"], p[q + "norm1.bias"], eps=1e-5)
        qkv = F.linear(h, p[q + "attention.qkv.weight"], p[q + "attention.qkv.bias"])
        qq, kk, vv = qkv.chunk(3, dim=-1)
        qq, kk, vv = (t.view(B, T, H, DH).transpose(1, 2) for t in (qq, kk, vv))
        if scheme == "rope":
            qq, kk = rope(qq), rope(kk)
        logits = qq @ kk.transpose(-1, -2) / math.sqrt(DH)
        logits = logits.masked_fill(~real[:, None, None, :], float("-inf"))
        o = torch.softmax(logits, dim=-1) @ vv
        o = o.transpose(1, 2).reshape(B, T, D)
        x = x + F.linear(o, p[q + "attention.out.weight"], p[q + "attention.out.bias"])
        h = F.layer_norm(x, (D,), p[q + "norm2.weight"], p[q + "norm2.bias"], eps=1e-5)
        h = F.gelu(F.linear(h, p[q + "ffn.up.weight"], p[q + "ffn.up.bias"]))
        x = x + F.linear(h, p[q + "ffn.down.weight"], p[q + "ffn.down.bias"])
    x = F.layer_norm(x, (D,), p["final_norm.weight"], p["final_norm.bias"], eps=1e-5)
    pooled = (x * real[..., None]).sum(1) / lengths[:, None]
    return F.linear(pooled, p["head.weight"], p["head.bias"])


def lr_at(step):
    # C# LearningRateSchedule: warm-up peak*(s+1)/W, then cosine to 0 at TOTAL
    if step < WARMUP:
        return PEAK_LR * (step + 1) / WARMUP
    prog = (step - WARMUP) / max(1, TOTAL - WARMUP)
    return PEAK_LR * 0.5 * (1 + math.cos(math.pi * prog))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def make_case(scheme, seed):
    gen = torch.Generator().manual_seed(seed)
    params = init_params(gen)
    ids = torch.randint(0, V, (B, T), generator=gen)
    lengths = torch.tensor(LENGTHS)
    labels = torch.tensor([2, 0, 1])
    for i, n in enumerate(LENGTHS):
        ids[i, n:] = 0
    tensors = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(CLASS_WEIGHTS), label_smoothing=SMOOTHING)
    decay = [v for k, v in tensors.items() if k.endswith(".weight") and "norm" not in k]
    no_decay = [v for k, v in tensors.items() if not (k.endswith(".weight") and "norm" not in k)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WD}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=PEAK_LR, betas=(0.9, 0.999), eps=1e-8)
    case = {"scheme": scheme, "ids": flat(ids), "lengths": LENGTHS, "labels": flat(labels),
            "weights": {k: flat(v) for k, v in params.items()}, "steps": []}
    for step in range(2):
        opt.zero_grad()
        logits = forward(tensors, ids, lengths, scheme)
        loss = loss_fn(logits, labels)
        loss.backward()
        if step == 0:
            case["logits"] = flat(logits)
            case["loss"] = float(loss)
            case["grads"] = {k: flat(v.grad) for k, v in tensors.items()}
        norm = torch.nn.utils.clip_grad_norm_(list(tensors.values()), CLIP)
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        opt.step()
        case["steps"].append({"loss": float(loss), "grad_norm": float(norm), "lr": lr_at(step),
                              "grads": {k: flat(v.grad) for k, v in tensors.items()},  # after clipping
                              "weights": {k: flat(v) for k, v in tensors.items()}})
        assert float(norm) > CLIP, "clipping must be active for the test to pin it"
    return case


golden = {"config": {"V": V, "D": D, "H": H, "L": L, "F": FF, "C": C, "B": B, "T": T,
                     "class_weights": CLASS_WEIGHTS, "label_smoothing": SMOOTHING, "peak_lr": PEAK_LR,
                     "warmup": WARMUP, "total": TOTAL, "clip": CLIP, "weight_decay": WD},
          "cases": [make_case("none", 11), make_case("rope", 12)]}
with open("golden.json", "w") as f:
    json.dump(golden, f)
print("wrote golden.json", [(c["scheme"], c["loss"], c["steps"][0]["grad_norm"]) for c in golden["cases"]])
