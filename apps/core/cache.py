"""Django's Redis cache backend, keeping its redis-py client objects.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` around the (shared) connection
pool for every cache operation. redis-py (5+) fills each new client's response-callback table on
construction — ~170 dict writes, a measurable slice of a cached page's CPU (two or three cache
reads per request; see docs/scaling.md "Per-request cost"). A client is thread-safe over its
pool, so one per pool and process is enough; pools are already per process (built lazily, and
gunicorn forks before the first request).
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._pool_at(index))
        return client

    def _pool_at(self, index: int):
        if index not in self._pools:
            self._pools[index] = self._pool_class.from_url(self._servers[index],
                                                           **self._pool_options)
        return self._pools[index]


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
