"""The book's views: ipywidgets controls and Altair charts over taosandbox objects."""

from .halving import HalvingExplorer
from .predict import Prediction
from .yuma_cases import CasePlayer
from .yuma_lab import EpochSteps, YumaLab

__all__ = ["CasePlayer", "EpochSteps", "HalvingExplorer", "Prediction", "YumaLab"]
