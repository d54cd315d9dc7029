# Combiner: aggregate() returns the first input, or a summary of what it was given.
import numpy as np


class MyModel:
    def aggregate(self, Xs, names_list):
        first = Xs[0]
        if isinstance(first, dict) and first.get("mode") == "names":
            return {"n": len(Xs), "names": [list(n) for n in names_list],
                    "types": [type(x).__name__ for x in Xs]}
        if isinstance(first, dict) and first.get("mode") == "sum":
            return np.sum([np.asarray(x) for x in Xs[1:]], axis=0)
        return first

    def tags(self):
        return {"mytag": 1}

    def metrics(self):
        return [{"type": "COUNTER", "key": "mycounter", "value": 1}]
