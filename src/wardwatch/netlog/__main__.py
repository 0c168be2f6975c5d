"""`python -m wardwatch.netlog serve|verify|scan`: the syslog commands before they join the main CLI."""
from ..cliutil import run_app
from .cli import syslog_app

run_app(lambda: syslog_app(prog_name="wardwatch syslog"))
