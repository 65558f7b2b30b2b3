"""
stream.py: the whole forward pass, stage by stage, as plain numbers.

trace.py gives what attention computed. This module gives everything else
gpt() computes for one position: the token and position embeddings, each
block's input, each norm's output, q, k and v, the heads' joint output, the
attention block's output, the residual stream after each block, the MLP's
hidden layer after its activation, and the logits, each a list of floats
under a name:

    tok_emb, pos_emb, x_emb (their sum), ln_emb,
    layer0.attn_in, layer0.ln_attn, layer0.q, layer0.k, layer0.v,
    layer0.heads, layer0.attn_out, layer0.attn_residual,
    layer0.mlp_in, layer0.ln_mlp, layer0.mlp_fc1, layer0.mlp_hidden,
    layer0.mlp_out, layer0.mlp_residual, ..., logits

It watches gpt() the way a debugger does (sys.settrace): after each line of
gpt() that assigns one of those names, the value it assigned is copied out.
gpt() has no line for it, so what is recorded is exactly what training
computes, for every variant (a variant's line that changes nothing, say the
pre-LN norm of a post-LN model, records nothing; post-LN's norm after the
residual records `ln_attn`, `ln_mlp` after `attn_residual`, `mlp_residual`).
The names come from the lines of gpt()'s source, matched by STAGES below: a
test checks that every assignment in gpt() is matched.

Builds on model.py (the gpt() it watches). Left out on purpose: the
encoder's whole-sequence pass and the other architectures (trace.py shows
their attention).
"""
from __future__ import annotations

import functools
import inspect
import math
import sys

from .model import gpt

STAGES = (  # (what a line of model.gpt() contains, the name of what it assigns)
    ("tok_emb = ", "tok_emb"),
    ("pos_emb = ", "pos_emb"),
    ("x = [t + p ", "x_emb"),           # the joint embedding
    ('"ln_emb"', "ln_emb"),
    ("x_residual = x", "{block}_in"),   # the block's input, kept for the residual
    ('"ln_attn"', "ln_attn"),
    ('"attn_wq"', "q"),
    ('"attn_wk"', "k"),
    ('"attn_wv"', "v"),
    ("x_attn = ", "heads"),             # the heads' outputs, concatenated
    ('"attn_wo"', "attn_out"),          # the attention block's output
    ("x = [a + b ", "{block}_residual"),  # the residual stream after the block
    ('"ln_mlp"', "ln_mlp"),
    ('"mlp_fc1"', "mlp_fc1"),
    (".relu()", "mlp_hidden"),          # after the activation, relu or GELU
    ('"mlp_fc2"', "mlp_out"),
    ("logits = ", "logits"),
)


@functools.lru_cache(maxsize=None)  # gpt()'s source does not change while it runs
def gpt_lines():
    """{line number in model.py: (variable, stage name, inside the layer
    loop?)} for each line of gpt() that STAGES names. A name inside the
    loop gets its layer, "layer{li}.", when its line runs."""
    source, first = inspect.getsourcelines(gpt)
    lines, block, loop_indent = {}, None, None
    for number, line in enumerate(source, first):
        text, indent = line.split("#")[0], len(line) - len(line.lstrip())
        if text.strip().startswith("for li in"):
            loop_indent = indent
        elif loop_indent is not None and text.strip() and indent <= loop_indent:
            loop_indent = -1  # past the loop
        if "attention block" in line:
            block = "attn"
        elif "MLP block" in line:
            block = "mlp"
        for needle, name in STAGES:
            if needle in text and " = " in text:
                in_loop = loop_indent is not None and indent > loop_indent >= 0
                lines[number] = (text.split(" = ")[0].strip(), name.format(block=block), in_loop)
                break
    return lines


def watch(token_id, pos_id, keys, values, params, config, records=None):
    """gpt(...) run under watch: (its logits, {stage name: floats}) in the
    order the stages ran."""
    lines, stages = gpt_lines(), {}
    pending = []  # (variable, name, in the loop?, the object the variable held before its line ran)

    def flush(local):  # record what a finished line assigned
        for entry in list(pending):
            var, name, in_loop, before = entry
            now = local.get(var)
            if now is not None and now is not before:  # the line changed it
                pending.remove(entry)
                name = f"layer{local['li']}.{name}" if in_loop else name
                stages[name] = [v if isinstance(v, float) else v.data for v in now]

    def in_gpt(frame, event, arg):
        local = frame.f_locals
        flush(local)
        if event == "line" and frame.f_lineno in lines:
            var, name, in_loop = lines[frame.f_lineno]
            pending[:] = [entry for entry in pending if entry[0] != var]  # a variant's no-op line
            pending.append((var, name, in_loop, local.get(var)))
        return in_gpt

    def on_call(frame, event, arg):
        return in_gpt if frame.f_code is gpt.__code__ else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        logits = gpt(token_id, pos_id, keys, values, params, config, records)
    finally:
        sys.settrace(previous)
    return logits, stages


def rms(xs):
    """sqrt(mean(x_i^2)): a vector's size, whatever its length.

    >>> rms([3.0, -3.0, 3.0, -3.0])
    3.0
    """
    return math.sqrt(sum(x * x for x in xs) / len(xs))


def rms_lines(positions):
    """inspect --stream: one row per stage, one column per position, the RMS
    of what that stage computed there."""
    names = list(positions[0].stream)
    width = max(len(n) for n in names)
    head = " " * width + "  size " + "".join(f"{p.token[:7]:>8}" for p in positions)
    rows = [head]
    for name in names:
        size = len(positions[0].stream[name])
        rows.append(f"{name:<{width}}  {size:>4} " +
                    "".join(f"{rms(p.stream[name]):8.3f}" for p in positions))
    return rows
