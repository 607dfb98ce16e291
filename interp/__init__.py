"""interp: manipulated video frame interpolation (InterpAny-Clearer's method as a tool).

Importing the package does no work: models load, devices are chosen and files are read only when called.
"""

__version__ = "0.1.0"
