"""A Seldon MODEL: the bundled iris classifier with a softmax temperature.

Graph parameter `temperature` (FLOAT, default 1.0); above 1 the probabilities are smoother.
"""
import numpy as np

from seldon_core_c.examples.iris import IrisClassifier


class SmoothedIris(IrisClassifier):
    def __init__(self, temperature: float = 1.0) -> None:
        super().__init__()
        self.temperature = float(temperature)

    def predict(self, X, feature_names, **kwargs):
        p = super().predict(X, feature_names, **kwargs) ** (1.0 / self.temperature)
        return p / p.sum(axis=1, keepdims=True)
