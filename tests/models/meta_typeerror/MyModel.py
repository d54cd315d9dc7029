# predict accepts meta; a TypeError raised inside it must not cause a second call without meta
# (SPEC decision 9). The original calls it again as predict(X, names).
class MyModel:
    def __init__(self):
        self.calls = 0

    def predict(self, X, names, meta=None):
        self.calls += 1
        if meta is not None:
            raise TypeError("inner type error")
        return {"calls": self.calls, "meta_was_none": meta is None}
