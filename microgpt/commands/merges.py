"""
merges.py: the command `python -m microgpt tokenize FILE --vocab-size V`:
what byte-pair encoding learns from a data file.

It prints the first merges in the order they were learned, the longest
tokens, how many tokens the file's documents take per character, and, with
--text, how a text splits into tokens (chole|cyst|itis). With --ids it
prints only the ids of --text, for scripts.

Builds on tokenizer.py, bpe.py, cli.py, corpus.py and progress.py; the work is there, this module only parses flags and prints.
"""
from __future__ import annotations

import sys

from ..plumbing import cli
from ..plumbing.progress import reporter
from ..variants.bpe import BPETokenizer
from ..plumbing.corpus import DataError, load_docs, locate
from ..tokenizer import Tokenizer, UnknownText

SHOWN = 20  # merges listed, and longest tokens


def parse_args(argv=None):
    p = cli.ArgumentParser(prog="python -m microgpt tokenize",
                           description="Learn byte-pair encoding (BPE) from a text file, one "
                                       "document per line, and show what it learned.")
    p.add_argument("path", metavar="FILE",
                   help="text file, one document per line (a bare name like names.txt falls back "
                        "to the bundled dataset)")
    p.add_argument("--vocab-size", type=cli.whole_number(1), required=True, metavar="V",
                   help="tokens to learn, counting the file's characters and BOS: the merges "
                        "learned are V - (characters + 1), fewer if no pair occurs twice")
    p.add_argument("--text", help="a text to split into the learned tokens")
    p.add_argument("--ids", action="store_true",
                   help="print only the ids of --text, space-separated (BOS not added)")
    args = p.parse_args(argv)
    if args.ids and args.text is None:
        p.error("--ids needs --text")
    return p, args


def plural(n, noun):
    """'1 merge', '2 merges', '1,000 characters'."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def show(tok, docs, name, text):
    """Print what was learned: merges, longest tokens, compression, text split."""
    chars = sum(len(doc) for doc in docs)
    print(f"{cli.one_line(str(name))}: {plural(len(docs), 'document')}, {plural(chars, 'character')}, "
          f"{len(tok.chars)} distinct")
    print(f"vocab size {tok.vocab_size}: {plural(len(tok.chars), 'character')} + "
          f"{plural(len(tok.merges), 'merge')} + BOS")
    print("\nfirst merges, in the order learned:" if tok.merges else "\nno merges learned")
    for k, (a, b) in enumerate(tok.merges[:SHOWN]):
        print(f"{k + 1:4d}. {tok.tokens[a]!r} + {tok.tokens[b]!r} -> {tok.tokens[a] + tok.tokens[b]!r}")
    longest = sorted(range(tok.bos), key=lambda i: -len(tok.tokens[i]))[:SHOWN]
    print(f"\nlongest tokens: {' '.join(repr(tok.tokens[i]) for i in longest)}")
    tokens = sum(len(tok.encode(doc)) for doc in docs)
    print(f"\ncompression: {tokens:,} tokens for {chars:,} characters = {tokens / chars:.3f} "
          f"tokens per character ({chars / tokens:.2f} characters per token)")
    print("  counted: each document's tokens, without BOS, against its characters, spaces "
          "included; line ends are not counted")
    if text is not None:
        ids = tok.encode(text)
        print(f"\n{text!r} -> {'|'.join(tok.tokens[i] for i in ids)}  "
              f"({len(ids)} tokens for {len(text)} characters)")


def main(argv=None):
    parser, args = parse_args(argv)
    prog = parser.prog
    path = locate(args.path)  # the file, or the bundled dataset of that name
    try:
        docs = load_docs(path)
    except DataError as e:
        cli.fail(prog, e)
    try:  # before learning: a mistake costs no time
        Tokenizer.from_docs(docs).check_text(args.text or "", "--text", args.path)
    except UnknownText as e:
        cli.fail(prog, e)
    try:
        tok = BPETokenizer.learn(docs, args.vocab_size, reporter(prog, "learning BPE merges"))
    except ValueError as e:  # --vocab-size leaves no room for the file's characters
        cli.fail(prog, e)
    if tok.vocab_size < args.vocab_size:
        print(f"{prog}: stopped at vocab size {tok.vocab_size}, not {args.vocab_size}: "
              f"no pair of tokens occurs twice any more", file=sys.stderr)
    if args.ids:
        print(" ".join(str(i) for i in tok.encode(args.text)))
    else:
        show(tok, docs, path, args.text)


if __name__ == "__main__":
    try:
        cli.run(main)
    except KeyboardInterrupt:
        sys.exit(130)
