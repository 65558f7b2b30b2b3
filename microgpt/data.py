"""
data.py: the documents: one per non-empty line of a text.

A document is one training example: for the names datasets, one name. The
model never sees the file, only the list of documents; tokenizer.py turns
each document into ids. Reading follows the reference exactly (strip the
text, split on newlines, strip each line, drop empty ones), because the
order of the documents decides which name each training step sees; then the
run's random generator shuffles them (dataset.shuffled), its first draw. A
line ends as where the reference reads its file as text, with universal
newlines: at "\n", "\r\n" or a lone "\r" (old Mac files).

Left out on purpose: reading the file, which is the tools' work
(plumbing/datasets.py: one reading, every check, the bundled datasets).
"""
from __future__ import annotations


def split_docs(text):
    """The documents in a text: non-empty stripped lines, in file order.

    >>> split_docs("  emma\\n\\nolivia \\n ava\\n\\n")
    ['emma', 'olivia', 'ava']
    >>> split_docs("emma\\rolivia\\r\\nava")        # every kind of line end
    ['emma', 'olivia', 'ava']
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as reading in text mode does
    return [line.strip() for line in text.strip().split("\n") if line.strip()]
