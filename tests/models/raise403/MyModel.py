from seldon_core.flask_utils import SeldonMicroserviceException


class MyModel:
    def predict(self, X, features_names):
        raise SeldonMicroserviceException("foo", status_code=403)
