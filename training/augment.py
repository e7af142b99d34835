"""Batch augmentation of what real handwriting varies in.

Rotation, scale, shear and shift (one random affine map per image), stroke
thickness (thin scans to thick marker strokes, by greyscale erosion/dilation),
and occasional binarisation or low resolution (small postal scans). Everything
is vectorised TensorFlow so it keeps up with training on two cores.
"""
from __future__ import annotations

import math

import tensorflow as tf

CENTRE = 13.5  # pixel centre of a 28x28 image


def _shifted(x, dy, dx):
    return tf.roll(x, shift=(dy, dx), axis=(1, 2))


def _cross_max(x):
    return tf.reduce_max(tf.stack([x, _shifted(x, 1, 0), _shifted(x, -1, 0),
                                   _shifted(x, 0, 1), _shifted(x, 0, -1)]), axis=0)


def stroke_weight(x, amount):
    """amount in [-1, 1] per image: <0 thins strokes, >0 thickens them."""
    a = tf.reshape(amount, (-1, 1, 1, 1))
    thick = _cross_max(x)
    thin = -_cross_max(-x)
    return tf.where(a >= 0, x + a * (thick - x), x + (-a) * (thin - x))


def random_affine(x, rotation_deg=12.0, scale=(0.85, 1.12), shear=0.25, shift=2.5):
    """One random rotation/scale/shear/shift per image (output->input mapping)."""
    n = tf.shape(x)[0]
    rot = tf.random.uniform((n,), -1, 1) * math.radians(rotation_deg)
    s = 1.0 / tf.random.uniform((n,), scale[0], scale[1])
    sh = tf.random.uniform((n,), -shear, shear)
    tx = tf.random.uniform((n,), -shift, shift)
    ty = tf.random.uniform((n,), -shift, shift)
    cos, sin = tf.cos(rot), tf.sin(rot)
    # A = S * R * Shear; input = A (output - c) + c + t
    a0, a1 = s * cos, s * (cos * sh - sin)
    b0, b1 = s * sin, s * (sin * sh + cos)
    a2 = CENTRE - a0 * CENTRE - a1 * CENTRE + tx
    b2 = CENTRE - b0 * CENTRE - b1 * CENTRE + ty
    zeros = tf.zeros_like(a0)
    transforms = tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=x, transforms=transforms, output_shape=tf.constant([28, 28]),
        fill_value=0.0, interpolation="BILINEAR", fill_mode="CONSTANT")


def low_quality(x, p_binarise=0.08, p_lowres=0.08):
    """Some images binarised, some downscaled to 14-18 px and back."""
    n = tf.shape(x)[0]
    u = tf.reshape(tf.random.uniform((n,)), (-1, 1, 1, 1))
    binar = tf.cast(x > tf.random.uniform((), 0.3, 0.6), x.dtype)
    side = tf.random.uniform((), 14, 19, dtype=tf.int32)
    lowres = tf.image.resize(tf.image.resize(x, (side, side), antialias=True), (28, 28))
    x = tf.where(u < p_binarise, binar, x)
    return tf.where((u >= p_binarise) & (u < p_binarise + p_lowres), lowres, x)


def augment_batch(x, y):
    n = tf.shape(x)[0]
    x = stroke_weight(x, tf.random.uniform((n,), -1.0, 1.0) * tf.cast(tf.random.uniform((n,)) < 0.5, tf.float32))
    x = random_affine(x)
    x = low_quality(x)
    return tf.clip_by_value(x, 0.0, 1.0), y
