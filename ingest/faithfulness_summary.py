"""The faithfulness figures over classes: means with 95 % bootstrap intervals (classes resampled).

Each class counts once (its mean over its images). One resampling of the
classes is shared by every figure, so the differences (graph minus most
active, graph minus random) get paired intervals.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

CONDITIONS = {"graph": "graph_{}_drop", "active": "active_{}_drop", "random": "random_{}_drop_mean"}


def _interval(means: np.ndarray, level: float) -> tuple[float, float]:
    lo, hi = np.quantile(means, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


def summarize(table: pl.DataFrame, *, resamples: int = 2000, seed: int = 0, level: float = 0.95) -> dict[str, Any]:
    """Mean drops per condition and their differences, each ``{"mean", "low", "high"}``, for the
    true-class probability (``prob``) and top-1 accuracy (``top1``)."""
    n = table.height
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n, size=(resamples, n)) if n else np.zeros((resamples, 0), dtype=np.int64)
    out: dict[str, Any] = {"classes": n, "resamples": resamples, "level": level}
    for metric in ("prob", "top1"):
        values = {name: table[col.format(metric)].to_numpy().astype(np.float64) for name, col in CONDITIONS.items()}
        values["graph_minus_active"] = values["graph"] - values["active"]
        values["graph_minus_random"] = values["graph"] - values["random"]
        figures: dict[str, dict[str, float | None]] = {}
        for name, v in values.items():
            if n == 0:
                figures[name] = {"mean": None, "low": None, "high": None}
                continue
            low, high = _interval(v[picks].mean(axis=1), level)
            figures[name] = {"mean": float(v.mean()), "low": low, "high": high}
        out[f"{metric}_drop"] = figures
    return out


def per_neuron(table: pl.DataFrame) -> dict[str, float | None]:
    """Mean drop per ablated neuron (graph and most active ablate equally many)."""
    neurons = float(table["graph_neurons"].sum())
    if not neurons:
        return {"graph": None, "active": None}
    return {"graph": float(table["graph_prob_drop"].sum()) / neurons,
            "active": float(table["active_prob_drop"].sum()) / neurons}
