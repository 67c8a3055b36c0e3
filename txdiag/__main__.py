"""python -m txdiag"""

from txdiag.cli import run

run()
