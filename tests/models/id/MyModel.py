# SPEC §10.2 model "ID": the reference test resource model-template-app.
class MyModel:
    def __init__(self):
        pass

    def predict(self, X, features_names):
        return X

    def send_feedback(self, features, feature_names, reward, truth, routing=None):
        return []
