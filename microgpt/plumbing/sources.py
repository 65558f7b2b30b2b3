"""
sources.py: which file a line came from: files as classes, for the
encoder-only classifier (classify) and its pretraining (mlm). Each file is
one class, named by its file name without the extension, each non-empty
line a document; a file given twice, or two files with one name, refused
(read_classes). Then the names as a line shows them (shown_classes), and a
note when some lines are longer than the classifier reads (note_cut).

Builds on console.py, files.py and corpus.py. Leaves out the classifier
and its run: bert.py and commands/classify.py.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from . import corpus, files
from .console import one_line
from .corpus import DataError


def read_classes(paths):
    """(class names, documents per class, combined sha256) of the files; DataError
    for a file given twice or two files with one name."""
    names, class_docs, shas = [], [], []
    for i, path in enumerate(paths):
        for earlier in paths[:i]:
            if files.same_file(corpus.locate(earlier), corpus.locate(path)):
                raise DataError(f"{path} is given twice; each file is one class")
        name = Path(path).stem
        if name in names:
            raise DataError(f"{paths[names.index(name)]} and {path} both name the class "
                            f"{name!r}; rename one")
        docs, sha = corpus.load_docs_and_sha256(corpus.locate(path))
        names.append(name)
        class_docs.append(docs)
        shas.append(sha)
    return names, class_docs, hashlib.sha256(" ".join(shas).encode()).hexdigest()


def shown_classes(state):
    """The class names as lines show them: a name (a file's) may hold a
    newline or a tab, which would break a line or a table's columns."""
    return [one_line(name) for name in state.classes]


def note_cut(prog, docs, config):
    """A line on stderr when some docs are longer than the classifier reads
    (block_size - 1 characters after BOS): they are read cut, and it says so."""
    longest = config.block_size - 1
    cut = sum(len(doc) > longest for doc in docs)
    if cut:
        print(f"{prog}: note: {cut} of {len(docs)} documents are longer than the block (block "
              f"size {config.block_size}, BOS included) and are read cut to their first "
              f"{longest} characters; --block-size {max(map(len, docs)) + 1} reads them whole",
              file=sys.stderr)
