"""Communities: what users paste → a VK community resolved, stored, listed, monitored, imported in bulk."""
