# Reports which worker process served the request (and how often load() ran in it).
import os
import time


class MyModel:
    def __init__(self):
        self.loads = 0

    def load(self):
        self.loads += 1

    def predict(self, X, features_names):
        if isinstance(X, dict) and "sleep" in X:
            time.sleep(float(X["sleep"]))
        return {"pid": os.getpid(), "loads": self.loads}
