"""Redis: the connection, every key name, locks kept alive, the report cache, ids, subscriptions."""
