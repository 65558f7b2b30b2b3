"""
exam.py: what `python -m microgpt.sample` does with --prompt and --eval: a
model fine-tuned on prompt<TAB>response lines asked one prompt, or
examined on a file of them.

--prompt TEXT prints the model's response to TEXT (`answer`), once the
prompt is one it can answer with room left in the block (`check_prompt`).
--eval PAIRS.tsv reads every line's prompt and wanted response, or with
--held-out only the lines the run held out of the very file it trained on
(`eval_rows`), answers each greedily and prints the first few answers and
the scores (`evaluate`).

Builds on data.py (the held-out split replayed), responses.py (the answers
and their scores) and the plumbing's checkpoint.py, cli.py, corpus.py and
progress.py. Left out on purpose: parsing the flags, which is sample.py's.
"""
from __future__ import annotations

import hashlib
import random
import sys

from ..data import replay_split
from ..instruments import responses
from .checkpoint import CheckpointError
from . import cli
from .corpus import DataError, decode, docs_of, locate, read_bytes
from .progress import Progress

SHOWN = 5  # --eval: the first answers shown, before the scores


def answer(args, state):
    """--prompt: the response, or --num-samples of them (checked: check_prompt)."""
    rng = random.Random(args.seed) if args.seed is not None else state.rng
    for _ in range(args.num_samples or 1):
        print(cli.shown_sample(responses.respond(
            state.params, state.config, state.tokenizer, args.prompt, rng, args.temperature,
            args.max_tokens, args.top_k, args.top_p)), flush=True)


def check_prompt(args, state):
    """--prompt: a prompt the model can answer, with room to answer in."""
    responses.check_prompt(state.tokenizer, args.prompt, "--prompt")
    max_tokens = args.max_tokens or state.config.block_size
    if responses.fills_block(state.tokenizer, args.prompt, max_tokens):
        raise CheckpointError(f"--prompt and its TAB are {len(state.tokenizer.encode(args.prompt)) + 1} "
                              f"tokens: no room to answer in {max_tokens} (raise --max-tokens)")


def eval_rows(args, state):
    """--eval: ((prompt, wanted response) of each line to score, which lines
    they are, in words), every line and prompt checked."""
    path = locate(args.eval)
    raw = read_bytes(path)
    try:
        rows = [(prompt, want) for _, prompt, want in
                responses.read_prompted(decode(raw, args.eval), args.eval)]
    except ValueError as e:  # a line without a TAB
        raise DataError(e) from None
    which = f"{cli.plural(len(rows), 'line')} of {args.eval}"
    if args.held_out:
        if hashlib.sha256(raw).hexdigest() != state.data_sha256:
            raise DataError(f"--held-out: {args.eval} is not the data {args.checkpoint} trained on "
                            f"({state.data_name})")
        if not state.config.val_fraction:
            raise DataError(f"--held-out: {args.checkpoint} held nothing out (--val-fraction 0)")
        rows = [doc.partition("\t")[::2] for doc in replay_split(docs_of(raw, path), state.config)[1]]
        which = f"the {cli.plural(len(rows), 'line')} of {args.eval} the run held out"
    for prompt, _ in rows[:1]:
        responses.check_prompt(state.tokenizer, prompt, f"a prompt of {args.eval}")
    state.tokenizer.check_text("".join(p for p, _ in rows), f"the prompts of {args.eval}")
    return rows, which


def evaluate(prog, args, state, rows, which):
    """--eval: every prompt answered greedily, the first few shown, then the scores."""
    max_tokens = args.max_tokens or state.config.block_size
    full = sum(responses.fills_block(state.tokenizer, prompt, max_tokens) for prompt, _ in rows)
    if full:
        print(f"{prog}: note: {full} of {len(rows)} prompts leave no room to answer in "
              f"{max_tokens} tokens: their answers are empty (--max-tokens N reads on)",
              file=sys.stderr)
    print(f"answering {which}, greedily")
    progress, scored = Progress(prog, len(rows)), []
    for n, (prompt, want) in enumerate(rows, 1):
        scored.append((prompt, want, responses.respond(state.params, state.config, state.tokenizer,
                                                       prompt, max_tokens=max_tokens)))
        progress.step("answering", n, len(rows))
    for prompt, want, got in scored[:SHOWN]:
        print(f"  {prompt!r} -> {got!r}" + ("" if got == want else f"   (wanted {want!r})"))
    for name, share in responses.scores(scored, args.score).items():
        print(f"{name}: {100 * share:.1f}%")
