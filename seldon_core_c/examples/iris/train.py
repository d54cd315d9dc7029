"""Trains the example's weights: softmax regression by full-batch gradient descent on the
standardised features of iris.csv. Run `python -m seldon_core_c.examples.iris.train` to rebuild
weights.json (deterministic)."""
import json
import os

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))


def load():
    rows = np.loadtxt(os.path.join(_HERE, "iris.csv"), delimiter=",", skiprows=1)
    return rows[:, :4], rows[:, 4].astype(int)


def train(steps: int = 5000, lr: float = 0.5, l2: float = 1e-3):
    X, y = load()
    mean, scale = X.mean(axis=0), X.std(axis=0)
    Z = (X - mean) / scale
    Y = np.eye(3)[y]
    W = np.zeros((4, 3))
    b = np.zeros(3)
    for _ in range(steps):
        logits = Z @ W + b
        logits -= logits.max(axis=1, keepdims=True)
        P = np.exp(logits)
        P /= P.sum(axis=1, keepdims=True)
        G = (P - Y) / len(Z)
        W -= lr * (Z.T @ G + l2 * W)
        b -= lr * G.sum(axis=0)
    acc = float(((Z @ W + b).argmax(axis=1) == y).mean())
    return {"mean": mean.tolist(), "scale": scale.tolist(), "coef": W.tolist(),
            "intercept": b.tolist(), "classes": ["setosa", "versicolor", "virginica"],
            "training_accuracy": acc}


if __name__ == "__main__":
    w = train()
    with open(os.path.join(_HERE, "weights.json"), "w") as f:
        json.dump(w, f, indent=1)
    print(f"training accuracy {w['training_accuracy']:.3f}")
