"""The book's views: ipywidgets controls and Altair charts over taosandbox objects."""

from .chain_views import RandomTrades, demo_network
from .collusion import CabalThreshold, CopierStudy, HonestUtilityStudy
from .conformance import Conformance
from .emission_board import EmissionBoard
from .halving import HalvingExplorer
from .marketplace import Marketplace, OracleProblem
from .predict import Prediction
from .progress import SweepProgress
from .registrar import Registrar
from .sandbox import Sandbox
from .stake_desk import StakeDesk
from .yuma_cases import CasePlayer
from .yuma_lab import EpochSteps, YumaLab

__all__ = ["CabalThreshold", "CasePlayer", "Conformance", "CopierStudy", "EmissionBoard", "EpochSteps",
           "HalvingExplorer", "HonestUtilityStudy", "Marketplace", "OracleProblem", "Prediction", "RandomTrades",
           "Registrar", "Sandbox", "StakeDesk", "SweepProgress", "YumaLab", "demo_network"]
