"""Independent reference values for UnitTests/Core/EvaluationTests.cs (numpy only).

Run: /usr/bin/python3 UnitTests/Fixtures/core/make_metrics.py
Prints the numbers the C# tests assert; they are pasted into the tests with this script named.
"""
import json
import numpy as np

# Multiclass: labels are 1-based keys, probabilities float32 as the C# test feeds them.
labels = np.array([1, 1, 2, 2, 2, 3, 3, 1])
probs = np.array([
    [0.7, 0.2, 0.1],
    [0.4, 0.5, 0.1],
    [0.1, 0.8, 0.1],
    [0.3, 0.3, 0.4],
    [0.2, 0.6, 0.2],
    [0.0, 0.1, 0.9],
    [0.6, 0.4, 0.0],
    [0.5, 0.25, 0.25],
], dtype=np.float32).astype(np.float64)
K = 3
y = labels - 1
pred = probs.argmax(axis=1)
n = len(y)
conf = np.zeros((K, K))
for t, p in zip(y, pred):
    conf[t, p] += 1
precision = [conf[c, c] / conf[:, c].sum() if conf[:, c].sum() > 0 else 0.0 for c in range(K)]
recall = [conf[c, c] / conf[c, :].sum() if conf[c, :].sum() > 0 else 0.0 for c in range(K)]
p_label = np.maximum(probs[np.arange(n), y], 1e-15)
ll = -np.log(p_label)
freq = np.bincount(y, minlength=K) / n
prior = -sum(f * np.log(f) for f in freq if f > 0)
rank = np.array([(probs[i] > probs[i, y[i]]).sum() for i in range(n)])
multi = {
    "micro": float((pred == y).mean()),
    "macro": float(np.mean([recall[c] for c in range(K) if (y == c).any()])),
    "logLoss": float(ll.mean()),
    "logLossReduction": float(1 - ll.mean() / prior),
    "perClassLogLoss": [float(ll[y == c].mean()) for c in range(K)],
    "top2": float((rank < 2).mean()),
    "confusion": conf.tolist(),
    "precision": [float(v) for v in precision],
    "recall": [float(v) for v in recall],
}

# Regression with ties in both labels and scores.
yl = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
sc = np.array([2.5, 1.5, 4.0, 2.0, 4.0, 8.0, 2.0, 7.5])


def avg_ranks(v):
    order = np.argsort(v, kind="stable")
    r = np.empty(len(v))
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
            j += 1
        r[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return r


err = yl - sc
reg = {
    "mae": float(np.abs(err).mean()),
    "mse": float((err ** 2).mean()),
    "rmse": float(np.sqrt((err ** 2).mean())),
    "r2": float(1 - (err ** 2).sum() / ((yl - yl.mean()) ** 2).sum()),
    "pearson": float(np.corrcoef(yl, sc)[0, 1]),
    "spearman": float(np.corrcoef(avg_ranks(yl), avg_ranks(sc))[0, 1]),
}
try:  # cross-check the hand-written ranks when scipy is present
    from scipy.stats import spearmanr
    assert abs(spearmanr(yl, sc).correlation - reg["spearman"]) < 1e-12
except ImportError:
    pass
print(json.dumps({"multiclass": multi, "regression": reg}, indent=1))
