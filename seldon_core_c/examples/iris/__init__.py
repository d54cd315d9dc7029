"""The bundled example: an iris classifier (multinomial logistic regression in numpy).

Serve it with `seldon-core-microservice seldon_core_c.examples.iris.IrisClassifier`.
"""
from seldon_core_c.examples.iris.model import IrisClassifier

__all__ = ["IrisClassifier"]
