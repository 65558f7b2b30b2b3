"""
floats.py: the engine on plain floats: `Data`, a float that answers what
the forward pass asks of a Value.

Given plain floats instead of Values (a model read for inference, its
weights held compactly: plumbing/model_folder.py, docs/gpt2.md), fused.py's
dot, dots, vsum and softmax compute the same sums with no graph; their
results are Data (microgpt/__init__.py sets fused.Data to it), so gpt()
runs unchanged: .data, .relu(), .gelu() and division as a Value has them,
with the very same float operations.

Builds on value.py (GELU_C). Left out on purpose: gradients (no graph is
made), and every op gpt() does not ask for (those are float's own).
"""
from __future__ import annotations

import math

from ..value import GELU_C


class Data(float):
    """A plain float with what the forward pass asks of a Value, for a model
    run on plain floats (inference, no graph: fused.py computes on floats
    when given floats): .data (itself), .relu() and .gelu() (Value's ops,
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
