import gc
import sys

# Start-up (issue 8: ready within 1.5 s): the imports create about a million objects that
# live as long as the process; the collector's passes over them while importing cost ~15 %
# of the import time. Collection resumes once everything a command needs is imported
# (serve then moves the models it loads out of the collector's way with gc.freeze()).
gc.disable()
from bot import commands  # noqa: E402,F401  (the whole import phase, see above)
from bot.cli import main  # noqa: E402

gc.enable()

sys.exit(main())
