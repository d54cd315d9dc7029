# Router: route() answers by request kind; tags/metrics like UO.
import numpy as np

RET = {"int": lambda: 22, "np": lambda: np.int64(1), "bool": lambda: True, "str": lambda: "1",
       "neg": lambda: -1, "big": lambda: 2 ** 40, "float": lambda: 1.0, "none": lambda: None}


class MyModel:
    def route(self, X, names, meta=None):
        if isinstance(X, dict):
            if "meta" in X:
                return len(meta or {})
            return RET[X["ret"]]()
        if isinstance(X, str):
            return 3
        return 22

    def tags(self):
        return {"mytag": 1}

    def metrics(self):
        return [{"type": "COUNTER", "key": "mycounter", "value": 1}]
