# class_names as a plain attribute (deprecated form) and tags()/init_metadata edge cases.
class MyModel:
    class_names = ["x", "y", "z"]

    def predict(self, X, names, meta=None):
        return X

    def tags(self):
        return {"unicode": "\u00e9\u2603", "nested": {"b": [1, 2.5, None], "a": True}}

    def init_metadata(self):
        return {"inputs": [{"messagetype": "ndarray", "schema": {"names": ["a"], "shape": [1]}},
                           {"messagetype": "jsonData", "schema": {"any": 1}}, {"messagetype": "strData"},
                           {"messagetype": "custom-type"}, {}],
                "custom": {"author": "me"}, "platform": "sklearn"}

    def send_feedback(self, features, names, reward, truth, routing=None):
        return {"reward": reward, "routing": routing, "names": list(names), "truth": truth.tolist(),
                "features": features.tolist(), "dtypes": [str(features.dtype), str(truth.dtype)]}
