"""The one-line reports the commands print after each step (shared by ``summit demo``)."""

from __future__ import annotations

from typing import Any

from summit.settings import Settings


def ingest_line(summary: dict[str, Any]) -> str:
    """After --resume, the streaming time and rate are the whole run's; the line says how it was split."""
    t = summary["timings"]
    rate = summary["images"] / t["stream_seconds"] if t.get("stream_seconds") else 0.0
    sessions = int(t.get("sessions", 1))
    over = (f" over {sessions} sessions (this one {t['this_session_seconds']:.1f} s, resumed after "
            f"{t['resumed_after_images']} images)") if sessions > 1 else ""
    return (
        f"wrote {summary['artifact']}: {summary['images']} images ({summary['skipped']} skipped), "
        f"{summary['classes']} classes, top-1 {summary['top1']:.1%}, {summary['neurons']} neurons, "
        f"{summary['influence_edges']} influence edges, {summary['examples']} examples; "
        f"{t['stream_seconds']:.1f} s streaming{over} ({rate:.1f} img/s)"
    )


def graphs_line(summary: dict[str, Any]) -> str:
    return (f"graphs: {summary.get('classes')} classes, {summary.get('class_nodes')} graph nodes, "
            f"{summary.get('class_edges')} graph edges")


def load_line(model: str, rows: int, seconds: float, settings: Settings, via: str = "") -> str:
    """``via``: who did the load when not this process (the running server that holds the store)."""
    from summit.store import describe_store

    through = f" through {via}" if via else ""
    return (f"loaded model {model!r} into {describe_store(settings)}{through}: {rows} rows in {seconds:.1f} s "
            f"({rows / max(seconds, 1e-9):,.0f} rows/s)")
