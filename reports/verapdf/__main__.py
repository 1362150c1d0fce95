import sys

from reports.verapdf import main

sys.exit(main(sys.argv[1:]))
