"""
value.py: a scalar autograd engine, the bottom of microgpt.

A `Value` holds one float (`data`), the gradient of the loss with respect to
it (`grad`), the Values it was computed from (`_children`) and, for each, the
local derivative d(self)/d(child) (`_local_grads`). Each op states both side
by side: its forward value and its local derivative(s).

`backward()` puts the graph in topological order (every node after the nodes
it is computed from), then walks it once from the loss down, asking each node
to pass its gradient on to its children (`_backward(g)`). For a Value that is
the chain rule, edge by edge: child.grad += local * g. Training skips the
sort: a node is always made after its children, so the order the nodes are
made in (`with recording() as tape:`) is already a topological order.

As micrograd's engine, but constants stay plain floats and the sort is
iterative (no recursion limit). fused.py adds node types for whole dot
products; such a type keeps `_children` but states its own `_backward`
instead of a list of local derivatives (a dot product's are its inputs'
data, there already). Left out on purpose: tensors, broadcasting, in-place
ops, higher derivatives.
"""
from __future__ import annotations

import contextlib
import math

_tape = None  # the list the innermost recording() is filling; None outside one
GELU_C = math.sqrt(2 / math.pi)


def is_number(x):
    """True for an int or a float (not a bool, not a string): what a Value holds."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


class Value:
    """One scalar in the computation graph.

    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = a * b + a ** 2
    >>> c
    Value(data=-2.0, grad=0.0)
    >>> c.backward()
    >>> a.grad, b.grad          # dc/da = b + 2a, dc/db = a
    (1.0, 2.0)
    """

    __slots__ = ("data", "grad", "_children", "_local_grads", "_op")

    def __init__(self, data, children=(), local_grads=(), op=""):
        self.data = data
        self.grad = 0.0
        self._children = children        # Values this one was computed from (a sequence)
        self._local_grads = local_grads  # d(self)/d(child), one per child
        self._op = op                    # what made it, for drawing the graph
        if children:
            if _tape is not None:  # inside recording(): join the tape
                _tape.append(self)
        elif data.__class__ is not float and not is_number(data):  # a leaf: made by a person
            raise TypeError(f"a Value holds one number (an int or a float), got {data!r} "
                            f"(a {type(data).__name__})")

    def __repr__(self):
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    # the primitive ops: forward value, then local derivative(s)

    def __add__(self, other):
        if isinstance(other, Value):
            return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")
        if other.__class__ is not float and not is_number(other):
            raise refused(self, "+", other)
        return Value(self.data + other, (self,), (1.0,), f"+{other:g}")  # constants stay floats

    def __mul__(self, other):
        if isinstance(other, Value):
            return Value(self.data * other.data, (self, other), (other.data, self.data), "*")
        if other.__class__ is not float and not is_number(other):
            raise refused(self, "*", other)
        return Value(self.data * other, (self,), (other,), f"*{other:g}")

    def __pow__(self, k):  # k is a plain number
        try:
            data, local = self.data ** k, k * self.data ** (k - 1)
        except (ZeroDivisionError, TypeError):  # 0 ** -1, or 0 ** 0.5's slope; k no number
            raise refused(self, "**", k) from None
        if local.__class__ is complex:  # (-8) ** (1/3): no real number
            raise refused(self, "**", k)
        return Value(data, (self,), (local,), f"**{k:g}")

    def log(self):
        if not self.data > 0:
            raise refused(self, "log", None)
        return Value(math.log(self.data), (self,), (1 / self.data,), "log")

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,), "exp")

    def relu(self):  # max(0, x), as the reference; the slope is 1 where x > 0, else 0
        on = self.data > 0
        return Value(self.data if on else 0, (self,), (1.0 if on else 0.0,), "relu")

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t * t,), "tanh")

    def sigmoid(self):  # 1 / (1 + e^-x), with e^-|x| so that no exp overflows
        e = math.exp(-abs(self.data))
        s = 1 / (1 + e) if self.data >= 0 else e / (1 + e)
        return Value(s, (self,), (s * (1 - s),), "sigmoid")

    def gelu(self):  # GPT-2's tanh form: 0.5 x (1 + t), t = tanh(c (x + 0.044715 x^3)), c = sqrt(2/pi)
        x = self.data
        t = math.tanh(GELU_C * (x + 0.044715 * (x * x * x)))
        local = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * (x * x))
        return Value(0.5 * x * (1 + t), (self,), (local,), "gelu")

    def silu(self):  # z / (1 + e^-z) = z * s, s = sigmoid(z); the slope is s + z * s * (1 - s)
        z = self.data
        e = math.exp(-z) if z > -700 else math.inf  # e^-z overflows below -709: silu is 0 there
        s = 1 / (1 + e)
        return Value(z / (1 + e), (self,), (s + z * s * (1 - s),), "silu")

    # derived ops: written with the primitives, as the reference writes them

    def __neg__(self):            # -a = a * -1
        return self * -1
    def __radd__(self, other):    # 2 + a
        return self + other
    def __sub__(self, other):     # a - b = a + (-b)
        if not isinstance(other, Value) and not is_number(other):
            raise refused(self, "-", other)
        return self + (-other)
    def __rsub__(self, other):    # 2 - a
        return other + (-self)
    def __rmul__(self, other):    # 2 * a
        return self * other
    def __truediv__(self, other):   # a / b = a * b ** -1, as the reference divides
        try:
            return self * other ** -1
        except (ZeroDivisionError, TypeError):  # b is 0, or no number
            raise refused(self, "/", other) from None
    def __rtruediv__(self, other):  # 2 / a
        return other * self ** -1

    def backward(self, tape=None):
        """Fill in .grad of every Value this one depends on (d self / d v).

        Gradients add up: call it once per graph; the optimizer resets them.
        tape: None to sort the graph first, or the list from recording().
        """
        if tape is None:
            order = topological_order(self)
        elif tape and tape[-1] is self:  # the usual case: the loss is the last node made
            order = tape
        elif self in tape:  # self and everything made before it; later nodes did not feed it
            order = tape[:tape.index(self) + 1]
        else:
            raise ValueError("backward(tape): this Value was not made inside that recording()")
        self.grad = 1.0  # d self / d self
        for node in reversed(order):
            g = node.grad
            if g:  # a zero gradient (say, behind a relu that is off) passes on nothing
                node._backward(g)

    def _backward(self, g):
        """Pass this node's gradient g = d loss / d self on to its children:
        the chain rule, child.grad += d(self)/d(child) * g, edge by edge.
        Most nodes have one child or two: those skip the loop's overhead."""
        children, local_grads = self._children, self._local_grads
        if len(children) == 1:    # a * constant, a ** k, relu, exp, log, ...
            children[0].grad += local_grads[0] * g
        elif len(children) == 2:  # a + b, a * b, a softmax output (its logit and L)
            a, b = children
            a.grad += local_grads[0] * g
            b.grad += local_grads[1] * g
        else:                     # a sum, the loss: any number of children
            for child, local in zip(children, local_grads):
                child.grad += local * g


class DivisionByZero(ValueError, ZeroDivisionError):
    """x / 0, 0 ** -1: a ValueError, as every refused op's, and Python's own ZeroDivisionError."""


def refused(x, op, other):
    """The error for x op other (x a Value) that has no Value: TypeError when
    other is no number, ValueError when the result or its slope is no real
    number. Only a refused op comes here: the ops themselves stay fast."""
    said = f"log of {x!r}" if op == "log" else f"{x!r} {op} {other!r}"
    if op != "log" and not is_number(other) and (op == "**" or not isinstance(other, Value)):
        return TypeError(f"{said}: {other!r} is not a number (an int or a float)"
                         + " or a Value" * (op != "**"))
    if op == "/" or (op == "**" and other < 0):
        return DivisionByZero(f"{said}: division by zero (1 / 0 is no number)")
    if op == "log":
        why = "the logarithm needs a number above 0"
    else:
        why = (f"its slope, {other!r} * 0 ** {other - 1!r}, is infinite at 0" if x.data == 0
               else "no real number (a negative number to a fractional power)")
    return ValueError(f"{said}: {why}")


class Data(float):
    """A plain float with what the forward pass asks of a Value, for a model
    run on plain floats (inference, no graph: fused.py computes on floats
    when given floats): .data (itself), .relu() and .gelu() (the ops above,
    on the float) and division as the reference writes it, x * n ** -1.
    Any other arithmetic is float's own and gives a plain float.

    >>> Data(11.0).data, Data(11.0) / 4, Data(-1.5).relu(), round(Data(2.0).gelu(), 4)
    (11.0, 2.75, 0.0, 1.9546)
    """

    __slots__ = ()

    @property
    def data(self):
        return float(self)

    def relu(self):
        return float(self) if self > 0 else 0.0

    def gelu(self):  # Value.gelu's forward value, the same float operations
        x = float(self)
        return 0.5 * x * (1 + math.tanh(GELU_C * (x + 0.044715 * (x * x * x))))

    def __truediv__(self, other):  # a / b = a * b ** -1, as Value divides
        return float(self) * other ** -1


@contextlib.contextmanager
def recording():
    """Within the block, every Value made from others joins a list, in order.

    Yields that list (the tape), a topological order of the graph made in
    the block: loss.backward(tape) walks it instead of sorting. Leaves and
    anything made before the block are not on it. A recording() inside
    another has a tape of its own; when it ends, its nodes join the outer
    tape, which so holds every node made while it was open.

    >>> with recording() as tape:
    ...     x = Value(3.0); y = x * x
    ...     with recording() as inner:
    ...         z = y + x
    >>> [n.data for n in inner], [n.data for n in tape]
    ([12.0], [9.0, 12.0])
    >>> z.backward(tape); x.grad      # dz/dx = 2x + 1
    7.0
    """
    global _tape
    outer, _tape = _tape, []
    tape = _tape
    try:
        yield tape
    finally:
        _tape = outer
        if outer is not None:
            outer.extend(tape)


def topological_order(root):
    """root and the non-leaf Values below it, each after all its children.

    A depth-first search with an explicit stack instead of recursion. Leaves
    (parameters, inputs) are left out: they have no gradient to pass on.

    >>> x = Value(3.0); y = x * x; z = y + x
    >>> [n.data for n in topological_order(z)]
    [9.0, 12.0]
    """
    order, seen = [], {root}
    stack = [(root, iter(root._children))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if child._children and child not in seen:
                seen.add(child)
                stack.append((child, iter(child._children)))
                break
        else:  # every child is done: node may follow them
            order.append(node)
            stack.pop()
    return order
