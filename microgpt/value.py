"""
value.py: a scalar autograd engine, the bottom of microgpt.

A `Value` holds one float (`data`), the gradient of the loss with respect to it
(`grad`), the Values it was computed from (`_children`) and, for each child,
the local derivative d(self)/d(child) (`_local_grads`). `backward()` orders the
graph so that every node comes after the nodes it feeds, then walks it once
from the loss down, applying the chain rule: child.grad += local * node.grad.

Ordering the graph. `topological_order` sorts it: a depth-first search that
visits every edge. There is a cheaper way when you know in advance which
graph you will differentiate: a node is always made after the nodes it is
computed from, so the order the nodes were made in is already a topological
order. Inside `with recording() as tape:` every node made joins the list
`tape` as it is made, and `loss.backward(tape)` walks that list instead of
sorting. The training loop does this every step (the sort would add about
15% to a step; python -m microgpt.bench shows it); anywhere else,
`backward()` sorts. The two orders may add up a node's incoming gradients
in a different order, which can move the last bit of a gradient (about
1e-16), never a printed figure.

Every other module builds on this one: the model is written with Values, the
optimizer reads `.grad` and writes `.data`.

Fused nodes. The plain ops (+, *, **, log, exp, relu) make one node per
arithmetic step, exactly as in micrograd: a dot product of n pairs is 2n
nodes (n multiplies, n adds). A few helpers below build one node for a whole
small computation instead, with the same local derivatives written out by
hand; a training step of the default model then needs about 3,000 nodes
(python -m microgpt.bench counts):

    dot(ws, xs)          w0*x0 + w1*x1 + ...  (one node, not 2n)
    dots(rows, xs)       one dot per row: a linear layer
    vsum(xs)             x0 + x1 + ...        (one node, not n)
    softmax(logits)      one node per output, each with all logits as children
    cross_entropy(logits, target)   -log(softmax(logits)[target]) as one node

They compute the forward value with the very same float operations in the same
order as the plain ops would (left folds starting from 0, division written as
multiplication by x ** -1), so a model built from them prints the same numbers;
they only make fewer, larger nodes. See examples/naive_gpt.py for the
one-node-per-op engine they replace.

Left out on purpose: tensors, broadcasting, in-place ops, gradients of
gradients.
"""
from __future__ import annotations

import contextlib
import math


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

    __slots__ = ("data", "grad", "_children", "_local_grads", "_op", "_visited")

    def __init__(self, data, children=(), local_grads=(), op=""):
        self.data = data
        self.grad = 0.0
        self._children = children        # Values this one was computed from (a sequence)
        self._local_grads = local_grads  # d(self)/d(child), one per child
        self._op = op                    # what made it, for drawing the graph
        self._visited = not children     # topological_order's mark: a leaf never needs a visit
        if children and _tape is not None:  # inside recording(): join the tape
            _tape.append(self)

    def __repr__(self):
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    # ---------------------------------------------------------------------
    # the primitive ops: forward value, then local derivative(s)

    def __add__(self, other):
        if isinstance(other, Value):
            return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")
        return Value(self.data + other, (self,), (1.0,), f"+{other:g}")  # constants stay floats

    def __mul__(self, other):
        if isinstance(other, Value):
            return Value(self.data * other.data, (self, other), (other.data, self.data), "*")
        return Value(self.data * other, (self,), (other,), f"*{other:g}")

    def __pow__(self, k):  # k is a plain number
        return Value(self.data ** k, (self,), (k * self.data ** (k - 1),), f"**{k:g}")

    def log(self):
        return Value(math.log(self.data), (self,), (1 / self.data,), "log")

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,), "exp")

    def relu(self):
        return Value(max(0, self.data), (self,), (float(self.data > 0),), "relu")

    # ---------------------------------------------------------------------
    # derived ops: written with the primitives, as the reference writes them

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1

    # ---------------------------------------------------------------------
    # backpropagation

    def backward(self, tape=None):
        """Fill in .grad of every Value this one depends on (d self / d v).

        Gradients add up, so call it once per fresh graph and reset the
        leaves' .grad to 0 before the next one (the optimizer does).
        tape: None to sort the graph first; or the list from recording(),
        which must hold every node this one was computed from.
        """
        if tape is None:
            order = topological_order(self)
        elif not self._children:
            order = []  # a leaf: nothing to pass a gradient on to
        else:
            try:  # self and all made before it; later nodes did not feed it
                order = tape[:tape.index(self) + 1]
            except ValueError:
                raise ValueError("backward(tape): this Value was not made inside that "
                                 "recording()") from None
        self.grad = 1.0  # d self / d self
        for node in reversed(order):
            g = node.grad
            if g:  # a zero gradient (say, behind a relu that is off) passes on nothing
                for child, local in zip(node._children, node._local_grads):
                    child.grad += local * g


_tape = None  # the list the innermost recording() is filling; None outside one


@contextlib.contextmanager
def recording():
    """Within the block, every Value made from others joins a list, in order.

    Yields that list (the tape): a topological order of every graph made in
    the block, since a node is made after its children. loss.backward(tape)
    walks it instead of sorting. Leaves (parameters, inputs) are not on it,
    nor is anything made before the block, so make the whole graph inside.

    >>> with recording() as tape:
    ...     x = Value(3.0); y = x * x; z = y + x
    >>> [n.data for n in tape]
    [9.0, 12.0]
    >>> z.backward(tape); x.grad      # dz/dx = 2x + 1
    7.0
    """
    global _tape
    tape = []
    outer, _tape = _tape, tape
    try:
        yield tape
    finally:
        _tape = outer
        if outer is not None:  # a recording inside another: its nodes are the outer one's too
            outer.extend(tape)


def topological_order(root):
    """The non-leaf Values reachable from root, each after all its children.

    An iterative depth-first search: an explicit stack instead of recursion, so
    a deep model cannot hit Python's recursion limit. Leaves (parameters,
    inputs) are left out: they have nothing to pass a gradient on to.

    The search visits every edge of the graph, so it marks visited nodes on
    the nodes themselves (a flag read is cheaper than a lookup in a set of
    seen nodes). Leaves are born marked; the marks it sets come off when it
    is done, even if it is interrupted, so the same graph can be sorted again.

    >>> x = Value(3.0); y = x * x; z = y + x
    >>> [n.data for n in topological_order(z)]
    [9.0, 12.0]
    """
    order, stack = [], []
    try:
        stack.append((root, iter(root._children)))
        root._visited = True
        while stack:
            node, children = stack[-1]
            for child in children:
                if not child._visited:
                    stack.append((child, iter(child._children)))
                    child._visited = True
                    break
            else:  # every child is done: node may follow them
                order.append(node)
                stack.pop()
    finally:  # unmark every node it marked (on the stack if interrupted), all but leaves
        for node in order + [node for node, _ in stack]:
            node._visited = not node._children
    return order


# -------------------------------------------------------------------------
# fused nodes: one node for a whole small computation, same float operations


def dot(ws, xs):
    """w0*x0 + w1*x1 + ... as one node; d/dw_i = x_i, d/dx_i = w_i.

    Adds left to right from 0, like Python's sum() over Values; sum() over
    plain floats would not do (since 3.12 it rounds differently).

    >>> dot([Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)])
    Value(data=11.0, grad=0.0)
    """
    return _dot(ws, xs, [x.data for x in xs])


def dots(rows, xs):
    """[dot(row, xs) for row in rows], reading the data of xs once for all rows.

    This is a linear layer: one dot node per row of the weight matrix, every
    row against the same input vector xs.

    >>> [y.data for y in dots([[Value(1.0), Value(0.0)], [Value(2.0), Value(3.0)]],
    ...                       [Value(5.0), Value(7.0)])]
    [5.0, 31.0]
    """
    xd = [x.data for x in xs]  # (n_in,): also the local grads of every row's weights
    return [_dot(ws, xs, xd) for ws in rows]


def _dot(ws, xs, xd):
    """dot(ws, xs), given xd = the data of xs."""
    wd, acc = [], 0.0
    for w, x_data in zip(ws, xd):  # one pass: sum, and keep w's data as local grads
        w_data = w.data
        wd.append(w_data)
        acc += w_data * x_data
    return Value(acc, [*ws, *xs], xd + wd, "dot")


def vsum(xs):
    """x0 + x1 + ... as one node; every local derivative is 1.

    >>> vsum([Value(1.0), Value(2.0), Value(3.0)])
    Value(data=6.0, grad=0.0)
    """
    acc = 0.0
    for x in xs:
        acc += x.data
    return Value(acc, tuple(xs), (1.0,) * len(xs), "sum")


def softmax_data(zs):
    """softmax of plain floats, with the reference's float operations.

    exp(z - max) / total, where dividing is multiplying by total ** -1.

    >>> softmax_data([0.0, 0.0])
    [0.5, 0.5]
    """
    max_z = max(zs)
    exps = [math.exp(z + -max_z) for z in zs]
    total = 0.0
    for e in exps:
        total += e
    inv_total = total ** -1
    return [e * inv_total for e in exps]


def softmax(logits):
    """Softmax over Values: one node per output p_i, children all the logits.

    Local derivatives: d p_i / d z_j = p_i * (1[i == j] - p_j). That is n*n
    numbers for n logits, against the 3n + 2 nodes (sub, exp, sum, pow, mul)
    of the unfused version; for the short rows of attention that is a win.

    >>> [round(p.data, 4) for p in softmax([Value(1.0), Value(2.0), Value(3.0)])]
    [0.09, 0.2447, 0.6652]
    """
    probs = softmax_data([z.data for z in logits])
    children = tuple(logits)
    return [
        Value(p_i, children, [p_i * ((i == j) - p_j) for j, p_j in enumerate(probs)], "softmax")
        for i, p_i in enumerate(probs)
    ]


def cross_entropy(logits, target):
    """-log(softmax(logits)[target]) as one node; d/dz_j = p_j - 1[j == target].

    >>> round(cross_entropy([Value(0.0), Value(0.0)], 1).data, 6)   # -log(1/2)
    0.693147
    """
    probs = softmax_data([z.data for z in logits])
    loss = -math.log(probs[target])
    local = [p - (j == target) for j, p in enumerate(probs)]
    return Value(loss, tuple(logits), local, "cross_entropy")
