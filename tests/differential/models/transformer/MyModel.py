# Transformer: input +1 / output *2 for numeric arrays, identity otherwise; meta-aware input.
import numpy as np


class MyModel:
    def transform_input(self, X, names, meta=None):
        if isinstance(X, dict) and X.get("echo_meta"):
            return {"meta": meta, "names": list(names)}
        if isinstance(X, np.ndarray) and np.issubdtype(X.dtype, np.number):
            return X + 1
        return X

    def transform_output(self, X, names):
        if isinstance(X, np.ndarray) and np.issubdtype(X.dtype, np.number):
            return X * 2
        return X

    def tags(self):
        return {"transformer": True}
