"""Fairness and bias assessment: metric definitions, the counts engine, policy and verdicts."""

from governance.fairness.legacy import FairnessMetrics

__all__ = ["FairnessMetrics"]
