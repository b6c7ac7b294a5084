"""taosandbox: a faithful, seeded model of the Bittensor chain for an interactive textbook.

The model is pure Python + numpy (+ pandas for result frames); the views live in ``widgets``.
"""

__version__ = "0.1.0"
