# SPEC §10.1 custom-metrics-model (SeldonResponse with runtime tags and metrics).
from seldon_core.user_model import SeldonResponse


class MyModel:
    def predict(self, X, feature_names, **kwargs):
        if len(X.shape) == 1:
            X = X.reshape(1, -1)
        return SeldonResponse(
            data=X,
            metrics=[{"type": "COUNTER", "key": "instance_counter", "value": len(X)}],
            tags={"runtime": "tag", "shared": "right one"},
        )

    def metrics(self):
        return [{"type": "COUNTER", "key": "requests_counter", "value": 1}]

    def tags(self):
        return {"static": "tag", "shared": "not right one"}
