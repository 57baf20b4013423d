"""The process's Redis client opens connections without looking redis-py's version up in package metadata.

redis-py 8 reads its version from the installed distribution's METADATA for every connection it opens
(for CLIENT SETINFO): ~20 ms of an API cold start's first request. Ours hands it `redis.__version__`,
so the server is told the same name and version and nothing is read from disk.
"""

from __future__ import annotations

from importlib import metadata
from unittest import mock

import redis
from vkc.adapters.redis_client import _client


def test_a_new_connection_names_the_same_driver_without_reading_package_metadata() -> None:
    client = _client("redis://127.0.0.1:6379/15", 2.0)
    try:
        with mock.patch.object(metadata, "version", side_effect=AssertionError("package metadata read")):
            assert client.ping()
            connection = client.connection_pool.get_connection()
        try:
            info = getattr(connection, "driver_info", None)
            if info is not None:  # redis-py 8 (before it, no DriverInfo and no look-up)
                assert (info.formatted_name, info.lib_version) == ("redis-py", redis.__version__)
        finally:
            client.connection_pool.release(connection)
    finally:
        client.connection_pool.disconnect()
