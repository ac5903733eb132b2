"""Full-text search over what cada holds: requests, events, letters, stored files.

- ``extract``: the text of a file by format (pure, no code from the file is run);
- ``worker``: extraction in a subprocess with time and memory limits;
- ``index``: ``search_entry`` kept in step with the record (same transaction);
- ``query``: the search itself, SQLite FTS5 or PostgreSQL full-text search.
"""
