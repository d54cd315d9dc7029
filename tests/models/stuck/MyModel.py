# predict() never returns while the request asks it to hang: a model stuck in Python.
import time


class MyModel:
    def predict(self, X, features_names):
        if isinstance(X, dict) and X.get("hang"):
            while True:
                time.sleep(0.05)
        if isinstance(X, dict) and "sleep" in X:
            time.sleep(float(X["sleep"]))
        return X
