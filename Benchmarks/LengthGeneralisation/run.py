#!/usr/bin/env python3
"""Length generalisation per position scheme: train on <= 32 tokens, test on 4x longer sequences.

Task: filler words plus the markers 'alpha' and 'beta' once each; the label is the marker that comes
first. Every sentence holds the same words whatever the label, so a bag of words is at chance (0.5).
Writes train/test TSVs to a temp directory and runs Samples/TextClassification on each scheme.
Usage (from the repository root): python3 Benchmarks/LengthGeneralisation/run.py [epochs] [schemes...]
"""
import os, random, re, subprocess, sys, tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCHEMES = ["none", "sinusoidal", "learned", "scaled", "scaled-embedding", "shaw", "t5", "rope", "xpos", "alibi", "fire"]
FILLERS = [f"w{i}" for i in range(40)]

def sentence(rng, length):
    words = [rng.choice(FILLERS) for _ in range(length - 2)]
    i, j = sorted(rng.sample(range(length), 2))
    first = rng.choice(["alpha", "beta"])
    second = "beta" if first == "alpha" else "alpha"
    words.insert(i, first)
    words.insert(j, second)
    return first, " ".join(words)

def write(path, rng, count, lo, hi):
    with open(path, "w") as f:
        f.write("Label\tText\n")
        for _ in range(count):
            label, text = sentence(rng, rng.randint(lo, hi))
            f.write(f"{label}\t{text}\n")

def main():
    epochs = sys.argv[1] if len(sys.argv) > 1 else "8"
    schemes = sys.argv[2:] or SCHEMES
    rng = random.Random(7)
    tmp = tempfile.mkdtemp(prefix="mlc-length-")
    train, short, long_ = (os.path.join(tmp, n) for n in ("train.tsv", "test_short.tsv", "test_long.tsv"))
    write(train, rng, 3000, 8, 32)
    write(short, rng, 1000, 8, 32)
    write(long_, rng, 1000, 100, 128)
    subprocess.run(["dotnet", "build", "-c", "Release", "Samples/TextClassification"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"train: 3000 x 8-32 tokens; test_short: 1000 x 8-32; test_long: 1000 x 100-128; epochs {epochs}")
    print(f"{'scheme':<16} {'short acc':>9} {'long acc':>9}")
    for s in schemes:
        out = subprocess.run(["dotnet", "run", "--no-build", "-c", "Release", "--project", "Samples/TextClassification", "--",
                              "--train", train, "--test", short, "--test", long_, "--encoding", s, "--epochs", epochs,
                              "--max-tokens", "128", "--seed", "1"], cwd=ROOT, capture_output=True, text=True)
        acc = dict(re.findall(r"test=(\S+) accuracy=([0-9.]+)", out.stdout))
        if out.returncode != 0:
            print(f"{s:<16} failed: {out.stderr.strip()[:200]}")
            continue
        print(f"{s:<16} {acc.get('test_short.tsv', '?'):>9} {acc.get('test_long.tsv', '?'):>9}", flush=True)

if __name__ == "__main__":
    main()
