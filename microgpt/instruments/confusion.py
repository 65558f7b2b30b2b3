"""
confusion.py: how a classifier did, class by class: the confusion matrix
(row the true class, column the predicted one), its accuracy, and both as
text.

Builds on nothing: it counts pairs of class indices. bert.py's classifier,
the Vision Transformer (patches.py) and the commands that score them use it.
"""
from __future__ import annotations


def confusion(truths, predictions, n_class):
    """The n_class x n_class counts: row the true class, column the predicted.

    >>> confusion([0, 0, 1, 1], [0, 1, 1, 1], 2)
    [[1, 1], [0, 2]]
    """
    matrix = [[0] * n_class for _ in range(n_class)]
    for t, p in zip(truths, predictions):
        matrix[t][p] += 1
    return matrix


def accuracy(matrix):
    """The share of the diagonal in a confusion matrix.

    >>> accuracy([[1, 1], [0, 2]])
    0.75
    """
    return sum(matrix[k][k] for k in range(len(matrix))) / sum(map(sum, matrix))


def most_confused(matrix, top=3):
    """The largest counts off the diagonal, most first (ties: in reading
    order), as (count, true class, predicted class): the pairs the
    classifier mixes up most.

    >>> most_confused([[5, 2, 0], [1, 4, 0], [0, 3, 6]])
    [(3, 2, 1), (2, 0, 1), (1, 1, 0)]
    """
    cells = [(n, t, p) for t, row in enumerate(matrix) for p, n in enumerate(row) if t != p and n]
    return sorted(cells, key=lambda cell: -cell[0])[:top]


def report(matrix, classes, title):
    """The accuracy line and the confusion matrix, as text lines."""
    right, total = sum(matrix[k][k] for k in range(len(matrix))), sum(map(sum, matrix))
    corner = "true \\ predicted"
    width = max(len(corner), *(len(c) for c in classes))
    cols = [max(len(c), 6) for c in classes]
    lines = [f"{title}: {100 * right / total:.1f}% ({right} of {total})",
             "confusion matrix (rows: true class, columns: predicted):",
             f"{corner:<{width}}" + "".join(f"  {c:>{w}}" for c, w in zip(classes, cols))]
    for name, row in zip(classes, matrix):
        lines.append(f"{name:<{width}}" + "".join(f"  {n:>{w}}" for n, w in zip(row, cols)))
    return lines
