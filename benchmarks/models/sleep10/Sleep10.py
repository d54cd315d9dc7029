import time


class Sleep10:
    """A model that waits 10 ms (I/O or a native call that releases the GIL) and echoes its input:
    what the server's concurrency (--threads / --grpc-threads) buys, not its per-request cost."""

    def predict(self, X, features_names):
        time.sleep(0.01)
        return X
