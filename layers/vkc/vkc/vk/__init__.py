"""The VK API client: transport, error policy, token pool (types, shared rate limits, breakers, quotas),
execute batching, typed models and the complete-coverage harvester. See each module's docstring.

Typical use in a worker::

    from vkc.vk.client import VkClient
    from vkc.vk.harvest import Harvester, WallWindow

    client = VkClient.create(secrets, get_redis(settings), settings=settings)
    client.detect_token_types()
    report = Harvester(client, sink).harvest(-1, window=WallWindow(since=...), cursors=..., deadline=...)

Names are imported from their modules, never re-exported here: importing one submodule runs this
file, and `vkc.vk.models` or `vkc.vk.errors` must not load httpx, the client and the harvester into a
Lambda that never calls VK (cold start; tests/unit/test_cold_imports.py).
"""
