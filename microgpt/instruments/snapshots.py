"""
snapshots.py: what a trace holds (readout.py makes them): a Head, what one
head computed at one position (`q_h`, `k_h`, `v_h`, `attn_logits`,
`attn_weights`, `head_out`, as plain floats, and where it was); a Position,
every head at one token, the next-token probabilities and the forward
pass's other vectors by name (stages.py's stream); and floats, the Values'
numbers taken out of the graph.

Builds on no other module. Leaves out running the model, and the Trace of
a text's Positions that it returns (a notebook draws it): readout.py's.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(repr=False)
class Head:
    """What one head computed at one position; plain floats, shapes in comments.
    trace() also says where it was (layer, head, pos, token) and which token
    each key position holds (keys), for the repr; built by hand they are None."""
    q_h: list           # (head_dim,) this position's query
    k_h: list           # (T, head_dim) keys of positions 0..t
    v_h: list           # (T, head_dim) values of positions 0..t
    attn_logits: list   # (T,) q_h . k_h[t] / sqrt(head_dim) (unscaled with --no-attention-scale)
    attn_weights: list  # (T,) softmax of the logits: sums to 1
    head_out: list      # (head_dim,) sum over t of attn_weights[t] * v_h[t]
    layer: int = None   # where: layer, head, position and the token read there
    head: int = None
    pos: int = None
    token: str = None
    keys: list = None   # (T,) the token at each key position, attn_weights' labels

    def __repr__(self):
        """Head(layer 0, head 2, at 3 'm': attn_weights {'<BOS>': 0.24, 'e': 0.27, ...}, ...)"""
        r = lambda xs: "[" + ", ".join(f"{x:.4f}" for x in xs) + "]"
        if self.keys is None:
            return (f"Head(q_h={r(self.q_h)}, attn_logits={r(self.attn_logits)}, "
                    f"attn_weights={r(self.attn_weights)}, head_out={r(self.head_out)})")
        weights = ", ".join(f"{k!r}: {w:.4f}" for k, w in zip(self.keys, self.attn_weights))
        return (f"Head(layer {self.layer}, head {self.head}, at {self.pos} {self.token!r}: "
                f"attn_weights {{{weights}}}, attn_logits={r(self.attn_logits)}, "
                f"q_h={r(self.q_h)}, head_out={r(self.head_out)})")


@dataclass(repr=False)
class Position:
    pos: int
    token: str          # the character read here ('<BOS>' for the start)
    layers: list        # layers[layer][head] -> Head
    next_probs: dict    # next character ('<BOS>' = end) -> probability
    stream: dict = field(default_factory=dict)  # stage name -> floats: the whole forward pass (stages.py)
    id: int = None      # the token's id
    probs: list = None  # (vocab_size,) next_probs by id (labels may repeat: GPT-2's cut bytes)

    def top(self, k=5):
        """The k likeliest next characters, as (character, probability)."""
        return sorted(self.next_probs.items(), key=lambda kv: -kv[1])[:k]

    def __repr__(self):
        best = ", ".join(f"{c!r}: {p:.3f}" for c, p in self.top(3))
        return f"Position({self.pos}, reads {self.token!r}, next: {best}, ...)"


def floats(xs):
    """The .data of a list of Values, or of a list of such lists, as floats
    (floats, where a mask hid a key, stay as they are)."""
    return [floats(x) if isinstance(x, list) else x if isinstance(x, float) else x.data for x in xs]
