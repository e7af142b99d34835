"""The CNN bundled with DigitDesk.

Three blocks of batch-normalised convolutions, each ending in a strided 5x5
convolution instead of max-pooling (a learned downsample), with dropout between
blocks. This family reaches 99.6-99.7% on MNIST as a single model with
augmentation while staying small (346 k parameters, 1.5 MB on disk). Version 2
has an eleventh class, "not a digit", and answers logits plus its penultimate
features.
"""
from __future__ import annotations

import keras
from keras import layers


def _conv(x, filters, kernel, strides=1, padding="same"):
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.Activation("relu")(x)


CLASSES = 11  # the digits 0-9, then "not a digit"


def build_model(dropout: float = 0.4, width: int = 32, classes: int = CLASSES) -> keras.Model:
    """Outputs logits (temperature scaling and softmax happen at run time, in numpy)."""
    inputs = keras.Input(shape=(28, 28, 1), name="digit")
    x = _conv(inputs, width, 3)
    x = _conv(x, width, 3)
    x = _conv(x, width, 5, strides=2)
    x = layers.Dropout(dropout)(x)
    x = _conv(x, 2 * width, 3)
    x = _conv(x, 2 * width, 3)
    x = _conv(x, 2 * width, 5, strides=2)
    x = layers.Dropout(dropout)(x)
    x = _conv(x, 4 * width, 4, padding="valid")
    features = layers.Flatten(name="features")(x)
    x = layers.Dropout(dropout)(features)
    logits = layers.Dense(classes, name="logits")(x)
    return keras.Model(inputs, logits, name="digit_cnn")


def with_features(model: keras.Model) -> keras.Model:
    """The same network answering [logits, features]: the penultimate 2,048 values let the
    app adapt to one person's hand in numpy, without TensorFlow (see digitdesk/engine)."""
    return keras.Model(model.inputs, [model.get_layer("logits").output, model.get_layer("features").output],
                       name=model.name)


def save_for_inference(model: keras.Model, path) -> None:
    """Save weights and architecture only: Keras 3 keeps optimizer slots in a
    .keras file even with include_optimizer=False, tripling its size."""
    clean = keras.Model.from_config(model.get_config())
    clean.set_weights(model.get_weights())
    clean.save(path)
