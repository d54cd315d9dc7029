# init_metadata returns invalid metadata (versions not a list): /metadata 500, predict works.
class MyModel:
    def predict(self, X, names):
        return X

    def init_metadata(self):
        return {"name": "bad", "versions": "string-not-array-of-strings"}
