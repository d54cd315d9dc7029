"""The Seldon error type (``seldon_core.flask_utils`` compatible, without Flask)."""

from typing import Any, Dict, Optional


class SeldonMicroserviceException(Exception):
    """An error answered with ``status_code`` and the Seldon error body (SPEC §3.6)."""

    status_code = 400

    def __init__(
        self,
        message: Any,
        status_code: Optional[int] = None,
        payload: Any = None,
        reason: str = "MICROSERVICE_BAD_DATA",
    ) -> None:
        # Like the original, str(exc) is empty: the text lives in `message`.
        super().__init__()
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        self.payload = payload
        self.reason = reason

    def to_dict(self) -> Dict[str, Dict[str, Any]]:
        return {"status": {"status": 1, "info": self.message, "code": -1, "reason": self.reason}}
