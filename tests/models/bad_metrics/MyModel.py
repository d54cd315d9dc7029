class MyModel:
    def predict(self, X, features_names):
        return X

    def metrics(self):
        return [{"type": "BAD", "key": "mycounter", "value": 1}]
