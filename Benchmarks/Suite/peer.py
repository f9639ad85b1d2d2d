#!/usr/bin/env python3
"""PyTorch peer of the suite's models, on the same data files (Benchmarks/Suite/README.md).

The same architecture as our trainers: token embedding, the position scheme, L pre-LayerNorm blocks (fused QKV attention
with padding mask, GELU feed-forward), a final LayerNorm, mean pooling over real tokens, then a linear head (classifier) or
the cosine of two pooled embeddings mapped to the label range (similarity, MSE). Model sizes follow our defaults (classifier
D 128, H 4, L 2, F 4D; similarity D 128, H 4, L 2, F 512); the training recipe is chosen:

  --recipe torch   what a PyTorch user writes: AdamW lr 5e-4 constant, no warm-up, no dropout, no clipping, torch's default
                   init (nn.Linear/nn.Embedding), weight decay 0.01 on every tensor, shuffled batches (the issue's peer)
  --recipe ours    our trainers' defaults: AdamW lr 1e-3, 10 % linear warm-up then cosine to 0, no dropout, clip 1,
                   decay 0.01 except biases/norms/position tables, embeddings N(0,1), linear N(0,0.02), zero biases,
                   FIRE's first layer U(-30,30), length-bucketed batches
and any single knob overrides it (--lr, --schedule, --warmup, --dropout, --clip, --init, --d, --batch, --bucket), for
controlled experiments. Knobs neither recipe sets: --emb-lr X (the token table at X times the rate, as our
EmbeddingLearningRateScale), --mean-pull F and --mean-pull-start S (our EmbeddingMeanPull and EmbeddingMeanPullStart: after
each update past S of the planned ones, every token row moves toward the mean row by lr x F). Schemes: none, sinusoidal, learned, rope, alibi, t5, fire (others are skipped).

Usage: /usr/bin/python3 Benchmarks/Suite/peer.py --data /tmp/mlcomponents-suite [--tasks a,b] [--schemes rope,none]
       [--epochs N] [--recipe torch|ours] [--results FILE] [--seed N] [--threads N] [knobs]
"""
import argparse, math, os, random, re, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

SCHEMES = ["none", "sinusoidal", "learned", "rope", "alibi", "t5", "fire"]
ALL_SCHEMES = ["none", "sinusoidal", "learned", "scaled", "shaw", "t5", "rope", "xpos", "alibi", "fire"]
LENGTHS = ["1x", "4x", "5x", "8x", "16x"]
COLUMNS = ["1x", "4x", "8x", "16x"]  # the results file's length columns; 5x came later and is the last column
TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[^\w\s]|_", re.UNICODE)


def words(text):
    """Our WordTokenizer: runs of letters/digits (apostrophes inside), every other non-space character alone; lower case."""
    return TOKEN.findall(text.lower())


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        return [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]


# ------------------------------------------------------------------ position schemes (ours: Transforms/PositionEncoding)
def sinusoid(positions, width):
    pos = positions.double()[..., None]
    m = torch.arange(width // 2, dtype=torch.float64)
    ang = pos / 10000.0 ** (2 * m / width)
    return torch.stack((ang.sin(), ang.cos()), -1).flatten(-2).float()   # interleaved sin, cos


def rope(x, pos):  # x: B,H,T,dh; pos: B,T positions; interleaved pairs, base 10000
    dh = x.shape[-1]
    inv = 1.0 / 10000.0 ** (torch.arange(0, dh, 2, dtype=torch.float64) / dh)
    ang = (pos.double()[:, None, :, None] * inv).float()                        # B,1,T,dh/2
    c, s = ang.cos(), ang.sin()
    x1, x2 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x1 * c - x2 * s, x1 * s + x2 * c), -1).flatten(-2)


def geometric(n):
    def pow2(k):
        return [2.0 ** (-8.0 * h / k) for h in range(1, k + 1)]
    p = 2 ** int(math.floor(math.log2(n)))
    return pow2(n) if p == n else pow2(p) + pow2(2 * p)[0::2][: n - p]


def t5_bucket(rel, num_buckets=32, max_distance=128):
    half = num_buckets // 2
    exact = half // 2
    out = torch.where(rel > 0, torch.full_like(rel, half), torch.zeros_like(rel))
    a = rel.abs()
    large = exact + (torch.log(a.double().clamp(min=1) / exact) / math.log(max_distance / exact) * (half - exact)).floor().long()
    return out + torch.where(a < exact, a, large.clamp(max=half - 1))


class Position(nn.Module):
    """One scheme's hooks: embeddings (sinusoidal, learned), queries/keys (rope), logit bias (alibi, t5, fire)."""

    def __init__(self, scheme, D, H, max_positions):
        super().__init__()
        self.scheme, self.H = scheme, H
        if scheme == "learned":
            self.table = nn.Parameter(torch.randn(max_positions, D))        # ours: initStd 1
        elif scheme == "t5":
            exact = (torch.arange(32) % 16 < 8).float()[:, None]              # ours: initStd 1 for the exact buckets,
            self.t5 = nn.Parameter(torch.randn(32, H) * (exact + 0.02 * (1 - exact)))   # logInitStd 0.02 for the log ones
        elif scheme == "fire":
            hidden = 32
            self.w1 = nn.Parameter(torch.rand(hidden) * 2 - 1)
            self.b1 = nn.Parameter(torch.rand(hidden) * 2 - 1)
            self.w2 = nn.Parameter((torch.rand(H, hidden) * 2 - 1) / math.sqrt(hidden))
            self.b2 = nn.Parameter(torch.zeros(H))
            self.log_c = nn.Parameter(torch.zeros(1))
            self.threshold = nn.Parameter(torch.tensor([8.0]))
        elif scheme == "alibi":
            both = geometric(2 * H)
            self.register_buffer("left", torch.tensor(both[1::2]))
            self.register_buffer("right", torch.tensor(both[0::2]))

    def no_decay(self):
        return list(self.parameters())

    def embed(self, x, pos):
        if self.scheme == "sinusoidal":
            return x + sinusoid(pos, x.shape[-1])
        if self.scheme == "learned":
            return x + self.table[pos]
        return x

    def qk(self, q, k, pos):
        return (rope(q, pos), rope(k, pos)) if self.scheme == "rope" else (q, k)

    def bias(self, T, lengths, pos):
        """Logit bias [B or 1, H, T, T] or None. pos [B, T] are the token positions (0..T-1 unless randomized)."""
        i = torch.arange(T)[:, None]
        j = torch.arange(T)[None, :]
        if self.scheme == "alibi":
            d = (pos[:, :, None] - pos[:, None, :]).float()[:, None]             # B,1,T,T: i - j
            return torch.where(d > 0, -self.left[:, None, None] * d, self.right[:, None, None] * d)
        if self.scheme == "t5":
            return self.t5[t5_bucket(j - i)].permute(2, 0, 1)[None]
        if self.scheme == "fire":
            r = (j - i).float()                                                   # [T, T]
            n = lengths.float()[:, None, None]                                    # [B, 1, 1]
            far = torch.where(r > 0, n - 1 - i.float(), i.float().expand(T, T))   # [B, T, T]
            norm = torch.maximum(torch.maximum(far, self.threshold), torch.ones(()))
            c = self.log_c.exp()
            u = torch.sign(r) * torch.log(c * r.abs() + 1) / torch.log(c * norm + 1)
            hid = torch.relu(u[..., None] * self.w1 + self.b1)                    # [B, T, T, hidden]
            return (hid @ self.w2.T + self.b2).permute(0, 3, 1, 2)               # [B, H, T, T]
        return None


# ------------------------------------------------------------------ the encoder (ours: Trainers/Engine/TransformerEncoder.cs)
class Block(nn.Module):
    def __init__(self, D, H, Fd, p):
        super().__init__()
        self.H, self.p = H, p
        self.norm1, self.norm2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.qkv, self.out = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.up, self.down = nn.Linear(D, Fd), nn.Linear(Fd, D)

    def forward(self, x, mask, pos, bias, positions, scale):
        B, T, D = x.shape
        q, k, v = self.qkv(self.norm1(x)).view(B, T, 3, self.H, D // self.H).permute(2, 0, 3, 1, 4)
        q, k = pos.qk(q, k, positions)
        att = q @ k.transpose(-1, -2) / math.sqrt(D // self.H)
        if scale is not None:
            att = att * scale
        if bias is not None:
            att = att + bias
        att = F.dropout(att.masked_fill(mask, float("-inf")).softmax(-1), self.p, self.training)
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        x = x + F.dropout(self.out(y), self.p, self.training)
        return x + F.dropout(self.down(F.gelu(self.up(self.norm2(x)))), self.p, self.training)


class Encoder(nn.Module):
    """random_positions N > 0: in training, each sequence's positions are a sorted random draw from 0..N-1 (Ruoss et al. 2023);
    log_scale n0 > 0: attention logits times max(1, log n / log n0) for a sequence of n real tokens (log-length scaling)."""
    random_positions = 0
    log_scale = 0.0

    def __init__(self, V, D, H, L, Fd, p, scheme, max_positions):
        super().__init__()
        self.emb = nn.Embedding(V, D)
        self.pos = Position(scheme, D, H, max_positions)
        self.blocks = nn.ModuleList(Block(D, H, Fd, p) for _ in range(L))
        self.norm = nn.LayerNorm(D)

    def forward(self, ids, lengths):
        B, T = ids.shape
        real = torch.arange(T)[None, :] < lengths[:, None]                       # [B, T]
        mask = ~real[:, None, None, :]
        positions = torch.arange(T)[None, :].expand(B, T)
        if self.training and Encoder.random_positions > T:
            positions = torch.stack([torch.randperm(Encoder.random_positions)[:T].sort().values for _ in range(B)])
        scale = None
        if Encoder.log_scale > 0:
            scale = (lengths.float().clamp(min=2).log() / math.log(Encoder.log_scale)).clamp(min=1.0)[:, None, None, None]
        x = self.pos.embed(self.emb(ids), positions)
        bias = self.pos.bias(T, lengths, positions)
        for blk in self.blocks:
            x = blk(x, mask, self.pos, bias, positions, scale)
        h = self.norm(x)
        keep = real.float()[..., None]
        return (h * keep).sum(1) / keep.sum(1)                                    # mean pooling over real tokens


class Classifier(nn.Module):
    def __init__(self, C, **kw):
        super().__init__()
        self.encoder = Encoder(**kw)
        self.head = nn.Linear(kw["D"], C)

    def forward(self, ids, lengths):
        return self.head(self.encoder(ids, lengths))


def init_ours(model):
    """Our engine's init: embeddings N(0, 1), every linear weight N(0, 0.02), biases 0, norms 1; FIRE's first layer
    U(-30, 30) (our initScale; torch's default for a layer of one input is U(-1, 1))."""
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, 0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, 0, 1)
        elif isinstance(m, Position) and m.scheme == "fire":
            nn.init.uniform_(m.w1, -30.0, 30.0)
            nn.init.uniform_(m.b1, -30.0, 30.0)


def param_groups(model, wd, decay_all):
    emb = token_table(model)
    if decay_all:
        return [{"params": [p for p in model.parameters() if p is not emb], "weight_decay": wd},
                {"params": [emb], "weight_decay": wd, "scale": emb_lr_scale}]
    pos = {id(p) for p in model.encoder.pos.parameters()} if hasattr(model, "encoder") else {id(p) for p in model.pos.parameters()}
    decay, rest, table = [], [], []
    for name, p in model.named_parameters():
        (table if p is emb else rest if p.ndim < 2 or id(p) in pos else decay).append(p)
    return [{"params": decay, "weight_decay": wd}, {"params": rest, "weight_decay": 0.0},
            {"params": table, "weight_decay": wd, "scale": emb_lr_scale}]


emb_lr_scale = 1.0   # --emb-lr: the token table's multiplier of the rate (ours: EmbeddingLearningRateScale)


def token_table(model):
    return (model.encoder if hasattr(model, "encoder") else model).emb.weight


# ------------------------------------------------------------------ data
class Vocab:
    def __init__(self, texts):
        counts = {}
        for t in texts:
            for w in words(t):
                counts[w] = counts.get(w, 0) + 1
        ordered = sorted(counts, key=lambda w: (-counts[w], w))
        self.ids = {w: i + 4 for i, w in enumerate(ordered)}                      # 0 pad, 1 unknown, 2 cls, 3 sep

    def encode(self, text, max_tokens):
        ids = [self.ids.get(w, 1) for w in words(text)][:max_tokens]
        return ids or [0]


def batches(seqs, order, batch):
    for s in range(0, len(order), batch):
        idx = order[s:s + batch]
        lengths = torch.tensor([len(seqs[i]) for i in idx])
        ids = torch.zeros(len(idx), int(lengths.max()), dtype=torch.long)
        for r, i in enumerate(idx):
            ids[r, :len(seqs[i])] = torch.tensor(seqs[i])
        yield idx, ids, lengths


def epoch_order(lengths, batch, bucket, rng):
    order = list(range(len(lengths)))
    rng.shuffle(order)
    if not bucket:
        return order
    chunk = batch * 50                                                             # ours: BucketBatches 50
    for s in range(0, len(order), chunk):
        order[s:s + chunk] = sorted(order[s:s + chunk], key=lambda i: lengths[i])
    cut = [order[s:s + batch] for s in range(0, len(order), batch)]
    rng.shuffle(cut)
    return [i for b in cut for i in b]


def lr_at(step, total, a):
    warm = round(a.warmup * total)
    if step < warm:
        return a.lr * (step + 1) / warm
    if a.schedule == "constant":
        return a.lr
    prog = min(1.0, (step - warm) / max(1, total - warm))
    return a.lr * (0.5 * (1 + math.cos(math.pi * prog)) if a.schedule == "cosine" else 1 - prog)


def train(model, loss_of, n, lengths, a):
    opt = torch.optim.AdamW(param_groups(model, a.wd, a.recipe == "torch" and not a.ours_groups), lr=a.lr)
    rng = random.Random(a.seed)
    batch = min(a.batch, n)
    total = ((n + batch - 1) // batch) * a.epochs
    pull_from = round(a.mean_pull_start * total)     # ours: EmbeddingMeanPullStart x the planned updates
    table = token_table(model)
    step, losses = 0, []
    for _ in range(a.epochs):
        model.train()
        order = epoch_order(lengths, batch, a.bucket, rng)
        run = cnt = 0.0
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            for g in opt.param_groups:
                g["lr"] = lr_at(step, total, a) * g.get("scale", 1.0)
            opt.zero_grad(set_to_none=True)
            loss = loss_of(idx)
            loss.backward()
            if a.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), a.clip)
            opt.step()
            if a.mean_pull > 0 and step + 1 > pull_from:
                with torch.no_grad():                      # ours: RowMeanPull, row -= lr x factor x (row - mean row)
                    table.sub_((table - table.mean(0, keepdim=True)) * (lr_at(step, total, a) * a.mean_pull))
            step += 1
            run += loss.item()
            cnt += 1
        losses.append(run / cnt)
    return losses


def spearman(x, y):
    def ranks(v):
        t = torch.tensor(v, dtype=torch.float64)
        order = t.argsort()
        r = torch.empty_like(t)
        sv = t[order]
        i = 0
        while i < len(v):
            j = i
            while j + 1 < len(v) and sv[j + 1] == sv[i]:
                j += 1
            r[order[i:j + 1]] = (i + j) / 2.0
            i = j + 1
        return r
    rx, ry = ranks(x), ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    return float((rx * ry).sum() / (rx.norm() * ry.norm()))


def run_classification(dirpath, scheme, a):
    train_rows = read_tsv(os.path.join(dirpath, "train.tsv"))
    tests = {n: read_tsv(os.path.join(dirpath, f"test_{n}.tsv")) for n in LENGTHS if os.path.exists(os.path.join(dirpath, f"test_{n}.tsv"))}
    max_tokens = 512 if len(tests) > 1 else 128
    vocab = Vocab(r["Text"] for r in train_rows)
    labels = sorted({r["Label"] for r in train_rows}, key=[r["Label"] for r in train_rows].index)
    lab = {l: i for i, l in enumerate(labels)}
    seqs = [vocab.encode(r["Text"], max_tokens) for r in train_rows]
    y = torch.tensor([lab[r["Label"]] for r in train_rows])
    D = a.d or 128
    model = Classifier(len(labels), V=len(vocab.ids) + 4, D=D, H=4, L=2, Fd=4 * D, p=a.dropout, scheme=scheme, max_positions=max(512, max_tokens))
    if a.init == "ours":
        init_ours(model)

    def loss_of(idx):
        _, ids, lengths = next(batches(seqs, idx, len(idx)))
        return F.cross_entropy(model(ids, lengths), y[idx])
    losses = train(model, loss_of, len(seqs), [len(s) for s in seqs], a)
    model.eval()
    out, logloss = {}, None
    with torch.no_grad():
        for n, rows in tests.items():
            rows = [r for r in rows if r["Label"] in lab]
            tseqs = [vocab.encode(r["Text"], max_tokens) for r in rows]
            ty = torch.tensor([lab[r["Label"]] for r in rows])
            correct, ll = 0, 0.0
            confusion = torch.zeros(len(labels), len(labels), dtype=torch.long)
            for idx, ids, lengths in batches(tseqs, list(range(len(tseqs))), 32):
                logp = model(ids, lengths).log_softmax(-1)
                correct += int((logp.argmax(-1) == ty[idx]).sum())
                for t_, p_ in zip(ty[idx].tolist(), logp.argmax(-1).tolist()):
                    confusion[t_, p_] += 1
                ll -= float(logp[torch.arange(len(idx)), ty[idx]].clamp(min=math.log(1e-15)).sum())
            out[n] = correct / len(rows)
            if n == "1x":
                logloss = ll / len(rows)
            if a.confusion:
                print(f"  {scheme} {n}: rows = truth, columns = predicted; " + ", ".join(f"{i} = {l}" for i, l in enumerate(labels)))
                for i, l in enumerate(labels):
                    row = confusion[i].tolist()
                    print(f"  {l:>14} " + " ".join(f"{v:5d}" for v in row) + f"   recall {row[i] / max(1, sum(row)):.3f}")
    return "accuracy", out, logloss, losses


def run_similarity(dirpath, scheme, a):
    train_rows = read_tsv(os.path.join(dirpath, "train.tsv"))
    tests = {n: read_tsv(os.path.join(dirpath, f"test_{n}.tsv")) for n in LENGTHS if os.path.exists(os.path.join(dirpath, f"test_{n}.tsv"))}
    vocab = Vocab([r["Sentence1"] for r in train_rows] + [r["Sentence2"] for r in train_rows])
    s1 = [vocab.encode(r["Sentence1"], 128) for r in train_rows]
    s2 = [vocab.encode(r["Sentence2"], 128) for r in train_rows]
    y = torch.tensor([float(r["Label"]) for r in train_rows])
    lo, hi = float(y.min()), float(y.max())
    D = a.d or 128
    enc = Encoder(V=len(vocab.ids) + 4, D=D, H=4, L=2, Fd=512 if D == 128 else 4 * D, p=a.dropout, scheme=scheme, max_positions=512)
    if a.init == "ours":
        init_ours(enc)

    def score(x1, x2):
        both = x1 + x2                                                             # both sides in one pass, as ours
        _, ids, lengths = next(batches(both, list(range(len(both))), len(both)))
        e = enc(ids, lengths)
        cos = F.cosine_similarity(e[:len(x1)], e[len(x1):], dim=-1)
        return lo + (hi - lo) * cos

    def loss_of(idx):
        return F.mse_loss(score([s1[i] for i in idx], [s2[i] for i in idx]), y[idx])
    losses = train(enc, loss_of, len(s1), [max(len(s1[i]), len(s2[i])) for i in range(len(s1))], a)
    enc.eval()
    out = {}
    with torch.no_grad():
        for n, rows in tests.items():
            t1 = [vocab.encode(r["Sentence1"], 128) for r in rows]
            t2 = [vocab.encode(r["Sentence2"], 128) for r in rows]
            pred = []
            for s in range(0, len(rows), 32):
                pred += score(t1[s:s + 32], t2[s:s + 32]).tolist()
            out[n] = spearman(pred, [float(r["Label"]) for r in rows])
    return "spearman", out, None, losses


def settings(a):
    base = "torch" if a.recipe == "torch" else "ours"
    knobs = [f"{k}={getattr(a, k)}" for k in a.changed]
    return f"recipe={base}" + ("," + ",".join(knobs) if knobs else "")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default="/tmp/mlcomponents-suite")
    p.add_argument("--results", default=None)
    p.add_argument("--tasks", default=None)
    p.add_argument("--schemes", default="rope,none")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--recipe", choices=["torch", "ours"], default="torch")
    p.add_argument("--random-positions", type=int, default=0, help="train on sorted random positions from 0..N-1 (Ruoss et al. 2023)")
    p.add_argument("--log-scale", type=float, default=0.0, help="scale logits by max(1, log n / log N0) (log-length scaling)")
    p.add_argument("--confusion", action="store_true", help="print each classification test file's confusion matrix")
    knobs = {"lr": float, "schedule": str, "warmup": float, "dropout": float, "clip": float, "wd": float, "init": str, "d": int, "batch": int,
             "bucket": int, "ours_groups": int, "emb_lr": float, "mean_pull": float, "mean_pull_start": float}
    for k, t in knobs.items():
        p.add_argument("--" + k.replace("_", "-"), type=t, default=None)
    a = p.parse_args()
    base = dict(lr=5e-4, schedule="constant", warmup=0.0, dropout=0.0, clip=0.0, wd=0.01, init="torch", d=0, batch=32, bucket=0, ours_groups=0,
             emb_lr=1.0, mean_pull=0.0, mean_pull_start=0.25) \
        if a.recipe == "torch" else \
        dict(lr=1e-3, schedule="cosine", warmup=0.1, dropout=0.0, clip=1.0, wd=0.01, init="ours", d=0, batch=32, bucket=1, ours_groups=1,
             emb_lr=1.0, mean_pull=0.0, mean_pull_start=0.25)
    a.changed = [k for k in knobs if getattr(a, k) is not None and getattr(a, k) != base[k]]
    for k in knobs:
        if getattr(a, k) is None:
            setattr(a, k, base[k])
    torch.set_num_threads(a.threads)
    global emb_lr_scale
    emb_lr_scale = a.emb_lr
    Encoder.random_positions, Encoder.log_scale = a.random_positions, a.log_scale
    if a.random_positions:
        a.changed.append("random_positions")
    if a.log_scale:
        a.changed.append("log_scale")
    results = a.results or os.path.join(a.data, "results.tsv")
    tasks = a.tasks.split(",") if a.tasks else sorted(d for d in os.listdir(a.data) if os.path.exists(os.path.join(a.data, d, "train.tsv")))
    schemes = [s for s in a.schemes.split(",") if s in SCHEMES]
    skipped = [s for s in a.schemes.split(",") if s not in SCHEMES]
    print(f"torch {torch.__version__} threads={a.threads} {settings(a)} epochs={a.epochs}" + (f" (not in the peer: {','.join(skipped)})" if skipped else ""))
    done = []
    for task in tasks:
        dirpath = os.path.join(a.data, task)
        kind = open(os.path.join(dirpath, "task.txt")).read().split("\t")[1]
        for scheme in schemes:
            torch.manual_seed(a.seed)
            t0 = time.time()
            metric, out, logloss, losses = (run_classification if kind == "Classification" else run_similarity)(dirpath, scheme, a)
            secs = time.time() - t0
            done.append((task, scheme, metric, out))
            print(f"{task} {scheme:<10} {metric} " + " ".join(f"{k}={v:.3f}" for k, v in out.items())
                  + (f" log_loss={logloss:.3f}" if logloss is not None else "") + f" ({secs:.0f} s)", flush=True)
            new = not os.path.exists(results) or os.path.getsize(results) == 0
            with open(results, "a") as f:
                if new:
                    f.write("engine\ttask\tscheme\tmetric\t1x\t4x\t8x\t16x\tlog_loss\tepochs\tseconds\tsettings\tlosses\t5x\n")
                f.write("\t".join(["torch", task, scheme, metric] + [f"{out[k]:.4f}" if k in out else "" for k in COLUMNS]
                                  + [f"{logloss:.4f}" if logloss is not None else "", str(a.epochs), f"{secs:.1f}", settings(a),
                                     ",".join(f"{l:.4f}" for l in losses), f"{out['5x']:.4f}" if "5x" in out else ""]) + "\n")
    cols = [s for s in ALL_SCHEMES if s in schemes]
    print(f"\n| engine | settings | task | metric | length | {' | '.join(cols)} |")
    print("| --- | --- | --- | --- | --- |" + " --- |" * len(cols))
    for task in tasks:
        rows = {s: o for t, s, m, o in done if t == task}
        metric = next(m for t, s, m, o in done if t == task)
        for n in LENGTHS:
            if any(n in o for o in rows.values()):
                print(f"| torch | {settings(a)} | {task} | {metric} | {n} | " + " | ".join(f"{rows[s][n]:.3f}" if s in rows and n in rows[s] else "-" for s in cols) + " |")


if __name__ == "__main__":
    main()
