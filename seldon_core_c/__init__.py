"""seldon-core-c: a C server for Seldon Core 1.x Python model classes.

Kept tiny on purpose: the console script imports this package, so nothing heavy is imported here.
"""

__version__ = "0.1.0"
