"""Image tools for 4KAgent: the `Image` value, restoration experts, IQA and degradation estimators.

from goalgraph.tools.image import Image, experts, iqa
image = Image.open("photo.png")                                  # pixels cached, model holds a hash
best = max(experts.experts_for("denoising"), key=lambda e: -iqa.niqe(e.call(image)))
"""

from . import degradation, experts, iqa
from ._image import MAX_SIDE, Image, ImageError, load_image, save_image
from .degradation import DegradationMeasures
from .experts import EXPERTS, TASKS, experts_for, make_expert
from .iqa import IQAScores

__all__ = [
    "EXPERTS",
    "MAX_SIDE",
    "TASKS",
    "DegradationMeasures",
    "IQAScores",
    "Image",
    "ImageError",
    "degradation",
    "experts",
    "experts_for",
    "iqa",
    "load_image",
    "make_expert",
    "save_image",
]
