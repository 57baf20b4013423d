from tests.support.harness import emulator, emulator_tokens, vk_env, workspace_id

__all__ = ["emulator", "emulator_tokens", "vk_env", "workspace_id"]
