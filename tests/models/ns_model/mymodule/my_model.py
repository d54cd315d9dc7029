# Namespace package (no __init__.py), like the reference resource model-template-app2.
class MyModel:
    def predict(self, X, features_names):
        return X

    def tags(self):
        return {"where": "mymodule.my_model"}
