#!/usr/bin/env python3
"""Pairwise precision/recall/F1 of PREDICTIONS.csv (unique_id,cluster_id) against TRUTH.csv
(unique_id,truth). A cross-check of the Rust `evaluate` example; standard library only.

Usage: pairwise_f1.py PREDICTIONS.csv TRUTH.csv
"""
import csv
import sys
from collections import Counter


def pairs(n):
    return n * (n - 1) // 2


def main():
    with open(sys.argv[1], newline="") as f:
        pred = {r["unique_id"]: r["cluster_id"] for r in csv.DictReader(f)}
    with open(sys.argv[2], newline="") as f:
        truth = {r["unique_id"]: r["truth"] for r in csv.DictReader(f)}
    joint = Counter((pred[u], t) for u, t in truth.items())
    tp = sum(pairs(n) for n in joint.values())
    pp = sum(pairs(n) for n in Counter(pred[u] for u in truth).values())
    tt = sum(pairs(n) for n in Counter(truth.values()).values())
    p = tp / pp if pp else 1.0
    r = tp / tt if tt else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"precision={p:.4f} recall={r:.4f} f1={f1:.4f} tp={tp} predicted_pairs={pp} true_pairs={tt}")


if __name__ == "__main__":
    main()
