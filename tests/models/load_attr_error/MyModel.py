class MyModel:
    def load(self):
        # an AttributeError raised inside load(): the original swallows it, ours fails start-up
        return self.missing_attribute_marker_5c1d

    def predict(self, X, features_names):
        return X
