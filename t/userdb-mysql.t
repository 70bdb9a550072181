#!/usr/bin/env python3
"""userdb-mysql.t - userdb = sql:PATH with MariaDB (a private server,
t/lib/sqlservers.py), end to end: the checks of t/lib/userdbsql.py."""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
import userdbsql  # noqa: E402

userdbsql.main("mysql")
