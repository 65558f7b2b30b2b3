"""
Rebuild the bundled datasets from the US Census Bureau's 1990 name lists.

The lists ship inside the PyPI package `names`, version 0.3.0 (the files
dist.male.first, dist.female.first and dist.all.last). Each line there is
NAME  frequency  cumulative-frequency  rank, most common first.

    pip download --no-deps --no-binary :all: names==0.3.0
    tar xzf names-0.3.0.tar.gz
    python data/make_datasets.py names-0.3.0/names

writes data/names.txt (first names: the female list, then the male list,
lowercased, each name once, at its first appearance) and data/surnames.txt
(the surname list, lowercased, in its order). Standard library only.
"""
import sys
from pathlib import Path


def read_census(path):
    """The names of one census file, lowercased, in file order."""
    return [line.split()[0].lower() for line in path.read_text(encoding="ascii").splitlines()
            if line.strip()]


def unique(names):
    """names without repeats, each at its first appearance."""
    return list(dict.fromkeys(names))


def main(src):
    src, out = Path(src), Path(__file__).resolve().parent
    first = unique(read_census(src / "dist.female.first") + read_census(src / "dist.male.first"))
    last = unique(read_census(src / "dist.all.last"))
    for name, rows in (("names.txt", first), ("surnames.txt", last)):
        (out / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
        print(f"{out / name}: {len(rows)} lines")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python data/make_datasets.py PATH/TO/names-0.3.0/names")
    main(sys.argv[1])
