"""``python -m livenotes_fetch PAGE ...``: the same as ``livenotes-fetch``."""

import sys

from livenotes_fetch import main

sys.exit(main())
