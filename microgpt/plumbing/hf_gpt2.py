"""
hf_gpt2.py: GPT-2 as Hugging Face stores it, both ways: config.json, and
the weights' names and layout in model.safetensors.

microgpt with --arch gpt2 is GPT-2's architecture; only the storage
differs. As nanoGPT's GPT.from_pretrained reads it: a list of the file's
names, each with the microgpt matrices it holds (`names`), and two rules
for the layout:

- GPT-2's linear layers are Conv1D modules, which store a weight as
  (in, out), where microgpt (and torch.nn.Linear) keep (out, in) rows:
  attn.c_attn, attn.c_proj, mlp.c_fc and mlp.c_proj are transposed, and
  a column of theirs is a row of ours;
- attn.c_attn holds q, k and v side by side (out = 3 * n_embd, bias too):
  its columns 0..n_embd-1 are attn_wq's rows, the next attn_wk's, the last
  attn_wv's.

Every tensor's shape is checked against config.json's model before its
numbers are used. A file's names may start with "transformer." (what
save_pretrained writes) or not (GPT-2's original conversion); its buffers
attn.bias and attn.masked_bias (old files' causal masks) are not weights.

Builds on config.py, params.py (the shapes), checkpoint.py (CheckpointError)
and tensorfile.py (the file). Left out on
purpose: GPT-2's other heads (sequence classification, double heads) and
sharded weights (model-00001-of-0000N.safetensors).
"""
from __future__ import annotations

from array import array

from ..config import ARCHITECTURES, Config, ConfigError
from ..params import param_shapes
from .checkpoint import CheckpointError
from .tensorfile import read_header, tensors

LAYER = (  # GPT-2's tensors in block h.{i}, each with the microgpt matrices it holds
    ("ln_1.weight", ("ln_attn.g",)), ("ln_1.bias", ("ln_attn.b",)),
    ("attn.c_attn.weight", ("attn_wq", "attn_wk", "attn_wv")),  # q, k, v side by side
    ("attn.c_attn.bias", ("attn_bq", "attn_bk", "attn_bv")),
    ("attn.c_proj.weight", ("attn_wo",)), ("attn.c_proj.bias", ("attn_bo",)),
    ("ln_2.weight", ("ln_mlp.g",)), ("ln_2.bias", ("ln_mlp.b",)),
    ("mlp.c_fc.weight", ("mlp_fc1",)), ("mlp.c_fc.bias", ("mlp_b1",)),
    ("mlp.c_proj.weight", ("mlp_fc2",)), ("mlp.c_proj.bias", ("mlp_b2",)),
)
CONV1D = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")
MATRICES = ("wte.weight", "wpe.weight", "lm_head.weight")  # (rows, cols) as ours; the rest are vectors
BUFFERS = ("attn.bias", "attn.masked_bias")


class FolderError(CheckpointError):
    """A model folder that cannot be used, with a message for a person (the
    commands catch it where they catch a checkpoint's)."""


def names(config):
    """[(GPT-2's name, microgpt's matrices)] of every weight, in GPT-2's order,
    without the "transformer." that save_pretrained puts before all but lm_head.

    >>> names(Config(n_layer=1, **ARCHITECTURES["gpt2"]))[2:4]
    [('h.0.ln_1.weight', ('layer0.ln_attn.g',)), ('h.0.ln_1.bias', ('layer0.ln_attn.b',))]
    """
    out = [("wte.weight", ("wte",)), ("wpe.weight", ("wpe",))]
    for i in range(config.n_layer):
        out += [(f"h.{i}.{hf}", tuple(f"layer{i}.{m}" for m in ours)) for hf, ours in LAYER]
    out += [("ln_f.weight", ("ln_f.g",)), ("ln_f.bias", ("ln_f.b",))]
    return out + ([] if config.tie_weights else [("lm_head.weight", ("lm_head",))])


def hf_shape(hf, ours, shapes):
    """The shape GPT-2's tensor hf has, holding our matrices (shapes: name -> (rows, cols)).

    >>> hf_shape("h.0.attn.c_attn.weight", ("q", "k", "v"), dict.fromkeys("qkv", (768, 768)))
    [768, 2304]
    """
    rows = sum(shapes[m][0] for m in ours)
    if hf.endswith(CONV1D):
        return [shapes[ours[0]][1], rows]                      # (in, out)
    if hf.endswith(MATRICES):
        return [rows, shapes[ours[0]][1]]
    return [sum(shapes[m][1] for m in ours)]                   # a vector: biases, norms' gains


def split(hf, ours, flat, shapes):
    """{our matrix: its rows} from GPT-2's tensor hf, a flat array."""
    out, at = {}, 0
    for m in ours:
        rows, cols = shapes[m]
        if hf.endswith(CONV1D):   # (in, out), row-major: column j is flat[j::n_out], our row j
            n_out = sum(shapes[o][0] for o in ours)
            out[m] = [flat[at + j::n_out] for j in range(rows)]
            at += rows
        elif hf.endswith(MATRICES):
            out[m] = [flat[r * cols:(r + 1) * cols] for r in range(rows)]
        else:                     # a vector, one row of ours (or a third of c_attn's bias)
            out[m] = [flat[at:at + cols]]
            at += cols
    return out


def values(row):
    """A row's numbers: an array as it is, Values' .data as doubles."""
    return row if isinstance(row, array) else array("d", [p.data for p in row])


def joined(hf, ours, params, shapes):
    """GPT-2's tensor hf, flat, from our matrices: split() undone."""
    code = values(params[ours[0]][0]).typecode  # arrays of 'f' stay 4 bytes a number
    if not hf.endswith(CONV1D):
        flat = array(code)
        for m in ours:
            for row in params[m]:
                flat.extend(values(row))
        return flat
    n_in, n_out = shapes[ours[0]][1], sum(shapes[m][0] for m in ours)
    flat, at = array(code, bytes(array(code).itemsize * n_in * n_out)), 0
    for m in ours:
        for j, row in enumerate(params[m]):
            flat[at + j::n_out] = values(row)
        at += len(params[m])
    return flat


def read_weights(path, config, each=None):
    """microgpt's params (rows of floats, arrays) from a GPT-2 model.safetensors
    of config's shapes; FolderError (or TensorFileError) when it is not one."""
    shapes = {m: (r, c) for m, r, c in param_shapes(config)}
    entries, _, _ = read_header(path)
    prefix = "transformer." if "transformer.wte.weight" in entries else ""
    wanted = {(hf if hf == "lm_head.weight" else prefix + hf): (hf, ours) for hf, ours in names(config)}
    missing = [name for name in wanted if name not in entries]
    if missing:
        raise FolderError(f"{path}: no tensor {missing[0]!r}: not the weights of config.json's GPT-2")
    foreign = [n for n in entries if n not in wanted and not n.endswith(BUFFERS + ("lm_head.weight",))]
    if foreign:
        raise FolderError(f"{path}: tensors a GPT-2 language model has not: {', '.join(foreign[:3])}")
    params = {}
    for name, shape, flat in tensors(path, list(wanted), each):
        hf, ours = wanted[name]
        if shape != hf_shape(hf, ours, shapes):
            raise FolderError(f"{path}: {name} has shape {shape}; config.json's model (n_embd "
                              f"{config.n_embd}, ...) needs {hf_shape(hf, ours, shapes)}")
        params.update(split(hf, ours, flat, shapes))
    return {m: params[m] for m in shapes}  # in microgpt's order


def hf_weights(params, config):
    """{GPT-2's name, as save_pretrained spells it: (shape, flat values)} of params."""
    shapes = {m: (r, c) for m, r, c in param_shapes(config)}
    return {(hf if hf == "lm_head.weight" else "transformer." + hf):
            (hf_shape(hf, ours, shapes), joined(hf, ours, params, shapes))
            for hf, ours in names(config)}


# -------------------------------------------------------------------------
# config.json, both ways

def hf_config(config, bos, dtype="float64"):
    """config.json of GPT2LMHeadModel for a microgpt config of GPT-2's architecture."""
    return {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2",
            "vocab_size": config.vocab_size, "n_positions": config.block_size,
            "n_embd": config.n_embd, "n_layer": config.n_layer, "n_head": config.n_head,
            "n_inner": None, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
            "scale_attn_weights": config.attention_scale, "tie_word_embeddings": config.tie_weights,
            "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0,
            "initializer_range": config.init_std, "bos_token_id": bos, "eos_token_id": bos,
            "dtype": dtype, "torch_dtype": dtype}


ACTIVATIONS = {"gelu_new": "gelu", "gelu_pytorch_tanh": "gelu", "relu": "relu"}  # HF's -> ours


def from_hf_config(obj, path):
    """The microgpt Config of a config.json's GPT-2; FolderError naming the
    first setting microgpt's GPT-2 does not have."""
    def expect(ok, message):
        if not ok:
            raise FolderError(f"{path}: {message}")
    expect(isinstance(obj, dict) and obj.get("model_type") == "gpt2",
           f"model_type {obj.get('model_type') if isinstance(obj, dict) else None!r}, not 'gpt2'")
    sizes = {k: obj.get(k) for k in ("n_layer", "n_embd", "n_head", "n_positions", "vocab_size")}
    for key, value in sizes.items():
        expect(isinstance(value, int) and not isinstance(value, bool) and value >= 1,
               f"{key} should be a whole number, at least 1, got {value!r}")
    act = obj.get("activation_function", "gelu_new")
    expect(act in ACTIVATIONS, f"activation_function {act!r}: microgpt's GELU is the tanh form, "
                               f"gelu_new (or relu)")
    expect(obj.get("layer_norm_epsilon", 1e-5) == 1e-5, "layer_norm_epsilon must be 1e-5, "
                                                        "as microgpt's LayerNorm's")
    expect(obj.get("n_inner") in (None, 4 * sizes["n_embd"]), "n_inner must be 4 * n_embd")
    for key in ("scale_attn_by_inverse_layer_idx", "add_cross_attention"):
        expect(not obj.get(key, False), f"{key} is a variant microgpt does not have")
    try:
        return Config(n_layer=sizes["n_layer"], n_embd=sizes["n_embd"], n_head=sizes["n_head"],
                      block_size=sizes["n_positions"], vocab_size=sizes["vocab_size"],
                      **{**ARCHITECTURES["gpt2"], "activation": ACTIVATIONS[act],
                         "tie_weights": obj.get("tie_word_embeddings", True) is not False,
                         "attention_scale": obj.get("scale_attn_weights", True) is not False})
    except ConfigError as e:
        raise FolderError(f"{path}: {e}") from None

