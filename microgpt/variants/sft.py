"""
sft.py: supervised fine-tuning's data: lines prompt<TAB>response, the loss
on the response only (config.loss_on "response").

A document is a line prompt<TAB>response, split at its first TAB (a later
TAB belongs to the response), and its example also says where its loss
starts (`Prompted`): at the position that reads that TAB, whose target is
the response's first token. BOS and the prompt pass through attention but
are not trained on (model.document_loss skips their positions). With a
stride, a long line becomes windows as any document does (`prompted`).
`check_responses` refuses a line the run cannot train on, by its place in
the file (`NoResponse`); `examples` is data.make_examples for such a run.

Builds on data.py (window_starts). Left out on purpose: chat templates,
several turns, a loss weighted between prompt and response.
"""
from __future__ import annotations

from ..data import window_starts


class Prompted(list):
    """The token ids of a prompt<TAB>response document (or of a window of
    one), and `start`: the first position its loss counts, the one that
    reads the TAB (0 in a window that starts past it)."""

    def __init__(self, ids, start):
        super().__init__(ids)
        self.start = start


class NoResponse(ValueError):
    """A document --loss-on response cannot train on: docs[index] (index
    None: no document has a TAB), and why."""

    def __init__(self, index, why):
        super().__init__(why if index is None else f"docs[{index}]: {why}")
        self.index, self.why = index, why


def prompted(ids, tab_id, config):
    """The examples of a document's ids [BOS, prompt, TAB, response, BOS]
    under --loss-on response: ids, or with config.stride its windows, each
    Prompted with the first position its loss counts (a window whose
    targets all lie in the prompt trains nothing: left out). ValueError
    when there is no TAB, or (no stride) the block ends before the response.

    >>> from types import SimpleNamespace as Settings
    >>> ids = [9, 1, 1, 8, 2, 9]                                     # BOS a a TAB b BOS
    >>> [(ex, ex.start) for ex in prompted(ids, 8, Settings(block_size=16, stride=0))]
    [([9, 1, 1, 8, 2, 9], 3)]
    >>> [(ex, ex.start) for ex in prompted(ids, 8, Settings(block_size=2, stride=1))]
    [([1, 8, 2], 1), ([8, 2, 9], 0)]
    """
    if tab_id not in ids:
        raise ValueError("no TAB: --loss-on response reads each line as prompt<TAB>response")
    start = ids.index(tab_id)  # the position that reads the first TAB predicts the response
    if not config.stride:
        if start >= config.block_size:
            raise ValueError(f"the prompt fills the block: BOS and the prompt take all "
                             f"{config.block_size} positions read (block_size "
                             f"{config.block_size}), so no response position is trained")
        return [Prompted(ids, start)]
    size = config.block_size + 1
    cuts = [(i, ids[i:i + size]) for i in window_starts(len(ids), size, config.stride)]
    return [Prompted(cut, max(0, start - i)) for i, cut in cuts if start - i < len(cut) - 1]


def check_responses(docs, tokenizer, config):
    """Raise NoResponse unless every document (docs in file order) is a
    prompt<TAB>response line that trains at least one response position."""
    if not any("\t" in doc for doc in docs):
        raise NoResponse(None, "no line has a TAB: loss_on='response' trains the response of "
                               "each line prompt<TAB>response")
    tab_id = tokenizer.ids["\t"]
    for i, doc in enumerate(docs):
        try:
            prompted(tokenizer.encode_document(doc), tab_id, config)
        except ValueError as e:
            raise NoResponse(i, str(e)) from None



def examples(docs, tokenizer, config):
    """data.make_examples with config.loss_on "response": each document's
    Prompted examples, in the order of docs."""
    tab_id = tokenizer.ids["\t"]
    return [ex for doc in docs for ex in prompted(tokenizer.encode_document(doc), tab_id, config)]
