# gRPC end-to-end model (tests/test_e2e_grpc.py): every high-level method, plus errors on demand.
import copy

import numpy as np


class MyModel:
    def predict(self, X, names, meta=None):
        if isinstance(X, str) and X == "boom":
            raise ValueError("boom")
        if isinstance(X, str) and X == "none":
            return None
        if isinstance(X, str) and X == "meta":
            return {"meta": copy.deepcopy(meta), "names": list(names)}
        return X

    def transform_input(self, X, names, meta=None):
        return X * 2 if isinstance(X, np.ndarray) else X

    def transform_output(self, X, names, meta=None):
        return X + 1 if isinstance(X, np.ndarray) else X

    def route(self, X, names, meta=None):
        return 1

    def aggregate(self, features_list, names_list):
        return np.concatenate([np.asarray(f) for f in features_list], axis=1).tolist()

    def send_feedback(self, features, names, reward, truth, routing=None):
        return [reward, -1 if routing is None else routing]

    def tags(self):
        return {"mytag": 1}
