"""An iris classifier written the way Seldon users write models: a plain class with predict().

The weights are trained by train.py on the bundled iris.csv (Fisher's 1936 data) and stored in
weights.json; __init__ loads them once (in the server's master, before the workers fork).
"""
import json
import os
from typing import Dict, Iterable, List

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))


class IrisClassifier:
    def __init__(self, weights_path: str = os.path.join(_HERE, "weights.json")) -> None:
        with open(weights_path) as f:
            w = json.load(f)
        self.mean = np.asarray(w["mean"])
        self.scale = np.asarray(w["scale"])
        self.coef = np.asarray(w["coef"])
        self.intercept = np.asarray(w["intercept"])
        self.classes: List[str] = list(w["classes"])

    def predict(self, X: np.ndarray, feature_names: Iterable[str], **kwargs: Dict) -> np.ndarray:
        """Class probabilities, one row per sample of 4 measurements (cm): sepal length, sepal
        width, petal length, petal width."""
        x = (np.atleast_2d(np.asarray(X, dtype=float)) - self.mean) / self.scale
        logits = x @ self.coef + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def class_names(self) -> List[str]:
        return self.classes
