"""Lesson 10, training in practice: sanity checks, AdamW, data augmentation and layer normalization."""
from . import adamw, augment, gradcheck, layernorm, overfit, ratios, sanity  # noqa: F401
