"""
owned.py: the files microgpt wrote, recognised by how they begin: what an
output may replace.

A command's output flag writes a file by its name, and a rename replaces
whatever had the name: the user's notes, the run's own data, a read-only
file. So an output replaces only a file microgpt wrote, of the kind the
output is (KINDS: a checkpoint, a web page, an SVG picture, recall
documents, JSON data, an exported model's files; each recognised by its
first bytes), and one the user may write;
an empty file holds nothing to lose. Anything else is kept, and the refusal
names a free name. A new kind of output adds its line to KINDS.

Builds on the standard library only; files.py asks it before any work
(check_output) and again as it writes (write_atomically).
"""
from __future__ import annotations

import os
import re

HEAD = 4096  # the bytes a file is recognised by
KINDS = {  # kind -> (its name, how such a file microgpt wrote begins)
    "checkpoint": ("a checkpoint", re.compile(rb'\A\s*\{\s*"format"\s*:\s*"microgpt-checkpoint"')),
    "page": ("a web page", re.compile(rb"\A<!DOCTYPE html>.{0,400}?<title>microgpt", re.S)),
    "picture": ("an SVG picture", re.compile(rb'\A<svg xmlns="http://www.w3.org/2000/svg" '
                                           rb'width="[\d.]+" height="[\d.]+" viewBox="')),
    "documents": ("a file of recall documents",  # longrange --write's; the last line may be cut
                  re.compile(rb"\A(?:[a-h][0-9]*=[a-h]\n)*(?:[a-h][0-9]*(?:=[a-h]?)?)?\Z")),
    "inspection": ("inspect --json's data", re.compile(rb'\A\{"tokens": \[')),
    "stages": ("progression --json's stages", re.compile(rb'\A\[\n\{"stage": 0, "name": ')),
    "weights": ("a safetensors file", re.compile(  # tensorfile.save's: its writer is microgpt
        rb'\A[\s\S]{8}\{"__metadata__":\{"writer":"microgpt"')),
    "model file": ("a model folder's JSON file", re.compile(  # export's config and tokenizer
        rb'\A\{\n "(?:architectures|version|tokenizer_class)": ')),
}


def kind_of(head):
    """The kind (a key of KINDS) of a file that begins with these bytes, or None.

    >>> kind_of(b'{\\n "format": "microgpt-checkpoint",'), kind_of(b"emma\\nolivia\\n")
    ('checkpoint', None)
    """
    head = head[:HEAD]
    return next((kind for kind, (_, begins) in KINDS.items() if head and begins.match(head)), None)


def free_name(path):
    """A name beside path that no file has yet: keep.txt -> keep-1.txt, keep-2.txt, ..."""
    folder, name = os.path.split(path)
    stem, suffix = os.path.splitext(name)
    n = 1
    while os.path.lexists(os.path.join(folder, f"{stem}-{n}{suffix}")):
        n += 1
    return os.path.join(folder, f"{stem}-{n}{suffix}")


def replace_problem(path, kind=None):
    """Why the existing file at path must not be replaced by an output of
    this kind (None: any kind microgpt writes), or None when it may be: it
    is empty, or a file microgpt wrote of that kind, and its permissions
    let the user write it (a rename would replace even a read-only file)."""
    info = os.stat(path)
    another = f"give a name no file has yet, such as {free_name(path)}"
    if not (info.st_mode & 0o222 and os.access(path, os.W_OK)):
        return f"is read-only; {another} (or make it writable to replace it)"
    if not info.st_size:
        return None
    try:
        with open(path, "rb") as f:
            found = kind_of(f.read(HEAD))
    except OSError:
        found = None
    if found is None or (kind is not None and found != kind):
        what = KINDS[kind][0] if kind else "a file"
        return f"exists and is not {what} microgpt wrote; {another}"
    return None


def is_own_stream(info):
    """True if the file of os.stat result info is where this process's
    stdin, stdout or stderr goes (--out log.txt > log.txt; --out /dev/stdout)."""
    for fd in (0, 1, 2):
        try:
            own = os.fstat(fd)
        except OSError:
            continue
        if (own.st_dev, own.st_ino) == (info.st_dev, info.st_ino):
            return True
    return False
