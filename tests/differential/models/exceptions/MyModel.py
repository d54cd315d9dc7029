# Exceptions from user code, selected by the strData (or the jsonData "kind").
from seldon_core.flask_utils import SeldonMicroserviceException
from seldon_core.user_model import SeldonNotImplementedError


def _raise(kind):
    if kind == "seldon403":
        raise SeldonMicroserviceException("foo", status_code=403)
    if kind == "reason":
        raise SeldonMicroserviceException("bar", status_code=409, reason="MY_REASON")
    if kind == "seldon200":
        raise SeldonMicroserviceException("odd", status_code=200)
    if kind == "default":
        raise SeldonMicroserviceException("plain")
    if kind == "notimpl":
        raise SeldonNotImplementedError("nope")
    if kind == "value":
        raise ValueError("boom")
    if kind == "key":
        raise KeyError("k")
    if kind == "unicode":
        raise RuntimeError("h\u00e9llo \u2603 \U0001F600")
    if kind == "empty":
        raise Exception()
    if kind == "zero":
        return 1 / 0
    if kind == "type":
        raise TypeError("bad type")
    return None


class MyModel:
    def predict(self, X, names):
        return _raise(X if isinstance(X, str) else "value") or X

    def transform_input(self, X, names):
        _raise(X if isinstance(X, str) else "value")
        return X

    def transform_output(self, X, names):
        _raise(X if isinstance(X, str) else "key")
        return X

    def route(self, X, names):
        _raise(X if isinstance(X, str) else "reason")
        return 0

    def aggregate(self, Xs, names):
        _raise(Xs[0] if isinstance(Xs[0], str) else "unicode")
        return Xs[0]

    def send_feedback(self, features, names, reward, truth, routing=None):
        raise SeldonMicroserviceException("feedback refused", status_code=422)

    def health_status(self):
        raise SeldonMicroserviceException("unhealthy", status_code=503)
