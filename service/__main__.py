import sys

from pullcoach.cli import main

sys.exit(main())
