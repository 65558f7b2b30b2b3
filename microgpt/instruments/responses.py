"""
responses.py: what a fine-tuned model answers, and how well: each prompt
of a file of prompt<TAB>response pairs answered, and the answers scored.

A model trained on lines prompt<TAB>response (variants/finetuning.py,
variants/sft.py's --loss-on response) answers a prompt by reading [BOS]
prompt TAB and writing until it writes BOS (`respond`); at temperature 0 it
takes the likeliest token each time (greedy), so the answer is the same
every time. A file of pairs is read as train reads any data (stripped
non-empty lines) and each line is split at its first TAB (`read_prompted`;
a later TAB belongs to the response).

The scores of (prompt, wanted, answer) rows (`scores`):

- exact: the share of answers equal to the wanted response;
- per-character: the mean share of the wanted response's characters the
  answer has at the same place (both as pairs.score gives them);
- with the task "icd10", ICD-10-CM's (`icd10_scores`), for responses that
  are codes: well-formed, the share of answers that are a code in form (a
  capital letter, two digits, then optionally a dot and one to four
  capital letters or digits: A00, E11.9, S72.0011); chapter, the share
  whose first character is the wanted one's (the chapter's letter); and
  category, the share whose first three characters are the wanted one's.

Builds on generate.py (sample), catalog.py (how a model reads) and
pairs.py (exact and per-character). Left out on purpose: beam search,
partial credit beyond these.
"""
from __future__ import annotations

import re

from ..architectures import catalog
from ..architectures.pairs import score
from ..generate import sample

ICD10_CODE = re.compile(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?")  # letter, two digits, [. 1-4 more]


def read_prompted(text, what="the text"):
    """(line number, prompt, response) of every non-empty line of text,
    stripped as train reads a data file, split at its first TAB; ValueError
    naming the first line without a TAB.

    >>> read_prompted("Cholera\\tA00\\n\\n  Typhoid fever\\tA01.0\\tx \\n")
    [(1, 'Cholera', 'A00'), (3, 'Typhoid fever', 'A01.0\\tx')]
    """
    rows = []
    for n, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if not line.strip():
            continue
        prompt, tab, response = line.strip().partition("\t")
        if not tab:
            raise ValueError(f"{what}, line {n}: no TAB; each line is prompt<TAB>response")
        rows.append((n, prompt, response))
    if not rows:
        raise ValueError(f"{what}: no lines (the file is empty or blank)")
    return rows


def respond(params, config, tokenizer, prompt, rng=None, temperature=0.0, max_tokens=None,
            top_k=None, top_p=None):
    """The model's response to prompt: what it writes after reading [BOS]
    prompt TAB, until BOS or max_tokens tokens in all, BOS not counted
    (default: block_size). Temperature 0 (the default) is greedy and draws
    nothing (rng may be None). Unanswerable (check_prompt) first."""
    check_prompt(tokenizer, prompt)
    text = sample(params, config, tokenizer, rng, temperature, prefix=prompt + "\t", top_k=top_k,
                  top_p=top_p, max_tokens=max_tokens, reader=catalog.reader_of(config))
    return text[len(prompt) + 1:]


class Unanswerable(ValueError):
    """A prompt a model cannot answer, with a message for a person."""


def check_prompt(tokenizer, prompt, what="the prompt"):
    """Raise Unanswerable for a prompt with a TAB (the first TAB of a line
    ends its prompt) or a model whose vocabulary has no TAB; UnknownText
    (a ValueError) for characters the model has never seen."""
    if "\t" in prompt:
        raise Unanswerable(f"{what} has a TAB; the first TAB of a line ends its prompt")
    if "\t" not in tokenizer.ids:
        raise Unanswerable("the model's vocabulary has no TAB: it never read prompt<TAB>response "
                           "lines (python -m microgpt.train FILE --loss-on response teaches it)")
    tokenizer.check_text(prompt, what)


def fills_block(tokenizer, prompt, max_tokens):
    """True when [BOS] prompt TAB leaves no room to write in max_tokens."""
    return len(tokenizer.encode(prompt)) + 1 >= max_tokens


def icd10_scores(rows):
    """ICD-10-CM's scores of (prompt, wanted code, answer) rows.

    >>> icd10_scores([("", "A00.0", "A00.1"), ("", "E11.9", "E1"), ("", "C34.11", "C34.11")])
    {'well-formed': 0.6666666666666666, 'chapter': 1.0, 'category': 0.6666666666666666}
    """
    n = len(rows)
    return {"well-formed": sum(bool(ICD10_CODE.fullmatch(out)) for _, _, out in rows) / n,
            "chapter": sum(out[:1] == want[:1] for _, want, out in rows) / n,
            "category": sum(out[:3] == want[:3] for _, want, out in rows) / n}


TASKS = {"icd10": icd10_scores}  # the scores a task adds to exact and per-character


def scores(rows, task=None):
    """{name: share} of (prompt, wanted, answer) rows: exact, per-character,
    and the task's own (TASKS).

    >>> scores([("emma", "EMMA", "EMMA"), ("ava", "AVA", "AVE")])
    {'exact': 0.5, 'per-character': 0.8333333333333333}
    """
    exact, per_character = score(rows)  # pairs.py's, as seq2seq scores its pairs
    return {"exact": exact, "per-character": per_character, **(TASKS[task](rows) if task else {})}
