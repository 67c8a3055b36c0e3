"""python -m txdiag"""

import sys

from txdiag.cli import main

sys.exit(main())
