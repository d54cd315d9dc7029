# Records whatever metrics the request asks for: predict({"jsonData": {"metrics": [...]}}) returns
# them as SeldonResponse runtime metrics (SPEC §6.2), with the serving worker's pid as data.
import os

from seldon_core.user_model import SeldonResponse


class MyModel:
    def predict(self, X, features_names, **kwargs):
        metrics = X.get("metrics", []) if isinstance(X, dict) else []
        return SeldonResponse(data={"pid": os.getpid()}, metrics=metrics, tags={})

    def send_feedback(self, features, feature_names, reward, truth, routing=None):
        return []
