"""Blazar-style JSON property filters for hosts.

An expression is a JSON list:

* comparison ``[op, "$name", value]`` with op one of ``==`` (or ``=``),
  ``!=``, ``<``, ``<=``, ``>``, ``>=``; and ``["in", "$name", v1, v2, ...]``.
  Values are scalars: string, number or boolean.
* ``["and", e, ...]`` and ``["or", e, ...]`` (at least one operand) and
  ``["not", e]`` (exactly one).
* ``None``, ``''``, ``'[]'`` and ``[]`` mean "match every host".

Rules when comparing a host's value with a filter value:

* If both are numbers (int, float or a numeric string such as ``" 8 "``)
  they compare as numbers, so ``"10" > "9"``.
* Otherwise, for ``==``, ``!=`` and ``in``, boolean-like values
  (``true``, ``"True"``, ``"FALSE"``...) compare as booleans.
* Anything else compares as text; an ordering between a number and a
  non-numeric string is simply false.
* A host without the property (or with a null value) matches no comparison
  on it, not even ``!=``; ``not`` of such a comparison therefore matches.
* A host's properties are a mapping (``None``: no properties). Anything else,
  or a value or mapping that raises, is a caller's bug: ``matches`` raises,
  it never answers False for it.

Expressions are compiled into closures once, so matching is cheap.
"""

import functools
import json
import math
import operator
import re
from collections.abc import Mapping

from placement_ext import blazar_words
from placement_ext import exception

MAX_DEPTH = 32
MAX_NODES = 1000

_ORDERINGS = {'<': operator.lt, '<=': operator.le,
              '>': operator.gt, '>=': operator.ge}
_EQUALITIES = {'==': False, '=': False, '!=': True}
_LOGICAL = ('and', 'or', 'not')
_OPERATORS = '==, =, !=, <, <=, >, >=, in, and, or, not'
_NUMBER_RE = re.compile(r'[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)'
                        r'(?:[eE][+-]?[0-9]+)?')
_FLOAT_CHARS = frozenset('.eE')
_BOOLEANS = {'true': True, 'false': False}


def _as_number(value):
    """Return value as an int or finite float, or None if not numeric."""
    kind = type(value)   # exact type checks first: this runs per host
    if kind is str:
        return _parse_number(value)
    if kind is int:
        return value
    if kind is bool:
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return _parse_number(str(value))
    return None


@functools.lru_cache(maxsize=4096)
def _parse_number(text):
    """Parse a numeric string such as ' 8 ', '-1.5' or '1e3', else None."""
    text = text.strip()
    if not _NUMBER_RE.fullmatch(text):
        return None
    if _FLOAT_CHARS.isdisjoint(text):
        try:
            return int(text)
        except ValueError:   # more digits than int() accepts
            return None
    number = float(text)
    return number if math.isfinite(number) else None


def _as_bool(value):
    """Return True/False for a boolean or a true/false string, else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _BOOLEANS.get(value.strip().lower())
    return None


def _as_text(value):
    """Return value as text (booleans as 'true'/'false')."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, str):
        return value
    return str(value)


def _equality(name, values, negate):
    """Compile 'property equals one of values' (negated for '!=')."""
    numbers = frozenset(n for n in map(_as_number, values) if n is not None)
    booleans = frozenset(b for b in map(_as_bool, values) if b is not None)
    texts = frozenset(map(_as_text, values))

    def run(props):
        value = props.get(name)
        if value is None:
            return False
        number = _as_number(value)
        if number is not None:
            return (number in numbers) != negate
        flag = _as_bool(value)
        if flag is not None:
            return (flag in booleans) != negate
        return (_as_text(value) in texts) != negate
    return run


def _ordering(name, compare, literal):
    """Compile an ordering: numeric if both sides are numbers, else text."""
    number = _as_number(literal)
    text = _as_text(literal)

    def run(props):
        value = props.get(name)
        if value is None:
            return False
        host_number = _as_number(value)
        if number is not None or host_number is not None:
            return (number is not None and host_number is not None and
                    compare(host_number, number))
        return compare(_as_text(value), text)
    return run


def _junction(fns, decisive):
    """Compile AND (decisive=False) or OR (decisive=True).

    The first operand whose result equals ``decisive`` decides the answer;
    otherwise the answer is the opposite.
    """
    if len(fns) == 1:
        return fns[0]

    def run(props):
        for fn in fns:
            if fn(props) is decisive:
                return decisive
        return not decisive
    return run


def _show(node):
    """Short JSON-ish rendering of node for error messages."""
    try:
        text = json.dumps(node)
    except (TypeError, ValueError):
        text = repr(node)
    return text if len(text) <= 100 else text[:97] + '...'


class _Compiler(object):
    """Validates an expression and turns it into a closure."""

    def __init__(self, field, known_properties):
        self.field = field
        self.known = (None if known_properties is None
                      else frozenset(known_properties))
        self.nodes = 0
        self.properties = set()

    def error(self, reason):
        return exception.InvalidInput(self.field, reason)

    def count(self, n=1):
        """Count nodes, refusing expressions larger than MAX_NODES."""
        self.nodes += n
        if self.nodes > MAX_NODES:
            raise self.error('expression is too large (more than %d terms)'
                             % MAX_NODES)

    def compile(self, node, depth=1):
        """Return (closure, normalized copy) for one expression node."""
        if depth > MAX_DEPTH:
            raise self.error('expression is nested deeper than %d levels'
                             % MAX_DEPTH)
        if not isinstance(node, list):
            raise self.error('expected an expression list, got %s'
                             % _show(node))
        if not node:
            raise self.error('empty expression []')
        self.count()
        op = node[0]
        if not isinstance(op, str):
            raise self.error('operator must be a string, got %s in %s'
                             % (_show(op), _show(node)))
        if op in _LOGICAL:
            return self.logical(op, node, depth)
        if op in _ORDERINGS or op in _EQUALITIES or op == 'in':
            return self.comparison(op, node)
        raise self.error('unknown operator %r (expected one of: %s)'
                         % (op, _OPERATORS))

    def logical(self, op, node, depth):
        """Compile and/or (one or more operands) and not (exactly one)."""
        operands = node[1:]
        if op == 'not' and len(operands) != 1:
            raise self.error("'not' takes exactly one expression: %s"
                             % _show(node))
        if not operands:
            raise self.error('%r needs at least one expression' % op)
        compiled = [self.compile(child, depth + 1) for child in operands]
        fns = tuple(fn for fn, _ in compiled)
        copy = [op] + [expr for _, expr in compiled]
        if op == 'not':
            return (lambda props: not fns[0](props)), copy
        return _junction(fns, op == 'or'), copy

    def comparison(self, op, node):
        """Compile [op, "$name", value] or ["in", "$name", v1, ...]."""
        if op == 'in' and len(node) < 3:
            raise self.error("'in' needs a property and at least one value: "
                             "%s" % _show(node))
        if op != 'in' and len(node) != 3:
            raise self.error('comparison needs a property and a value: %s'
                             % _show(node))
        name = self.property_name(node[1], node)
        values = node[2:]
        self.count(len(values))
        for value in values:
            if not isinstance(value, (str, int, float, bool)):
                raise self.error('value must be a string, number or '
                                 'boolean, got %s in %s'
                                 % (_show(value), _show(node)))
        if op in _ORDERINGS:
            fn = _ordering(name, _ORDERINGS[op], values[0])
        else:
            fn = _equality(name, values, _EQUALITIES.get(op, False))
        return fn, [op, node[1]] + list(values)

    def property_name(self, ref, node):
        """Check a '$name' reference and return the bare name."""
        if not isinstance(ref, str) or len(ref) < 2 or ref[0] != '$':
            raise self.error("property must be a string like '$name', "
                             "got %s in %s" % (_show(ref), _show(node)))
        name = ref[1:]
        if self.known is not None and name not in self.known:
            raise self.error('unknown property %r' % ref)
        self.properties.add(name)
        return name


class PropertyFilter(object):
    """A compiled filter: ``matches(properties)``."""

    __slots__ = ('expression', 'properties', '_fn')

    def __init__(self, expression, properties, fn):
        self.expression = expression
        self.properties = frozenset(properties)
        self._fn = fn

    @property
    def is_empty(self):
        """True when the filter matches every host."""
        return self._fn is None

    def matches(self, properties):
        """Whether a host with these properties (a mapping, or None for
        none) passes the filter; TypeError for anything else."""
        if self._fn is None:
            return True
        if properties is None:
            properties = {}
        elif not isinstance(properties, Mapping):
            raise TypeError('host properties must be a mapping, not %s'
                            % type(properties).__name__)
        return bool(self._fn(properties))

    def __repr__(self):
        return 'PropertyFilter(%s)' % _show(self.expression)


def _decode(expression, field):
    """Turn a JSON string (or decoded value) into a Python value."""
    if not isinstance(expression, str):
        return expression
    if not expression.strip():
        return []
    try:
        return json.loads(expression)
    except (ValueError, RecursionError) as exc:
        raise exception.InvalidInput(
            field, 'not valid JSON: %s' % exc,
            message=blazar_words.malformed_requirements(
                expression if len(expression) <= 100
                else expression[:97] + '...')) from None


def parse(expression, field, known_properties=None):
    """Parse and compile a filter, raising InvalidInput(field, ...)."""
    decoded = [] if expression is None else _decode(expression, field)
    if not isinstance(decoded, list):
        raise exception.InvalidInput(
            field, 'must be a JSON list, got %s' % _show(decoded),
            message=blazar_words.malformed_requirements(_show(decoded)))
    if not decoded:
        return PropertyFilter([], (), None)
    compiler = _Compiler(field, known_properties)
    fn, copy = compiler.compile(decoded)
    return PropertyFilter(copy, compiler.properties, fn)


def combine(*filters):
    """AND several filters into one; empty filters are ignored."""
    active = [f for f in filters if not f.is_empty]
    if not active:
        return PropertyFilter([], (), None)
    if len(active) == 1:
        return active[0]
    expression = ['and']
    for f in active:
        expr = f.expression
        expression.extend(expr[1:] if expr[0] == 'and' else [expr])
    properties = frozenset().union(*(f.properties for f in active))
    return PropertyFilter(expression, properties,
                          _junction(tuple(f._fn for f in active), False))
