"""Named-graph specifications shared by the Gaussian and Potts model factories.

A graph is named by its kind and parameters, either as keywords (``kind="band", width=5,
sigma=0.5``) or as one spec string: ``"band:width=5,sigma=0.5"``, or ``"sk:0.5"`` for a kind whose
main parameter has a shorthand. Unknown kinds and parameters (typos) are refused with the closest
valid name; missing required parameters are named. Torch-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from statgen._checks import check_choice


@dataclass(frozen=True)
class GraphKind:
    """Parameters of one graph kind: ``required`` names, ``optional`` names with defaults, and the
    ``shorthand`` parameter set by ``"kind:value"``."""

    required: tuple[str, ...]
    optional: dict = field(default_factory=dict)
    shorthand: str | None = None


def _number(text: str, key: str, spec: str):
    text = text.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"spec {spec!r}: parameter {key!r} must be a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"spec {spec!r}: parameter {key!r} must be finite, got {text!r}")
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def parse_graph_spec(spec: str, kinds: dict[str, GraphKind], *, what: str = "graph") -> tuple[str, dict]:
    """``"kind"``, ``"kind:value"`` (the kind's shorthand parameter) or ``"kind:k1=v1,k2=v2"`` →
    ``(kind, params)``; numbers are parsed, ``true``/``false`` are bools. The result is not yet
    checked against the kind's parameters (see :func:`check_graph_params`)."""
    if not isinstance(spec, str):
        raise TypeError(f"spec must be a string like 'sk:0.5' or 'band:width=5,sigma=0.5', got {spec!r}")
    kind, sep, rest = spec.partition(":")
    kind = kind.strip()
    check_choice(kind, what, sorted(kinds))
    params: dict = {}
    if not sep:
        return kind, params
    if not rest.strip():
        raise ValueError(f"spec {spec!r}: nothing after ':' (expected 'value' or 'name=value,...')")
    if "=" not in rest:
        short = kinds[kind].shorthand
        if short is None:
            raise ValueError(f"spec {spec!r}: {what} {kind!r} has no shorthand parameter; name them, "
                             f"e.g. '{kind}:{'=..,'.join(kinds[kind].required)}=..'")
        return kind, {short: _number(rest, short, spec)}
    for item in rest.split(","):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or not key:
            raise ValueError(f"spec {spec!r}: each parameter must look like name=value, got {item!r}")
        if key in params:
            raise ValueError(f"spec {spec!r}: parameter {key!r} is given twice")
        params[key] = _number(value, key, spec)
    return kind, params


def check_graph_params(graph: str, params: dict, kinds: dict[str, GraphKind], *,
                       what: str = "graph") -> tuple[str, dict]:
    """Resolve ``graph`` (a kind or a spec string) and keyword ``params`` into ``(kind, params)`` with
    defaults filled in; refuses unknown kinds, unknown parameters (with the closest valid name),
    parameters given twice and missing required ones."""
    if not isinstance(graph, str):
        raise TypeError(f"{what} must be a string, one of {sorted(kinds)} (or a spec like 'kind:...'), "
                        f"got {graph!r}")
    kind, from_spec = parse_graph_spec(graph, kinds, what=what)
    both = set(from_spec) & set(params)
    if both:
        raise ValueError(f"{what} {graph!r}: parameter(s) {sorted(both)} given both in the spec and as keywords")
    merged = {**from_spec, **params}
    spec = kinds[kind]
    allowed = (*spec.required, *spec.optional)
    for key in merged:
        if key not in allowed:
            import difflib

            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"{what} {kind!r} takes parameters {list(allowed)}; got unknown parameter "
                             f"{key!r}{hint}")
    missing = [k for k in spec.required if k not in merged]
    if missing:
        raise ValueError(f"{what} {kind!r} needs parameter(s) {missing} (takes {list(allowed)})")
    return kind, {**spec.optional, **merged}
