"""
explore.py: the command `python -m microgpt explore MODEL.json --html
attention.html`: one web page to look inside your own model.

The page is one file with no network and no build step: the checkpoint's
weights as JSON and a JavaScript forward pass of the same GPT
(pages/explore.js, each function named after the Python one it mirrors,
with the same float operations). A learner opens it in a browser and types:
every layer and head's attention appears as a heatmap (hover a cell for its
weight and its query and key tokens), with the next-token probabilities at
the picked position, the residual stream's size (RMS) after each stage, and
a sampler whose seed gives the same draws as Python's random.Random(seed).
The tests check the page's numbers against readout.py's in a real browser.

The page's data has a "mode". "weights": the model runs in the page. "traces":
the page holds only the traces of the --text values, computed here by the
library (--traces), always for a model folder (GPT-2's 500 MB of weights
would not fit) and for the models the page has no forward pass of: a
GPT that reads the whole sequence (--causal-mask off, --pad-to) and the
classifier (trace_whole; its classes by bert.py), the recurrent
models (no attention: each position's next-token probabilities,
trace_recurrent) and the encoder-decoder (what it wrote and its three kinds
of attention, per layer and head: three_kinds.py, its kinds; a GRU
encoder-decoder's Bahdanau weights, or none): page_traces.py. Beside the
heatmaps, their key: terminal.heatmap_key's, as inspect prints it.

Builds on config.py, params.py, readout.py, checkpoint.py, cli.py, drawing.py
(escape), model_folder.py, page_traces.py and terminal.py (the key). Left out on purpose:
any library or network fetch in the page, and checkpoints over MAX_BYTES of
weights, which would make a page too heavy to open comfortably.
"""
from __future__ import annotations

import json
import os
import re
import sys
from importlib import resources

from ..config import RECURRENT
from ..params import param_count
from ..plumbing import cli
from ..plumbing.drawing import escape  # a title: its controls and bidi characters as codes
from ..plumbing.checkpoint import CheckpointError
from ..plumbing.model_folder import open_model
from ..plumbing.page_traces import traced, traces, whole
from ..plumbing.terminal import LOOK_FOR, SAME_AS, heatmap_key
from ..instruments.readout import check_readable

PROG = "python -m microgpt explore"
MAX_BYTES = 20_000_000  # the weights as JSON in the page
WHAT = {"classifier": "a classifier", "seq2seq": "an encoder-decoder", "rnn": "an RNN",
        "gru": "a GRU", "lstm": "an LSTM", "gpt": "a GPT that reads the whole sequence",
        "mlm": "a masked language model",
        "folder": "a model folder (GPT-2's weights would not fit in a page)"}


def asset(name):
    """A file of microgpt/pages/ as text."""
    return resources.files("microgpt").joinpath("pages", name).read_text(encoding="utf-8")


def summary(state, source):
    """One line about the model, for the page's header."""
    c = state.config
    if c.model in RECURRENT:
        return (f"{source}: step {state.step}, {param_count(c):,} parameters; {c.model}, "
                f"n_embd {c.n_embd}, block {c.block_size}, {c.tokenizer} tokenizer of "
                f"{c.vocab_size} tokens; no attention")
    if c.model == "seq2seq" and c.arch != "transformer":  # bottleneck.py, bahdanau.py
        how = {"gru": "no attention", "gru-attention": f"Bahdanau attention, {c.score} score"}
        return (f"{source}: step {state.step}, {param_count(c):,} parameters; a GRU "
                f"encoder-decoder" + f" trained to {c.task}" * bool(c.task) + f", n_embd "
                f"{c.n_embd}, block {c.block_size}, {c.vocab_size} tokens; {how[c.arch]}")
    variants = [c.norm, c.activation, f"{c.position} positions", f"{c.norm_placement}-norm"]
    variants += ["tied weights"] * c.tie_weights + ["no residual"] * (not c.residual)
    variants += ["no attention scale"] * (not c.attention_scale) + ["biases"] * c.bias
    variants += ["a final norm"] * c.final_norm + ["no embedding norm"] * (not c.embedding_norm)
    variants += [f"{c.kv_heads} key/value heads"] * bool(c.kv_heads)
    variants += ["no causal mask"] * (not c.causal_mask) + [f"padded to {c.pad_to}"] * bool(c.pad_to)
    if c.model == "classifier":
        variants.insert(0, f"a classifier of {len(state.classes)} classes ({', '.join(state.classes)})")
    elif c.model == "seq2seq":  # n_layer encoder layers and n_layer decoder layers
        variants.insert(0, "an encoder-decoder" + f" trained to {c.task}" * bool(c.task))
    return (f"{source}: step {state.step}, {param_count(c):,} parameters; n_layer {c.n_layer}, "
            f"n_head {c.n_head}, n_embd {c.n_embd}, block {c.block_size}, {c.tokenizer} tokenizer "
            f"of {c.vocab_size} tokens; {', '.join(variants)}")


def weights(state):
    """name -> matrix of floats."""
    return {name: [[p.data for p in row] for row in matrix] for name, matrix in state.params.items()}


def needs_traces(config):
    """True for the models the page has no forward pass of: only traces."""
    return config.model != "gpt" or whole(config)


def page_data(state, texts, source, mode="weights"):
    """Everything the page reads, as a JSON-ready dict."""
    tok = state.tokenizer
    data = {"format": "microgpt-explore", "version": 1, "mode": mode,
            "model": state.config.model, "summary": summary(state, source),
            "config": {k: getattr(state.config, k) for k in (
                "n_embd", "n_head", "n_layer", "block_size", "vocab_size", "norm", "activation",
                "position", "tie_weights", "norm_placement", "residual", "attention_scale",
                "bias", "final_norm", "embedding_norm", "temperature", "causal_mask", "pad_to",
                "arch")},
            "texts": texts, "bos_first": state.tokenizer.starts_with_bos,
            # each kind of attention's key, as the terminal's heatmaps carry it
            "keys": {kind: heatmap_key(kind, page=True) for kind in {**LOOK_FOR, **SAME_AS}}}
    if mode == "weights":
        data["tokenizer"] = {"kind": state.config.tokenizer, "chars": tok.chars,
                             "merges": [list(pair) for pair in getattr(tok, "merges", [])],
                             # the alphabet's characters bpe.split_words's \s matches
                             "whitespace": [ch for ch in tok.chars if re.fullmatch(r"\s", ch)]}
        data["weights"] = weights(state)
    else:
        data["traces"] = traces(state, texts, PROG)
    return data


def page(state, texts, source, mode="weights"):
    """The whole HTML page, as text."""
    data = json.dumps(page_data(state, texts, source, mode), separators=(",", ":"))
    data = data.replace("<", "\\u003c")  # nothing in the JSON can end its <script> element
    script = "\n".join(map(asset, ("explore.js", "explore_seq2seq.js", "explore_view.js")))
    html = asset("explore.html")
    for key, value in (("__TITLE__", escape(source)), ("__SCRIPT__", script),
                       ("__DATA__", data)):
        html = html.replace(key, value, 1)
    return html


def weights_size(state):
    """How many bytes the weights take as JSON in the page."""
    return len(json.dumps(weights(state), separators=(",", ":")))


def main(argv=None):
    p = cli.ArgumentParser(prog=PROG, description=(
        "Write one self-contained web page that runs your model as you type: every head's "
        "attention, the next-token probabilities, the residual stream, sampling."))
    p.add_argument("checkpoint", help="a checkpoint from python -m microgpt.train --out, or a "
                                      "model folder (Hugging Face's GPT-2, or one export wrote): "
                                      "its page holds the traces of the --text values")
    p.add_argument("--html", metavar="FILE", required=True, help="the page to write")
    p.add_argument("--text", action="append", default=None, metavar="TEXT",
                   help="a text to show first (repeatable; default: emma, when the model can "
                        "read it; a page of traces needs at least one)")
    p.add_argument("--traces", action="store_true",
                   help="hold only the traces of the --text values, not the weights: "
                        "a smaller page without typing or sampling (implied for every model "
                        "but a GPT that reads in order)")
    args = p.parse_args(argv)
    prog = p.prog
    if args.traces and not args.text:
        p.error("--traces needs at least one --text")
    cli.check_output(prog, "--html", args.html, {args.checkpoint: "the checkpoint"})
    try:
        state, _ = open_model(args.checkpoint, prog)
    except CheckpointError as e:
        cli.fail(prog, e)
    if state.config.model == "vit":
        cli.fail(prog, f"{args.checkpoint} holds a Vision Transformer, which reads images, not "
                       f"text (python -m microgpt vit {args.checkpoint} --image N)")
    folder = os.path.isdir(args.checkpoint)
    what = WHAT["folder" if folder else state.config.model]
    implied = (folder or needs_traces(state.config)) and not args.traces
    if implied and not args.text:
        cli.fail(prog, f"{args.checkpoint} holds {what}: its page holds the traces of the texts "
                       f"given with --text (at least one)")
    size = 0 if args.traces or implied else weights_size(state)
    if size > MAX_BYTES:
        cli.fail(prog, f"{args.checkpoint}: {size / 1e6:.1f} MB of weights is too big for a page "
                       f"(at most {MAX_BYTES / 1e6:.0f} MB); --traces writes a small one")
    texts = args.text or ["emma" if not state.tokenizer.unknown("emma") else ""]
    for text in texts:  # (a model folder's GPT only asks: its trace takes seconds a token)
        try:
            check_readable(state.config, state.tokenizer, text) if folder else traced(state, text, prog)
        except ValueError as e:
            cli.fail(prog, f"--text {text!r}: {e}")
    if implied:
        print(f"{prog}: note: {args.checkpoint} holds {what}: the page holds the traces of the "
              f"--text values (--traces)", file=sys.stderr)
    html = page(state, texts, args.checkpoint, "traces" if args.traces or implied else "weights")
    cli.write(prog, args.html, html, f"the explorer page ({len(html.encode()) / 1000:.0f} KB)")


if __name__ == "__main__":
    cli.run(main)
