"""Lesson 08-cnn-training: predict() of the trained CNN, judged by its test accuracy.

Training a network here would take seconds per entry, so the entries are classifiers of known accuracy built
from the true labels (what a trained network of that accuracy returns), plus the typical ways to get predict
wrong around a well-trained network.
"""
import zlib

import numpy as np
from dlgrade.lessons.l08_cnn import training

from ._catalogue import correct, wrong


def _labels(images):
    table = training._label_of()
    return np.array([table[np.asarray(img, dtype=np.float32).tobytes()] for img in images])


def _with_errors(images, share):
    """The true labels with `share` of them (a fixed set of digits, whatever the order) changed."""
    labels = _labels(images)
    wrong_ones = np.array([zlib.crc32(img.tobytes()) % 1000 < share * 1000 for img in images])
    return np.where(wrong_ones, (labels + 1) % 10, labels)


@correct("cnn.trained_cnn")
def predict_96(images):
    """A network that gets about 96% right, as the lesson's CNN does."""
    return _with_errors(images, 0.04)


@correct("cnn.trained_cnn")
def predict_as_floats(images):
    """Class indices as a float array (argmax of float scores cast to float): accepted."""
    return _with_errors(images, 0.05).astype(np.float32)


@wrong("cnn.trained_cnn", "scores_not_labels")
def predict_scores(images):
    """Returns the (N, 10) scores instead of their argmax."""
    return np.eye(10)[_with_errors(images, 0.04)] * 3.0


@wrong("cnn.trained_cnn", "below_threshold")
def predict_mlp_level(images):
    """About 90% right: trained, but no better than a dense network."""
    return _with_errors(images, 0.10)


@wrong("cnn.trained_cnn", "one_class")
def predict_constant(images):
    """Dead network: the same class for every digit."""
    return np.full(len(images), 1)


@wrong("cnn.trained_cnn", "chance_level")
def predict_untrained(images):
    """Random guesses, like a network that was never trained."""
    return np.random.default_rng(0).integers(0, 10, len(images))


@wrong("cnn.trained_cnn", "ignores_input")
def predict_ignores_order(images):
    """Predictions computed once for the test split in its original order, returned whatever the input."""
    return _with_errors(training._dataset()[0][training.TEST], 0.04)


@wrong("cnn.trained_cnn", "wrong_shape")
def predict_one_batch(images):
    """Only the first batch of 500 digits."""
    return _with_errors(images[:500], 0.04)


@wrong("cnn.trained_cnn", "not_class_indices")
def predict_probability_of_best(images):
    """The winning probability instead of the winning class."""
    return np.full(len(images), 0.87)


@wrong("cnn.trained_cnn", "labels_shifted")
def predict_one_based(images):
    """argmax + 1: classes counted from 1."""
    return _with_errors(images, 0.04) + 1

