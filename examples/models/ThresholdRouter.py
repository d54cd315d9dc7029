"""A Seldon ROUTER: sends a request to child 0 or child 1 of its graph node.

Graph parameter `feature` (INT, default 2: petal length) and `threshold` (FLOAT, default 2.5):
rows whose feature is below the threshold go to child 0, the others to child 1.
"""
import numpy as np


class ThresholdRouter:
    def __init__(self, feature: int = 2, threshold: float = 2.5) -> None:
        self.feature = int(feature)
        self.threshold = float(threshold)

    def route(self, X, feature_names, **kwargs) -> int:
        x = np.atleast_2d(np.asarray(X, dtype=float))
        return 0 if float(x[0, self.feature]) < self.threshold else 1
