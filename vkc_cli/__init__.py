"""`vkc`: the command-line client of the VK Comments Parser API (a user tool, never in a Lambda artifact)."""

__version__ = "0.1.0"
