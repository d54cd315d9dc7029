"""Model metadata (SPEC §7): build once from ``init_metadata()`` and MODEL_METADATA, then validate.

The validation is a plain-Python rendering of the original's JSON Schema (draft 2020-12 rules
for "integer": a float with no fractional part counts; bool never counts as a number).
"""

import json
import logging
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Type

logger = logging.getLogger(__name__)

_ARRAY_TYPES = ("tensor", "ndarray", "tftensor")
_KNOWN_TYPES = _ARRAY_TYPES + ("jsonData", "strData", "binData")
_TENSOR_DATATYPES = (
    "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
    "FP16", "FP32", "FP64", "BYTES",
)  # fmt: skip


def split_image(image: str) -> Tuple[str, str]:
    """``repo[:port]/name:tag`` -> (``repo[:port]/name``, ``tag``), split at the last ``:``."""
    parts = image.split(":")
    return ":".join(parts[:-1]), parts[-1]


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _list_of(value: Any, check: Callable[[Any], bool]) -> bool:
    return isinstance(value, list) and all(check(item) for item in value)


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _only_keys(item: Dict, allowed: Tuple[str, ...]) -> bool:
    return all(key in allowed for key in item)


def _array_message(item: Dict) -> bool:
    if item.get("messagetype", None) not in _ARRAY_TYPES or not _only_keys(item, ("messagetype", "schema")):
        return False
    if "schema" not in item:
        return True
    schema = item["schema"]
    if not isinstance(schema, dict) or not _only_keys(schema, ("names", "shape")):
        return False
    if "names" in schema and not _list_of(schema["names"], _is_str):
        return False
    return "shape" not in schema or _list_of(schema["shape"], _is_int)


def _typed_message(item: Dict, messagetype: str, schema_allowed: bool) -> bool:
    allowed = ("messagetype", "schema") if schema_allowed else ("messagetype",)
    if item.get("messagetype", None) != messagetype or not _only_keys(item, allowed):
        return False
    return "schema" not in item or isinstance(item["schema"], dict)


def _custom_message(item: Dict) -> bool:
    messagetype = item.get("messagetype", None)
    if not isinstance(messagetype, str) or messagetype in _KNOWN_TYPES:
        return False
    if not _only_keys(item, ("messagetype", "schema")):
        return False
    return "schema" not in item or isinstance(item["schema"], dict)


def _v2_tensor(item: Dict) -> bool:
    if not _only_keys(item, ("name", "datatype", "shape")):
        return False
    if "name" in item and not isinstance(item["name"], str):
        return False
    if "datatype" in item and not (isinstance(item["datatype"], str) and item["datatype"] in _TENSOR_DATATYPES):
        return False
    return "shape" not in item or _list_of(item["shape"], _is_int)


def _io_item(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    return (
        _array_message(item)
        or _typed_message(item, "jsonData", True)
        or _typed_message(item, "strData", False)
        or _typed_message(item, "binData", False)
        or _custom_message(item)
        or _v2_tensor(item)
    )


_TOP_LEVEL: Dict[str, Callable[[Any], bool]] = {
    "name": _is_str,
    "versions": lambda v: _list_of(v, _is_str),
    "platform": _is_str,
    "inputs": lambda v: _list_of(v, _io_item),
    "outputs": lambda v: _list_of(v, _io_item),
    "custom": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
}


def metadata_error(meta: Dict) -> Optional[str]:
    """None when ``meta`` is valid, else a short description of the first problem."""
    for key, value in meta.items():
        check = _TOP_LEVEL.get(key)
        if check is None:
            return f"unexpected top-level key {key!r}"
        if not check(value):
            return f"invalid {key!r}: {value!r}"
    return None


def _env_metadata(text: str) -> Any:
    try:
        import yaml  # type: ignore
    except ImportError:
        yaml = None
    if yaml is not None:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            logger.error(f"Reading metadata from MODEL_METADATA env variable failed: {exc}")
            return {}
    try:
        return json.loads(text)
    except ValueError as exc:
        logger.error(f"Reading metadata from MODEL_METADATA env variable failed: {exc}")
        return {}


def build_metadata(
    init_metadata: Optional[Callable[[], Any]], not_implemented: Tuple[Type[BaseException], ...], env: Mapping[str, str]
) -> Optional[Dict]:
    """The validated metadata dict, or None when invalid (the caller answers 500 then)."""
    meta_user: Any = {}
    if init_metadata is not None:
        try:
            meta_user = init_metadata()
        except not_implemented:
            meta_user = {}
    if not isinstance(meta_user, dict):
        logger.error("init_metadata must return dict")
        meta_user = {}
    meta_env = _env_metadata(env.get("MODEL_METADATA", "{}"))
    meta = {**meta_user, **meta_env}

    image = env.get("PREDICTIVE_UNIT_IMAGE")
    name, version = split_image(image) if image is not None else ("", "")
    defaults = {"name": name, "versions": [version], "platform": "", "inputs": [], "outputs": [], "custom": {}}
    data = {**defaults, **meta}
    problem = metadata_error(data)
    if problem is not None:
        logger.error(f"Metadata validation error\n{problem}")
        logger.error(f"Failed to validate metadata {meta}")
        return None
    return data
