"""Custom metric helpers (``seldon_core.metrics`` compatible subset)."""

from typing import Any, Dict

COUNTER = "COUNTER"
GAUGE = "GAUGE"
TIMER = "TIMER"

METRIC_TYPES = (COUNTER, GAUGE, TIMER)


def _metric(key: str, metric_type: str, value: Any) -> Dict[str, Any]:
    value + 1  # a TypeError here tells the caller the value is not a number
    return {"key": key, "type": metric_type, "value": value}


def create_counter(key: str, value: float) -> Dict[str, Any]:
    """A COUNTER metric dict: ``value`` is added to the running total."""
    return _metric(key, COUNTER, value)


def create_gauge(key: str, value: float) -> Dict[str, Any]:
    """A GAUGE metric dict: ``value`` replaces the current one."""
    return _metric(key, GAUGE, value)


def create_timer(key: str, value: float) -> Dict[str, Any]:
    """A TIMER metric dict: ``value`` is a duration in milliseconds."""
    return _metric(key, TIMER, value)


def validate_metrics(metrics: Any) -> bool:
    """True when ``metrics`` is a list of well-formed metric dicts (SPEC §6.4)."""
    if not isinstance(metrics, list):
        return False
    for metric in metrics:
        if not ("key" in metric and "value" in metric and "type" in metric):
            return False
        if metric["type"] not in METRIC_TYPES:
            return False
        try:
            metric["value"] + 1
        except TypeError:
            return False
    return True
