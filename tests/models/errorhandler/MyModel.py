# SPEC §5.10 / E16: a model whose `model_error_handler` Flask blueprint answers its own exceptions.
# predict raises the exception named by the request's strData; MyModelRest does the same from the
# deprecated predict_rest (E16 is checked for both paths).
from flask import Blueprint, jsonify

from seldon_core.flask_utils import SeldonMicroserviceException


class UserCustomException(Exception):
    status_code = 404

    def __init__(self, message, application_error_code, http_status_code):
        Exception.__init__(self)
        self.message = message
        if http_status_code is not None:
            self.status_code = http_status_code
        self.application_error_code = application_error_code

    def to_dict(self):
        return {"status": {"status": self.status_code, "message": self.message,
                           "app_code": self.application_error_code}}


class SubCustomException(UserCustomException):
    """Handled by the base class's handler (Flask walks the exception's MRO)."""


class HeaderException(Exception):
    """Its handler sets a header of its own."""


class TextException(Exception):
    """Its handler answers plain text with a (body, status) tuple."""


model_error_handler = Blueprint("error_handlers", __name__)


@model_error_handler.app_errorhandler(UserCustomException)
def handle_custom_error(error):
    response = jsonify(error.to_dict())
    response.status_code = error.status_code
    return response


@model_error_handler.app_errorhandler(HeaderException)
def handle_header_error(error):
    response = jsonify({"error": str(error)})
    response.status_code = 409
    response.headers["X-Error-Id"] = "e-1"
    return response


@model_error_handler.app_errorhandler(TextException)
def handle_text_error(error):
    return "text: " + str(error), 418


def _raise(kind):
    if kind == "custom":
        raise UserCustomException("Test-Error-Msg", 1402, 402)
    if kind == "sub":
        raise SubCustomException("Sub-Msg", 1403, 403)
    if kind == "headers":
        raise HeaderException("with headers")
    if kind == "text":
        raise TextException("teapot")
    if kind == "seldon":
        raise SeldonMicroserviceException("seldon-msg", status_code=403)
    raise ValueError("plain " + str(kind))


class MyModel:
    model_error_handler = model_error_handler

    def predict(self, X, features_names):
        _raise(X)

    def transform_input(self, X, features_names):
        _raise(X)


class MyModelRest:
    model_error_handler = model_error_handler

    def predict_rest(self, request):
        _raise(request.get("strData"))
