"""
microgpt.plumbing: what the commands need around the algorithm, and the
algorithm does not: files read once and checked, outputs written atomically,
data files and the bundled datasets, checkpoints and what a resume may
change, memory estimates checked before a model is built, flags, one-line
errors, signals, streams, progress lines and pictures.

None of the algorithm's modules (data.py to generate.py) imports from here;
the commands (train.py, sample.py, ...) do, at the edge, before the
algorithm runs.
"""
