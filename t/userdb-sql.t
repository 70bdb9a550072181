#!/usr/bin/env python3
"""userdb-sql.t - userdb = sql:PATH with SQLite, end to end: the checks
of t/lib/userdbsql.py (`sluice userdb init` makes the database and its
dovecot-sql.conf.ext; t/userdb-pgsql.t and t/userdb-mysql.t run the same
checks against private PostgreSQL and MariaDB servers)."""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
import userdbsql  # noqa: E402

userdbsql.main("sqlite")
