"""The model an artifact was made with: its name, layers and weights, as the manifest records them."""

from __future__ import annotations

from typing import Any

from summit.ingest.model_spec import LoadedModel

from summit.errors import ArtifactError, BadInput


def load_artifact_model(artifact: str, manifest: dict[str, Any], weights: str | None, device: Any) -> LoadedModel:
    """Load the model an artifact was made with, with its neuron layers, on ``device``."""
    from summit.ingest.models import load_model

    model = manifest.get("model")
    if not isinstance(model, dict) or not model.get("name"):
        raise ArtifactError(f"artifact {artifact}: manifest has no model name")
    layers = [entry["name"] for entry in manifest.get("layers", []) if isinstance(entry, dict)]
    loaded = load_model(str(model["name"]), weights=weights or model.get("weights") or None,
                        layers=layers or None, device=device)
    expected = model.get("weights_sha256")
    if expected and loaded.weights_sha256 and expected != loaded.weights_sha256:
        raise BadInput(f"artifact {artifact} was made with weights sha256 {expected[:12]}..., but the loaded "
                       f"weights are {loaded.weights_sha256[:12]}...; pass the right file with --weights")
    return loaded
