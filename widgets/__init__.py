"""The book's views: ipywidgets controls and Altair charts over taosandbox objects."""

from .chain_views import RandomTrades, demo_network
from .emission_board import EmissionBoard
from .halving import HalvingExplorer
from .predict import Prediction
from .registrar import Registrar
from .stake_desk import StakeDesk
from .yuma_cases import CasePlayer
from .yuma_lab import EpochSteps, YumaLab

__all__ = ["CasePlayer", "EmissionBoard", "EpochSteps", "HalvingExplorer", "Prediction", "RandomTrades", "Registrar",
           "StakeDesk", "YumaLab", "demo_network"]
