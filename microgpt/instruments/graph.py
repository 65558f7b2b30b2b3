"""
graph.py: draw a small expression's computation graph.

`tree(v)` prints the graph below a Value as an indented text tree, each line
showing the op that made a node, its data and its grad. `to_dot(v)` returns the
same graph as Graphviz DOT source (paste it into any Graphviz viewer, or run
`dot -Tsvg`; producing the text needs nothing installed).

    >>> from microgpt.value import Value
    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = a * b + 1.0
    >>> c.backward()
    >>> print(tree(c, names={a: "a", b: "b"}))
    +1      data -5  grad 1
      *     data -6  grad 1
        a   data 2  grad -3
        b   data -3  grad 2

Meant for expressions of a few dozen nodes: a training step has thousands.
It reads a Value's children, op, data and grad, nothing else.
"""
from __future__ import annotations


def _label(v, names):
    return names.get(v) or v._op or "leaf"


def tree(root, names=None):
    """The graph below root as indented text; a node reached twice is shown
    once and then as '(again)'. Iterative, so deep graphs are fine."""
    names = names or {}
    lines, seen = [], set()
    stack = [(root, 0)]
    while stack:
        v, depth = stack.pop()
        label = f"{'  ' * depth}{_label(v, names)}"
        if v in seen and v._children:
            lines.append(f"{label}  (again)")
            continue
        seen.add(v)
        lines.append(f"{label:<7} data {v.data:.6g}  grad {v.grad:.6g}")
        stack.extend((c, depth + 1) for c in reversed(v._children))
    return "\n".join(lines)


def to_dot(root, names=None):
    """Graphviz DOT source: a box per Value (data, grad), an ellipse per op.

    >>> from microgpt.value import Value
    >>> print(to_dot(Value(2.0) * 3.0).splitlines()[0])
    digraph value_graph {
    """
    names = names or {}
    ids, lines = {}, ["digraph value_graph {", "  rankdir=LR;"]
    stack = [root]
    while stack:
        v = stack.pop()
        if v in ids:
            continue
        ids[v] = f"v{len(ids)}"
        stack.extend(v._children)
    for v, vid in ids.items():
        name = names.get(v, "")
        lines.append(f'  {vid} [shape=record, label="{name}{" | " if name else ""}'
                     f'data {v.data:.4g} | grad {v.grad:.4g}"];')
        if v._children:
            lines.append(f'  {vid}_op [label="{v._op}"];')
            lines.append(f"  {vid}_op -> {vid};")
            for c in v._children:
                lines.append(f"  {ids[c]} -> {vid}_op;")
    lines.append("}")
    return "\n".join(lines)
