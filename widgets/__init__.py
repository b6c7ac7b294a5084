"""The book's views: ipywidgets controls and Altair charts over taosandbox objects."""

from .halving import HalvingExplorer
from .predict import Prediction

__all__ = ["HalvingExplorer", "Prediction"]
