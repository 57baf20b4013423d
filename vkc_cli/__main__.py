import sys

from vkc_cli.main import main

sys.exit(main())
