"""Outlier exposure with an energy margin (Liu et al. 2020), on top of the eleven-class cross-entropy.

The energy of a picture is -logsumexp of its ten digit logits: low when the model
sees a digit, high when it sees none. The margin term pushes only the tails: a
digit whose energy is above `inside` (a weak, malformed digit that risks refusal)
and a negative whose energy is below `outside` (a letter that risks passing for a
digit). Tried as a tenth run (models/README.md, "Known weaknesses").
"""
from __future__ import annotations

import keras
from keras import ops

from training.calibrate import NOT_DIGIT   # the class after the ten digits


def energy_margin_loss(weight: float, inside: float, outside: float):
    """Sparse cross-entropy over all classes + weight * squared hinge on the digits' energy."""
    cross_entropy = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)

    def loss(y_true, logits):
        labels = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        energy = -ops.logsumexp(logits[:, :NOT_DIGIT], axis=-1)
        is_digit = labels < NOT_DIGIT
        margin = ops.where(is_digit, ops.relu(energy - inside), ops.relu(outside - energy))
        return cross_entropy(labels, logits) + weight * ops.square(margin)

    return loss
