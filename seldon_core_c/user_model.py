"""The user-model base class and return wrapper (``seldon_core.user_model`` compatible)."""

from typing import Any, Dict, Iterable, List, Optional

from .flask_utils import SeldonMicroserviceException


class SeldonNotImplementedError(SeldonMicroserviceException):
    """Raised by the SeldonComponent defaults; the server treats most of them as "absent"."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)


class SeldonResponse:
    """A method result carrying runtime tags and runtime metrics besides the payload."""

    def __init__(self, data: Any, tags: Optional[Dict] = None, metrics: Optional[List[Dict]] = None) -> None:
        self.data = data
        self.tags = {} if tags is None else tags
        self.metrics = [] if metrics is None else metrics

    @classmethod
    def create(cls, data: Any) -> "SeldonResponse":
        return data if isinstance(data, cls) else cls(data)


def _not_implemented(what: str) -> SeldonNotImplementedError:
    return SeldonNotImplementedError(what + " is not implemented")


class SeldonComponent:
    """Optional base class of a model. Every hook not overridden reports "not implemented"."""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def load(self) -> None:
        pass

    def tags(self) -> Dict:
        raise _not_implemented("tags")

    def class_names(self) -> Iterable[str]:
        raise _not_implemented("class_names")

    def metrics(self) -> List[Dict]:
        raise _not_implemented("metrics")

    def feature_names(self) -> Iterable[str]:
        raise _not_implemented("feature_names")

    def predict(self, X: Any, names: Iterable[str], meta: Optional[Dict] = None) -> Any:
        raise _not_implemented("predict")

    def predict_raw(self, msg: Any) -> Any:
        raise _not_implemented("predict_raw")

    def transform_input(self, X: Any, names: Iterable[str], meta: Optional[Dict] = None) -> Any:
        raise _not_implemented("transform_input")

    def transform_input_raw(self, msg: Any) -> Any:
        raise _not_implemented("transform_input_raw")

    def transform_output(self, X: Any, names: Iterable[str], meta: Optional[Dict] = None) -> Any:
        raise _not_implemented("transform_output")

    def transform_output_raw(self, msg: Any) -> Any:
        raise _not_implemented("transform_output_raw")

    def send_feedback(self, features: Any, feature_names: Iterable[str], reward: float, truth: Any,
                      routing: Optional[int]) -> Any:
        raise _not_implemented("send_feedback")

    def send_feedback_raw(self, feedback: Any) -> Any:
        raise _not_implemented("send_feedback_raw")

    def route(self, features: Any, feature_names: Iterable[str]) -> Any:
        raise _not_implemented("route")

    def route_raw(self, msg: Any) -> Any:
        raise _not_implemented("route_raw")

    def aggregate(self, features_list: List[Any], feature_names_list: List[Any]) -> Any:
        raise _not_implemented("aggregate")

    def aggregate_raw(self, msgs: Any) -> Any:
        raise _not_implemented("aggregate_raw")

    def health_status(self) -> Any:
        raise _not_implemented("health")

    def health_status_raw(self) -> Any:
        raise _not_implemented("health_raw")

    def metadata(self) -> Dict:
        raise _not_implemented("metadata")

    def init_metadata(self) -> Dict:
        raise _not_implemented("init_metadata")
