from tests.support.harness import emulator, emulator_tokens, moto_url, vk_env, workspace_id

__all__ = ["emulator", "emulator_tokens", "moto_url", "vk_env", "workspace_id"]
