"""CLI commands over the corpus store, one module per area; each has ``register(app)``.

``nianbao.cli`` holds the commands that need no database (parse, check, rules, rule) and
calls ``register`` on each module listed in ``STORE_COMMANDS``.
"""

STORE_COMMANDS = ("ingest", "agencies", "analyse", "export", "serve", "users")
