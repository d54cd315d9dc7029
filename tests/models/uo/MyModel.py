# SPEC §10.2 model "UO": identity plus tags, metrics, health_status and init_metadata (E14).
class MyModel:
    def predict(self, X, names, **kwargs):
        return X

    def tags(self):
        return {"mytag": 1}

    def metrics(self):
        return [{"type": "COUNTER", "key": "mycounter", "value": 1}]

    def health_status(self):
        return self.predict([0.123], ["f0"])

    def init_metadata(self):
        return {
            "name": "my-model-name",
            "versions": ["model-version"],
            "platform": "model-platform",
            "inputs": [{"name": "input", "datatype": "BYTES", "shape": [1]}],
            "outputs": [{"name": "output", "datatype": "BYTES", "shape": [1]}],
            "custom": {},
        }
