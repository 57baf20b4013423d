"""Dev-only tools (VK emulator, local stack): never packaged into a Lambda artifact."""
