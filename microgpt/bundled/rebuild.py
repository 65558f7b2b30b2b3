"""
Rebuild the bundled datasets from their public-domain sources.

Each argument is one source; give any of them:

    pip download --no-deps --no-binary :all: names==0.3.0
    tar xzf names-0.3.0.tar.gz
    pip download --no-deps simple-icd-10-cm==1.5.0
    pip download --no-deps scikit-learn==1.9.1
    python data/rebuild.py names-0.3.0/names simple_icd_10_cm-1.5.0-py3-none-any.whl \
        scikit_learn-1.9.1-*.whl

A folder is the US Census Bureau's 1990 name lists as the PyPI package `names`
0.3.0 ships them (dist.female.first, dist.male.first, dist.all.last; each line
NAME frequency cumulative-frequency rank, most common first). It gives
names.txt (the female list, then the male list, lowercased, each name once, at
its first appearance) and surnames.txt (the surname list, lowercased).

A .whl file is the PyPI package `simple-icd-10-cm`, whose one tabular-list XML
(simple_icd_10_cm/data/icd10c-tabular-*.xml) is the CDC's ICD-10-CM. It gives
diagnoses.txt (the description of every <diag> element, that is every code of
the tabular list from A00 to Z99.89 with its categories and subcategories but
not the codes built from a seventh character, in the list's order, whitespace
runs made one space, repeats kept since each line is a different code) and
medical_words.txt (every maximal run of letters in those descriptions,
lowercased, kept when it has five letters or more, each once, at its first
appearance; a letter is what str.isalpha accepts, so Sézary stays one word)
and icd10_codes.tsv (description<TAB>code of every billable code the list
spells out: a <diag> with no <diag> inside it and no seventh-character rule,
<sevenChrDef>, on it or on a <diag> around it; in the list's order, the code
as the list writes it, A00.0, the description as in diagnoses.txt).

A scikit-learn wheel (any platform's: the file used is the same in each) holds
sklearn/datasets/data/digits.csv.gz, the test set of UCI's "optical
recognition of handwritten digits": 1,797 rows of 64 pixels (8 x 8, row by
row, each 0..16) and then the digit. It gives digits.csv: the same rows in the
same order, the digit moved to the front (label,p0,...,p63), as plain
whole numbers.

The files are written next to this script. Standard library only: the
packages are needed to rebuild the files, never to use them.
"""
import gzip
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from itertools import groupby
from pathlib import Path

OUT = Path(__file__).resolve().parent
MIN_WORD = 5  # letters; shorter runs are mostly "of", "and", "with", "left"
DIGITS = "sklearn/datasets/data/digits.csv.gz"  # inside a scikit-learn wheel


def read_census(path):
    """The names of one census file, lowercased, in file order."""
    return [line.split()[0].lower() for line in path.read_text(encoding="ascii").splitlines()
            if line.strip()]


def unique(items):
    """items without repeats, each at its first appearance.

    >>> unique(["ava", "emma", "ava"])
    ['ava', 'emma']
    """
    return list(dict.fromkeys(items))


def census_datasets(folder):
    """{file name: lines} for names.txt and surnames.txt from the census lists."""
    folder = Path(folder)
    first = read_census(folder / "dist.female.first") + read_census(folder / "dist.male.first")
    return {"names.txt": unique(first),
            "surnames.txt": unique(read_census(folder / "dist.all.last"))}


def tabular_xml(wheel):
    """The bytes of the one ICD-10-CM tabular-list XML inside the wheel."""
    with zipfile.ZipFile(wheel) as z:
        found = [n for n in z.namelist()
                 if re.fullmatch(r"simple_icd_10_cm/data/icd10c-tabular-.*\.xml", n)]
        if len(found) != 1:
            sys.exit(f"{wheel}: expected one tabular-list XML, found {found}")
        return z.read(found[0])


def descriptions(xml):
    """The description of every <diag> element (every code), in tabular order.

    >>> descriptions(b"<t><diag><name>A00</name><desc>Cholera</desc><diag>"
    ...              b"<name>A00.0</name><desc>Cholera  due to\\n Vibrio</desc></diag></diag></t>")
    ['Cholera', 'Cholera due to Vibrio']
    """
    return [" ".join(diag.findtext("desc").split()) for diag in ET.fromstring(xml).iter("diag")]


def letter_runs(text):
    """The maximal runs of letters (str.isalpha) in text.

    >>> letter_runs("Type 2 diabetes mellitus's, Sézary")
    ['Type', 'diabetes', 'mellitus', 's', 'Sézary']
    """
    return ["".join(run) for is_letter, run in groupby(text, str.isalpha) if is_letter]


def medical_words(lines):
    """The distinct words of lines: runs of letters, lowercased, five letters or more.

    >>> medical_words(["Sézary disease, lymph nodes", "Type 2 diabetes mellitus's onset"])
    ['sézary', 'disease', 'lymph', 'nodes', 'diabetes', 'mellitus', 'onset']
    """
    return unique(w.lower() for line in lines for w in letter_runs(line) if len(w) >= MIN_WORD)


def billable(xml):
    """description<TAB>code of every billable code as the list spells it: a
    <diag> without <diag>s inside, and no <sevenChrDef> on it or around it
    (such a code is billable only with the seventh character it asks for).

    >>> billable(b"<t><diag><name>A00</name><desc>Cholera</desc><diag><name>A00.0</name>"
    ...          b"<desc>Cholera  due to</desc></diag></diag><diag><name>S00</name><desc>Injury"
    ...          b"</desc><sevenChrDef/><diag><name>S00.0</name><desc>Of scalp</desc></diag>"
    ...          b"</diag><diag><name>B99</name><desc>Other</desc></diag></t>")
    ['Cholera due to\\tA00.0', 'Other\\tB99']
    """
    out = []

    def walk(diag, seventh):
        seventh = seventh or diag.find("sevenChrDef") is not None
        inner = diag.findall("diag")
        if not inner and not seventh:
            out.append(" ".join(diag.findtext("desc").split()) + "\t" + diag.findtext("name"))
        for d in inner:
            walk(d, seventh)
    for diag in outermost_diags(ET.fromstring(xml)):
        walk(diag, False)
    return out


def outermost_diags(element):
    """The <diag> elements under element that no other <diag> holds, in order."""
    for child in element:
        if child.tag == "diag":
            yield child
        else:
            yield from outermost_diags(child)


def icd_datasets(wheel):
    """{file name: lines} for diagnoses.txt, medical_words.txt and
    icd10_codes.tsv from the wheel."""
    xml = tabular_xml(wheel)
    diagnoses = descriptions(xml)
    return {"diagnoses.txt": diagnoses, "medical_words.txt": medical_words(diagnoses),
            "icd10_codes.tsv": billable(xml)}


def label_first(row):
    """A row of scikit-learn's digits.csv (the pixels, then the digit) as
    digits.csv has it: the digit first, then the pixels.

    >>> label_first("0,5,16,7")
    '7,0,5,16'
    """
    numbers = row.split(",")
    return ",".join(numbers[-1:] + numbers[:-1])


def digits_datasets(wheel):
    """{file name: lines} for digits.csv from a scikit-learn wheel."""
    with zipfile.ZipFile(wheel) as z:
        text = gzip.decompress(z.read(DIGITS)).decode("ascii")
    rows = [row for row in text.splitlines() if row.strip()]
    for row in rows:  # 64 whole numbers from 0 to 16, then a digit
        numbers = row.split(",")
        if (len(numbers) != 65 or not all(x.isdigit() and int(x) <= 16 for x in numbers)
                or int(numbers[-1]) > 9):
            sys.exit(f"{wheel}: {DIGITS}: not 64 pixels from 0 to 16 and a digit: {row[:60]!r}")
    return {"digits.csv": [label_first(row) for row in rows]}


def wheel_datasets(wheel):
    """The datasets a wheel gives: scikit-learn's digits, or the ICD-10-CM's."""
    with zipfile.ZipFile(wheel) as z:
        has_digits = DIGITS in z.namelist()
    return digits_datasets(wheel) if has_digits else icd_datasets(wheel)


def main(sources):
    for source in sources:
        made = wheel_datasets(source) if source.endswith(".whl") else census_datasets(source)
        for name, lines in made.items():
            (OUT / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
            print(f"{OUT / name}: {len(lines)} lines")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python data/rebuild.py [PATH/TO/names-0.3.0/names] "
                 "[PATH/TO/simple_icd_10_cm-1.5.0-py3-none-any.whl] "
                 "[PATH/TO/scikit_learn-1.9.1-*.whl]")
    main(sys.argv[1:])
