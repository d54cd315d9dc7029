# SeldonComponent subclass that overrides nothing but predict and class_names.
from seldon_core.user_model import SeldonComponent


class MyModel(SeldonComponent):
    def predict(self, X, features_names, **kwargs):
        return X

    def class_names(self):
        return ["first", "second"]
