"""VK Comments Parser domain package (shipped in the VkcLayer).

Plain, typed Python: importable and testable without AWS. Lambda doors live in functions/.
"""

__version__ = "0.1.0"
