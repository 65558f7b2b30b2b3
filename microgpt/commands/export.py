"""
export.py: the command `python -m microgpt export MODEL.json DIR`: your
model, out of microgpt, into the tools every next course uses.

A model trained with --arch gpt2 has GPT-2's architecture, so DIR becomes a
Hugging Face GPT-2 folder: config.json, model.safetensors (GPT-2's names,
its Conv1D layout) and the vocabulary with the checkpoint's ids
(tokenizer.json, tokenizer_config.json):

    from transformers import GPT2LMHeadModel, PreTrainedTokenizerFast
    model = GPT2LMHeadModel.from_pretrained("DIR")
    tokenizer = PreTrainedTokenizerFast.from_pretrained("DIR")

A model of the reference's architecture (the default) has no Hugging Face
class: DIR gets model.safetensors with microgpt's names and layout (a
matrix's rows as torch.nn.Linear keeps them) and the vocabulary, and
`python examples/gpt_in_pytorch.py DIR TEXT` runs it in PyTorch. Any other
architecture is refused, naming the switches it lacks. The weights are
written as float64, the checkpoint's numbers exactly, or with --dtype F32
as float32, half the bytes. Any of these folders reads back in microgpt
(`python -m microgpt inspect DIR TEXT`, `python -m microgpt.sample DIR`).

Builds on config.py, checkpoint.py, cli.py, hf_vocab.py and model_folder.py.
"""
from __future__ import annotations

import os

from ..config import ConfigError
from ..plumbing import checkpoint, cli, model_folder
from ..plumbing.checkpoint import CheckpointError
from ..plumbing.hf_vocab import write_vocab
from ..plumbing.model_folder import architecture

PROG = "python -m microgpt export"
FILES = ("model.safetensors", "tokenizer.json", "tokenizer_config.json", "config.json")


def main(argv=None):
    p = cli.ArgumentParser(prog=PROG, description=(
        "Write a checkpoint as a folder that Hugging Face's GPT2LMHeadModel.from_pretrained "
        "reads (a model trained with --arch gpt2), or that examples/gpt_in_pytorch.py reads "
        "(the reference's architecture): its weights as safetensors, its vocabulary as "
        "tokenizer.json."))
    p.add_argument("checkpoint", help="a checkpoint from python -m microgpt.train --out")
    p.add_argument("folder", metavar="DIR", help="the folder to write (made if missing)")
    p.add_argument("--dtype", choices=("F64", "F32"), default="F64",
                   help="F64: float64, the checkpoint's numbers exactly (default); F32: float32, "
                        "half the bytes, probabilities within about 1e-6 of microgpt's")
    args = p.parse_args(argv)
    if os.path.isdir(args.checkpoint):
        cli.fail(PROG, f"{args.checkpoint} is a folder; export reads a checkpoint file")
    try:
        state = checkpoint.load(args.checkpoint)
        kind = architecture(state.config)  # refused before anything is made
        write_vocab(state.tokenizer, state.config.block_size)
    except (CheckpointError, ConfigError, ValueError) as e:
        cli.fail(PROG, f"{args.checkpoint}: {e}" if not isinstance(e, CheckpointError) else e)
    if os.path.exists(args.folder) and not os.path.isdir(args.folder):
        cli.fail(PROG, f"{args.folder} is a file, not a folder")
    try:
        os.makedirs(args.folder, exist_ok=True)
    except OSError as e:
        cli.fail(PROG, f"cannot make the folder {args.folder} ({e.strerror})")
    for name in FILES[:3] + (FILES[3:] if kind == "gpt2" else ()):
        cli.check_output(PROG, "DIR", os.path.join(args.folder, name),
                         {args.checkpoint: "the checkpoint"},
                         "weights" if name.endswith(".safetensors") else "model file")
    model_folder.write_folder(state, args.folder, args.dtype)
    if kind == "gpt2":
        print(f"wrote {args.folder}: GPT-2's architecture, {', '.join(FILES)}; in Python: "
              f"transformers.GPT2LMHeadModel.from_pretrained({args.folder!r})")
    else:
        stale = os.path.join(args.folder, "config.json")
        note = (f" ({stale} is not this model's: remove it)" if os.path.exists(stale) else "")
        print(f"wrote {args.folder}: the reference's architecture, which has no Hugging Face "
              f"class, {', '.join(FILES[:3])}; in PyTorch: python examples/gpt_in_pytorch.py "
              f"{args.folder} TEXT{note}")


if __name__ == "__main__":
    cli.run(main)
