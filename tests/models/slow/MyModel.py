import time


class MyModel:
    def __init__(self, delay=0.2):
        self.delay = float(delay)

    def predict(self, X, features_names):
        # jsonData {"sleep": s} overrides the default delay
        if isinstance(X, dict) and "sleep" in X:
            time.sleep(float(X["sleep"]))
        else:
            time.sleep(self.delay)
        return X
