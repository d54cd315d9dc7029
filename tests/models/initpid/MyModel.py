# Reports the pid that constructed the model and the pid that serves the request.
import os


class MyModel:
    def __init__(self):
        self.init_pid = os.getpid()

    def predict(self, X, features_names):
        return {"init_pid": self.init_pid, "pid": os.getpid()}
