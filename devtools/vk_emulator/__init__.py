"""Faithful VK API emulator and seeded dataset generator (dev tool; never shipped in a Lambda)."""

from devtools.vk_emulator.config import EmulatorConfig, FaultConfig
from devtools.vk_emulator.dataset import Dataset
from devtools.vk_emulator.fileformat import load_dataset
from devtools.vk_emulator.generator import generate_dataset
from devtools.vk_emulator.server import Emulator, start_emulator

__all__ = [
    "Dataset",
    "Emulator",
    "EmulatorConfig",
    "FaultConfig",
    "generate_dataset",
    "load_dataset",
    "start_emulator",
]
