"""What a student's function returned, as plain data that can cross a process boundary.

The grader runs a student's code in a separate process and judges its outputs in its own. The
outputs travel as JSON in which an array is its dtype, shape and raw bytes (read back with
``np.frombuffer``): numbers, booleans, ``None``, strings, tuples, lists and NumPy arrays of
plain dtypes, nothing that can run code when it is read. Any other object (a fitted model, a
dict) becomes an :class:`Opaque` record of its type, a short ``repr`` and its plain-data
attributes. :func:`check` sends every output through the same round trip, so the notebook and the
grader judge exactly the same thing.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np

__all__ = ["DataError", "Opaque", "decode", "encode", "from_json", "round_trip", "to_json"]

#: Array dtypes that may cross: booleans, integers, floats, complex numbers and strings. The
#: checker itself decides which of them an exercise accepts (complex and strings are refused
#: with a message that says so).
PLAIN_KINDS = frozenset("biufcUS")
_MAX_DEPTH = 10
_MAX_ITEMS = 100_000
_MAX_TEXT = 2_000
_MAX_ATTRS = 64


class DataError(ValueError):
    """Raised when a value cannot be turned into plain data, or read back from it."""


class Opaque:
    """An object that is not plain data: its type, a short ``repr`` and its plain attributes.

    Parameters
    ----------
    type_name : str
        The object's class name.
    text : str
        Its ``repr``, shortened.
    attrs : dict
        Its attributes that are plain data (e.g. a fitted model's ``lower_bound_``), read with
        ``obj.attr``.
    """

    def __init__(self, type_name: str, text: str, attrs: dict[str, Any]) -> None:
        self.__dict__["_type_name"] = type_name
        self.__dict__["_text"] = text
        self.__dict__["_attrs"] = dict(attrs)

    def __getattr__(self, name: str) -> Any:
        attrs = self.__dict__["_attrs"]
        if name in attrs:
            return attrs[name]
        raise AttributeError(f"{self.__dict__['_type_name']} object has no attribute {name!r}")

    def __repr__(self) -> str:
        return self.__dict__["_text"]


def _short_repr(obj: Any) -> str:
    try:
        text = repr(obj)
    except Exception:  # a student's object whose repr fails
        text = f"<{type(obj).__name__} object>"
    return text if len(text) <= 80 else text[:77] + "..."


def _array(arr: np.ndarray) -> dict[str, Any]:
    """dtype, shape and the raw bytes of a plain array (read back by :func:`_read_array`)."""
    arr = np.array(arr, order="C", copy=True)
    return {
        "dtype": arr.dtype.str,
        "shape": list(arr.shape),
        "bytes": base64.b64encode(arr.tobytes()).decode("ascii"),
    }


def encode(obj: Any, depth: int = 0) -> Any:
    """A JSON-ready description of ``obj`` (plain data only; other objects become :class:`Opaque`).

    Parameters
    ----------
    obj : object
        What a student's function returned.
    depth : int
        The nesting level (containers deeper than 10 levels are refused).

    Returns
    -------
    object
        Built from ``None``, ``bool``, ``int``, ``float``, ``str``, ``list`` and ``dict``.

    Raises
    ------
    DataError
        For containers nested too deeply or too large.
    """
    if depth > _MAX_DEPTH:
        raise DataError("the output is nested more than 10 levels deep")
    if obj is None or isinstance(obj, (bool, str)):
        return obj[:_MAX_TEXT] if isinstance(obj, str) else obj
    if type(obj) is int:
        return obj if abs(obj) < 2**63 else float(obj)
    if type(obj) is float:
        return obj if math.isfinite(obj) else {"$": "float", "value": repr(obj)}
    if type(obj) is complex:
        return {"$": "complex", "re": repr(obj.real), "im": repr(obj.imag)}
    if isinstance(obj, np.generic):
        return {"$": "scalar", **_array(_plain_array(np.asarray(obj)))}
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "O":
            return {"$": "objects", "items": encode(obj.tolist(), depth + 1)}
        return {"$": "ndarray", **_array(_plain_array(obj))}
    if isinstance(obj, (tuple, list)):
        if len(obj) > _MAX_ITEMS:
            raise DataError(f"the output holds {len(obj)} items (more than {_MAX_ITEMS})")
        items = [encode(x, depth + 1) for x in obj]
        return {"$": "tuple", "items": items} if isinstance(obj, tuple) else items
    return _encode_object(obj, depth)


def _plain_array(arr: np.ndarray) -> np.ndarray:
    if arr.dtype.kind not in PLAIN_KINDS:
        raise DataError(f"an array of dtype {arr.dtype} cannot be checked")
    return arr


def _encode_object(obj: Any, depth: int) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    try:
        items = list(vars(obj).items())
    except TypeError:
        items = []
    for name, value in items[:_MAX_ATTRS]:
        if not isinstance(name, str) or name.startswith("__"):
            continue
        try:
            attrs[name] = encode(value, depth + 1)
        except DataError:
            continue
    name = type(obj).__name__[:100]
    return {"$": "object", "type": name, "repr": _short_repr(obj), "attrs": attrs}


def decode(data: Any, depth: int = 0) -> Any:
    """Read back what :func:`encode` wrote, checking every node.

    Parameters
    ----------
    data : object
        Parsed JSON.
    depth : int
        The nesting level.

    Returns
    -------
    object
        Numbers, booleans, ``None``, strings, tuples, lists, NumPy arrays or scalars, and
        :class:`Opaque` records.

    Raises
    ------
    DataError
        For anything :func:`encode` does not write.
    """
    if depth > _MAX_DEPTH + 2:
        raise DataError("nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(x, depth + 1) for x in data]
    if not isinstance(data, dict):
        raise DataError(f"unexpected {type(data).__name__}")
    kind = data.get("$")
    if kind == "float":
        return _float(data.get("value"))
    if kind == "complex":
        return complex(_float(data.get("re")), _float(data.get("im")))
    if kind in ("ndarray", "scalar"):
        arr = _read_array(data)
        return arr[()] if kind == "scalar" else arr
    if kind == "objects":
        items = decode(data.get("items"), depth + 1)
        out = np.empty(len(items), dtype=object) if isinstance(items, list) else None
        if out is None:
            raise DataError("an object array must be a list")
        try:
            return np.array(items, dtype=object)
        except ValueError:
            out[:] = items
            return out
    if kind == "tuple":
        items = data.get("items")
        if not isinstance(items, list):
            raise DataError("a tuple must hold a list")
        return tuple(decode(x, depth + 1) for x in items)
    if kind == "object":
        type_name, text, attrs = data.get("type"), data.get("repr"), data.get("attrs")
        if not (isinstance(type_name, str) and isinstance(text, str) and isinstance(attrs, dict)):
            raise DataError("malformed object record")
        return Opaque(
            type_name[:100],
            text[:100],
            {str(k)[:100]: decode(v, depth + 1) for k, v in list(attrs.items())[:_MAX_ATTRS]},
        )
    raise DataError(f"unknown record {kind!r}")


def _float(text: Any) -> float:
    if not isinstance(text, str) or len(text) > 40:
        raise DataError("malformed number")
    try:
        return float(text)
    except ValueError:
        raise DataError("malformed number") from None


def _read_array(data: dict[str, Any]) -> np.ndarray:
    text, dtype, shape = data.get("bytes"), data.get("dtype"), data.get("shape")
    if not (isinstance(text, str) and isinstance(dtype, str) and len(dtype) <= 8):
        raise DataError("malformed array")
    if not (isinstance(shape, list) and len(shape) <= 32):
        raise DataError("malformed array shape")
    if not all(type(n) is int and 0 <= n for n in shape):
        raise DataError("malformed array shape")
    try:
        dt = np.dtype(dtype)
        raw = base64.b64decode(text, validate=True)
    except (TypeError, ValueError) as exc:
        raise DataError(f"malformed array ({exc})") from None
    if dt.kind not in PLAIN_KINDS or dt.itemsize == 0 or dt.names is not None:
        raise DataError("an array of an unexpected dtype")
    if len(raw) != dt.itemsize * math.prod(shape):
        raise DataError("an array whose size does not match its shape")
    return np.frombuffer(raw, dtype=dt).reshape(shape).copy()


def to_json(data: Any) -> bytes:
    """``data`` (JSON-ready) as UTF-8 bytes."""
    return json.dumps(data, allow_nan=False, separators=(",", ":")).encode("utf-8")


def from_json(payload: bytes) -> Any:
    """Parse bytes written by :func:`to_json`; raise :class:`DataError` if they are not JSON."""
    try:
        return json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise DataError(f"not JSON ({exc})") from None


def round_trip(obj: Any) -> Any:
    """``decode(encode(obj))``: what the grader's process would receive.

    Examples
    --------
    >>> round_trip((np.array([1.0, 2.0]), 3, None))
    (array([1., 2.]), 3, None)
    >>> round_trip(1 + 2j)
    (1+2j)
    """
    return decode(from_json(to_json(encode(obj))))
