# Subclass of the public base class; must work with or without the original package installed.
from seldon_core.user_model import SeldonComponent


class MyModel(SeldonComponent):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def predict(self, X, features_names, **kwargs):
        return X
